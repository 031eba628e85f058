package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func recordCommand() *cli.Command {
	var subs []*cli.Command
	for _, t := range ledger.IncidentTypes {
		subs = append(subs, &cli.Command{
			Name:        string(t),
			Usage:       "record " + incidentHelp[t],
			Description: "Example:\n   " + incidentExample[t],
			Flags:       append(fieldFlags(of(t)), idFlag()),
			Action: func(c *cli.Context) error {
				e := ledger.Event{ID: c.String("id"), Type: t}
				fromFlags(c, &e, of(t))
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
			Flags: append(fieldFlags(of(t)), idFlag()),
			Action: func(c *cli.Context) error {
				e := ledger.Event{ID: c.String("id"), Type: t}
				fromFlags(c, &e, of(t))
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
			if hint := didYouMean(subs, c.Args().First()); hint != "" {
				return usageError("%q is not an event type%s", c.Args().First(), hint)
			}
			if t, ok := ledger.MeantType(c.Args().First()); ok && slices.ContainsFunc(subs, func(s *cli.Command) bool { return s.HasName(string(t)) }) {
				return usageError("%q is not an event type; did you mean %s?", c.Args().First(), t)
			}
			return usageError("%q is not an event type; the types are: %s", c.Args().First(), strings.Join(names, ", "))
		},
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

// of says which fields an event of type t carries, but for those the
// command line takes as arguments.
func of(t ledger.Type) func(ledger.Field) bool {
	return func(f ledger.Field) bool { return f.On(t) }
}

func idFlag() cli.Flag {
	return &cli.StringFlag{Name: "id", Usage: "the event's UUID (default: derived from its content)"}
}

// fieldFlags are the flags of the format's fields that on selects, named as
// flagName names them, in the format's order.
func fieldFlags(on func(ledger.Field) bool) []cli.Flag {
	var flags []cli.Flag
	for _, f := range ledger.Fields {
		if !on(f) {
			continue
		}
		name := strings.TrimPrefix(flagName(f.Name), "--")
		switch f.Kind {
		case ledger.Text:
			// A task force's events are all about one: it is their identity.
			flags = append(flags, &cli.StringFlag{Name: name, Usage: f.Help, Required: f.Name == "taskforce"})
		case ledger.Whole:
			flags = append(flags, &cli.Int64Flag{Name: name, Usage: f.Help})
		case ledger.List:
			flags = append(flags, &cli.StringSliceFlag{Name: name, Usage: f.Help + " (repeat for several)"})
		case ledger.Object: // source
			flags = append(flags,
				&cli.StringFlag{Name: "source-publisher", Usage: "who reported it (a publisher or a url is required for incidents)"},
				&cli.StringFlag{Name: "source-url", Usage: "where it was reported (http or https)"},
				&cli.StringFlag{Name: "source-published", Usage: "when the source was published (YYYY-MM-DD)"},
				&cli.StringFlag{Name: "source-title", Usage: "the source's title"})
		}
	}
	return flags
}

// fromFlags sets the fields of e that the flags given set; it returns the
// fields it set.
func fromFlags(c *cli.Context, e *ledger.Event, on func(ledger.Field) bool) []*ledger.Field {
	var set []*ledger.Field
	for i := range ledger.Fields {
		f := &ledger.Fields[i]
		name := strings.TrimPrefix(flagName(f.Name), "--")
		if !on(*f) {
			continue
		}
		if f.Kind == ledger.Object {
			s := ledger.Source{Publisher: c.String("source-publisher"), URL: c.String("source-url"),
				Published: c.String("source-published"), Title: c.String("source-title")}
			if s != (ledger.Source{}) {
				e.Source = &s
				set = append(set, f)
			}
			continue
		}
		if !c.IsSet(name) {
			continue
		}
		switch f.Kind {
		case ledger.Whole:
			f.SetText(e, strconv.FormatInt(c.Int64(name), 10))
		case ledger.List:
			f.SetText(e, strings.Join(c.StringSlice(name), ";"))
		default:
			f.SetText(e, c.String(name))
		}
		set = append(set, f)
	}
	return set
}

// flagName turns a format field name into the flag that sets it, so an error
// on the command line names what the user typed.
func flagName(field string) string {
	f := strings.TrimPrefix(field, "changes.")
	switch {
	case f == "count_qualifier":
		return "--qualifier"
	case strings.HasPrefix(f, "agencies"):
		return "--agency"
	case strings.HasPrefix(f, "members"):
		return "--member"
	case strings.HasPrefix(f, "source."):
		return "--source-" + strings.TrimPrefix(f, "source.")
	case f == "source":
		return "--source-publisher/--source-url"
	}
	return "--" + strings.ReplaceAll(f, "_", "-")
}

// argName is what the command line calls a field: the ID argument of
// correct and retract, else a flag.
func argName(field string) string {
	if field == "corrects" || field == "retracts" {
		return "ID"
	}
	return flagName(field)
}

// appendOne validates a single event built from flags and appends it.
func appendOne(c *cli.Context, e ledger.Event) error {
	ledger.Normalize(&e)
	var lineErrs []ledger.LineError
	for _, fe := range ledger.Validate(&e) {
		lineErrs = append(lineErrs, ledger.LineError{Field: argName(fe.Field), Msg: fe.Msg})
	}
	if len(lineErrs) > 0 {
		for _, le := range lineErrs {
			fmt.Fprintln(c.App.ErrWriter, le.Error())
		}
		return ledger.Errorf(ledger.CodeInput, "%d bad %s; nothing was appended", len(lineErrs), ledger.Plural(len(lineErrs), "value", "values"))
	}
	if target := e.Corrects + e.Retracts; target != "" {
		if err := refuseRetracted(c, e.Type, target); err != nil {
			return err
		}
	}
	res, err := importInput(c, ledger.Events{File: "(flags)", List: []ledger.Event{e}}, 1, false, true)
	if bad := ledger.BadLines(err); len(bad) > 0 {
		// One event from flags: there are no lines, and no --skip-invalid.
		return usageError("%s: %s", argName(bad[0].Field), strings.TrimSuffix(bad[0].Msg, " or earlier in this input"))
	}
	if err != nil {
		return err
	}
	if res.Duplicates > 0 {
		fmt.Fprintf(c.App.Writer, "%s is already in the ledger with the same content; nothing appended\n", e.ID)
	} else {
		fmt.Fprintf(c.App.Writer, "recorded %s %s at seq %d\n", e.Type, e.ID, res.Head.Size-1)
	}
	printSummary(c.App.Writer, res)
	return nil
}
