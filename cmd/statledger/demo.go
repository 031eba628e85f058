package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/statledger/statledger"
	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/synth"
	"github.com/statledger/statledger/reports/charts"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/urfave/cli/v2"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "build a demo ledger from testdata/seed.jsonl and show what statledger does",
		Description: "Creates DIR/statledger.db and its key (or reuses them), imports the seed events,\n" +
			"verifies the ledger and writes a signed checkpoint. Safe to run again: the import is\n" +
			"idempotent. The global --store is ignored: the demo keeps everything in DIR.\n\n" +
			"Example:\n   go run ./cmd/statledger demo --dir /tmp/statledger-demo",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: "statledger-demo", Usage: "where to put the demo ledger and its outputs"},
			&cli.StringFlag{Name: "file", Usage: "the events to import (JSONL; default the seed events built into statledger, testdata/seed.jsonl)"},
			echartsFlag(), langFlag(),
			&cli.IntFlag{Name: "events", Usage: "instead of the seed, a realistic synthetic ledger of N events"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "the random seed of --events: the same seed gives the same events"},
			&cli.StringFlag{Name: "export-dir", Usage: "with --events, where to write them as events.jsonl and events.csv (default DIR)"},
		},
		Action: func(c *cli.Context) error {
			language, err := langOf(c)
			if err != nil {
				return err
			}
			dir := c.String("dir")
			out := c.App.Writer
			// Checked before anything is made: run elsewhere, the demo must
			// not leave a ledger and a key behind it and then fail.
			if c.Int("events") == 0 && c.String("file") != "" {
				if _, err := os.Stat(c.String("file")); err != nil {
					return usageError("--file %s: cannot read it (nothing was created)", c.String("file"))
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return ledger.Wrap(ledger.CodeRuntime, err, "cannot create %s", dir)
			}
			dbPath := filepath.Join(dir, "statledger.db")
			keyPath := dbPath + ".key"
			if err := c.Set("store", dbPath); err != nil {
				return err
			}
			if err := c.Set("signing-key", keyPath); err != nil {
				return err
			}
			if _, err := os.Stat(keyPath); os.IsNotExist(err) {
				// Its own origin, as init gives: two demos' checkpoints are
				// told apart as two ledgers' (exit 2), not as a bad signature.
				origin := ledger.DefaultOrigin("demo")
				skey, vkey, err := ledger.GenerateKey(origin)
				if err != nil {
					return err
				}
				if err := createFile(c.Context, dbPath, origin); err != nil {
					return err
				}
				if err := ledger.WriteSigningKey(keyPath, skey); err != nil {
					return err
				}
				fmt.Fprintf(out, "1. created the ledger %s and its signing key %s\n   verifier key: %s\n", dbPath, keyPath, vkey)
			} else {
				// The verifier key again: an auditor's check of the demo's workbook needs it.
				_, vkey, err := ledger.LoadSigner(keyPath)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "1. reusing the ledger %s\n   verifier key: %s\n", dbPath, vkey)
			}
			// The seed built into the binary, unless told otherwise.
			in, shown := &ledger.Files{Names: []string{"-"}, Stdin: bytes.NewReader(statledger.Seed), Format: "jsonl"}, "testdata/seed.jsonl"
			if source := c.String("file"); source != "" {
				in.Names, shown = []string{source}, source
			}
			if n := c.Int("events"); n > 0 {
				dir := c.String("export-dir")
				if dir == "" {
					dir = c.String("dir")
				}
				source, err := synth.WriteFiles(dir, n, c.Uint64("seed"), barOnTerminal(c, "generating events"))
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "   generated %d synthetic events (seed %d): %s and its .csv twin\n", n, c.Uint64("seed"), source)
				in.Names, shown = []string{source}, source
			}
			defer in.Close()
			res, err := importInput(c, in, 1000, false, false)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "2. imported %s: ", shown)
			printSummary(out, res)
			l, err := view(c, ledger.AsOf{}, false, nil)
			if err != nil {
				return err
			}
			defer l.Close()
			s, st := l.Store, l.State
			v, err := ledger.Verify(c.Context, s, verifyProgress(c))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "3. verified every leaf and tree hash: %d events, root %s\n", v.Size, ledger.HashHex(v.Root))
			text, _, err := signedCheckpoint(c, s, 0, false)
			if err != nil {
				return err
			}
			cpPath := filepath.Join(dir, "checkpoint.txt")
			if err := os.WriteFile(cpPath, []byte(text), 0o644); err != nil {
				return ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", cpPath)
			}
			fmt.Fprintf(out, "4. signed checkpoint, saved to %s:\n\n%s\n", cpPath, text)
			_, month := st.IncidentSpan() // the workbook is of the latest month with an incident
			xlsxPath := filepath.Join(dir, inLanguage("statledger-"+month, ".xlsx", language))
			data, _, err := buildMonthly(c, s, st, month, monthly.Form{Lang: language})
			if err != nil {
				return err
			}
			if err := writeFile(c, xlsxPath, data); err != nil {
				return err
			}
			fmt.Fprintf(out, "5. wrote the monthly workbook for %s: %s\n", month, xlsxPath)
			page, pageIn, err := buildChartPage(c, s, st, "", "")
			if err != nil {
				return err
			}
			chartPath := filepath.Join(dir, inLanguage("charts", ".html", language))
			if err := writeFile(c, chartPath, page); err != nil {
				return err
			}
			how := "offline: ECharts is inlined"
			if pageIn.ECharts == nil {
				how = "it loads ECharts from " + charts.PublicECharts + ", and offline shows its figures as tables; for interactive charts offline: npm install echarts here, then run the demo again"
			}
			fmt.Fprintf(out, "6. wrote the chart page %s (%s)\n\n", chartPath, how)
			fmt.Fprintf(out, "Files in %s:\n  %s  the ledger\n  %s  its signing key (secret)\n  %s  the checkpoint\n  %s  the workbook\n  %s  the chart page\n", dir, dbPath, keyPath, cpPath, xlsxPath, chartPath)
			fmt.Fprintf(out, "\nTry: %s --store %s replay\n", selfName(), dbPath)
			return nil
		},
	}
}

// selfName is how the user runs statledger: a newcomer's first run is
// 'go run ./cmd/statledger', whose binary lives in a temporary folder, and
// 'statledger' is no command until 'go install ./cmd/statledger'.
func selfName() string {
	if strings.Contains(os.Args[0], "go-build") {
		return "go run ./cmd/statledger"
	}
	return "statledger"
}
