package main

import (
	"bytes"
	"fmt"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/charts"
	"github.com/urfave/cli/v2"
)

func chartCommand() *cli.Command {
	return &cli.Command{
		Name:  "chart",
		Usage: "write the interactive HTML chart page",
		Description: "One self-contained page: persons per month by type, by nationality, cumulative arrests and\n" +
			"repatriations, and the task forces on a timeline. With --echarts-js the ECharts library is\n" +
			"inlined and the page works offline with no external reference. Without it, ECharts installed\n" +
			"with npm in this folder (or beside the binary) is inlined; failing that, the page loads\n" +
			"ECharts from " + charts.PublicECharts + ", and shows its figures as tables where it cannot.\n\n" +
			"Example:\n   npm install echarts\n   statledger chart -o charts.html --echarts-js node_modules/echarts/dist/echarts.min.js",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the page to write (default charts.html; in Korean or Khmer charts-ko.html, charts-km.html)"},
			&cli.StringFlag{Name: "from", Usage: "first month, YYYY-MM (default: the earliest incident's month)"},
			&cli.StringFlag{Name: "to", Usage: "last month, YYYY-MM (default: the latest incident's month)"},
			asOfFlag(), echartsFlag(), suppressFlag(), langFlag(),
		},
		Action: func(c *cli.Context) error {
			asOf, err := ledger.ParseAsOf(c.String("as-of"))
			if err != nil {
				return err
			}
			if _, err := suppressBelow(c); err != nil {
				return err
			}
			language, err := langOf(c)
			if err != nil {
				return err
			}
			from, to, err := monthRange(c)
			if err != nil {
				return err
			}
			// Made before the fold, which may take long: a file that cannot be
			// written fails at once.
			out := c.String("output")
			if out == "" {
				out = inLanguage("charts", ".html", language)
			}
			if err := checkExtension(out, "an HTML page", ".html"); err != nil {
				return err
			}
			file, err := createOutput(c, out)
			if err != nil {
				return err
			}
			defer file.abort() // a no-op once committed
			var page []byte
			var in charts.Input
			l, err := view(c, asOf, false, func(l *checkpoint.Ledger) (err error) {
				page, in, err = buildChartPage(c, l.Store, l.State, from, to)
				return err
			})
			if err != nil {
				return err
			}
			defer l.Close()
			st := l.State
			if err := file.writeAll(page); err != nil {
				return err
			}
			fmt.Fprintf(infoWriter(c, out), "wrote %s: %s to %s as of tree size %d, root %s\n", file.path, in.From, in.To, st.Size, in.Root)
			if len(st.Months()) == 0 {
				note := fmt.Sprintf("note: no incident counts as of tree size %d: the page has no figures", st.Size)
				if asOf.Time != nil {
					note += "; " + instantNote
				}
				fmt.Fprintln(c.App.ErrWriter, note)
			}
			if in.ECharts == nil {
				fmt.Fprintf(c.App.ErrWriter, "note: the page loads ECharts from %s (offline it shows its figures as tables); for interactive charts offline, run 'npm install echarts' here or pass --echarts-js\n", charts.PublicECharts)
			} else {
				fmt.Fprintf(c.App.ErrWriter, "ECharts inlined from %s: the page works offline\n", echartsPath(c))
			}
			return nil
		},
	}
}

// buildChartPage builds the page of st for the months from..to (defaults: the
// span of its incidents).
func buildChartPage(c *cli.Context, s ledger.Store, st *projections.State, from, to string) ([]byte, charts.Input, error) {
	from, to, err := charts.Span(st, from, to)
	if err != nil {
		return nil, charts.Input{}, err
	}
	root, err := ledger.TreeRoot(c.Context, s, st.Size)
	if err != nil {
		return nil, charts.Input{}, err
	}
	origin := "statledger"
	if keyPath, err := signingKeyPath(c); err == nil {
		if signer, _, err := ledger.LoadSigner(keyPath); err == nil {
			origin = signer.Name()
		}
	}
	below, err := suppressBelow(c)
	if err != nil {
		return nil, charts.Input{}, err
	}
	l, err := langOf(c)
	if err != nil {
		return nil, charts.Input{}, err
	}
	in := charts.Input{State: st, From: from, To: to, Origin: origin, Root: ledger.HashHex(root), Version: version, SuppressBelow: below, Lang: l}
	if p := echartsPath(c); p != "" {
		if in.ECharts, err = charts.LoadECharts(p); err != nil {
			return nil, in, err
		}
	}
	var buf bytes.Buffer
	if err := charts.Write(&buf, in); err != nil {
		return nil, in, ledger.Wrap(ledger.CodeRuntime, err, "cannot build the chart page")
	}
	if err := st.Err(); err != nil {
		return nil, in, checkpoint.Damaged(err)
	}
	return buf.Bytes(), in, nil
}

// echartsPath is the ECharts file to inline: --echarts-js (or
// $STATLEDGER_ECHARTS_JS), else one installed with npm (charts.FindECharts);
// "" when there is none, and the page loads ECharts from the public host.
func echartsPath(c *cli.Context) string {
	if p := c.String("echarts-js"); p != "" {
		return p
	}
	return charts.FindECharts()
}
