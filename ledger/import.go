package ledger

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// An Input is what an import reads. It is scanned twice: once to check
// every event against the ledger, once to append the new ones, so that an
// input of any size is imported holding one event (and 33 bytes per event
// checked) at a time.
type Input interface {
	// Scan calls fn with each good event in order and returns what was bad.
	// It stops, with ctx's error, soon after ctx ends.
	Scan(ctx context.Context, fn func(file string, line int, e Event)) (Bad, error)
}

// Bad is what a scan of an input found wrong with it.
type Bad struct {
	Listed []LineError // the first MaxListed problems or so of each file
	More   int         // problems not listed
	Lines  int         // lines with any problem, listed or not
}

// Events is an Input held in memory.
type Events struct {
	File string // what its events are called in errors: "(flags)"
	List []Event
}

func (s Events) Scan(ctx context.Context, fn func(string, int, Event)) (Bad, error) {
	for i, e := range s.List {
		if err := ctx.Err(); err != nil {
			return Bad{}, err
		}
		fn(s.File, i+1, e)
	}
	return Bad{}, nil
}

// Files is an Input of JSONL and CSV files; "-" is Stdin. An input that
// cannot be read twice (stdin, a FIFO, a device) is kept in a temporary file
// first (Import does this before it opens the ledger), unlinked at once, so
// that nothing is left behind however the process ends. Close closes those.
type Files struct {
	Names  []string
	Format string // "jsonl" or "csv"; "" tells each file's from its extension
	Stdin  io.Reader

	spooled map[string]*os.File // input name -> its temporary copy
	read    func(n int)         // told of what a scan reads, while set
}

// size is how many bytes the inputs hold, 0 when one cannot tell (an
// input not yet spooled, or missing).
func (fs *Files) size() int64 {
	var total int64
	for _, name := range fs.Names {
		var fi os.FileInfo
		var err error
		if f, ok := fs.spooled[name]; ok {
			fi, err = f.Stat()
		} else {
			fi, err = os.Stat(name)
		}
		if err != nil || !fi.Mode().IsRegular() {
			return 0
		}
		total += fi.Size()
	}
	return total
}

// counted tells read of every read of r.
type counted struct {
	r    io.Reader
	read func(n int)
}

func (c counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read(n)
	return n, err
}

// Kinds of import error a caller may add a hint to.
var (
	ErrInputFormat = errors.New("the format of an input is not known")
	ErrBadInput    = errors.New("the input has bad lines")
)

// InputFormat is format ("jsonl" or "csv"), or the one name's extension says.
func InputFormat(name, format string) (string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			format = "csv"
		case ".jsonl", ".ndjson", ".json":
			format = "jsonl"
		case ".xlsx", ".xlsm", ".xls", ".ods":
			return "", Errorf(CodeInput, "%s: a spreadsheet cannot be imported as it is: %s", displayName(name), spreadsheet)
		default:
			return "", KindErrorf(CodeInput, ErrInputFormat, "%s: cannot tell the format from the extension", displayName(name))
		}
	}
	if format != "jsonl" && format != "csv" {
		return "", KindErrorf(CodeInput, ErrInputFormat, "format %q: use jsonl or csv", format)
	}
	return format, nil
}

func displayName(name string) string {
	if name == "-" {
		return "(stdin)"
	}
	return name
}

func (fs *Files) Scan(ctx context.Context, fn func(string, int, Event)) (Bad, error) {
	var bad Bad
	for _, name := range fs.Names {
		format, err := InputFormat(name, fs.Format)
		if err != nil {
			return Bad{}, err
		}
		r, closeFn, err := fs.open(name)
		if err != nil {
			return Bad{}, err
		}
		if fs.read != nil {
			r = counted{r, fs.read}
		}
		display := displayName(name)
		emit := func(line int, e Event) { fn(display, line, e) }
		br := bufio.NewReaderSize(ctxReader{ctx, r}, 64<<10)
		if why := notText(br); why != "" {
			closeFn()
			bad.Listed = append(bad.Listed, LineError{File: display, Line: 1, Field: "(file)", Msg: why})
			bad.Lines++
			continue
		}
		r = br
		// Lines ended by a carriage return alone, as Excel for Mac's "CSV
		// (Macintosh)" writes them: read as one line, the whole file was a
		// header of hundreds of unknown columns.
		if head, _ := br.Peek(64 << 10); bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
			r = crLines{br}
		}
		var d Decoded
		if format == "csv" {
			d, err = ScanCSV(display, r, emit)
		} else {
			d, err = ScanJSONL(display, r, emit)
		}
		closeFn()
		if err != nil {
			return Bad{}, err
		}
		bad.Listed = append(bad.Listed, d.Errors...)
		bad.More += d.Dropped
		bad.Lines += d.BadLines
	}
	return bad, nil
}

// crLines reads a text whose lines end in a carriage return alone as one
// whose lines end in a newline.
type crLines struct{ r io.Reader }

func (c crLines) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// ctxReader ends its reads when ctx ends, so that a scan stops within a
// buffer of an interruption: the input's decoding would otherwise go on to
// its end (15 s for 1M rows, after Ctrl-C in the check).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// spreadsheet is what an import says to do with a workbook given as its
// input, the likeliest file an official has at hand.
const spreadsheet = "save its sheet of events as CSV UTF-8 (the columns are in the README), and import that"

// notText says why the start of an input shows it is no JSONL or CSV text,
// or "": a spreadsheet, or text in UTF-16 (Excel's "Unicode Text"), would
// otherwise be reported as a quote out of place on line 1. A stray NUL in
// text is left to the line it is on.
func notText(br *bufio.Reader) string {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "this is a spreadsheet (or another zip or Office file), not text: " + spreadsheet
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "this text is UTF-16 (as Excel saves \"Unicode Text\"): save it as CSV UTF-8, and import that"
	}
	return ""
}

// spool copies every input that cannot be read twice into a temporary file.
func (fs *Files) spool() error {
	for _, name := range fs.Names {
		if _, done := fs.spooled[name]; done {
			continue
		}
		r := fs.Stdin
		if name != "-" {
			fi, err := os.Stat(name)
			if err != nil || fi.Mode().IsRegular() {
				continue // open reports a missing file; a regular one is read twice
			}
			if fi.IsDir() {
				return Errorf(CodeInput, "%s is a folder: give the files in it to import (like %s)", name, filepath.Join(name, "*.csv"))
			}
			f, err := os.Open(name)
			if err != nil {
				return Wrap(CodeRuntime, err, "cannot open %s", name)
			}
			defer f.Close()
			r = f
		}
		tmp, err := os.CreateTemp("", "statledger-input-*")
		if err != nil {
			return Wrap(CodeRuntime, err, "cannot keep %s for the second pass", displayName(name))
		}
		if runtime.GOOS != "windows" { // where an open file cannot be removed, Close does
			os.Remove(tmp.Name())
		}
		if fs.spooled == nil {
			fs.spooled = map[string]*os.File{}
		}
		fs.spooled[name] = tmp
		if _, err := io.Copy(tmp, r); err != nil {
			return Wrap(CodeRuntime, err, "cannot read %s", displayName(name))
		}
	}
	return nil
}

func (fs *Files) open(name string) (io.Reader, func(), error) {
	if f, ok := fs.spooled[name]; ok {
		// Each pass reads the copy from its start; the copy stays open.
		return io.NewSectionReader(f, 0, math.MaxInt64), func() {}, nil
	} else if name == "-" {
		return fs.Stdin, func() {}, nil // read once only: Import spools first
	}
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, Errorf(CodeInput, "%s: no such file", name)
	}
	if err != nil {
		return nil, nil, Wrap(CodeRuntime, err, "cannot open %s", name)
	}
	return f, func() { f.Close() }, nil
}

// Close closes (and so removes) the temporary copies of inputs that could
// not be read twice.
func (fs *Files) Close() {
	for _, f := range fs.spooled {
		f.Close()
		os.Remove(f.Name()) // already gone, but where an open file cannot be removed
	}
	fs.spooled = nil
}

// scanAhead runs src.Scan on a goroutine of its own, some chunks ahead of fn:
// decoding and validating take one core while fn, checking ids or appending
// (hashes, the store's write), takes the other. For each event whose ordinal
// canonical sets, that goroutine also encodes its canonical bytes for fn,
// which appending would otherwise do on its own core, the one that waits. fn
// still sees every event in input order, on the calling goroutine.
func scanAhead(ctx context.Context, src Input, canonical []bool, fn func(file string, line int, e Event, canonical []byte)) (Bad, error) {
	type item struct {
		file      string
		line      int
		e         Event
		canonical []byte
	}
	const chunk = 256
	ch := make(chan []item, 4)
	var bad Bad
	var err error
	go func() {
		defer close(ch) // after bad and err are set: the range below then sees them
		buf := make([]item, 0, chunk)
		n := 0
		bad, err = src.Scan(ctx, func(file string, line int, e Event) {
			it := item{file: file, line: line, e: e}
			if n < len(canonical) && canonical[n] {
				it.canonical = e.Canonical()
			}
			n++
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
	return bad, err
}

// ImportOptions control Import.
type ImportOptions struct {
	Actor     string // recorded_by of what is appended
	BatchSize int    // events per atomic append
	// SkipInvalid appends the good events of an input that has bad lines,
	// instead of nothing.
	SkipInvalid bool
	// Bad, when set, is told each bad line a check finds (the first
	// MaxListed, then one that says how many more), before anything is
	// appended.
	Bad func(LineError)
	// Progress, when set, is told how many of the new events are appended.
	Progress func(done, total int)
	// Fresh, when set, is told of each event the check found new, before
	// anything is appended (again if the check runs again under the lock).
	Fresh func(file string, line int, e Event)
	// Checking, when set, is told how many bytes of the input the check has
	// read, of how many: a check of 1M rows reads for some seconds before
	// the first append.
	Checking func(read, total int64)
	// Effective, when set, gives the content the ledger's events of ids
	// have now, their corrections applied (the projections know it). A line
	// whose id the ledger holds with other content, but which gives the
	// event as corrected since, is then a duplicate, not a bad line: the
	// official's sheet, corrected like the ledger, imports again.
	Effective func(ctx context.Context, ids []string) (map[string]Event, error)
}

// Import checks every event of src against the ledger, finds every bad line
// at once (decoding and ledger problems together) and, if there is none (or
// with SkipInvalid), appends the new events in atomic batches. An event the
// ledger holds already with the same content is a duplicate, not appended,
// so an interrupted import is finished by importing the same input again.
//
// open opens the ledger, for appending when write is set. The write lock is
// held only while appending: an input that is not a regular file (stdin, a
// FIFO) is first kept in a temporary file, with no lock at all, and the check
// reads the ledger without the write lock. If another writer appended in
// between, the check runs again, under the lock.
func Import(ctx context.Context, open func(ctx context.Context, write bool) (Store, error), src Input, opt ImportOptions) (AppendResult, error) {
	files, _ := src.(*Files)
	if files != nil {
		if err := files.spool(); err != nil {
			return AppendResult{}, err
		}
	}
	rs, err := open(ctx, false)
	if err != nil {
		return AppendResult{}, err
	}
	if files != nil && opt.Checking != nil {
		if total := files.size(); total > 0 {
			var read int64
			files.read = func(n int) {
				read += int64(n)
				opt.Checking(read, total)
			}
		}
	}
	in, err := checkInput(ctx, rs, src, opt.Fresh)
	rs.Close()
	if files != nil {
		files.read = nil // the append's scan is counted in events
	}
	if Stopped(ctx, err) {
		return AppendResult{}, Wrap(CodeRuntime, err, "stopped while checking the input; nothing was appended")
	}
	if err != nil {
		return AppendResult{}, err
	}
	corrected, err := in.effective(ctx, opt)
	if err != nil {
		return AppendResult{}, err
	}
	in.finish(corrected)
	if err := in.refuse(opt, ""); err != nil {
		return AppendResult{}, err
	}
	s, err := open(ctx, true)
	if err != nil {
		return AppendResult{}, err
	}
	defer s.Close()
	if head, err := s.Head(ctx); err != nil {
		return AppendResult{}, err
	} else if head.Size != in.size {
		// Another writer came between the check and the lock: what is new
		// and what is a duplicate may have changed.
		if in, err = checkInput(ctx, s, src, opt.Fresh); err != nil {
			return AppendResult{}, err
		}
		// The events as corrected are those read before the lock: the
		// projections cannot be read while this process holds it.
		in.finish(corrected)
		if err := in.refuse(opt, "another writer appended while this input was checked"); err != nil {
			return AppendResult{}, err
		}
	}
	total := 0
	for _, f := range in.fresh {
		if f {
			total++
		}
	}
	var progress func(int)
	if opt.Progress != nil {
		progress = func(done int) { opt.Progress(done, total) }
	}
	a, err := New(s).NewAppender(opt.Actor, opt.BatchSize, progress)
	if err != nil {
		return AppendResult{}, err
	}
	var appendErr error
	i := len(in.fresh)
	if total > 0 {
		// Nothing new (an import finished before, read again): the second
		// pass would decode the whole input for nothing.
		i = 0
		// A failed append stops the scan too: what is left is not read.
		sctx, stop := context.WithCancel(ctx)
		_, err = scanAhead(sctx, src, in.fresh, func(_ string, _ int, e Event, canonical []byte) {
			if appendErr == nil && i < len(in.fresh) && in.fresh[i] {
				if appendErr = a.AddCanonical(ctx, e, canonical); appendErr != nil {
					stop()
				}
			}
			i++
		})
		stop()
	}
	if appendErr != nil {
		err = appendErr
	}
	res := a.Result()
	if err == nil {
		res, err = a.Close(ctx)
	}
	res.Duplicates += in.checker.Duplicates
	if opt.SkipInvalid {
		res.Skipped = in.bad
	}
	if err == nil && i != len(in.fresh) {
		err = Errorf(CodeRuntime, "the input changed between the check and the append (%d events, then %d); nothing more was appended", len(in.fresh), i)
	}
	if err != nil && res.Appended > 0 {
		if serr := a.Settle(ctx); serr != nil {
			return res, fmt.Errorf("%w (%d events were appended in whole batches before this, and then: %w)", err, res.Appended, serr)
		}
		return res, fmt.Errorf("%w (%d events were appended in whole batches before this; importing the same input again appends the rest and nothing twice)", err, res.Appended)
	}
	return res, err
}

// checked is what a check of an input against the ledger found.
type checked struct {
	fresh    []bool // by the ordinal of each good event, the same in both scans
	lineErrs []LineError
	bad      int    // bad lines, listed or not
	problems int    // their problems, listed or not: a line may have several
	size     uint64 // the ledger's size when checked
	checker  *Checker
	clashes  []clash // the first maxClashes
}

// clash is a line whose id the ledger holds with other content.
type clash struct {
	file  string
	line  int
	event Event
}

// maxClashes bounds the clashing lines a check keeps to compare with the
// events as corrected: an edited sheet has few.
const maxClashes = 10_000

// effective is the content, corrections applied, of the events the
// clashing lines' ids name (opt.Effective): nil without it, or when the
// projections cannot tell, which leaves those lines bad.
func (in *checked) effective(ctx context.Context, opt ImportOptions) (map[string]Event, error) {
	if opt.Effective == nil || len(in.clashes) == 0 {
		return nil, nil
	}
	var ids []string
	for _, c := range in.clashes {
		ids = append(ids, c.event.ID)
	}
	events, err := opt.Effective(ctx, ids)
	if Stopped(ctx, err) {
		return nil, Wrap(CodeRuntime, err, "stopped while checking the input; nothing was appended")
	}
	if err != nil {
		return nil, nil
	}
	return events, nil
}

// finish counts as duplicates the clashing lines that give their event as
// corrected (corrected, by id), tells of the others how they differ from it,
// and lists what is left of the problems.
func (in *checked) finish(corrected map[string]Event) {
	for _, c := range in.clashes {
		eff, ok := corrected[c.event.ID]
		if !ok {
			continue
		}
		at := slices.IndexFunc(in.lineErrs, func(e LineError) bool { return e.File == c.file && e.Line == c.line })
		if bytes.Equal(eff.Canonical(), c.event.Canonical()) {
			in.bad--
			in.problems--
			in.checker.Duplicates++
			if at >= 0 {
				in.lineErrs = slices.Delete(in.lineErrs, at, at+1)
			}
			continue
		}
		if at < 0 || in.lineErrs[at].Clash == nil {
			continue
		}
		if old := in.lineErrs[at].Clash; !bytes.Equal(eff.Canonical(), old.held.Canonical()) {
			// Corrected since it was recorded: what a correction must
			// still change is what differs from the event as it stands.
			cl := ClashOf(&eff, &c.event)
			cl.Seq = old.Seq
			in.lineErrs[at].Clash = cl
			in.lineErrs[at].Msg = fmt.Sprintf("%s is already in the ledger at seq %d with other content, even as corrected since%s; correct it again, or give this event another id", cl.ID, cl.Seq, differencesFrom("as corrected", &eff, &c.event))
		}
	}
	if len(in.lineErrs) > MaxListed {
		in.lineErrs = in.lineErrs[:MaxListed]
	}
	if more := in.problems - len(in.lineErrs); more > 0 {
		in.lineErrs = append(in.lineErrs, LineError{File: "(input)", Field: "(more)", Msg: fmt.Sprintf("%d more %s not listed", more, Plural(more, "problem", "problems"))})
	}
}

// refuse tells opt.Bad of the bad lines a check found and, unless
// SkipInvalid, refuses the input (ErrBadInput), saying why if there is more
// to say than that.
func (in checked) refuse(opt ImportOptions, why string) error {
	if len(in.lineErrs) == 0 {
		return nil
	}
	if opt.Bad != nil {
		for _, e := range in.lineErrs {
			opt.Bad(e)
		}
	}
	if opt.SkipInvalid {
		return nil
	}
	msg := fmt.Sprintf("%d bad %s; nothing was appended", in.bad, Plural(in.bad, "line", "lines"))
	if why != "" {
		msg += " (" + why + ")"
	}
	return &Error{Code: CodeInput, Kind: ErrBadInput, Msg: msg, Err: badLines(in.lineErrs)}
}

// badLines keeps the lines of a refused input for a caller to find with
// errors.As; its own text adds nothing to the message, which counts them.
type badLines []LineError

func (b badLines) Error() string { return "" }

// BadLines are the lines (the first MaxListed) that made an import refuse
// its input.
func BadLines(err error) []LineError {
	var b badLines
	if errors.As(err, &b) {
		return b
	}
	return nil
}

func checkInput(ctx context.Context, s Store, src Input, fresh func(string, int, Event)) (checked, error) {
	var in checked
	head, err := s.Head(ctx)
	if err != nil {
		return in, err
	}
	in.size = head.Size
	in.checker = New(s).NewChecker()
	in.checker.Empty = head.Size == 0
	var lookupErr error
	var ledgerErrs []LineError
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	decoded, err := scanAhead(sctx, src, nil, func(file string, line int, e Event, _ []byte) {
		if lookupErr != nil {
			return
		}
		ok, fe, err := in.checker.Check(ctx, &e)
		if err != nil {
			lookupErr = err
			stop() // the rest of the input is not read
			return
		}
		if fe != nil {
			in.bad++
			in.problems++
			if len(ledgerErrs) < MaxListed {
				ledgerErrs = append(ledgerErrs, LineError{File: file, Line: line, Field: fe.Field, Msg: fe.Msg, Clash: fe.Clash})
			}
			if fe.Clash != nil && len(in.clashes) < maxClashes {
				in.clashes = append(in.clashes, clash{file, line, e})
			}
		}
		if ok && fe == nil && fresh != nil {
			fresh(file, line, e)
		}
		in.fresh = append(in.fresh, ok)
	})
	if lookupErr != nil {
		err = lookupErr
	}
	if err != nil {
		return in, err
	}
	in.checker.Done()
	in.bad += decoded.Lines
	in.problems += len(decoded.Listed) + decoded.More
	in.lineErrs = append(decoded.Listed, ledgerErrs...)
	return in, nil
}

// Plural is one or many, as n says.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
