package main

import (
	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/urfave/cli/v2"
)

func correctCommand() *cli.Command {
	changeable := func(f ledger.Field) bool { return f.Changeable }
	flags := append(fieldFlags(changeable),
		&cli.StringFlag{Name: "reason", Usage: "why the correction is made (required; shown in reports)", Required: true},
	)
	return &cli.Command{
		Name:      "correct",
		Usage:     "append a correction that replaces fields of an earlier event",
		ArgsUsage: "ID",
		Description: "Only the flags you give are changed; a later correction of the same field wins. The\n" +
			"--source-* flags together replace the whole source. The original stays in the ledger.\n\n" +
			"Example:\n   statledger correct 3f1c…-… --count 64 --qualifier exact --reason \"ministry figure of 2025-10-30\"",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("correct needs exactly one event ID")
			}
			var e ledger.Event
			ch := &ledger.Changes{}
			for _, f := range fromFlags(c, &e, changeable) {
				f.Change(ch, &e)
			}
			if len(ch.Fields()) == 0 {
				return usageError("correct: give at least one field to change, e.g. --count 61")
			}
			return appendOne(c, ledger.Event{Type: ledger.Correction, Corrects: c.Args().First(), Changes: ch, Reason: c.String("reason")})
		},
	}
}

func retractCommand() *cli.Command {
	return &cli.Command{
		Name:        "retract",
		Usage:       "append a retraction: the event stops counting in every report",
		ArgsUsage:   "ID",
		Description: "Example:\n   statledger retract 3f1c…-… --reason \"duplicate of the ministry's report\"",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "reason", Usage: "why (required; shown in reports)", Required: true},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("retract needs exactly one event ID")
			}
			return appendOne(c, ledger.Event{Type: ledger.Retraction, Retracts: c.Args().First(), Reason: c.String("reason")})
		},
	}
}

// refuseRetracted is projections.State.CheckTarget on the ledger's
// current view.
func refuseRetracted(c *cli.Context, t ledger.Type, id string) error {
	l, err := view(c, ledger.AsOf{}, false, func(l *checkpoint.Ledger) error { return l.State.CheckTarget(t, id) })
	if err == nil {
		l.Close()
	}
	return err
}
