package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

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
			&cli.StringFlag{Name: "origin", Usage: "the ledger's name in checkpoints (no spaces or '+'; default statledger.local/HOST/NAME-RANDOM)"},
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
				// Its verifier key again, for whoever lost what init printed.
				if _, vkey, err := ledger.LoadSigner(keyPath); err == nil {
					return usageError("a signing key already exists at %s: this ledger is initialised; its verifier key (for auditors) is\n%s", keyPath, vkey)
				}
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
				if err := s.SetOrigin(c.Context, origin); err != nil {
					return err
				}
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

// source is what an import reads. It is scanned twice: once to check every
// event against the ledger, once to append the new ones, so that an input of
// any size is imported holding one event (and 33 bytes per event checked) at
// a time.
type source interface {
	// scan calls fn with each good event in order and returns every bad line.
	scan(fn func(file string, line int, e ledger.Event)) ([]ledger.LineError, error)
}

// events is a source held in memory: one event from flags.
type events struct {
	file string
	list []ledger.Event
}

func (s events) scan(fn func(string, int, ledger.Event)) ([]ledger.LineError, error) {
	for i, e := range s.list {
		fn(s.file, i+1, e)
	}
	return nil, nil
}

// files is a source of JSONL and CSV files; "-" is stdin, kept in a temporary
// file on the first scan so that the second can read it again.
type files struct {
	c      *cli.Context
	names  []string
	format string
	stdin  string // the temporary copy of stdin
}

func (fs *files) scan(fn func(string, int, ledger.Event)) ([]ledger.LineError, error) {
	var errs []ledger.LineError
	dropped := 0
	for _, name := range fs.names {
		format, err := inputFormat(name, fs.format)
		if err != nil {
			return nil, err
		}
		r, closeFn, err := fs.open(name)
		if err != nil {
			return nil, err
		}
		display := displayName(name)
		emit := func(line int, e ledger.Event) { fn(display, line, e) }
		var d ledger.Decoded
		if format == "csv" {
			d, err = ledger.ScanCSV(display, r, emit)
		} else {
			d, err = ledger.ScanJSONL(display, r, emit)
		}
		closeFn()
		if err != nil {
			return nil, err
		}
		errs = append(errs, d.Errors...)
		dropped += d.Dropped
	}
	if dropped > 0 {
		errs = append(errs, ledger.LineError{File: "(input)", Field: "(more)", Msg: fmt.Sprintf("%d more problems not listed", dropped)})
	}
	return errs, nil
}

func (fs *files) open(name string) (io.Reader, func(), error) {
	if name != "-" {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, usageError("%s: no such file", name)
		}
		if err != nil {
			return nil, nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot open %s", name)
		}
		return f, func() { f.Close() }, nil
	}
	if fs.stdin != "" {
		f, err := os.Open(fs.stdin)
		if err != nil {
			return nil, nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot reread stdin")
		}
		return f, func() { f.Close() }, nil
	}
	tmp, err := os.CreateTemp("", "statledger-stdin-*")
	if err != nil {
		return nil, nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot keep stdin for the second pass")
	}
	fs.stdin = tmp.Name()
	return io.TeeReader(fs.c.App.Reader, tmp), func() { tmp.Close() }, nil
}

func (fs *files) cleanup() {
	if fs.stdin != "" {
		os.Remove(fs.stdin)
	}
}

// scanAhead runs src.scan on a goroutine of its own, some chunks ahead of fn:
// decoding and validating take one core while fn, checking ids or appending
// (hashes, the store's write), takes the other. With canonical, that goroutine
// also encodes each event's canonical bytes for fn, which appending would
// otherwise do on its own core, the one that waits. fn still sees every event
// in input order, on the calling goroutine.
func scanAhead(src source, canonical bool, fn func(file string, line int, e ledger.Event, canonical []byte)) ([]ledger.LineError, error) {
	type item struct {
		file      string
		line      int
		e         ledger.Event
		canonical []byte
	}
	const chunk = 256
	ch := make(chan []item, 4)
	var errs []ledger.LineError
	var err error
	go func() {
		defer close(ch) // after errs and err are set: the range below then sees them
		buf := make([]item, 0, chunk)
		errs, err = src.scan(func(file string, line int, e ledger.Event) {
			it := item{file: file, line: line, e: e}
			if canonical {
				it.canonical = e.Canonical()
			}
			buf = append(buf, it)
			if len(buf) == chunk {
				ch <- buf
				buf = make([]item, 0, chunk)
			}
		})
		if len(buf) > 0 {
			ch <- buf
		}
	}()
	for items := range ch {
		for i := range items {
			fn(items[i].file, items[i].line, items[i].e, items[i].canonical)
		}
	}
	return errs, err
}

// appendOptions controls appendInput.
type appendOptions struct {
	batchSize   int
	skipInvalid bool
	quiet       bool
}

// appendInput checks every event of src against the ledger, reports every bad
// line at once (decoding and ledger problems together) and, if there is none
// (or with skipInvalid), appends the new events in atomic batches.
func appendInput(c *cli.Context, src source, opt appendOptions) (ledger.AppendResult, error) {
	s, _, err := openStore(c, true)
	if err != nil {
		return ledger.AppendResult{}, err
	}
	defer s.Close()
	l := ledger.New(s)
	checker := l.NewChecker()
	var fresh []bool // by the ordinal of each good event, the same in both scans
	var lineErrs []ledger.LineError
	var lookupErr error
	decodeErrs, err := scanAhead(src, false, func(file string, line int, e ledger.Event, _ []byte) {
		if lookupErr != nil {
			return
		}
		ok, fe, err := checker.Check(bg(), &e)
		if err != nil {
			lookupErr = err
			return
		}
		if fe != nil {
			lineErrs = append(lineErrs, ledger.LineError{File: file, Line: line, Field: fe.Field, Msg: fe.Msg})
		}
		fresh = append(fresh, ok)
	})
	if err == nil {
		err = lookupErr
	}
	if err != nil {
		return ledger.AppendResult{}, err
	}
	checker.Done()
	lineErrs = append(decodeErrs, lineErrs...)
	if len(lineErrs) > 0 {
		for _, e := range lineErrs {
			fmt.Fprintln(c.App.ErrWriter, e.Error())
		}
		if !opt.skipInvalid {
			return ledger.AppendResult{}, ledger.Errorf(ledger.CodeInput, "%d bad %s; nothing was appended (fix them, or pass --skip-invalid to append the good ones)", len(lineErrs), plural(len(lineErrs), "line", "lines"))
		}
		fmt.Fprintf(c.App.ErrWriter, "skipping %d bad %s (--skip-invalid)\n", len(lineErrs), plural(len(lineErrs), "line", "lines"))
	}
	total := 0
	for _, f := range fresh {
		if f {
			total++
		}
	}
	var progress func(int)
	if show := barOnTerminal(c, "appending"); show != nil && total > opt.batchSize && !opt.quiet {
		progress = func(done int) { show(uint64(done), uint64(total)) }
	}
	a, err := l.NewAppender(c.String("actor"), opt.batchSize, progress)
	if err != nil {
		return ledger.AppendResult{}, err
	}
	var appendErr error
	i := 0
	_, err = scanAhead(src, true, func(_ string, _ int, e ledger.Event, canonical []byte) {
		if appendErr == nil && i < len(fresh) && fresh[i] {
			appendErr = a.AddCanonical(bg(), e, canonical)
		}
		i++
	})
	if err == nil {
		err = appendErr
	}
	var res ledger.AppendResult
	if err == nil {
		res, err = a.Close(bg())
	}
	res.Duplicates += checker.Duplicates
	if err == nil && i != len(fresh) {
		err = ledger.Errorf(ledger.CodeRuntime, "the input changed between the check and the append (%d events, then %d); nothing more was appended", len(fresh), i)
	}
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
			src := &files{c: c, names: c.Args().Slice(), format: strings.ToLower(c.String("format"))}
			defer src.cleanup()
			res, err := appendInput(c, src, appendOptions{batchSize: c.Int("batch-size"), skipInvalid: c.Bool("skip-invalid")})
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

// inputFormat is --format, or the format the file name's extension says.
func inputFormat(name, format string) (string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			format = "csv"
		case ".jsonl", ".ndjson", ".json":
			format = "jsonl"
		default:
			return "", usageError("%s: cannot tell the format from the extension; pass --format jsonl or --format csv", displayName(name))
		}
	}
	if format != "jsonl" && format != "csv" {
		return "", usageError("--format %q: use jsonl or csv", format)
	}
	return format, nil
}

// appendOne validates a single event built from flags and appends it.
func appendOne(c *cli.Context, e ledger.Event) error {
	ledger.Normalize(&e)
	var lineErrs []ledger.LineError
	for _, fe := range ledger.Validate(&e) {
		lineErrs = append(lineErrs, ledger.LineError{File: "(flags)", Line: 1, Field: flagName(fe.Field), Msg: fe.Msg})
	}
	if len(lineErrs) > 0 {
		for _, le := range lineErrs {
			fmt.Fprintln(c.App.ErrWriter, le.Error())
		}
		return ledger.Errorf(ledger.CodeInput, "%d bad %s; nothing was appended", len(lineErrs), plural(len(lineErrs), "flag", "flags"))
	}
	res, err := appendInput(c, events{file: "(flags)", list: []ledger.Event{e}}, appendOptions{batchSize: 1, quiet: true})
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
