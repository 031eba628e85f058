package main

import (
	"strings"

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
			if c.String("reason") == placeholder {
				// The command import suggests, pasted as it was: "WHY"
				// would be shown in every report as the reason.
				return usageError("--reason %s: write why the correction is made instead (it is shown in reports), e.g. --reason \"ministry list of 2025-10-30\"", placeholder)
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

// correction is the command that corrects the event a line clashed with
// (cl) to what the line gave: a row exported, edited and imported again
// cannot change what is recorded, and a correction can.
func correction(c *cli.Context, cl *ledger.Clash) string {
	e := cl.Changes.Apply(ledger.Event{Type: cl.Type})
	words := []string{suggest(c, "correct"), cl.ID}
	for _, name := range cl.Changes.Fields() {
		f := ledger.FieldNamed(name)
		if f.Kind == ledger.Object {
			if src := e.Source; src != nil {
				for _, p := range [][2]string{{"publisher", src.Publisher}, {"url", src.URL}, {"published", src.Published}, {"title", src.Title}} {
					if p[1] != "" {
						words = append(words, "--source-"+p[0], shellWord(p[1]))
					}
				}
			}
			continue
		}
		values := f.Texts(&e)
		if len(values) == 0 { // a list emptied
			values = []string{""}
		}
		for _, v := range values {
			words = append(words, flagName(name), shellWord(v))
		}
	}
	return strings.Join(append(words, "--reason", `"`+placeholder+`"`), " ")
}

// placeholder stands for the reason in a command statledger suggests.
const placeholder = "WHY"

// suggest is the start of a command line the user is told to run: with
// the --store and --ledger they gave, but never a password (an address
// with one is left to $STATLEDGER_STORE).
func suggest(c *cli.Context, command string) string {
	words := []string{"statledger"}
	if ref, err := storeFlag(c); err == nil && c.IsSet("store") && redact(ref.raw) == ref.raw {
		words = append(words, "--store", shellWord(ref.raw))
	}
	if c.IsSet("ledger") {
		words = append(words, "--ledger", shellWord(c.String("ledger")))
	}
	return strings.Join(append(words, command), " ")
}

// shellWord is s as one word of a command line: bare when it can be, else
// in double quotes (which Windows' shells also read), else in single quotes.
func shellWord(s string) string {
	switch {
	case s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=") == "":
		return s
	case !strings.ContainsAny(s, "\"$`\\!"):
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
