package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/urfave/cli/v2"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "validate and append events from JSONL or CSV files ('-' for stdin)",
		ArgsUsage: "FILE…",
		Description: "The whole input is validated first: bad lines are reported as FILE:LINE: field: problem\n" +
			"(the first 100, and how many more) and, if there is any, nothing is appended (exit 2).\n" +
			"Events without an id get one derived from their content, so importing the same file twice\n" +
			"appends nothing. Events are appended in batches, each all or nothing: if the import is\n" +
			"interrupted, run it again to finish.\n\n" +
			"A CSV file starts with a row naming its columns, in any order, from:\n" +
			wrapped(ledger.CSVColumns, "   ", 90) +
			"Dates are YYYY-MM-DD, countries two-letter codes (KH, KR), lists separated by ';'.\n" +
			"From a spreadsheet, save the sheet as CSV UTF-8 (comma-separated).\n\n" +
			"Examples:\n   statledger import testdata/seed.jsonl\n   statledger import --format csv - < october.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "jsonl or csv (default: from the file extension)"},
			&cli.IntFlag{Name: "batch-size", Value: 1000, Usage: "events per atomic append"},
			&cli.BoolFlag{Name: "skip-invalid", Usage: "append the good lines and list the bad ones, instead of appending nothing"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("import needs at least one FILE (or '-' for stdin)")
			}
			if c.Int("batch-size") < 1 {
				return usageError("--batch-size must be at least 1")
			}
			in := &ledger.Files{Names: c.Args().Slice(), Format: strings.ToLower(c.String("format")), Stdin: c.App.Reader}
			defer in.Close()
			res, err := importInput(c, in, c.Int("batch-size"), c.Bool("skip-invalid"), false)
			if err != nil {
				return err
			}
			printSummary(c.App.Writer, res)
			return nil
		},
	}
}

// importInput imports in into the ledger named by --store (ledger.Import),
// listing the bad lines on stderr. quiet lists none (the caller words them)
// and shows no progress bar.
func importInput(c *cli.Context, in ledger.Input, batchSize int, skipInvalid, quiet bool) (ledger.AppendResult, error) {
	opt := ledger.ImportOptions{
		Actor:       c.String("actor"),
		BatchSize:   batchSize,
		SkipInvalid: skipInvalid,
	}
	if !quiet {
		clashes := 0
		opt.Bad = func(e ledger.LineError) {
			fmt.Fprintln(c.App.ErrWriter, e.Error())
			if cl := e.Clash; cl != nil && cl.Correctable && clashes < 3 {
				clashes++
				fmt.Fprintln(c.App.ErrWriter, "  to change the recorded event instead: "+ledger.Printable(correction(c, cl), 0))
			}
		}
	}
	// The check of a large input reads for seconds before the first
	// append (1M rows, 110 MB: about 8 s).
	if show := bytesOnTerminal(c, "checking"); show != nil && !quiet {
		opt.Checking = func(read, total int64) {
			if total > 8<<20 {
				show(read, total)
			}
		}
	}
	if show := barOnTerminal(c, "appending"); show != nil && !quiet {
		opt.Progress = func(done, total int) {
			if total > batchSize {
				show(uint64(done), uint64(total))
			}
		}
	}
	defer importHeap()()
	open := func(ctx context.Context, write bool) (ledger.Store, error) {
		s, _, err := openStore(c, write)
		return s, err
	}
	var news checkpoint.NewIncidents
	opt.Fresh = news.Add
	opt.Effective = func(ctx context.Context, ids []string) (map[string]ledger.Event, error) {
		p, err := place(c)
		if err != nil {
			return nil, err
		}
		return p.Effective(ctx, ids)
	}
	res, err := ledger.Import(c.Context, open, in, opt)
	if errors.Is(err, ledger.ErrBadInput) && c.Command.Name == "import" {
		err = fmt.Errorf("%w (fix them, or pass --skip-invalid to append the good ones)", err)
	}
	if n := res.Skipped; n > 0 {
		fmt.Fprintf(c.App.ErrWriter, "skipped %d bad %s (--skip-invalid)\n", n, ledger.Plural(n, "line", "lines"))
	}
	// With nothing before them (a first load), there is nothing to compare.
	if err == nil && res.Appended > 0 && res.Head.Size > uint64(res.Appended) {
		warnResent(c, &news)
	}
	return res, err
}

// warnResent tells of each new incident that looks like an earlier one sent
// again with a figure changed: appended as a second incident, it is counted
// twice, which correct, not import, would have avoided.
func warnResent(c *cli.Context, news *checkpoint.NewIncidents) {
	p, err := place(c)
	if err != nil {
		return
	}
	// A warning, not worth a wait for another command's projection cache.
	p.Files = boltFiles{wait: time.Second}
	found, err := p.Resent(c.Context, news)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "note: the new incidents were not compared with earlier ones (%v)\n", err)
		return
	}
	for i, r := range found {
		if i == 10 {
			fmt.Fprintf(c.App.ErrWriter, "… and %d more like these\n", len(found)-10)
			break
		}
		old := r.Old.Event
		subject, it := news.Where(r.New.ID)+" was appended as a new "+string(old.Type), "the line"
		if strings.HasPrefix(subject, "(flags)") {
			subject, it = "this "+string(old.Type)+" was recorded as a new one", "it"
		}
		fix := suggest(c, "correct") + " " + old.ID + ", with the changes"
		if cl := ledger.ClashOf(&old, &r.New); cl.Correctable {
			fix = ledger.Printable(correction(c, cl), 0)
		}
		fmt.Fprintf(c.App.ErrWriter, "warning: %s, but event %s (seq %d) is one of the same day, nationality, country, place and source, recorded otherwise%s. "+
			"If %s was meant to change that event, both now count: retract the new one (%s %s --reason \"sent again\") and correct the old one (%s)\n",
			subject, old.ID, r.Old.Seq, ledger.Differences(&old, &r.New), it, suggest(c, "retract"), r.New.ID, fix)
	}
}

// importHeap lets an import's heap grow to heapLimit (main) before the
// garbage collector runs, and returns what puts the default back. An import
// keeps little (about 25 MB at 1M events) and throws away a lot, so at the
// default (collect when the heap doubles) the collector ran every 25 MB and
// took about 8 s of a 1M import's 61 s of CPU (go tool pprof). With a
// 128 MiB limit a 10M import peaked at 256.2 MiB, beside up to 145 MiB of
// mapped ledger pages; at 96 MiB, 226-236 MiB. GOGC in the environment wins.
func importHeap() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(percent) }
}

func printSummary(w io.Writer, res ledger.AppendResult) {
	fmt.Fprintf(w, "appended %d, duplicates %d; tree size %d, root %s\n", res.Appended, res.Duplicates, res.Head.Size, ledger.HashHex(res.Head.Root))
}

// wrapped lists words joined by ", " in lines of at most width, each
// starting with indent: help text that follows a table of the code's.
func wrapped(words []string, indent string, width int) string {
	var b, line strings.Builder
	for i, w := range words {
		if i < len(words)-1 {
			w += ","
		}
		if line.Len() > 0 && line.Len()+1+len(w) > width-len(indent) {
			b.WriteString(indent + line.String() + "\n")
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	return b.String() + indent + line.String() + "\n"
}
