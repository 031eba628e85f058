package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
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
					return usageError("a signing key already exists at %s: this ledger is initialised ('statledger key' prints its verifier key on stdout); its verifier key (for auditors) is\n%s", keyPath, vkey)
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
				if err := createFile(c.Context, ref.path, origin); err != nil {
					return err
				}
			} else {
				// An EventStoreDB ledger is its stream, created by the first append;
				// init only checks that the stream is empty and makes the key.
				s, err := openRef(c, ref, c.String("ledger"), false)
				if err != nil {
					return err
				}
				h, err := s.Head(c.Context)
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

func keyCommand() *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "print the ledger's verifier key (for auditors) on stdout",
		Description: "The verifier key is derived from the signing key (--signing-key, default the store path +\n" +
			"\".key\"), and checked against the ledger's origin. It is public: give it to auditors.\n\n" +
			"Example:\n   VK=$(statledger key)\n   statledger verify-proof --key \"$VK\" proof.json",
		Action: func(c *cli.Context) error {
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			defer s.Close()
			_, vkey, err := ledgerSigner(c, s)
			if err != nil {
				return err
			}
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
	// scan calls fn with each good event in order and returns the bad lines
	// (the first ledger.MaxListed or so of each file) and how many more there were.
	scan(fn func(file string, line int, e ledger.Event)) ([]ledger.LineError, int, error)
}

// events is a source held in memory: one event from flags.
type events struct {
	file string
	list []ledger.Event
}

func (s events) scan(fn func(string, int, ledger.Event)) ([]ledger.LineError, int, error) {
	for i, e := range s.list {
		fn(s.file, i+1, e)
	}
	return nil, 0, nil
}

// files is a source of JSONL and CSV files; "-" is stdin. An input that
// cannot be read twice (stdin, a FIFO, a device) is kept in a temporary
// file first (spool), before the ledger is opened at all.
type files struct {
	c       *cli.Context
	names   []string
	format  string
	spooled map[string]string // input name -> its temporary copy
}

func (fs *files) scan(fn func(string, int, ledger.Event)) ([]ledger.LineError, int, error) {
	var errs []ledger.LineError
	dropped := 0
	for _, name := range fs.names {
		format, err := inputFormat(name, fs.format)
		if err != nil {
			return nil, 0, err
		}
		r, closeFn, err := fs.open(name)
		if err != nil {
			return nil, 0, err
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
			return nil, 0, err
		}
		errs = append(errs, d.Errors...)
		dropped += d.Dropped
	}
	return errs, dropped, nil
}

// spool copies every input that cannot be read twice into a temporary file.
func (fs *files) spool() error {
	for _, name := range fs.names {
		if _, done := fs.spooled[name]; done {
			continue
		}
		var r io.Reader = fs.c.App.Reader
		if name != "-" {
			fi, err := os.Stat(name)
			if err != nil || fi.Mode().IsRegular() {
				continue // open reports a missing file; a regular one is read twice
			}
			f, err := os.Open(name)
			if err != nil {
				return ledger.Wrap(ledger.CodeRuntime, err, "cannot open %s", name)
			}
			defer f.Close()
			r = f
		}
		tmp, err := os.CreateTemp("", "statledger-input-*")
		if err != nil {
			return ledger.Wrap(ledger.CodeRuntime, err, "cannot keep %s for the second pass", displayName(name))
		}
		if fs.spooled == nil {
			fs.spooled = map[string]string{}
		}
		fs.spooled[name] = tmp.Name()
		_, err = io.Copy(tmp, r)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return ledger.Wrap(ledger.CodeRuntime, err, "cannot read %s", displayName(name))
		}
	}
	return nil
}

func (fs *files) open(name string) (io.Reader, func(), error) {
	path := name
	if p, ok := fs.spooled[name]; ok {
		path = p
	} else if name == "-" {
		return fs.c.App.Reader, func() {}, nil // read once only: a caller that reads twice spools first
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, usageError("%s: no such file", name)
	}
	if err != nil {
		return nil, nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot open %s", name)
	}
	return f, func() { f.Close() }, nil
}

func (fs *files) cleanup() {
	for _, p := range fs.spooled {
		os.Remove(p)
	}
}

// scanAhead runs src.scan on a goroutine of its own, some chunks ahead of fn:
// decoding and validating take one core while fn, checking ids or appending
// (hashes, the store's write), takes the other. With canonical, that goroutine
// also encodes each event's canonical bytes for fn, which appending would
// otherwise do on its own core, the one that waits. fn still sees every event
// in input order, on the calling goroutine.
func scanAhead(src source, canonical bool, fn func(file string, line int, e ledger.Event, canonical []byte)) ([]ledger.LineError, int, error) {
	type item struct {
		file      string
		line      int
		e         ledger.Event
		canonical []byte
	}
	const chunk = 256
	ch := make(chan []item, 4)
	var errs []ledger.LineError
	var dropped int
	var err error
	go func() {
		defer close(ch) // after errs and err are set: the range below then sees them
		buf := make([]item, 0, chunk)
		errs, dropped, err = src.scan(func(file string, line int, e ledger.Event) {
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
	return errs, dropped, err
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
//
// The ledger's write lock is held only while appending: an input that is not
// a regular file (stdin, a FIFO) is first kept in a temporary file, with no
// lock at all, and the check reads the ledger without the write lock. If
// another writer appended in between, the check runs again, under the lock.
func appendInput(c *cli.Context, src source, opt appendOptions) (ledger.AppendResult, error) {
	if sp, ok := src.(interface{ spool() error }); ok {
		if err := sp.spool(); err != nil {
			return ledger.AppendResult{}, err
		}
	}
	rs, _, err := openStore(c, false)
	if err != nil {
		return ledger.AppendResult{}, err
	}
	in, err := checkInput(c.Context, rs, src)
	rs.Close()
	if err != nil {
		return ledger.AppendResult{}, err
	}
	if _, fromFlags := src.(events); fromFlags && len(in.lineErrs) > 0 {
		// One event from flags: there are no lines, and no --skip-invalid.
		e := in.lineErrs[0]
		name := flagName(e.Field)
		if e.Field == "corrects" || e.Field == "retracts" {
			name = "ID"
		}
		return ledger.AppendResult{}, usageError("%s: %s", name, strings.TrimSuffix(e.Msg, " or earlier in this input"))
	}
	if err := listBad(c, in, opt, "fix them, or pass --skip-invalid to append the good ones"); err != nil {
		return ledger.AppendResult{}, err
	}
	s, _, err := openStore(c, true)
	if err != nil {
		return ledger.AppendResult{}, err
	}
	defer s.Close()
	l := ledger.New(s)
	if head, err := s.Head(c.Context); err != nil {
		return ledger.AppendResult{}, err
	} else if head.Size != in.size {
		// Another writer came between the check and the lock: what is new
		// and what is a duplicate may have changed.
		if in, err = checkInput(c.Context, s, src); err != nil {
			return ledger.AppendResult{}, err
		}
		if err := listBad(c, in, opt, "another writer appended while this input was checked"); err != nil {
			return ledger.AppendResult{}, err
		}
	}
	fresh, checker := in.fresh, in.checker
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
	_, _, err = scanAhead(src, true, func(_ string, _ int, e ledger.Event, canonical []byte) {
		if appendErr == nil && i < len(fresh) && fresh[i] {
			appendErr = a.AddCanonical(c.Context, e, canonical)
		}
		i++
	})
	if err == nil {
		err = appendErr
	}
	res := a.Result()
	if err == nil {
		res, err = a.Close(c.Context)
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

// checked is what a check of an input against the ledger found.
type checked struct {
	fresh    []bool // by the ordinal of each good event, the same in both scans
	lineErrs []ledger.LineError
	bad      int    // bad lines, listed or not
	size     uint64 // the ledger's size when checked
	checker  *ledger.Checker
}

// listBad prints the bad lines a check found and, unless --skip-invalid,
// refuses the input, saying why in the words of why.
func listBad(c *cli.Context, in checked, opt appendOptions, why string) error {
	if len(in.lineErrs) == 0 {
		return nil
	}
	for _, e := range in.lineErrs {
		fmt.Fprintln(c.App.ErrWriter, e.Error())
	}
	if !opt.skipInvalid {
		return ledger.Errorf(ledger.CodeInput, "%d bad %s; nothing was appended (%s)", in.bad, plural(in.bad, "line", "lines"), why)
	}
	fmt.Fprintf(c.App.ErrWriter, "skipping %d bad %s (--skip-invalid)\n", in.bad, plural(in.bad, "line", "lines"))
	return nil
}

func checkInput(ctx context.Context, s ledger.Store, src source) (checked, error) {
	var in checked
	head, err := s.Head(ctx)
	if err != nil {
		return in, err
	}
	in.size = head.Size
	in.checker = ledger.New(s).NewChecker()
	var lookupErr error
	var ledgerErrs []ledger.LineError
	decodeErrs, dropped, err := scanAhead(src, false, func(file string, line int, e ledger.Event, _ []byte) {
		if lookupErr != nil {
			return
		}
		ok, fe, err := in.checker.Check(ctx, &e)
		if err != nil {
			lookupErr = err
			return
		}
		if fe != nil {
			in.bad++
			if len(ledgerErrs) < ledger.MaxListed {
				ledgerErrs = append(ledgerErrs, ledger.LineError{File: file, Line: line, Field: fe.Field, Msg: fe.Msg})
			}
		}
		in.fresh = append(in.fresh, ok)
	})
	if err == nil {
		err = lookupErr
	}
	if err != nil {
		return in, err
	}
	in.checker.Done()
	in.bad += len(decodeErrs) + dropped
	in.lineErrs = append(decodeErrs, ledgerErrs...)
	if len(in.lineErrs) > ledger.MaxListed {
		in.lineErrs = in.lineErrs[:ledger.MaxListed]
	}
	if more := in.bad - len(in.lineErrs); more > 0 {
		in.lineErrs = append(in.lineErrs, ledger.LineError{File: "(input)", Field: "(more)", Msg: fmt.Sprintf("%d more bad %s not listed", more, plural(more, "line", "lines"))})
	}
	return in, nil
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
		Description: "The whole input is validated first: bad lines are reported as FILE:LINE: field: problem\n" +
			"(the first 100, and how many more) and, if there is any, nothing is appended (exit 2). Events without an id get one derived\n" +
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
	if target := e.Corrects + e.Retracts; target != "" {
		if err := refuseRetracted(c, e.Type, target); err != nil {
			return err
		}
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

// refuseRetracted refuses to correct or retract an event that was retracted:
// a retracted event counts in no figure, so either would change nothing a
// report shows while looking like it did.
func refuseRetracted(c *cli.Context, t ledger.Type, id string) error {
	l, err := view(c, ledger.AsOf{}, false, nil)
	if err != nil {
		return err
	}
	defer l.Close()
	f := l.State.Fact(strings.ToLower(id))
	if err := l.State.Err(); err != nil {
		return checkpoint.Damaged(err)
	}
	if f == nil || !f.Retracted {
		return nil // unknown ids are refused by the append's own check
	}
	for _, ch := range f.Changes {
		if ch.Retract {
			verb := map[ledger.Type]string{ledger.Correction: "corrected", ledger.Retraction: "retracted again"}[t]
			return usageError("%s was retracted at seq %d (%s): it cannot be %s; record a new event instead", f.Event.ID, ch.Seq, ch.Reason, verb)
		}
	}
	return nil
}
