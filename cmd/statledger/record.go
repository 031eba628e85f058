package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
)

func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "source-publisher", Usage: "who reported it (a publisher or a url is required for incidents)"},
		&cli.StringFlag{Name: "source-url", Usage: "where it was reported (http or https)"},
		&cli.StringFlag{Name: "source-published", Usage: "when the source was published (YYYY-MM-DD)"},
		&cli.StringFlag{Name: "source-title", Usage: "the source's title"},
	}
}

func sourceFromFlags(c *cli.Context) *ledger.Source {
	s := ledger.Source{Publisher: c.String("source-publisher"), URL: c.String("source-url"),
		Published: c.String("source-published"), Title: c.String("source-title")}
	if s == (ledger.Source{}) {
		return nil
	}
	return &s
}

func dateFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "date", Usage: "when it happened, as reported (YYYY-MM-DD; for a week or month, its first day)"},
		&cli.StringFlag{Name: "date-precision", Usage: "day, week or month (default day)"},
	}
}

var incidentHelp = map[ledger.Type]string{
	ledger.Arrest:       "persons arrested",
	ledger.Repatriation: "persons repatriated (country = the country they left)",
	ledger.Rescue:       "persons rescued",
	ledger.Death:        "persons who died",
	ledger.Deportation:  "persons deported",
}

var incidentExample = map[ledger.Type]string{
	ledger.Arrest: `statledger record arrest --date 2025-10-20 --date-precision week --count 60 --qualifier approx \
     --nationality KR --country KH --crime online_scam --source-publisher "Phnom Penh news report" \
     --notes "authorities arrested nearly 60 others last week"`,
	ledger.Repatriation: `statledger record repatriation --date 2025-10-01 --date-precision month --count 61 \
     --qualifier at_least --nationality KR --country KH --source-url https://example.org/report`,
	ledger.Rescue: `statledger record rescue --date 2025-09-14 --count 12 --nationality KR --country KH \
     --location "Sihanoukville" --agency "Cambodian National Police" --source-publisher Yonhap`,
	ledger.Death: `statledger record death --date 2025-08-01 --date-precision month --count 1 \
     --nationality KR --country KH --source-publisher Yonhap --source-published 2025-10-27`,
	ledger.Deportation: `statledger record deportation --date 2025-10-21 --count 64 --nationality KR \
     --country KH --source-publisher "Ministry of Interior"`,
}

func incidentFlags() []cli.Flag {
	flags := append(dateFlags(),
		&cli.Int64Flag{Name: "count", Usage: "how many persons (0…1,000,000); for \"more than 60\" give 61 with --qualifier at_least"},
		&cli.StringFlag{Name: "qualifier", Usage: "exact, at_least, approx or at_most (default exact)"},
		&cli.StringFlag{Name: "nationality", Usage: "ISO 3166-1 alpha-2 code of the persons (e.g. KR)"},
		&cli.StringFlag{Name: "country", Usage: "ISO 3166-1 alpha-2 code of where it happened (e.g. KH)"},
		&cli.StringFlag{Name: "location", Usage: "place, as reported"},
		&cli.StringSliceFlag{Name: "agency", Usage: "an agency involved (repeat for several)"},
		&cli.StringFlag{Name: "crime", Usage: "the crime, e.g. online_scam"},
		&cli.StringFlag{Name: "notes", Usage: "free text, at most 4,000 characters"},
	)
	return append(flags, sourceFlags()...)
}

func taskforceFlags() []cli.Flag {
	flags := append(dateFlags(),
		&cli.StringFlag{Name: "taskforce", Usage: "the task force's id, a slug like kh-kr-joint-working-group", Required: true},
		&cli.StringFlag{Name: "name", Usage: "its name"},
		&cli.StringSliceFlag{Name: "member", Usage: "a member country, ISO alpha-2 (repeat for several)"},
		&cli.StringFlag{Name: "purpose", Usage: "what it is for"},
		&cli.StringFlag{Name: "notes", Usage: "free text, at most 4,000 characters"},
	)
	return append(flags, sourceFlags()...)
}

func idFlag() cli.Flag {
	return &cli.StringFlag{Name: "id", Usage: "the event's UUID (default: derived from its content)"}
}

func recordCommand() *cli.Command {
	var subs []*cli.Command
	for _, t := range ledger.IncidentTypes {
		subs = append(subs, &cli.Command{
			Name:        string(t),
			Usage:       "record " + incidentHelp[t],
			Description: "Example:\n   " + incidentExample[t],
			Flags:       append(incidentFlags(), idFlag()),
			Action: func(c *cli.Context) error {
				e := ledger.Event{ID: c.String("id"), Type: t, Date: c.String("date"), DatePrecision: c.String("date-precision"),
					CountQualifier: c.String("qualifier"), Nationality: c.String("nationality"), Country: c.String("country"),
					Location: c.String("location"), Agencies: c.StringSlice("agency"), Crime: c.String("crime"),
					Source: sourceFromFlags(c), Notes: c.String("notes")}
				if c.IsSet("count") {
					n := c.Int64("count")
					e.Count = &n
				}
				return appendOne(c, e)
			},
		})
	}
	for _, t := range ledger.TaskforceTypes {
		name := strings.ReplaceAll(string(t), "_", "-")
		verb := strings.TrimPrefix(string(t), "taskforce_")
		subs = append(subs, &cli.Command{
			Name:    name,
			Aliases: []string{string(t)}, // as JSONL, CSV and replay spell it
			Usage:   "record that a task force was " + verb,
			Description: fmt.Sprintf("Example:\n   statledger record %s --taskforce kh-kr-joint-working-group \\\n"+
				"     --name \"Cambodia–Korea joint ad-hoc working group\" --member KH --member KR \\\n"+
				"     --date 2025-10-27 --source-publisher \"Phnom Penh news report\"", name),
			Flags: append(taskforceFlags(), idFlag()),
			Action: func(c *cli.Context) error {
				e := ledger.Event{ID: c.String("id"), Type: t, Taskforce: c.String("taskforce"), Name: c.String("name"),
					Members: c.StringSlice("member"), Purpose: c.String("purpose"), Date: c.String("date"),
					DatePrecision: c.String("date-precision"), Source: sourceFromFlags(c), Notes: c.String("notes")}
				return appendOne(c, e)
			},
		})
	}
	var names []string
	for _, sc := range subs {
		names = append(names, sc.Name)
	}
	return &cli.Command{
		Name:        "record",
		Usage:       "record one event from flags",
		Description: "Each event type has its own subcommand; 'statledger record TYPE --help' shows its flags and an example.",
		Subcommands: subs,
		// Reached with a type that is no subcommand (interspersed leaves it
		// alone, without the flags meant for it).
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("record needs an event type: %s", strings.Join(names, ", "))
			}
			return usageError("%q is not an event type; the types are: %s", c.Args().First(), strings.Join(names, ", "))
		},
	}
}

func correctCommand() *cli.Command {
	flags := append(incidentFlags(),
		&cli.StringFlag{Name: "name", Usage: "new task-force name"},
		&cli.StringSliceFlag{Name: "member", Usage: "new member list (repeat for several)"},
		&cli.StringFlag{Name: "purpose", Usage: "new task-force purpose"},
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
			ch := &ledger.Changes{}
			str := func(flag string, dst **string) {
				if c.IsSet(flag) {
					v := c.String(flag)
					*dst = &v
				}
			}
			str("date", &ch.Date)
			str("date-precision", &ch.DatePrecision)
			str("qualifier", &ch.CountQualifier)
			str("nationality", &ch.Nationality)
			str("country", &ch.Country)
			str("location", &ch.Location)
			str("crime", &ch.Crime)
			str("name", &ch.Name)
			str("purpose", &ch.Purpose)
			str("notes", &ch.Notes)
			if c.IsSet("count") {
				n := c.Int64("count")
				ch.Count = &n
			}
			if c.IsSet("agency") {
				v := c.StringSlice("agency")
				ch.Agencies = &v
			}
			if c.IsSet("member") {
				v := c.StringSlice("member")
				ch.Members = &v
			}
			ch.Source = sourceFromFlags(c)
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
