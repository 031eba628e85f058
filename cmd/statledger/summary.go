package main

import (
	"fmt"

	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/urfave/cli/v2"
)

func summaryCommand() *cli.Command {
	return &cli.Command{
		Name:  "summary",
		Usage: "print a month's Summary table (events, persons, qualifier per incident type)",
		Description: "The same figures as the Summary sheet of 'report monthly'.\n\n" +
			"Example:\n   statledger summary --month 2025-10 --as-of 4",
		Flags: []cli.Flag{monthFlag(), asOfFlag(), &cli.StringFlag{Name: "format", Value: "table", Usage: "table or json"}, suppressFlag()},
		Action: func(c *cli.Context) error {
			month, asOf, below, err := monthArgs(c)
			if err != nil {
				return err
			}
			if f := c.String("format"); f != "table" && f != "json" {
				return usageError("--format %q: use table or json", f)
			}
			var sum monthly.Summary
			var empty string
			l, err := view(c, asOf, false, func(l *checkpoint.Ledger) (err error) {
				sum, err = monthly.NewSummary(c.Context, l.Store, l.State, month, below)
				empty = emptyMonth(l.State, month)
				return err
			})
			if err != nil {
				return err
			}
			l.Close()
			if c.String("format") == "json" {
				return sum.WriteJSON(c.App.Writer)
			}
			if err := sum.WriteText(c.App.Writer); err != nil {
				return err
			}
			if sum.Disclosure.Any() {
				fmt.Fprintf(c.App.Writer, "\nx: withheld (1 to %d persons, or would reveal such a figure: --suppress-below %d)\n", below-1, below)
			}
			if empty != "" {
				fmt.Fprintln(c.App.ErrWriter, empty)
			}
			return nil
		},
	}
}
