package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/charts"
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
			&cli.StringFlag{Name: "seed", Value: filepath.Join("testdata", "seed.jsonl"), Usage: "the events to import"},
			echartsFlag(),
		},
		Action: func(c *cli.Context) error {
			dir := c.String("dir")
			out := c.App.Writer
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
				skey, vkey, err := ledger.GenerateKey("statledger.local/demo")
				if err != nil {
					return err
				}
				s, err := bolt.Open(dbPath, bolt.Options{Create: true})
				if err != nil {
					return err
				}
				s.Close()
				if err := writeKey(keyPath, skey); err != nil {
					return err
				}
				fmt.Fprintf(out, "1. created the ledger %s and its signing key %s\n   verifier key: %s\n", dbPath, keyPath, vkey)
			} else {
				fmt.Fprintf(out, "1. reusing the ledger %s\n", dbPath)
			}
			f, err := os.Open(c.String("seed"))
			if err != nil {
				return usageError("cannot read the seed events %s (run the demo from the repository's top folder, or pass --seed): %v", c.String("seed"), err)
			}
			d, err := ledger.DecodeJSONL(c.String("seed"), f)
			f.Close()
			if err != nil {
				return err
			}
			var in []inputEvent
			for _, it := range d.Items {
				in = append(in, inputEvent{file: c.String("seed"), line: it.Line, event: it.Event})
			}
			res, err := appendInput(c, in, d.Errors, appendOptions{batchSize: 1000, quiet: true})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "2. imported %s: ", c.String("seed"))
			printSummary(out, res)
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			defer s.Close()
			v, err := ledger.Verify(bg(), s)
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
			// The seed's month: that of its latest incident.
			month := ""
			for _, it := range d.Items {
				if it.Event.Type.IsIncident() && projections.Month(&it.Event) > month {
					month = projections.Month(&it.Event)
				}
			}
			xlsxPath := filepath.Join(dir, "statledger-"+month+".xlsx")
			data, _, err := buildMonthly(c, s, month, ledger.AsOf{})
			if err != nil {
				return err
			}
			if err := writeFileAtomic(xlsxPath, data); err != nil {
				return err
			}
			fmt.Fprintf(out, "5. wrote the monthly workbook for %s: %s\n", month, xlsxPath)
			st, err := projections.Build(bg(), s, ledger.AsOf{})
			if err != nil {
				return err
			}
			page, pageIn, err := buildChartPage(c, s, st, "", "")
			if err != nil {
				return err
			}
			chartPath := filepath.Join(dir, "charts.html")
			if err := writeFileAtomic(chartPath, page); err != nil {
				return err
			}
			how := "offline: ECharts is inlined"
			if pageIn.ECharts == nil {
				how = "it loads ECharts from " + charts.PublicECharts + "; for an offline page: npm install echarts, then --echarts-js node_modules/echarts/dist/echarts.min.js"
			}
			fmt.Fprintf(out, "6. wrote the chart page %s (%s)\n\n", chartPath, how)
			fmt.Fprintf(out, "Files in %s:\n  %s  the ledger\n  %s  its signing key (secret)\n  %s  the checkpoint\n  %s  the workbook\n  %s  the chart page\n", dir, dbPath, keyPath, cpPath, xlsxPath, chartPath)
			fmt.Fprintf(out, "\nTry: statledger --store %s replay\n", dbPath)
			return nil
		},
	}
}
