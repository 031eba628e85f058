package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/sdmx"
	"github.com/urfave/cli/v2"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the ledger's events (or a month's incidents) as JSONL or CSV, or its monthly figures as SDMX-CSV",
		Description: "Without --month: every incident, task-force, correction and retraction event as recorded,\n" +
			"in ledger order; importing the JSONL into an empty ledger gives the same ids and figures.\n" +
			"With --month: the month's effective incidents (corrections applied, retractions left out).\n" +
			"CSV is for spreadsheets: UTF-8 with the byte-order mark Excel needs to show Korean and Khmer\n" +
			"(as its own \"CSV UTF-8\" has), and a cell starting with =, +, -, @, a tab or a carriage\n" +
			"return prefixed with ' so that no spreadsheet runs it as a formula (OWASP CSV injection).\n" +
			"Publications (report_published) are not exported: they belong to this ledger only.\n" +
			"--format sdmx-csv writes the monthly figures (totals, by nationality, by country) as SDMX-CSV\n" +
			"2.0 for statistics offices, from --from to --to, with --suppress-below as the workbook has it;\n" +
			"reports/sdmx/README.md describes its data structure.\n\n" +
			"Examples:\n   statledger export --format jsonl -o ledger.jsonl\n   statledger export --format csv --month 2025-10 -o october.csv\n" +
			"   statledger export --format sdmx-csv --from 2025-01 --to 2025-10 --suppress-below 5 -o figures.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "jsonl", Usage: "jsonl, csv or sdmx-csv (default csv when -o names a .csv file)"},
			&cli.StringFlag{Name: "from", Usage: "with sdmx-csv: the first month, YYYY-MM (default: the earliest incident's)"},
			&cli.StringFlag{Name: "to", Usage: "with sdmx-csv: the last month, YYYY-MM (default: the latest incident's)"},
			suppressFlag(),
			&cli.StringFlag{Name: "month", Usage: "only the effective incidents of this month, YYYY-MM"},
			asOfFlag(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (default: stdout)"},
		},
		Action: func(c *cli.Context) error {
			named := fileKinds[strings.ToLower(filepath.Ext(c.String("output")))]
			if !c.IsSet("format") && named == "csv" {
				// -o october.csv means CSV, as import reads a file by its name.
				if err := c.Set("format", "csv"); err != nil {
					return err
				}
			}
			if named == "xlsx" {
				return usageError("-o %s: export writes JSON Lines or CSV; the monthly workbook is 'statledger report monthly --month YYYY-MM -o %[1]s'", c.String("output"))
			}
			format := c.String("format")
			if _, ok := exportKinds[format]; !ok {
				hint := ""
				if strings.HasPrefix(strings.ToLower(format), "xls") {
					hint = "; the monthly workbook is 'statledger report monthly --month YYYY-MM'"
				}
				return usageError("--format %q: use jsonl, csv or sdmx-csv%s", format, hint)
			}
			if format == "sdmx-csv" {
				return exportSDMX(c)
			}
			for _, f := range []string{"from", "to", "suppress-below"} {
				if c.IsSet(f) {
					return usageError("--%s goes with --format sdmx-csv", f)
				}
			}
			asOf, err := ledger.ParseAsOf(c.String("as-of"))
			if err != nil {
				return err
			}
			month := c.String("month")
			if month != "" {
				if month, err = parseMonth("--month", month); err != nil {
					return err
				}
			}
			w, file, err := exportOutput(c)
			if err != nil {
				return err
			}
			if file != nil {
				defer file.abort() // a no-op once committed
			}
			ew, err := ledger.NewEventWriter(w, format)
			if err != nil {
				return err
			}
			if month == "" {
				s, _, err := openStore(c, false)
				if err != nil {
					return err
				}
				defer s.Close()
				// Into a file, on a terminal, a long export shows a bar (1M events: 18 s).
				var show func(done, total uint64)
				if file != nil {
					show = barOnTerminal(c, "exporting")
				}
				if err := ledger.Export(c.Context, s, asOf, ew, show); err != nil {
					return err
				}
			} else {
				l, err := view(c, asOf, false, nil)
				if err != nil {
					return err
				}
				defer l.Close()
				if err := l.State.EachIncident(month, func(f *projections.Fact) error { return ew.Write(&f.Event) }); err != nil {
					return err
				}
				if err := ew.Flush(); err != nil {
					return err
				}
			}
			if file != nil {
				if err := file.commit(); err != nil {
					return err
				}
				fmt.Fprintf(c.App.ErrWriter, "wrote %d events to %s\n", ew.N, file.path)
			}
			return nil
		},
	}
}

// exportSDMX writes the monthly figures as SDMX-CSV.
func exportSDMX(c *cli.Context) error {
	if c.IsSet("month") {
		return usageError("--month does not go with --format sdmx-csv: use --from and --to")
	}
	below, err := suppressBelow(c)
	if err != nil {
		return err
	}
	asOf, err := ledger.ParseAsOf(c.String("as-of"))
	if err != nil {
		return err
	}
	from, to, err := monthRange(c)
	if err != nil {
		return err
	}
	w, file, err := exportOutput(c)
	if err != nil {
		return err
	}
	if file != nil {
		defer file.abort() // a no-op once committed
	}
	// Built in memory (a few rows a key and month), so that a projection
	// found damaged half-way is folded again without half a file written.
	var out bytes.Buffer
	var size uint64
	var root string
	l, err := view(c, asOf, false, func(l *checkpoint.Ledger) (err error) {
		out.Reset()
		st := l.State
		size = st.Size
		r, err := ledger.TreeRoot(c.Context, l.Store, st.Size)
		if err != nil {
			return err
		}
		root = ledger.HashHex(r)
		return sdmx.Write(&out, sdmx.Input{State: st, From: from, To: to, SuppressBelow: below, Root: root})
	})
	if err != nil {
		return err
	}
	l.Close()
	if _, err := w.Write(out.Bytes()); err != nil {
		return err
	}
	if file != nil {
		if err := file.commit(); err != nil {
			return err
		}
		fmt.Fprintf(c.App.ErrWriter, "wrote %s as of tree size %d, root %s\n", file.path, size, root)
	}
	return nil
}

// exportKinds are what each --format writes, in words and by extension.
var exportKinds = map[string]struct{ what, ext string }{
	"jsonl":    {"JSON Lines (--format jsonl)", ".jsonl"},
	"csv":      {"CSV (--format csv)", ".csv"},
	"sdmx-csv": {"SDMX-CSV (--format sdmx-csv)", ".csv"},
}
