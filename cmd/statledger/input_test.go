package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
)

// An import reading a slow input (a FIFO whose writer takes its time) does
// not hold the ledger's write lock while it reads: another writer records
// meanwhile, and the import then appends all its events.
func TestSlowInputDoesNotHoldTheLock(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	fifo := filepath.Join(t.TempDir(), "input.jsonl")
	mkfifo(t, fifo)
	imp := exec.Command(bin, "--store", store, "--actor", "e2e", "import", fifo)
	var out bytes.Buffer
	imp.Stdout, imp.Stderr = &out, &out
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, `{"type":"arrest","date":"2025-10-01","count":3,"nationality":"KR","country":"KH","source":{"publisher":"slow"},"notes":"first"}`)
	time.Sleep(300 * time.Millisecond) // the import has opened its input and waits for more
	start := time.Now()
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-02", "--count", "1", "--nationality", "KR", "--country", "KH", "--source-publisher", "meanwhile"), "record while the import reads")
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("record waited %s for the import's lock", d)
	}
	fmt.Fprintln(w, `{"type":"arrest","date":"2025-10-03","count":4,"nationality":"KR","country":"KH","source":{"publisher":"slow"},"notes":"second"}`)
	w.Close()
	if err := imp.Wait(); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "appended 2, duplicates 0; tree size 3") {
		t.Fatalf("import said %s", out.String())
	}
}

// A replay piped into a pager holds the ledger open (shared) until the pager
// quits. A record meanwhile waits for it, saying so, and goes on when it is
// done: it does not fail after seconds, leaving the official to guess why.
func TestWriterWaitsForAReader(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	var b bytes.Buffer
	for i := range 3000 { // about 1 MB of replay: more than a pipe holds
		fmt.Fprintf(&b, `{"type":"arrest","date":"2025-10-%02d","count":1,"nationality":"KR","country":"KH","source":{"publisher":"p"},"notes":"event %d"}`+"\n", i%28+1, i)
	}
	must(t, slIn(t, "", store, b.Bytes(), "import", "--format", "jsonl", "-"), "import")
	replay := exec.Command(bin, "--store", store, "replay", "--format", "jsonl")
	pager, err := replay.StdoutPipe() // a pager that does not read yet
	if err != nil {
		t.Fatal(err)
	}
	if err := replay.Start(); err != nil {
		t.Fatal(err)
	}
	// Its first lines say the replay has the ledger open; the rest fill
	// the pipe, and it waits there.
	if _, err := io.ReadFull(pager, make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	record := exec.Command(bin, "--store", store, "--actor", "e2e", "record", "rescue", "--date", "2025-10-02", "--count", "1", "--nationality", "KR", "--country", "KH", "--source-publisher", "meanwhile")
	var out syncBuffer
	record.Stdout, record.Stderr = &out, &out
	if err := record.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "waiting: another command has the ledger"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("record did not say it waits: %q", out.String())
		}
	}
	lines, _ := io.Copy(io.Discard, pager) // the pager quits
	if err := replay.Wait(); err != nil || lines == 0 {
		t.Fatalf("replay: %v, %d bytes", err, lines)
	}
	if err := record.Wait(); err != nil {
		t.Fatalf("record after the replay: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "at seq 3000") || !strings.HasPrefix(head(t, store), "3001 ") {
		t.Fatalf("record said %q; head %s", out.String(), head(t, store))
	}
}

// syncBuffer is a bytes.Buffer that a running process writes to while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Bad inputs are listed in bounded memory: the first 100 bad lines, the rest
// counted. A CSV row may not grow past the bound of a line (a file with no
// line breaks is one row), and no message echoes a control byte.
func TestBadInputsAreBounded(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	dir := t.TempDir()
	var b bytes.Buffer
	for i := range 1000 {
		fmt.Fprintf(&b, `{"type":"arrest","date":"2025-13-%02d","count":1,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`+"\n", i%28+1)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, b.Bytes(), 0o644)
	r := sl(t, store, "import", bad)
	if r.code != 2 || strings.Count(r.stderr, "bad.jsonl:") != 100 || !strings.Contains(r.stderr, "900 more problems not listed") || !strings.Contains(r.stderr, "1000 bad lines") {
		t.Fatalf("1000 bad lines: exit %d, %d listed\n%s", r.code, strings.Count(r.stderr, "bad.jsonl:"), r.stderr[max(0, len(r.stderr)-400):])
	}
	zeros := filepath.Join(dir, "zeros.csv")
	os.WriteFile(zeros, append([]byte("type,date,count,nationality,country,source_publisher,notes\n"), make([]byte, 3<<20)...), 0o644)
	r = sl(t, store, "import", zeros)
	if r.code != 2 || !strings.Contains(r.stderr, "zeros.csv:2: (row): is more than") || strings.ContainsRune(r.stderr, 0) {
		t.Fatalf("a CSV of zeros: exit %d %q", r.code, r.stderr)
	}
	ctrl := filepath.Join(dir, "ctrl.csv")
	os.WriteFile(ctrl, []byte("type,date,no\x00tes\x1b[31m\narrest,2025-10-01,x\n"), 0o644)
	r = sl(t, store, "import", ctrl)
	if r.code != 2 || strings.ContainsAny(r.stderr, "\x00\x1b") || !strings.Contains(r.stderr, `\x00`) {
		t.Fatalf("control bytes in a header: exit %d %q", r.code, r.stderr)
	}
	if h := head(t, store); !strings.HasPrefix(h, "0 ") {
		t.Fatalf("bad inputs changed the ledger: %s", h)
	}
}

// Ctrl-C stops an import cleanly: at a batch boundary, saying what was
// appended and how to finish; running it again appends the rest, nothing
// twice.
func TestInterruptedImport(t *testing.T) {
	t.Parallel() // a harness of its own: it runs beside the others
	store, _ := newLedger(t, "bolt")
	events := eventsFile(t, "interrupt", 150000)
	cmd := exec.Command(bin, "--store", store, "--actor", "e2e", "import", events)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	size, _, verr := verifiedHead(t, store)
	if verr != nil {
		t.Fatalf("after Ctrl-C the ledger does not verify: %v", verr)
	}
	if err == nil {
		t.Logf("the import finished before Ctrl-C (%d events): nothing was interrupted", size)
	} else {
		if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(out.String(), "interrupted") {
			t.Fatalf("Ctrl-C: exit %d\n%s", code, out.String())
		}
		if size > 0 && !strings.Contains(out.String(), "importing the same input again appends the rest") {
			t.Fatalf("Ctrl-C after %d events appended, and no word of how to finish:\n%s", size, out.String())
		}
		t.Logf("interrupted at %d of 150000 events: %s", size, strings.TrimSpace(out.String()))
	}
	if size%1000 != 0 {
		t.Fatalf("the interrupted import left %d events: not whole batches", size)
	}
	r := must(t, sl(t, store, "import", events), "import again")
	if !strings.Contains(r.stdout, fmt.Sprintf("appended %d, duplicates %d", 150000-size, size)) {
		t.Fatalf("import again: %s", r.stdout)
	}
}

// Messages a newcomer meets in the first hour: each says what was wrong in
// the words the user typed, names only flags the command has, and exits 2.
func TestNewcomerMessages(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	for _, tc := range []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"record", "arrests", "--date", "2025-10-01", "--count", "3"}, []string{`"arrests" is not an event type; did you mean arrest?`}, []string{"flag provided"}},
		{[]string{"record", "체포", "--date", "2025-10-01"}, []string{`"체포" is not an event type; did you mean arrest?`}, []string{"flag provided"}},
		{[]string{"record", "taskforce-established", "--taskforce", "KH KR group"}, []string{`--taskforce: "KH KR group" must be lower-case letters, digits, '-' or '_', at most 64 characters: write kh-kr-group`}, nil},
		{[]string{"record", "kidnapping", "--date", "2025-10-01"}, []string{`"kidnapping" is not an event type; the types are: arrest, repatriation`}, []string{"flag provided", "did you mean"}},
		{[]string{"report", "montly", "--month", "2025-10"}, []string{`"montly" is not a subcommand of report; did you mean monthly?`}, []string{"help topic"}},
		{[]string{"improt", "october.csv"}, []string{`"improt" is not a command; did you mean import?`}, []string{"help topic"}},
		{[]string{"xyzzy"}, []string{`"xyzzy" is not a command (see 'statledger --help')`}, []string{"did you mean"}},
		{[]string{"help", "improt"}, []string{"No help topic for 'improt'"}, nil},
		{[]string{"correct", "00000000-0000-4000-8000-000000000000", "--count", "3", "--reason", "x"}, []string{"ID: no event 00000000-0000-4000-8000-000000000000 in the ledger"}, []string{"bad line", "--skip-invalid", "earlier in this input"}},
		{[]string{"--store", "esdb://localhost:99999?tls=false", "summary", "--month", "2025-10"}, []string{`"99999" is not a port`}, nil},
		{[]string{"--store", "esdb:/localhost:2113", "init"}, []string{"--store esdb:/localhost:2113: an EventStoreDB address is written esdb://localhost:2113"}, []string{"created"}},
		{[]string{"--store", "ESDB://admin:secret@localhost:2113", "summary", "--month", "2025-10"}, []string{"an EventStoreDB address starts in lower case: esdb://admin:xxxxx@localhost:2113"}, []string{"secret"}},
		{[]string{"summary", "--month", "2025-10", "--as-of", "99"}, []string{"the ledger holds only 4 events", "--as-of takes a tree size"}, nil},
	} {
		r := sl(t, store, tc.args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", tc.args, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, r.stderr)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(r.stderr, n) {
				t.Errorf("%v: stderr has %q:\n%s", tc.args, n, r.stderr)
			}
		}
	}
	// The format's spelling of a type works where the CLI's does.
	must(t, sl(t, store, "record", "taskforce_established", "--taskforce", "kh-kr-joint-working-group", "--date", "2025-11-10", "--source-publisher", "newcomer test"), "record taskforce_established")
	if r := must(t, sl(t, store, "key"), "key"); strings.TrimSpace(r.stdout) != verifier {
		t.Errorf("key printed %q, init %q", r.stdout, verifier)
	}
	r := must(t, sl(t, store, "replay", "--as-of", "2000-01-01T00:00:00Z"), "replay as of 2000")
	if !strings.Contains(r.stderr, "selects events by when they were recorded") {
		t.Errorf("replay as of an instant before the first event said nothing: %q", r.stderr)
	}
	if r := must(t, sl(t, store, "summary", "--month", "2025-10"), "summary"); !strings.Contains(r.stdout, "Repatriations") {
		t.Errorf("summary does not use the workbook's words:\n%s", r.stdout)
	}
}

// The demo works from any folder (its seed events are built in); a --file
// that cannot be read is refused before anything is made.
func TestDemoWorksAnywhere(t *testing.T) {
	dir := t.TempDir()
	r := slIn(t, dir, "ignored.db", nil, "demo", "--dir", "d", "--file", "missing.jsonl")
	if r.code != 2 || !strings.Contains(r.stderr, "nothing was created") {
		t.Fatalf("demo --file missing.jsonl: exit %d %s", r.code, r.stderr)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("the demo left %v", left)
	}
	r = must(t, slIn(t, dir, "ignored.db", nil, "demo"), "demo outside the repository")
	if !strings.Contains(r.stdout, "imported testdata/seed.jsonl: appended 4") {
		t.Fatalf("demo outside the repository: %s", r.stdout)
	}
	for _, f := range []string{"statledger.db", "statledger-2025-10.xlsx", "charts.html"} {
		if _, err := os.Stat(filepath.Join(dir, "statledger-demo", f)); err != nil {
			t.Fatal(err)
		}
	}
}

// A retracted event can be neither corrected nor retracted again: it counts
// in no figure, and either would look like a change that changes nothing.
func TestRetractedEventIsFinal(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	r := must(t, sl(t, store, "record", "rescue", "--date", "2025-10-09", "--count", "3", "--nationality", "KR", "--country", "KH", "--source-publisher", "retract test"), "record")
	id := regexp.MustCompile(`recorded rescue (\S+)`).FindStringSubmatch(r.stdout)[1]
	must(t, sl(t, store, "retract", id, "--reason", "duplicate of the ministry report"), "retract")
	before := head(t, store)
	for _, args := range [][]string{
		{"retract", id, "--reason", "again"},
		{"correct", id, "--count", "4", "--reason", "ministry list"},
	} {
		if r := sl(t, store, args...); r.code != 2 || !strings.Contains(r.stderr, "was retracted at seq 1") {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
	}
	if head(t, store) != before {
		t.Fatal("a refused correction changed the ledger")
	}
}

// An input whose last line is bad changes nothing, however many batches of
// good events come before it: the ledger's size and root, its ids and the
// projection checkpoint stay as they were, and the good lines imported again
// without the bad one are all appended, none a duplicate.
func TestBadLastLineChangesNothing(t *testing.T) { forEachStore(t, testBadLastLineChangesNothing) }

func testBadLastLineChangesNothing(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", eventsFile(t, "first", 500)), "import")
	before, beforeSaid := head(t, store), must(t, sl(t, store, "verify"), "verify").stdout
	ids := len(idsIn(t, store))

	good := eventsFile(t, "later", 3500)
	b, _ := os.ReadFile(good)
	bad := filepath.Join(t.TempDir(), "bad-last.jsonl")
	os.WriteFile(bad, append(b, []byte(`{"type":"arrest","date":"2025-02-30","count":1,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`+"\n")...), 0o644)
	r := sl(t, store, "import", "--batch-size", "500", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "bad-last.jsonl:3501: date:") || !strings.Contains(r.stderr, "nothing was appended") {
		t.Fatalf("a bad last line: exit %d %q", r.code, r.stderr)
	}
	if after := head(t, store); after != before {
		t.Fatalf("a refused input moved the ledger from %s to %s", before, after)
	}
	if n := len(idsIn(t, store)); n != ids {
		t.Fatalf("a refused input left %d ids, not %d", n, ids)
	}
	if said := must(t, sl(t, store, "verify"), "verify").stdout; said != beforeSaid || !strings.Contains(said, "projection checkpoint at tree size 500 matches") {
		t.Fatalf("verify before the refused input:\n%s\nafter:\n%s", beforeSaid, said)
	}
	if r := must(t, sl(t, store, "import", good), "the good lines"); !strings.Contains(r.stdout, "appended 3500, duplicates 0") {
		t.Fatalf("the good lines alone: %s", r.stdout)
	}
}

// An official who gives the workbook itself to import is told to save it
// as CSV, not shown a quote out of place; the ledger is unchanged.
func TestImportOfAWorkbook(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	dir := t.TempDir()
	book := filepath.Join(dir, "october.xlsx")
	if r := sl(t, store, "report", "monthly", "--month", "2025-10", "-o", book); r.code != 0 {
		t.Fatalf("report: %d %s", r.code, r.stderr)
	}
	before := head(t, store)
	r := sl(t, store, "import", book)
	if r.code != 2 || !strings.Contains(r.stderr, "october.xlsx: a spreadsheet cannot be imported as it is: save its sheet of events as CSV UTF-8") {
		t.Fatalf("import october.xlsx: exit %d %q", r.code, r.stderr)
	}
	r = sl(t, store, "import", "--format", "csv", book)
	if r.code != 2 || !strings.Contains(r.stderr, "october.xlsx:1: (file): this is a spreadsheet") || strings.ContainsRune(r.stderr, 0) {
		t.Fatalf("import --format csv october.xlsx: exit %d %q", r.code, r.stderr)
	}
	if h := head(t, store); h != before {
		t.Fatalf("the ledger changed: %s, was %s", h, before)
	}
}

// import --help names every CSV column, from the format's own table, in
// lines a terminal shows whole, and says how to bring a spreadsheet in.
func TestImportHelpListsTheColumns(t *testing.T) {
	r := sl(t, filepath.Join(t.TempDir(), "none.db"), "import", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "save the sheet as CSV UTF-8") {
		t.Fatalf("import --help: %d %q", r.code, r.stdout)
	}
	at := strings.Index(r.stdout, "in any order, from:")
	listed := r.stdout[at : strings.Index(r.stdout[at:], "Dates are")+at]
	for _, col := range ledger.CSVColumns {
		if !regexp.MustCompile(`\b` + col + `(,|\n)`).MatchString(listed) {
			t.Errorf("import --help does not list the column %s", col)
		}
	}
	desc := r.stdout[strings.Index(r.stdout, "DESCRIPTION:"):strings.Index(r.stdout, "OPTIONS:")]
	for _, line := range strings.Split(desc, "\n") {
		if len(line) > 100 {
			t.Errorf("a help line of %d characters: %q", len(line), line)
		}
	}
}

// A bad ID given to correct or retract is called the ID the user typed, not
// the flag of a field they never saw.
func TestBadIDArgumentIsCalledID(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	for _, args := range [][]string{
		{"correct", "11111111", "--count", "65", "--reason", "x"},
		{"retract", "nope", "--reason", "x"},
	} {
		r := sl(t, store, args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "ID: ") || strings.Contains(r.stderr, "--corrects") || strings.Contains(r.stderr, "--retracts") {
			t.Errorf("%v: exit %d %q", args, r.code, r.stderr)
		}
	}
}

// A month with no incident (most often a mistyped --month) is said to be
// one, with the months the ledger's incidents run over; a month with
// incidents gets no such note.
func TestEmptyMonthIsNoted(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", "../../testdata/seed.jsonl"), "import")
	for _, args := range [][]string{
		{"summary", "--month", "2015-10"},
		{"report", "monthly", "--month", "2015-10", "-o", filepath.Join(t.TempDir(), "r.xlsx")},
	} {
		r := must(t, sl(t, store, args...), args[0])
		if !strings.Contains(r.stderr, "note: no incident counts in 2015-10 as of tree size 4 (the ledger's run from 2025-08 to 2025-10): every incident figure is 0; check --month") {
			t.Errorf("%v: %q", args, r.stderr)
		}
	}
	if r := must(t, sl(t, store, "summary", "--month", "2025-10"), "summary"); strings.Contains(r.stderr, "note:") {
		t.Errorf("a month with incidents: %q", r.stderr)
	}
	// An instant before anything was recorded, taken for a date of incidents.
	for _, args := range [][]string{
		{"summary", "--month", "2025-10"},
		{"chart", "-o", filepath.Join(t.TempDir(), "c.html")},
	} {
		r := must(t, sl(t, store, append(args, "--as-of", "2025-10-31T00:00:00Z")...), args[0]+" --as-of")
		if !strings.Contains(r.stderr, "as of tree size 0") || !strings.Contains(r.stderr, "--as-of with an instant selects the events recorded by then (recorded_at)") {
			t.Errorf("%s --as-of an instant before the ledger: %q", args[0], r.stderr)
		}
	}
}

// A folder given to import, and an output in a folder that does not exist,
// are usage errors that say so, not the errors of the temporary files behind
// them.
func TestFoldersInPaths(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	dir := t.TempDir()
	if r := sl(t, store, "import", dir); r.code != 2 || !strings.Contains(r.stderr, dir+" is a folder: give the files in it to import (like "+filepath.Join(dir, "*.csv")+")") {
		t.Errorf("import of a folder: exit %d %q", r.code, r.stderr)
	}
	out := filepath.Join(dir, "missing", "oct.xlsx")
	if r := sl(t, store, "report", "monthly", "--month", "2025-10", "-o", out); r.code != 2 || r.stderr != "statledger: cannot write "+out+": there is no folder "+filepath.Dir(out)+"\n" {
		t.Errorf("report into a missing folder: exit %d %q", r.code, r.stderr)
	}
}

// A folder or another kind of file given as the ledger is a usage error
// that says what it is, with the hint for --store; nothing is written to it.
func TestStoreThatIsNoLedger(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "checkpoint.txt")
	os.WriteFile(text, []byte("statledger.local/x\n4\nAAAA\n"), 0o644)
	for store, want := range map[string]string{
		dir:  dir + " is a folder, not a ledger file (like " + filepath.Join(dir, "statledger.db") + ")",
		text: text + " holds no ledger: its first pages are not a bbolt database's, as a statledger ledger's are",
	} {
		r := sl(t, store, "summary", "--month", "2025-10")
		if r.code != 2 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "check --store") {
			t.Errorf("--store %s: exit %d %q", store, r.code, r.stderr)
		}
	}
	if b, _ := os.ReadFile(text); string(b) != "statledger.local/x\n4\nAAAA\n" {
		t.Fatalf("the file given as the ledger changed: %q", b)
	}
}

// An interrupted command gives no verdict: a verify stopped by Ctrl-C exits
// 1 and says where it stopped, never 3 with an event that "cannot be read";
// a salvage stopped leaves no half-made ledger at --to, so it can run again.
// (In process, with the interruption already there when each begins.)
func TestInterruptionIsNoVerdict(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run := func(args ...string) (int, string) {
		var out, errs bytes.Buffer
		code := run(ctx, append([]string{"statledger", "--store", store}, args...), strings.NewReader(""), &out, &errs)
		return code, errs.String()
	}
	if code, msg := run("verify"); code != 1 || !strings.Contains(msg, "verify stopped at seq 0 of ") || !strings.Contains(msg, "interrupted") {
		t.Errorf("verify interrupted: exit %d, %s", code, msg)
	}
	to := filepath.Join(t.TempDir(), "salvaged.db")
	if code, msg := run("salvage", "--from", store, "--to", to); code != 1 || !strings.Contains(msg, "was removed: interrupted") {
		t.Errorf("salvage interrupted: exit %d, %s", code, msg)
	}
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Errorf("an interrupted salvage left %s (%v)", to, err)
	}
	must(t, sl(t, store, "salvage", "--from", store, "--to", to), "salvage run again")
}

// A date typed in the future (2052 for 2025) is refused as the official
// types it, naming the flag or the line, and nothing is appended.
func TestFutureDateIsRefused(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	before, _, _ := verifiedHead(t, store)
	r := sl(t, store, "record", "arrest", "--date", "2052-10-01", "--count", "3", "--nationality", "KR", "--country", "KH", "--source-publisher", "p")
	if r.code != 2 || !strings.Contains(r.stderr, `--date: "2052-10-01" is after today`) {
		t.Errorf("record with a date in 2052: exit %d\n%s", r.code, r.stderr)
	}
	csv := filepath.Join(t.TempDir(), "oct.csv")
	os.WriteFile(csv, []byte("type,date,count,nationality,country,source_publisher\narrest,2025-10-02,3,KR,KH,p\narrest,2205-10-01,3,KR,KH,p\n"), 0o644)
	r = sl(t, store, "import", csv)
	if r.code != 2 || !strings.Contains(r.stderr, `oct.csv:3: date: "2205-10-01" is after today`) || !strings.Contains(r.stderr, "1 bad line; nothing was appended") {
		t.Errorf("import with a date in 2205: exit %d\n%s", r.code, r.stderr)
	}
	if after, _, _ := verifiedHead(t, store); after != before {
		t.Errorf("the ledger went from %d to %d events", before, after)
	}
}

// A count typed as a report gives it is told the flags that record it, and
// a mistyped flag the flag it was meant as.
func TestFlagsAsReportsWriteThem(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	args := []string{"record", "arrest", "--date", "2025-10-20", "--nationality", "KR", "--country", "KH", "--source-publisher", "p"}
	r := sl(t, store, append(args, "--count", "more than 60")...)
	if r.code != 2 || !strings.Contains(r.stderr, `--count: "more than 60" is not a whole number: write the number to --count and how it was reported to --qualifier (--count 61 --qualifier at_least)`) {
		t.Errorf("--count 'more than 60': exit %d\n%s", r.code, r.stderr)
	}
	r = sl(t, store, append(args, "--cout", "3")...)
	if r.code != 2 || !strings.Contains(r.stderr, "--cout is not a flag of record arrest; did you mean --count?") {
		t.Errorf("--cout: exit %d\n%s", r.code, r.stderr)
	}
	r = sl(t, store, append(args, "--zzz", "3")...)
	if r.code != 2 || !strings.Contains(r.stderr, "--zzz is not a flag of record arrest (see 'statledger record arrest --help')") {
		t.Errorf("--zzz: exit %d\n%s", r.code, r.stderr)
	}
	r = sl(t, store, "--stor", store, "summary", "--month", "2025-10")
	if r.code != 2 || !strings.Contains(r.stderr, "--stor is not a flag of statledger; did you mean --store?") {
		t.Errorf("--stor: exit %d\n%s", r.code, r.stderr)
	}
}

// --month forgotten or written another way is told the form it takes,
// without the whole help before it.
func TestMonthAsPeopleWriteIt(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	r := sl(t, store, "report", "monthly", "-o", filepath.Join(t.TempDir(), "x.xlsx"))
	if r.code != 2 || !strings.HasPrefix(r.stderr, "statledger: --month is required") || strings.Contains(r.stdout+r.stderr, "OPTIONS:") {
		t.Errorf("report without --month: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, given := range []string{"2025/10", "October 2025", "10/2025", "2025.10"} {
		if r := sl(t, store, "summary", "--month", given); r.code != 2 || !strings.Contains(r.stderr, "write 2025-10 (YYYY-MM)") {
			t.Errorf("summary --month %q: exit %d\n%s", given, r.code, r.stderr)
		}
	}
	// So are the months of a range, each by its flag.
	for _, args := range [][]string{
		{"chart", "-o", filepath.Join(t.TempDir(), "c.html"), "--from", "2025/10"},
		{"chart", "-o", filepath.Join(t.TempDir(), "c.html"), "--to", "Oct 2025"},
		{"export", "--format", "sdmx-csv", "--from", "2025.10"},
	} {
		flag := args[len(args)-2]
		if r := sl(t, store, args...); r.code != 2 || !strings.Contains(r.stderr, flag+" \""+args[len(args)-1]+"\": write 2025-10 (YYYY-MM)") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

// A required flag left out is named, with what it is for, in one line; the
// command's help is not printed first.
func TestRequiredFlagsAreNamed(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	for args, want := range map[string]string{
		"copy --from " + store:       "--to is required: the target store",
		"backup":                     "--output (-o) is required: the copy to write (see 'statledger backup --help')",
		"witness cosign growth.json": "--dir is required",
		"record taskforce-established --date 2025-10-01":          "--taskforce is required",
		"correct 412d4fdc-466d-5e73-8fae-5d780d458154 --count 64": "--reason is required: why the correction is made (shown in reports) (see",
	} {
		r := sl(t, store, strings.Fields(args)...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "statledger: "+want) || strings.Contains(r.stdout+r.stderr, "OPTIONS:") {
			t.Errorf("%s: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// A spreadsheet's row edited and imported again is appended as a second
// incident (its id is derived from its content): the import says so, names
// both events and how to undo it; rows that are new for good are not named.
func TestResentRowIsWarned(t *testing.T) { forEachStore(t, testResentRowIsWarned) }

func testResentRowIsWarned(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	dir := t.TempDir()
	head := "type,date,count,count_qualifier,nationality,country,source_publisher,notes\n"
	first := filepath.Join(dir, "oct.csv")
	os.WriteFile(first, []byte(head+"arrest,2025-10-20,60,approx,KR,KH,Phnom Penh news,raid\nrescue,2025-10-05,12,exact,KR,KH,Yonhap,\n"), 0o644)
	r := must(t, sl(t, store, "import", first), "import")
	if strings.Contains(r.stderr, "warning") {
		t.Fatalf("the first import warned:\n%s", r.stderr)
	}
	oldID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout)[1]
	again := filepath.Join(dir, "oct-again.csv")
	os.WriteFile(again, []byte(head+"arrest,2025-10-20,64,exact,KR,KH,Phnom Penh news,raid\nrescue,2025-10-05,12,exact,KR,KH,Yonhap,\narrest,2025-10-21,5,exact,KR,KH,Phnom Penh news,other\n"), 0o644)
	r = must(t, sl(t, store, "import", again), "import again, a figure changed")
	if !strings.Contains(r.stdout, "appended 2, duplicates 1") {
		t.Fatalf("import again said %q", r.stdout)
	}
	w := regexp.MustCompile(`(?m)^warning: .*oct-again\.csv:(\d+) was appended as a new arrest, but event (\S+) \(seq 0\) is one of the same day.*count: "60" → "64".*statledger (?:--store \S+ )?retract (\S+) --reason.*statledger (?:--store \S+ )?correct (\S+) --count 64 --qualifier exact --reason "WHY"\)`).FindAllStringSubmatch(r.stderr, -1)
	if len(w) != 1 || w[0][1] != "2" || w[0][2] != oldID || w[0][4] != oldID || w[0][3] == oldID {
		t.Fatalf("import again warned:\n%s", r.stderr)
	}
	// The undo the warning gives leaves the month as the official meant it.
	must(t, sl(t, store, "retract", w[0][3], "--reason", "sent again"), "retract")
	must(t, sl(t, store, "correct", oldID, "--count", "64", "--qualifier", "exact", "--reason", "ministry list"), "correct")
	if s := must(t, sl(t, store, "summary", "--month", "2025-10"), "summary").stdout; !regexp.MustCompile(`Arrests\s+2\s+69\n`).MatchString(s) {
		t.Errorf("after the undo the month says:\n%s", s)
	}
}

// A month exported, edited and imported again cannot change what is
// recorded: the import refuses the edited row and gives the command that
// corrects the event instead, ready to run but for its reason.
func TestEditedExportGivesTheCorrection(t *testing.T) {
	forEachStore(t, testEditedExportGivesTheCorrection)
}

func testEditedExportGivesTheCorrection(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", seed), "import seed")
	dir := t.TempDir()
	month := filepath.Join(dir, "october.csv")
	must(t, sl(t, store, "export", "--format", "csv", "--month", "2025-10", "-o", month), "export")
	b, _ := os.ReadFile(month)
	edited := strings.Replace(string(b), ",60,approx,", ",64,exact,", 1)
	edited = strings.Replace(edited, ",Cambodian authorities,", ",Cambodian National Police;Korean National Police,", 1)
	if edited == string(b) || strings.Count(edited, "Korean National Police") != 1 {
		t.Fatalf("the export has no arrest row to edit:\n%s", b)
	}
	os.WriteFile(month, []byte(edited), 0o644)
	r := sl(t, store, "import", month)
	_, suggested, ok := strings.Cut(r.stderr, "to change the recorded event instead: ")
	if r.code != 2 || !ok {
		t.Fatalf("import of the edited export: exit %d\n%s", r.code, r.stderr)
	}
	suggested, _, _ = strings.Cut(suggested, "\n")
	var words []string
	for _, w := range regexp.MustCompile(`"[^"]*"|\S+`).FindAllString(suggested, -1) {
		words = append(words, strings.Trim(w, `"`))
	}
	prefix := []string{"statledger", "--store", store, "correct"}
	if len(words) < len(prefix) || !slices.Equal(words[:len(prefix)], prefix) || words[len(words)-1] != "WHY" {
		t.Fatalf("suggested %q", suggested)
	}
	if r := sl(t, store, words[3:]...); r.code != 2 || !strings.Contains(r.stderr, "--reason WHY: write why") {
		t.Fatalf("the suggestion pasted as it is: exit %d %q", r.code, r.stderr)
	}
	words[len(words)-1] = "ministry list of 2025-10-30"
	// Corrected only in part, the ledger still differs from the sheet.
	must(t, sl(t, store, "correct", words[4], "--count", "64", "--reason", "first figure"), "a correction of the count alone")
	if r := sl(t, store, "import", month); r.code != 2 || !strings.Contains(r.stderr, "correct "+words[4]+" --qualifier exact --agency") || !strings.Contains(r.stderr, `even as corrected since (as corrected → here: count_qualifier: "approx" → "exact", agencies:`) {
		t.Fatalf("import after a correction in part: exit %d\n%s", r.code, r.stderr)
	}
	must(t, sl(t, store, words[3:]...), "the suggested correction")
	// The sheet, corrected like the ledger, imports again: nothing to add.
	if r := must(t, sl(t, store, "import", month), "import after the correction"); !strings.Contains(r.stdout, "appended 0, duplicates 2;") {
		t.Fatalf("import of the sheet as corrected: %q", r.stdout)
	}
	r = must(t, sl(t, store, "export", "--format", "jsonl", "--month", "2025-10"), "export after")
	if !strings.Contains(r.stdout, `"count":64,"count_qualifier":"exact"`) || !strings.Contains(r.stdout, `"agencies":["Cambodian National Police","Korean National Police"]`) {
		t.Fatalf("after the correction the month holds:\n%s", r.stdout)
	}
}
