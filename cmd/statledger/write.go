package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create a new ledger and its signing key; print the verifier key",
		Description: "Creates the ledger (for the embedded store, the file named by --store) and an Ed25519\n" +
			"signing key (mode 0600, never printed) at --signing-key. The verifier key printed on\n" +
			"stdout is public: give it to auditors; with it they check checkpoints and proofs.\n\n" +
			"Example:\n   statledger --store moi.db init --origin moi.example.gov.kh/scam-ledger",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "origin", Usage: "the ledger's name in checkpoints (no spaces or '+'; default statledger.local/<file name>)"},
		},
		Action: func(c *cli.Context) error {
			ref, err := storeFlag(c)
			if err != nil {
				return err
			}
			keyPath, err := signingKeyPath(c)
			if err != nil {
				return err
			}
			origin := c.String("origin")
			if origin == "" {
				origin = defaultOrigin(ref, c.String("ledger"))
			}
			if _, err := os.Stat(keyPath); err == nil {
				return usageError("a signing key already exists at %s: this ledger is initialised (remove both files to start over)", keyPath)
			}
			if ref.kind == "bolt" {
				if _, err := os.Stat(ref.path); err == nil {
					return usageError("%s already exists: this ledger is initialised", ref.path)
				}
			}
			skey, vkey, err := ledger.GenerateKey(origin)
			if err != nil {
				return usageError("--origin %q: %v", origin, err)
			}
			if ref.kind == "bolt" {
				if dir := filepath.Dir(ref.path); dir != "" {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						return ledger.Wrap(ledger.CodeRuntime, err, "cannot create %s", dir)
					}
				}
				s, err := bolt.Open(ref.path, bolt.Options{Create: true})
				if err != nil {
					return err
				}
				defer s.Close()
			} else {
				// An EventStoreDB ledger is its stream, created by the first append;
				// init only checks that the stream is empty and makes the key.
				s, err := openRef(c, ref, c.String("ledger"), false)
				if err != nil {
					return err
				}
				h, err := s.Head(bg())
				s.Close()
				if err != nil {
					return err
				}
				if h.Size > 0 {
					return usageError("ledger %s at %s already holds %d events", c.String("ledger"), ref, h.Size)
				}
			}
			if err := writeKey(keyPath, skey); err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "created ledger %s (origin %s)\nsigning key: %s (keep it secret; back it up)\nverifier key (give this to auditors):\n", ref, origin, keyPath)
			fmt.Fprintln(c.App.Writer, vkey)
			return nil
		},
	}
}

// writeKey creates the key file exclusively with mode 0600, so an existing key
// is never overwritten and the key is never readable by others, not even briefly.
func writeKey(path, skey string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot create signing key")
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot write signing key")
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot write signing key")
	}
	return f.Close()
}

// input is the events to append and where each came from, for error
// messages. Events stay in the slices the decoder made: an import of a million
// events must not hold them twice.
type input struct {
	events []ledger.Event
	files  []string // files[i] names the input events[i] came from
	lines  []int
}

// add takes the events of one decoded file.
func (in *input) add(file string, d ledger.Decoded) {
	if in.events == nil {
		in.events, in.lines = d.Events, d.Lines
	} else {
		in.events = append(in.events, d.Events...)
		in.lines = append(in.lines, d.Lines...)
	}
	for range d.Events {
		in.files = append(in.files, file)
	}
}

// appendOptions controls appendInput.
type appendOptions struct {
	batchSize   int
	skipInvalid bool
	quiet       bool
}

// appendInput checks events against the ledger and appends them. Line errors
// from decoding are passed in so they are reported together with the errors
// found against the ledger, every bad line at once.
func appendInput(c *cli.Context, in input, lineErrs []ledger.LineError, opt appendOptions) (ledger.AppendResult, error) {
	s, _, err := openStore(c, true)
	if err != nil {
		return ledger.AppendResult{}, err
	}
	defer s.Close()
	l := ledger.New(s)
	p, itemErrs, err := l.Prepare(bg(), in.events)
	if err != nil {
		return ledger.AppendResult{}, err
	}
	for _, ie := range itemErrs {
		lineErrs = append(lineErrs, ledger.LineError{File: in.files[ie.Index], Line: in.lines[ie.Index], Field: ie.Field, Msg: ie.Msg})
	}
	if len(lineErrs) > 0 {
		for _, e := range lineErrs {
			fmt.Fprintln(c.App.ErrWriter, e.Error())
		}
		if !opt.skipInvalid {
			return ledger.AppendResult{}, ledger.Errorf(ledger.CodeInput, "%d bad %s; nothing was appended (fix them, or pass --skip-invalid to append the good ones)", len(lineErrs), plural(len(lineErrs), "line", "lines"))
		}
		fmt.Fprintf(c.App.ErrWriter, "skipping %d bad %s (--skip-invalid)\n", len(lineErrs), plural(len(lineErrs), "line", "lines"))
	}
	var progress func(int)
	if f, ok := c.App.ErrWriter.(*os.File); ok && term.IsTerminal(int(f.Fd())) && p.Len() > opt.batchSize && !opt.quiet {
		bar := progressbar.NewOptions(p.Len(), progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("appending"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		progress = func(done int) { bar.Set(done) }
		defer bar.Finish()
	}
	res, err := l.Append(bg(), c.String("actor"), p, opt.batchSize, progress)
	if err != nil && res.Appended > 0 {
		return res, fmt.Errorf("%w (%d events were appended in whole batches before this; re-running the same command appends the rest and nothing twice)", err, res.Appended)
	}
	return res, err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func printSummary(w io.Writer, res ledger.AppendResult) {
	fmt.Fprintf(w, "appended %d, duplicates %d; tree size %d, root %s\n", res.Appended, res.Duplicates, res.Head.Size, ledger.HashHex(res.Head.Root))
}

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "validate and append events from JSONL or CSV files ('-' for stdin)",
		ArgsUsage: "FILE…",
		Description: "The whole input is validated first: every bad line is reported as FILE:LINE: field: problem\n" +
			"and, if there is any, nothing is appended (exit 2). Events without an id get one derived\n" +
			"from their content, so importing the same file twice appends nothing. Events are appended\n" +
			"in batches, each all or nothing: if the import is interrupted, run it again to finish.\n\n" +
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
			var in input
			var lineErrs []ledger.LineError
			dropped := 0
			for _, name := range c.Args().Slice() {
				d, err := decodeFile(c, name)
				if err != nil {
					return err
				}
				in.add(displayName(name), d)
				lineErrs = append(lineErrs, d.Errors...)
				dropped += d.Dropped
			}
			if dropped > 0 {
				lineErrs = append(lineErrs, ledger.LineError{File: "(input)", Field: "(more)", Msg: fmt.Sprintf("%d more problems not listed", dropped)})
			}
			res, err := appendInput(c, in, lineErrs, appendOptions{batchSize: c.Int("batch-size"), skipInvalid: c.Bool("skip-invalid")})
			if err != nil {
				return err
			}
			printSummary(c.App.Writer, res)
			return nil
		},
	}
}

func displayName(name string) string {
	if name == "-" {
		return "(stdin)"
	}
	return name
}

func decodeFile(c *cli.Context, name string) (ledger.Decoded, error) {
	format := strings.ToLower(c.String("format"))
	if format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			format = "csv"
		case ".jsonl", ".ndjson", ".json":
			format = "jsonl"
		default:
			return ledger.Decoded{}, usageError("%s: cannot tell the format from the extension; pass --format jsonl or --format csv", displayName(name))
		}
	}
	var r io.Reader
	if name == "-" {
		r = c.App.Reader
	} else {
		f, err := os.Open(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return ledger.Decoded{}, usageError("%s: no such file", name)
			}
			return ledger.Decoded{}, ledger.Wrap(ledger.CodeRuntime, err, "cannot open %s", name)
		}
		defer f.Close()
		r = f
	}
	switch format {
	case "jsonl":
		return ledger.DecodeJSONL(displayName(name), r)
	case "csv":
		return ledger.DecodeCSV(displayName(name), r)
	}
	return ledger.Decoded{}, usageError("--format %q: use jsonl or csv", format)
}

// appendOne validates a single event built from flags and appends it.
func appendOne(c *cli.Context, e ledger.Event) error {
	ledger.Normalize(&e)
	var lineErrs []ledger.LineError
	for _, fe := range ledger.Validate(&e) {
		lineErrs = append(lineErrs, ledger.LineError{File: "(flags)", Line: 1, Field: flagName(fe.Field), Msg: fe.Msg})
	}
	var in input
	if len(lineErrs) == 0 {
		in.add("(flags)", ledger.Decoded{Events: []ledger.Event{e}, Lines: []int{1}})
	}
	res, err := appendInput(c, in, lineErrs, appendOptions{batchSize: 1, quiet: true})
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
