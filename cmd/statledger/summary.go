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
		Usage: "print a month's Summary table (incidents and persons per incident type)",
		Description: "The same figures as the Summary sheet of 'report monthly', in its words and language;\n" +
			"--format json gives them in the format's codes (type, count, qualifier) for a script.\n\n" +
			"Examples:\n   statledger summary --month 2025-10 --as-of 4\n   statledger summary --month 2025-10 --lang ko",
		Flags: []cli.Flag{monthFlag(), asOfFlag(), &cli.StringFlag{Name: "format", Value: "table", Usage: "table or json"}, suppressFlag(), langFlag()},
		Action: func(c *cli.Context) error {
			month, asOf, below, err := monthArgs(c)
			if err != nil {
				return err
			}
			if f := c.String("format"); f != "table" && f != "json" {
				return usageError("--format %q: use table or json", f)
			}
			language, err := langOf(c)
			if err != nil {
				return err
			}
			var sum monthly.Summary
			var empty string
			l, err := view(c, asOf, false, func(l *checkpoint.Ledger) (err error) {
				sum, err = monthly.NewSummary(c.Context, l.Store, l.State, month, below)
				empty = emptyMonth(l.State, month, asOf)
				return err
			})
			if err != nil {
				return err
			}
			l.Close()
			if c.String("format") == "json" {
				return sum.WriteJSON(c.App.Writer)
			}
			if err := sum.WriteText(c.App.Writer, language); err != nil {
				return err
			}
			if empty != "" {
				fmt.Fprintln(c.App.ErrWriter, empty)
			}
			return nil
		},
	}
}
