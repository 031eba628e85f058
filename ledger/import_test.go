package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
)

// importLedger is an empty embedded ledger and the opener Import takes.
func importLedger(t *testing.T) func(context.Context, bool) (ledger.Store, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "l.db")
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return func(ctx context.Context, write bool) (ledger.Store, error) {
		return bolt.Open(path, bolt.Options{ReadOnly: !write})
	}
}

func jsonlEvents(n int, from int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"00000000-0000-4000-8000-%012d","type":"arrest","date":"2025-10-%02d","count":%d,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`+"\n", from+i, 1+(from+i)%28, 1+i)
	}
	return b.String()
}

func headOf(t *testing.T, open func(context.Context, bool) (ledger.Store, error)) ledger.Head {
	t.Helper()
	s, err := open(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// One bad line anywhere: every bad line is named, with its file and line,
// and the ledger is exactly as it was. With SkipInvalid the good ones go in.
func TestImportRefusesAnInputWithBadLines(t *testing.T) {
	open := importLedger(t)
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where stdin is kept for the second pass
	good := jsonlEvents(5, 0)
	input := good + `{"type":"arrest","date":"2025-13-01","count":1,"nationality":"KR","country":"KH","source":{"publisher":"p"}}` + "\n" + jsonlEvents(3, 5)
	var bad []ledger.LineError
	opt := ledger.ImportOptions{Actor: "t", BatchSize: 2, Bad: func(e ledger.LineError) { bad = append(bad, e) }}
	_, err := ledger.Import(ctx, open, ledger.Events{File: "x"}, opt) // nothing at all is fine
	if err != nil {
		t.Fatal(err)
	}
	in := &ledger.Files{Names: []string{"-"}, Format: "jsonl", Stdin: strings.NewReader(input)}
	defer in.Close()
	_, err = ledger.Import(ctx, open, in, opt)
	if !errors.Is(err, ledger.ErrBadInput) || ledger.CodeOf(err) != ledger.CodeInput || len(bad) != 1 || bad[0].Line != 6 || bad[0].File != "(stdin)" || bad[0].Field != "date" {
		t.Fatalf("err %v, bad %+v", err, bad)
	}
	if got := ledger.BadLines(err); len(got) != 1 || got[0] != bad[0] {
		t.Fatalf("BadLines = %+v", got)
	}
	if h := headOf(t, open); h.Size != 0 {
		t.Fatalf("a refused input appended: size %d", h.Size)
	}
	opt.SkipInvalid = true
	opt.Progress = func(int, int) {
		// The copy is unlinked from the start: a process killed now leaves
		// no copy of its input behind.
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("left in the temporary folder while importing: %v", left)
		}
	}
	res, err := ledger.Import(ctx, open, in, opt) // stdin was kept: it is read again
	if err != nil || res.Appended != 8 || res.Skipped != 1 || res.Head.Size != 8 {
		t.Fatalf("with SkipInvalid: %+v %v", res, err)
	}
}

// An import cut short (here, the context ends after the first batches)
// leaves whole batches only; importing the same input again appends the
// rest and nothing twice.
func TestImportInterruptedResumes(t *testing.T) {
	open := importLedger(t)
	file := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(file, []byte(jsonlEvents(50, 0)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	opt := ledger.ImportOptions{Actor: "t", BatchSize: 10, Bad: func(e ledger.LineError) { t.Log(e) }, Progress: func(done, total int) {
		if total != 50 {
			t.Errorf("progress total %d, want 50", total)
		}
		if done >= 20 {
			cancel()
		}
	}}
	res, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{file}}, opt)
	if !errors.Is(err, context.Canceled) || res.Appended != 20 || !strings.Contains(err.Error(), "20 events were appended in whole batches") {
		t.Fatalf("interrupted import: %+v %v", res, err)
	}
	if h := headOf(t, open); h.Size != 20 {
		t.Fatalf("after the interruption the ledger holds %d, want 20 (whole batches)", h.Size)
	}
	opt.Progress = nil
	res, err = ledger.Import(context.Background(), open, &ledger.Files{Names: []string{file}}, opt)
	if err != nil || res.Appended != 30 || res.Duplicates != 20 || res.Head.Size != 50 {
		t.Fatalf("the import again: %+v %v", res, err)
	}
}

// scans counts the passes an import makes over its input.
type scans struct {
	ledger.Input
	n int
}

func (s *scans) Scan(ctx context.Context, fn func(string, int, ledger.Event)) (ledger.Bad, error) {
	s.n++
	return s.Input.Scan(ctx, fn)
}

// An input the ledger holds already is read once, to check it: with nothing
// new the append pass would decode it all for nothing. One with something
// new is read twice, and only the new events are appended.
func TestImportReadsAnOldInputOnce(t *testing.T) {
	open := importLedger(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(file, []byte(jsonlEvents(30, 0)), 0o600); err != nil {
		t.Fatal(err)
	}
	opt := ledger.ImportOptions{Actor: "t", BatchSize: 7}
	in := &scans{Input: &ledger.Files{Names: []string{file}}}
	if res, err := ledger.Import(ctx, open, in, opt); err != nil || res.Appended != 30 || in.n != 2 {
		t.Fatalf("first import: %+v %v, %d passes", res, err, in.n)
	}
	in.n = 0
	res, err := ledger.Import(ctx, open, in, opt)
	if err != nil || res.Appended != 0 || res.Duplicates != 30 || res.Head.Size != 30 || in.n != 1 {
		t.Fatalf("the same input again: %+v %v, %d passes, want 1", res, err, in.n)
	}
	// Ten new events among the old ones: appended in input order, once.
	was, fresh := strings.SplitAfter(jsonlEvents(30, 0), "\n"), strings.SplitAfter(jsonlEvents(10, 100), "\n")
	more := strings.Join(was[:10], "") + strings.Join(fresh[:5], "") + strings.Join(was[10:], "") + strings.Join(fresh[5:], "")
	if err := os.WriteFile(file, []byte(more), 0o600); err != nil {
		t.Fatal(err)
	}
	in.n = 0
	res, err = ledger.Import(ctx, open, in, opt)
	if err != nil || res.Appended != 10 || res.Duplicates != 30 || res.Head.Size != 40 || in.n != 2 {
		t.Fatalf("with ten new events: %+v %v, %d passes", res, err, in.n)
	}
	s, err := open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []string
	s.Read(ctx, 30, func(r ledger.Recorded) error { ids = append(ids, r.Event.ID); return nil })
	want := []string{}
	for _, n := range []int{100, 101, 102, 103, 104, 105, 106, 107, 108, 109} {
		want = append(want, fmt.Sprintf("00000000-0000-4000-8000-%012d", n))
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("appended %v, want %v", ids, want)
	}
}

// A file whose format cannot be told, or that is not there, is an input
// error that names it, before the ledger is touched.
func TestImportNamesAnUnreadableInput(t *testing.T) {
	open := importLedger(t)
	for _, tc := range []struct{ name, format, want string }{
		{"october.txt", "", "october.txt: cannot tell the format"},
		{"missing.jsonl", "", "missing.jsonl: no such file"},
		{"x.jsonl", "xml", `format "xml": use jsonl or csv`},
	} {
		_, err := ledger.Import(context.Background(), open, &ledger.Files{Names: []string{tc.name}, Format: tc.format}, ledger.ImportOptions{BatchSize: 10})
		if ledger.CodeOf(err) != ledger.CodeInput || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// An export, in either format, imported into an empty ledger gives the same
// events; a publication stays behind.
func TestExportImportsBack(t *testing.T) {
	ctx := context.Background()
	open := importLedger(t)
	if _, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{"-"}, Format: "jsonl", Stdin: strings.NewReader(jsonlEvents(30, 0))}, ledger.ImportOptions{Actor: "t", BatchSize: 7}); err != nil {
		t.Fatal(err)
	}
	s, _ := open(ctx, true)
	size, root := uint64(30), strings.Repeat("ab", 32)
	pub := ledger.Event{Type: ledger.ReportPublished, Report: "monthly", Period: "2025-10", TreeSize: &size, RootHash: root, FileName: "oct.xlsx", FileSHA256: root}
	ledger.Normalize(&pub)
	p, _, _ := ledger.New(s).Prepare(ctx, []ledger.Event{pub})
	if _, err := ledger.New(s).Append(ctx, "t", p, 1, nil); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "csv"} {
		var b strings.Builder
		ew, _ := ledger.NewEventWriter(&b, format)
		if err := ledger.Export(ctx, s, ledger.AsOf{}, ew, nil); err != nil || ew.N != 30 {
			t.Fatalf("%s: exported %d: %v", format, ew.N, err)
		}
		again := importLedger(t)
		res, err := ledger.Import(ctx, again, &ledger.Files{Names: []string{"-"}, Format: format, Stdin: strings.NewReader(b.String())}, ledger.ImportOptions{Actor: "t", BatchSize: 100})
		if err != nil || res.Appended != 30 {
			t.Fatalf("%s: imported back %+v: %v", format, res, err)
		}
		// Recorded-at differs, so roots do; the events themselves are the same.
		a, _ := again(ctx, false)
		var got []string
		a.Read(ctx, 0, func(r ledger.Recorded) error { got = append(got, string(r.Event.Canonical())); return nil })
		a.Close()
		var orig []string
		s.Read(ctx, 0, func(r ledger.Recorded) error {
			if r.Seq < 30 {
				orig = append(orig, string(r.Event.Canonical()))
			}
			return nil
		})
		if strings.Join(got, "\n") != strings.Join(orig, "\n") {
			t.Fatalf("%s: the events imported back differ", format)
		}
	}
	s.Close()
}

// marks records what an import asks of a Marker store, and was done.
type marks struct {
	*bolt.Store
	log *[]string
}

func (m marks) Append(ctx context.Context, next uint64, recs []ledger.Recorded) error {
	err := m.Store.Append(ctx, next, recs)
	if err == nil {
		*m.log = append(*m.log, "append+mark")
	}
	return err
}

func (m marks) AppendUnmarked(ctx context.Context, next uint64, recs []ledger.Recorded) error {
	err := m.Store.AppendUnmarked(ctx, next, recs)
	if err == nil {
		*m.log = append(*m.log, "append")
	}
	return err
}

func (m marks) Mark(ctx context.Context) error {
	*m.log = append(*m.log, "mark")
	return m.Store.Mark(ctx)
}

// An import's batches acknowledge nothing until it returns: on the embedded
// store they commit without the acknowledgement mark, a commit and its
// fsyncs each, and the import marks once, after its last batch, whether it
// finished or was cut short (what it says it appended is then marked).
func TestImportMarksOnceAtTheEnd(t *testing.T) {
	open := importLedger(t)
	var log []string
	marked := func(ctx context.Context, write bool) (ledger.Store, error) {
		s, err := open(ctx, write)
		if err != nil || !write {
			return s, err
		}
		return marks{s.(*bolt.Store), &log}, nil
	}
	file := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(file, []byte(jsonlEvents(50, 0)), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := ledger.Import(context.Background(), marked, &ledger.Files{Names: []string{file}}, ledger.ImportOptions{Actor: "t", BatchSize: 10})
	if err != nil || res.Appended != 50 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if got := strings.Join(log, " "); got != "append append append append append+mark" {
		t.Fatalf("an import of 5 batches asked: %s", got)
	}

	log = nil
	more := filepath.Join(t.TempDir(), "more.jsonl")
	if err := os.WriteFile(more, []byte(jsonlEvents(50, 50)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = ledger.Import(ctx, marked, &ledger.Files{Names: []string{more}}, ledger.ImportOptions{Actor: "t", BatchSize: 10, Progress: func(done, _ int) {
		if done >= 20 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: %v", err)
	}
	if got := strings.Join(log, " "); got != "append append mark" {
		t.Fatalf("an import cut short after 2 batches asked: %s", got)
	}
}

// What an official may give instead of JSONL or CSV text (a workbook, Excel's
// "Unicode Text") is named for what it is, on line 1 of
// that file, with what to do; the other files' lines are checked as ever,
// and nothing is appended. A workbook named as one is refused before any
// reading.
func TestImportNamesWhatIsNotText(t *testing.T) {
	open := importLedger(t)
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "id,type\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	files := map[string]string{
		write("book.csv", append([]byte("PK\x03\x04"), make([]byte, 100)...)):    "this is a spreadsheet (or another zip or Office file), not text: save its sheet of events as CSV UTF-8",
		write("old.csv", append([]byte{0xD0, 0xCF, 0x11, 0xE0}, 1, 2, 3)):        "this is a spreadsheet",
		write("unicode.csv", utf16):                                              "this text is UTF-16",
		write("good.jsonl", []byte(jsonlEvents(2, 0))):                           "",
		write("bad.jsonl", []byte(`{"type":"arrest","date":"2025-13-01"}`+"\n")): "date",
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	var bad []ledger.LineError
	_, err := ledger.Import(ctx, open, &ledger.Files{Names: names}, ledger.ImportOptions{BatchSize: 10, Bad: func(e ledger.LineError) { bad = append(bad, e) }})
	if !errors.Is(err, ledger.ErrBadInput) {
		t.Fatalf("err %v", err)
	}
	for name, want := range files {
		var got []string
		for _, e := range bad {
			if e.File == name && e.Line == 1 {
				got = append(got, e.Field+": "+e.Msg)
			}
		}
		if all := strings.Join(got, "\n"); want == "" && len(got) > 0 || want != "" && !strings.Contains(all, want) {
			t.Errorf("%s: %q, want %q", filepath.Base(name), all, want)
		}
	}
	if h := headOf(t, open); h.Size != 0 {
		t.Fatalf("appended %d events", h.Size)
	}

	xlsx := write("october.xlsx", []byte("PK\x03\x04"))
	_, err = ledger.Import(ctx, open, &ledger.Files{Names: []string{xlsx}}, ledger.ImportOptions{BatchSize: 10})
	if ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "october.xlsx: a spreadsheet cannot be imported as it is: save its sheet of events as CSV UTF-8") {
		t.Fatalf("a workbook: %v", err)
	}
}

// An import counts bad lines, not problems: a line with a bad date and a bad
// country is one line to fix, and one line skipped.
func TestImportCountsLinesNotProblems(t *testing.T) {
	open := importLedger(t)
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "october.csv")
	csv := "type,date,count,nationality,country,source_publisher\n" +
		"arrest,20/10/2025,60,KR,KH ,Yonhap\n" + // two problems
		"Arrest,2025-10-20,60,KR,KH,Yonhap\n" + // one
		"arrest,2025-10-20,60,KR,KH,Yonhap\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var listed []ledger.LineError
	_, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{p}}, ledger.ImportOptions{BatchSize: 10, Bad: func(e ledger.LineError) { listed = append(listed, e) }})
	if len(listed) != 3 || err == nil || !strings.Contains(err.Error(), "2 bad lines; nothing was appended") {
		t.Fatalf("%d problems listed; %v", len(listed), err)
	}
	res, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{p}}, ledger.ImportOptions{Actor: "t", BatchSize: 10, SkipInvalid: true})
	if err != nil || res.Skipped != 2 || res.Appended != 1 {
		t.Fatalf("with SkipInvalid: %+v %v", res, err)
	}
}

// A row sent again under its id with a figure changed is refused, saying
// what changed: the official corrects the event rather than adding a second.
func TestImportNamesWhatChangedUnderAnID(t *testing.T) {
	open := importLedger(t)
	ctx := context.Background()
	dir := t.TempDir()
	const row = "11111111-2222-4333-8444-555555555555,arrest,2025-10-20,%d,KR,%s,Yonhap,%s\n"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("id,type,date,count,nationality,country,source_publisher,notes\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("a.csv", fmt.Sprintf(row, 60, "KH", "nearly 60"))
	if _, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{first}}, ledger.ImportOptions{Actor: "t", BatchSize: 10}); err != nil {
		t.Fatal(err)
	}
	// The clash also says what a correction of the held event would
	// change to give it the row's content, when a correction can.
	for _, c := range []struct {
		body, want string
		changes    string // the correction's changes as JSON; "" for none possible
	}{
		{fmt.Sprintf(row, 64, "KH", "nearly 60"), `with other content (as recorded → here: count: "60" → "64"); give this event another id, or correct the old one`, `{"count":64}`},
		{fmt.Sprintf(row, 64, "LA", ""), `with other content (as recorded → here: count: "60" → "64", country: "KH" → "LA", notes: "nearly 60" → (none))`, `{"count":64,"country":"LA","notes":""}`},
		{strings.Replace(fmt.Sprintf(row, 60, "KH", "nearly 60"), "arrest", "rescue", 1), `type: "arrest" → "rescue"`, ""},
	} {
		var bad []ledger.LineError
		_, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{write("b.csv", c.body)}}, ledger.ImportOptions{Actor: "t", BatchSize: 10, Bad: func(e ledger.LineError) { bad = append(bad, e) }})
		if !errors.Is(err, ledger.ErrBadInput) || len(bad) != 1 || !strings.Contains(bad[0].Msg, c.want) {
			t.Fatalf("%q: %v %v, want %q", c.body, bad, err, c.want)
		}
		cl := bad[0].Clash
		if cl == nil || cl.ID != "11111111-2222-4333-8444-555555555555" || cl.Type != ledger.Arrest {
			t.Fatalf("%q: clash %+v", c.body, cl)
		}
		changes, _ := json.Marshal(cl.Changes)
		if cl.Correctable != (c.changes != "") || cl.Correctable && string(changes) != c.changes {
			t.Errorf("%q: correctable %v, changes %s; want %q", c.body, cl.Correctable, changes, c.changes)
		}
	}
	if h := headOf(t, open); h.Size != 1 {
		t.Fatalf("size %d", h.Size)
	}

	// Where the projections say the event was corrected since, a row that
	// gives it as corrected is a duplicate; one that differs still is told
	// how, from the event as it stands.
	corrected := func(count int64) ledger.ImportOptions {
		return ledger.ImportOptions{Actor: "t", BatchSize: 10, Effective: func(_ context.Context, ids []string) (map[string]ledger.Event, error) {
			s, err := open(ctx, false)
			if err != nil {
				return nil, err
			}
			defer s.Close()
			r, _, err := s.Lookup(ctx, ids[0])
			e := r.Event
			e.Count = &count
			return map[string]ledger.Event{e.ID: e}, err
		}}
	}
	res, err := ledger.Import(ctx, open, &ledger.Files{Names: []string{write("c.csv", fmt.Sprintf(row, 64, "KH", "nearly 60"))}}, corrected(64))
	if err != nil || res.Duplicates != 1 || res.Appended != 0 {
		t.Fatalf("a row as corrected: %+v %v", res, err)
	}
	opt := corrected(62)
	var bad []ledger.LineError
	opt.Bad = func(e ledger.LineError) { bad = append(bad, e) }
	_, err = ledger.Import(ctx, open, &ledger.Files{Names: []string{write("d.csv", fmt.Sprintf(row, 64, "KH", "nearly 60"))}}, opt)
	if !errors.Is(err, ledger.ErrBadInput) || len(bad) != 1 || !strings.Contains(bad[0].Msg, `even as corrected since (as corrected → here: count: "62" → "64")`) || bad[0].Clash.Seq != 0 {
		t.Fatalf("a row unlike the event as corrected: %v %+v", err, bad)
	}
}

// counting counts the events a scan gives, and calls at once it has given n
// (in each pass).
type counting struct {
	ledger.Input
	n, seen int
	at      func()
}

func (c *counting) Scan(ctx context.Context, fn func(string, int, ledger.Event)) (ledger.Bad, error) {
	c.seen = 0
	return c.Input.Scan(ctx, func(file string, line int, e ledger.Event) {
		if c.seen++; c.seen == c.n && c.at != nil {
			c.at()
		}
		fn(file, line, e)
	})
}

// An import interrupted while it checks its input, or while it appends,
// stops reading the input within a buffer or so: it used to decode the rest
// of it first (15 s at 1M rows). Stopped in the check, it says nothing was
// appended; in the append, it has whole batches and says how to finish.
func TestInterruptedImportStopsReading(t *testing.T) {
	const total = 200_000
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(jsonlEvents(total, 0)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, pass := range []string{"check", "append"} {
		open := importLedger(t)
		ctx, cancel := context.WithCancel(context.Background())
		in := &counting{Input: &ledger.Files{Names: []string{path}}, n: 1000}
		opt := ledger.ImportOptions{Actor: "t", BatchSize: 100}
		if pass == "check" {
			in.at = cancel
		} else {
			opt.Progress = func(done, _ int) {
				if done >= 1000 {
					cancel()
				}
			}
		}
		res, err := ledger.Import(ctx, open, in, opt)
		cancel()
		if !errors.Is(err, context.Canceled) || ledger.CodeOf(err) != ledger.CodeRuntime || in.seen > 20_000 {
			t.Fatalf("interrupted in the %s at event 1000 of %d: read %d in its pass, %v", pass, total, in.seen, err)
		}
		switch {
		case pass == "check" && (res.Appended != 0 || !strings.Contains(err.Error(), "stopped while checking the input; nothing was appended")):
			t.Errorf("interrupted in the check: appended %d, %v", res.Appended, err)
		case pass == "append" && (res.Appended == 0 || res.Appended%100 != 0 || !strings.Contains(err.Error(), "importing the same input again appends the rest")):
			t.Errorf("interrupted in the append: appended %d, %v", res.Appended, err)
		}
	}
}

// An incident dated after today, or a source published after today, is a
// typing mistake (2052 for 2025) that would sit in a month no report shows:
// refused as it enters, naming the field. Today runs a day ahead of UTC, as
// Seoul's and Phnom Penh's do; a task force may announce what is to come.
func TestNothingHappensAfterToday(t *testing.T) {
	open := importLedger(t)
	s, err := open(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l := ledger.New(s)
	l.Now = func() time.Time { return time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC) } // 05:00 on the 3rd in Seoul
	n := int64(3)
	ev := func(date, published string) ledger.Event {
		e := ledger.Event{Type: ledger.Arrest, Date: date, Count: &n, Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "p", Published: published}}
		ledger.Normalize(&e)
		return e
	}
	tf := ledger.Event{Type: ledger.TaskforceEstablished, Taskforce: "kh-kr", Name: "joint group", Members: []string{"KH", "KR"}, Date: "2027-01-15"}
	ledger.Normalize(&tf)
	p, errs, err := l.Prepare(context.Background(), []ledger.Event{ev("2026-12-03", ""), ev("2026-12-02", "2026-12-03"), tf})
	if err != nil || len(errs) != 0 || p.Len() != 3 {
		t.Fatalf("today in Seoul, and a task force to come: %d fresh, %v %v", p.Len(), errs, err)
	}
	if _, err := l.Append(context.Background(), "t", p, 10, nil); err != nil {
		t.Fatal(err)
	}
	first := ev("2026-12-03", "").ID
	later := "2026-12-04"
	corr := ledger.Event{Type: ledger.Correction, Corrects: first, Changes: &ledger.Changes{Date: &later}, Reason: "r"}
	ledger.Normalize(&corr)
	_, errs, err = l.Prepare(context.Background(), []ledger.Event{ev("2052-10-01", ""), ev("2025-10-01", "2062-01-01"), corr})
	if err != nil || len(errs) != 3 {
		t.Fatalf("three dates after today: %v %v", errs, err)
	}
	for i, want := range []string{`date: "2052-10-01" is after today (2026-12-02)`, `source.published: "2062-01-01" is after today`, `changes.date: "2026-12-04" is after today`} {
		if !strings.Contains(errs[i].Error(), want) {
			t.Errorf("error %d = %q, want %q", i, errs[i].Error(), want)
		}
	}
}

// The check tells how much of the input it has read, of how much: the
// files' bytes, stdin's once kept aside; the append's pass is not counted
// again.
func TestImportTellsTheCheck(t *testing.T) {
	open := importLedger(t)
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	os.WriteFile(a, []byte(jsonlEvents(3000, 0)), 0o600)
	os.WriteFile(b, []byte(jsonlEvents(2000, 5000)), 0o600)
	stdin := jsonlEvents(1000, 9000)
	total := int64(len(jsonlEvents(3000, 0)) + len(jsonlEvents(2000, 5000)) + len(stdin))
	var calls []int64
	appending := false
	opt := ledger.ImportOptions{Actor: "t", BatchSize: 500,
		Progress: func(int, int) { appending = true },
		Checking: func(read, of int64) { // on the scan's goroutine: Errorf, not Fatal
			if appending {
				t.Error("the append's pass was counted as the check's")
			}
			if of != total || (len(calls) > 0 && read < calls[len(calls)-1]) {
				t.Errorf("told %d of %d after %v; the inputs hold %d", read, of, calls, total)
			}
			calls = append(calls, read)
		}}
	in := &ledger.Files{Names: []string{a, "-", b}, Stdin: strings.NewReader(stdin), Format: "jsonl"}
	defer in.Close()
	if res, err := ledger.Import(ctx, open, in, opt); err != nil || res.Appended != 6000 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if len(calls) < 3 || calls[len(calls)-1] != total {
		t.Fatalf("the check told %v; want it to end at %d", calls, total)
	}
}

// lookups counts the ids looked up in a store.
type lookups struct {
	ledger.Store
	n *int
}

func (l lookups) Lookup(ctx context.Context, id string) (ledger.Recorded, bool, error) {
	*l.n++
	return l.Store.Lookup(ctx, id)
}

// Into an empty ledger an import looks up no id: there is none to find.
// Into one that holds events, each id is looked up once in the check.
func TestFirstLoadLooksUpNothing(t *testing.T) {
	open := importLedger(t)
	n := 0
	counted := func(ctx context.Context, write bool) (ledger.Store, error) {
		s, err := open(ctx, write)
		return lookups{s, &n}, err
	}
	ctx := context.Background()
	opt := ledger.ImportOptions{Actor: "t", BatchSize: 50}
	if res, err := ledger.Import(ctx, counted, ledger.Events{File: "a", List: decoded(t, jsonlEvents(200, 0))}, opt); err != nil || res.Appended != 200 {
		t.Fatalf("first load: %+v %v", res, err)
	}
	if n != 0 {
		t.Fatalf("a first load looked up %d ids", n)
	}
	again := append(decoded(t, jsonlEvents(200, 0)), decoded(t, jsonlEvents(100, 500))...)
	if res, err := ledger.Import(ctx, counted, ledger.Events{File: "b", List: again}, opt); err != nil || res.Appended != 100 || res.Duplicates != 200 {
		t.Fatalf("second load: %+v %v", res, err)
	}
	if n < 300 {
		t.Fatalf("the second load looked up %d ids of 300", n)
	}
}

func decoded(t *testing.T, jsonl string) []ledger.Event {
	t.Helper()
	d, err := ledger.DecodeJSONL("in.jsonl", strings.NewReader(jsonl))
	if err != nil || len(d.Errors) > 0 {
		t.Fatal(err, d.Errors)
	}
	return d.Events
}

// A file whose lines end in a carriage return alone (Excel for Mac's "CSV
// (Macintosh)") is read line by line: its bad lines are named by their
// number, and its good ones go in.
func TestLinesEndedByCarriageReturns(t *testing.T) {
	open := importLedger(t)
	file := filepath.Join(t.TempDir(), "mac.csv")
	rows := "type,date,count,nationality,country,source_publisher,notes\r" +
		"arrest,2025-10-01,3,KR,KH,Yonhap,\"two\rlines\"\r" +
		"arrest,2025-10-02,many,KR,KH,Yonhap,x\r"
	os.WriteFile(file, []byte(rows), 0o600)
	in := &ledger.Files{Names: []string{file}}
	defer in.Close()
	_, err := ledger.Import(context.Background(), open, in, ledger.ImportOptions{Actor: "t", BatchSize: 10})
	if bad := ledger.BadLines(err); len(bad) != 1 || bad[0].Line != 4 || bad[0].Field != "count" {
		t.Fatalf("the bad line of a CR file: %v", err)
	}
	os.WriteFile(file, []byte(strings.Replace(rows, "many", "4", 1)), 0o600)
	if res, err := ledger.Import(context.Background(), open, in, ledger.ImportOptions{Actor: "t", BatchSize: 10}); err != nil || res.Appended != 2 {
		t.Fatalf("a CR file: %+v %v", res, err)
	}
}
