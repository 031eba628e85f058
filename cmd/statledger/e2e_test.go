package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/xuri/excelize/v2"
)

// bin is the statledger binary built once for every end-to-end test: the tests
// run it as a user would, as a separate process. It is built without the race
// detector even under -race: the package tests of ledger/... run the same code
// under it, and the hundreds of processes started here would take minutes.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "statledger-e2e")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "statledger")
	// Built before XDG_CACHE_HOME moves: Go keeps its build cache there too,
	// and a fresh one would compile every dependency again (45 s a run).
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building statledger: %v\n%s", err, out)
		os.Exit(1)
	}
	// EventStoreDB ledgers keep their projection checkpoint in the user's
	// cache folder: the tests' go into their own.
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// sl runs statledger with the given store and arguments.
func sl(t *testing.T, store string, args ...string) result {
	t.Helper()
	return slIn(t, "", store, nil, args...)
}

func slIn(t *testing.T, dir, store string, stdin []byte, args ...string) result {
	t.Helper()
	return runBin(t, bin, dir, store, stdin, args...)
}

func runBin(t *testing.T, binary, dir, store string, stdin []byte, args ...string) result {
	t.Helper()
	return runBinEnv(t, binary, dir, store, stdin, nil, args...)
}

// commandLimit is far beyond any one command of the suite (the slowest take
// seconds): reaching it means the command hangs.
const commandLimit = 3 * time.Minute

// runBinEnv is runBin with env added to the process's environment.
func runBinEnv(t *testing.T, binary, dir, store string, stdin []byte, env []string, args ...string) result {
	t.Helper()
	global := []string{"--store", store, "--actor", "e2e"}
	if key, ok := signingKeys.Load(store); ok {
		global = append(global, "--signing-key", key.(string))
	}
	cmd := exec.Command(binary, append(global, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "STATLEDGER_STORE=", "STATLEDGER_SIGNING_KEY="), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("running statledger: %v", err)
	}
	// A command that hangs fails its own test with the stacks of every
	// goroutine (Go prints them on SIGQUIT), instead of the whole package
	// timing out with only the test's own stack to read.
	hung := time.AfterFunc(commandLimit, func() { cmd.Process.Signal(syscall.SIGQUIT) })
	err := cmd.Wait()
	if !hung.Stop() {
		t.Fatalf("statledger %s did not finish in %s; its goroutines:\n%s", strings.Join(args, " "), commandLimit, errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running statledger: %v", err)
	}
	return result{code, out.String(), errb.String()}
}

func must(t *testing.T, r result, what string) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", what, r.code, r.stdout, r.stderr)
	}
	return r
}

var verifyRe = regexp.MustCompile(`tree size (\d+), root ([0-9a-f]{64})`)

// head runs verify and returns "SIZE ROOT".
func head(t *testing.T, store string) string {
	t.Helper()
	r := must(t, sl(t, store, "verify"), "verify")
	m := verifyRe.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("verify printed no tree size: %q", r.stdout)
	}
	return m[1] + " " + m[2]
}

// Every end-to-end test that takes a kind runs on both stores: the embedded
// file and EventStoreDB (the in-process server of ledger/esdb/esdbtest, reached
// by the subprocess over loopback, through the real client).
var kinds = []string{"bolt", "esdb"}

// signingKeys maps an EventStoreDB store URL to its key file: sl passes it,
// since such a store has no file to put the key beside.
var signingKeys sync.Map

func forEachStore(t *testing.T, test func(t *testing.T, kind string)) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) { test(t, kind) })
	}
}

func newLedger(t *testing.T, kind string) (store, verifier string) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"init", "--origin", "statledger.local/l"}
	if kind == "esdb" {
		store = esdbtest.Start(t).URL
		signingKeys.Store(store, filepath.Join(dir, "l.key"))
	} else {
		store = filepath.Join(dir, "l.db")
	}
	r := must(t, sl(t, store, args...), "init")
	verifier = strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(verifier, "statledger.local/l+") {
		t.Fatalf("init printed %q, want a verifier key", verifier)
	}
	files := []string{filepath.Join(dir, "l.key")}
	if kind == "bolt" {
		files = []string{store, store + ".key"}
	}
	for _, p := range files {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v; want mode 0600", p, err)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "PRIVATE") {
		t.Fatal("init printed the private key")
	}
	return store, verifier
}

const seed = "../../testdata/seed.jsonl"

func TestSeedWorkflow(t *testing.T) { forEachStore(t, testSeedWorkflow) }

func testSeedWorkflow(t *testing.T, kind string) {
	store, vkey := newLedger(t, kind)
	r := must(t, sl(t, store, "import", seed), "import seed")
	if !strings.Contains(r.stdout, "appended 4, duplicates 0; tree size 4") {
		t.Fatalf("import summary = %q", r.stdout)
	}
	r = must(t, sl(t, store, "replay", "--format", "jsonl"), "replay")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.Contains(lines[3], `"leaf_hash":"`) || !strings.Contains(lines[3], `"count_qualifier":"approx"`) {
		t.Fatalf("replay jsonl = %q", r.stdout)
	}
	h := head(t, store)
	r = must(t, sl(t, store, "import", seed), "import seed again")
	if !strings.Contains(r.stdout, "appended 0, duplicates 4") || head(t, store) != h {
		t.Fatalf("second import changed the ledger: %q", r.stdout)
	}

	// A checkpoint taken now verifies now, and after the ledger grew.
	cp := filepath.Join(t.TempDir(), "cp.txt")
	os.WriteFile(cp, []byte(must(t, sl(t, store, "checkpoint"), "checkpoint").stdout), 0o644)
	must(t, sl(t, store, "verify", "--checkpoint", cp, "--key", vkey), "verify checkpoint")
	arrestID := regexp.MustCompile(`"id":"([0-9a-f-]{36})","type":"arrest"`).FindStringSubmatch(r.stdout + lines[3])[1]
	r = must(t, sl(t, store, "correct", arrestID, "--count", "58", "--qualifier", "exact", "--reason", "police figure"), "correct")
	if !strings.Contains(r.stdout, "recorded correction") || !strings.Contains(r.stdout, "tree size 5") {
		t.Fatalf("correct = %q", r.stdout)
	}
	must(t, sl(t, store, "verify", "--checkpoint", cp, "--key", vkey), "verify old checkpoint after growth")
	_, foreign := newLedger(t, "bolt")
	if r := sl(t, store, "verify", "--checkpoint", cp, "--key", foreign); r.code != 3 {
		t.Fatalf("checkpoint with a foreign key: exit %d, %s", r.code, r.stderr)
	}

	// Inclusion proof, checked with nothing but the verifier key.
	proof := filepath.Join(t.TempDir(), "proof.json")
	os.WriteFile(proof, []byte(must(t, sl(t, store, "prove", arrestID), "prove").stdout), 0o644)
	r = must(t, slIn(t, t.TempDir(), "/nonexistent/ledger.db", nil, "verify-proof", "--key", vkey, proof), "verify-proof")
	if !strings.Contains(r.stdout, "is seq 3 of statledger.local/l at tree size 5") {
		t.Fatalf("verify-proof = %q", r.stdout)
	}
	// A proof given where the checkpoint belongs, and the checkpoint where
	// the proof belongs, are named for what they are.
	if r := sl(t, store, "verify", "--checkpoint", proof, "--key", vkey); r.code != 2 || !strings.Contains(r.stderr, "is a proof, not a checkpoint; check it with 'statledger verify-proof --key KEY") {
		t.Fatalf("verify --checkpoint of a proof: exit %d %q", r.code, r.stderr)
	}
	if r := sl(t, store, "verify-proof", "--key", vkey, cp); r.code != 2 || !strings.Contains(r.stderr, "is a signed checkpoint of statledger.local/l (tree size 4), not a proof; check it against the ledger with 'statledger verify --checkpoint") {
		t.Fatalf("verify-proof of a checkpoint: exit %d %q", r.code, r.stderr)
	}
	b, _ := os.ReadFile(proof)
	os.WriteFile(proof, bytes.Replace(b, []byte(`\"count\":60`), []byte(`\"count\":6`), 1), 0o644)
	if r := sl(t, store, "verify-proof", "--key", vkey, proof); r.code != 3 {
		t.Fatalf("tampered proof accepted: exit %d %s", r.code, r.stdout)
	}

	must(t, sl(t, store, "retract", arrestID, "--reason", "duplicate report"), "retract")
	r = must(t, sl(t, store, "replay", "--as-of", "4"), "replay as of 4")
	if strings.Count(r.stdout, "\n") != 5 || strings.Contains(r.stdout, "retraction") {
		t.Fatalf("replay --as-of 4 = %q", r.stdout)
	}
	r = must(t, sl(t, store, "replay", "--from", "5", "--to", "5"), "replay from/to")
	if !strings.Contains(r.stdout, "retracts "+arrestID) || strings.Contains(r.stdout, "corrects") {
		t.Fatalf("replay --from 5 --to 5 = %q", r.stdout)
	}
}

func TestRecordEveryType(t *testing.T) { forEachStore(t, testRecordEveryType) }

func testRecordEveryType(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	src := []string{"--source-publisher", "test"}
	for i, typ := range []string{"arrest", "repatriation", "rescue", "death", "deportation"} {
		args := append([]string{"record", typ, "--date", "2025-10-0" + fmt.Sprint(i+1), "--count", "3", "--nationality", "kr", "--country", "KH"}, src...)
		r := must(t, sl(t, store, args...), "record "+typ)
		if !strings.Contains(r.stdout, "recorded "+typ) {
			t.Fatalf("record %s = %q", typ, r.stdout)
		}
	}
	for _, typ := range []string{"taskforce-announced", "taskforce-established", "taskforce-dissolved"} {
		must(t, sl(t, store, "record", typ, "--taskforce", "kh-kr-jwg", "--member", "KH", "--member", "KR", "--date", "2025-11-03"), "record "+typ)
	}
	if !strings.HasPrefix(head(t, store), "8 ") {
		t.Fatalf("after 8 records head = %s", head(t, store))
	}
	r := sl(t, store, "record", "arrest", "--date", "2025-02-30", "--count", "3", "--nationality", "KOR", "--country", "KH")
	if r.code != 2 || !strings.Contains(r.stderr, "--date: \"2025-02-30\" is not a calendar date") || !strings.Contains(r.stderr, "--nationality:") {
		t.Fatalf("bad record: exit %d %q", r.code, r.stderr)
	}
	if r := sl(t, store, "record", "arrest", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Example:") {
		t.Fatalf("record arrest --help: %d %q", r.code, r.stdout)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	store := filepath.Join(t.TempDir(), "none.db")
	for _, args := range [][]string{
		{"replay"},                   // no ledger yet
		{"import"},                   // no file
		{"replay", "--no-such-flag"}, // unknown flag
		{"replay", "--as-of", "yesterday"},
		{"correct", "x"}, // no --reason
		{"import", "nofile.jsonl"},
	} {
		r := sl(t, store, args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "statledger: ") && !strings.Contains(r.stderr, "Incorrect Usage") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, r.code, r.stderr)
		}
	}
	if r := sl(t, store, "export", "--format", "xlsx"); r.code != 2 || !strings.Contains(r.stderr, "statledger report monthly") {
		t.Errorf("export --format xlsx: exit %d %q", r.code, r.stderr)
	}
	if r := sl(t, store, "replay"); !strings.Contains(r.stderr, "run 'statledger init'") {
		t.Errorf("missing ledger message = %q", r.stderr)
	}
	if _, err := os.Stat(store); err == nil {
		t.Error("a read command created a ledger file")
	}
}

// TestBadInputsChangeNothing imports every file of testdata/bad and a
// generated 10 MB line: each must exit 2, name the file, the line and the
// field, and leave the ledger's size and root exactly as they were.
func TestBadInputsChangeNothing(t *testing.T) { forEachStore(t, testBadInputsChangeNothing) }

func testBadInputsChangeNothing(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", seed), "import seed")
	before := head(t, store)

	expect := map[string]string{}
	f, err := os.Open("../../testdata/bad/expect.tsv")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, want, ok := strings.Cut(sc.Text(), "\t"); ok && !strings.HasPrefix(name, "#") {
			expect[name] = want
		}
	}
	f.Close()
	files, _ := filepath.Glob("../../testdata/bad/*")
	n := 0
	for _, p := range files {
		name := filepath.Base(p)
		if name == "expect.tsv" {
			continue
		}
		want, ok := expect[name]
		if !ok {
			t.Errorf("%s has no expectation in expect.tsv", name)
			continue
		}
		n++
		r := sl(t, store, "import", p)
		if r.code != 2 || !strings.Contains(r.stderr, p+":"+want) || !strings.Contains(r.stderr, "nothing was appended") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", name, r.code, r.stderr, p+":"+want)
		}
	}
	if n < 15 {
		t.Fatalf("only %d bad inputs", n)
	}

	big := filepath.Join(t.TempDir(), "huge-line.jsonl")
	good, _ := os.ReadFile(seed)
	os.WriteFile(big, append(append(good, []byte(`{"type":"arrest","notes":"`+strings.Repeat("a", 10<<20)+`"}`+"\n")...), good...), 0o644)
	r := sl(t, store, "import", big)
	if r.code != 2 || !strings.Contains(r.stderr, big+":5: (line): is 10485") {
		t.Errorf("10 MB line: exit %d, stderr %.300q", r.code, r.stderr)
	}

	// --skip-invalid appends the good lines of a mixed file and lists the bad one.
	mixed := "../../testdata/bad/good-then-bad.jsonl"
	r = must(t, sl(t, store, "import", "--skip-invalid", mixed), "skip-invalid")
	if !strings.Contains(r.stdout, "appended 1") || !strings.Contains(r.stderr, mixed+":2: date:") {
		t.Fatalf("--skip-invalid: %q %q", r.stdout, r.stderr)
	}
	if after := head(t, store); !strings.HasPrefix(after, "5 ") {
		t.Fatalf("after the bad inputs and one good line the head is %s (before: %s)", after, before)
	}
}

func TestImportCSVFromStdin(t *testing.T) { forEachStore(t, testImportCSVFromStdin) }

func testImportCSVFromStdin(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	csv := "\ufefftype,date,count,count_qualifier,nationality,country,agencies,source_publisher,location\r\n" +
		`rescue,2025-09-14,12,,KR,KH,Police;Immigration,Yonhap,"=HYPERLINK(""http://x"")"` + "\r\n"
	r := must(t, slIn(t, "", store, []byte(csv), "import", "--format", "csv", "-"), "csv from stdin")
	if !strings.Contains(r.stdout, "appended 1") {
		t.Fatalf("csv import = %q", r.stdout)
	}
	r = must(t, sl(t, store, "replay", "--format", "jsonl"), "replay")
	if !strings.Contains(r.stdout, `"location":"=HYPERLINK(\"http://x\")"`) || !strings.Contains(r.stdout, `"agencies":["Police","Immigration"]`) {
		t.Fatalf("csv event stored as %s", r.stdout)
	}
}

// TestCrashDuringImport kills an import with SIGKILL at random moments. After
// each kill the ledger verifies and holds whole batches only; re-running the
// import completes it without appending anything twice.
func TestCrashDuringImport(t *testing.T) {
	t.Parallel() // a harness of its own: it runs beside the others
	forEachStore(t, testCrashDuringImport)
}

func testCrashDuringImport(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	// 40 batches an import, as with 20k events of 500, at a fraction of
	// the cost per kill: the kills land across the same batch cycle.
	const n, batch = 6_000, 150
	input := filepath.Join(t.TempDir(), "many.jsonl")
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"type":"arrest","date":"2025-%02d-%02d","count":%d,"nationality":"KR","country":"KH","source":{"publisher":"crash test"},"notes":"event %d"}`+"\n", i%12+1, i%28+1, i%90, i)
	}
	os.WriteFile(input, b.Bytes(), 0o644)
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for round := 0; round < 6; round++ {
		cmd := exec.Command(bin, "--store", store, "import", "--batch-size", fmt.Sprint(batch), input)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.IntN(600)) * time.Millisecond)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		cmd.Wait()
		var size int
		fmt.Sscan(head(t, store), &size) // head runs verify: it must pass
		if size%batch != 0 {
			t.Fatalf("after a kill the ledger holds %d events: not a whole number of %d-event batches", size, batch)
		}
	}
	r := must(t, sl(t, store, "import", "--batch-size", fmt.Sprint(batch), input), "final import")
	if !strings.Contains(r.stdout, fmt.Sprintf("tree size %d,", n)) {
		t.Fatalf("final import = %q", r.stdout)
	}
	r = must(t, sl(t, store, "replay", "--format", "jsonl"), "replay")
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`"event":\{"id":"([^"]+)"`).FindAllStringSubmatch(r.stdout, -1) {
		if ids[m[1]] {
			t.Fatalf("id %s appended twice", m[1])
		}
		ids[m[1]] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct events, want %d", len(ids), n)
	}
	t.Logf("%d kills, 0 violations", kills)
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	r := must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", dir), "demo")
	for _, want := range []string{"imported testdata/seed.jsonl: appended 4", "verified every leaf", `statledger\.local/[^/\n]+/demo-[0-9a-f]{6}\n4\n`} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Fatalf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	// Another demo is another ledger: its checkpoint is told as such.
	other := t.TempDir()
	must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", other), "another demo")
	otherKey := regexp.MustCompile(`verifier key: (\S+)`).FindStringSubmatch(must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", other), "another demo again").stdout)[1]
	if r := sl(t, filepath.Join(dir, "statledger.db"), "verify", "--checkpoint", filepath.Join(other, "checkpoint.txt"), "--key", otherKey); r.code != 2 {
		t.Fatalf("another demo's checkpoint: exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"checkpoint.txt", "statledger-2025-10.xlsx", "charts.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	r = must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", dir), "demo again")
	if !strings.Contains(r.stdout, "appended 0, duplicates 4") {
		t.Fatalf("second demo = %s", r.stdout)
	}
	// With the verifier key the demo prints, an auditor's copy of the ledger
	// (no signing key) verifies the demo's workbook.
	vkey := regexp.MustCompile(`verifier key: (\S+)`).FindStringSubmatch(r.stdout)
	if vkey == nil {
		t.Fatalf("the second demo does not print the verifier key:\n%s", r.stdout)
	}
	copyOf := filepath.Join(t.TempDir(), "copy.db")
	copyTo(t, filepath.Join(dir, "statledger.db"), copyOf)
	if r := must(t, sl(t, copyOf, "verify", "--report", filepath.Join(dir, "statledger-2025-10.xlsx"), "--key", vkey[1]), "verify the demo's workbook"); !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("verify --report of the demo's workbook: %s", r.stdout)
	}
	// What it cannot do without the key, it is told how to do instead.
	r = sl(t, copyOf, "report", "monthly", "--month", "2025-10", "-o", filepath.Join(t.TempDir(), "oct.xlsx"))
	if r.code != 2 || !strings.Contains(r.stderr, "no signing key at "+copyOf+".key") || !strings.Contains(r.stderr, "verify --report FILE --key VERIFIER-KEY") || strings.Contains(r.stderr, "init' first") {
		t.Fatalf("report without the signing key: exit %d\n%s", r.code, r.stderr)
	}
}

// The demo speaks Korean when asked, as the reports do, into files of its
// language.
func TestDemoInKorean(t *testing.T) {
	dir := t.TempDir()
	must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", dir, "--lang", "ko"), "demo --lang ko")
	f, err := excelize.OpenFile(filepath.Join(dir, "statledger-2025-10-ko.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.GetSheetList()[0] != "요약" {
		t.Fatalf("the demo's Korean workbook has sheets %v", f.GetSheetList())
	}
	if page, err := os.ReadFile(filepath.Join(dir, "charts-ko.html")); err != nil || !strings.Contains(string(page), "lang=\"ko\"") {
		t.Fatalf("the demo's Korean chart page: %v", err)
	}
}

// TestMonthlyReportPublishReviseVerify is the official's and the auditor's
// month: publish, correct, rebuild with the revision marked, verify both files.
func TestMonthlyReportPublishReviseVerify(t *testing.T) {
	forEachStore(t, testMonthlyReportPublishReviseVerify)
}

func testMonthlyReportPublishReviseVerify(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", seed), "import")
	dir := t.TempDir()
	oct := filepath.Join(dir, "oct.xlsx")
	r := must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", oct, "--publish"), "publish")
	if !strings.Contains(r.stdout, "as of tree size 4") || !strings.Contains(r.stdout, "published: report_published") {
		t.Fatalf("publish = %q", r.stdout)
	}
	r = must(t, sl(t, store, "summary", "--month", "2025-10", "--format", "json"), "summary")
	if !strings.Contains(r.stdout, `"persons": 61,`) || !strings.Contains(r.stdout, `"qualifier": "at_least"`) {
		t.Fatalf("summary = %s", r.stdout)
	}
	rep := regexp.MustCompile(`"id":"([0-9a-f-]{36})","type":"repatriation"`).FindStringSubmatch(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout)[1]
	must(t, sl(t, store, "correct", rep, "--count", "64", "--qualifier", "exact", "--reason", "ministry list"), "correct")
	rev := filepath.Join(dir, "oct-rev.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", rev), "revised report")
	again := filepath.Join(dir, "oct-old.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "--as-of", "4", "-o", again), "report as of 4")
	a, _ := os.ReadFile(oct)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Fatal("the report rebuilt as of the published size differs from the published file")
	}
	r = must(t, sl(t, store, "verify", "--report", rev), "verify --report")
	if !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("verify --report = %q", r.stdout)
	}
	must(t, sl(t, store, "verify", "--report", oct), "verify the published report")
	// The revision is flagged on every sheet that shows the figure, with a
	// comment that names the published value.
	f, err := excelize.OpenFile(rev)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []struct{ sheet, cell string }{{"Summary", "C10"}, {"By nationality", "D9"}, {"By country", "D9"}, {"Trend", "C20"}, {"Events", "C2"}} {
		shown, _ := f.GetCellValue(at.sheet, at.cell)
		comments, _ := f.GetComments(at.sheet)
		text := ""
		for _, c := range comments {
			if c.Cell == at.cell {
				text = c.Paragraph[0].Text
			}
		}
		if shown != "64 r" || !strings.Contains(text, "was at least 61 in the report published at tree size 4") || !strings.Contains(text, "ministry list") {
			t.Errorf("%s!%s shows %q, comment %q", at.sheet, at.cell, shown, text)
		}
	}
	f.Close()
	// A Korean report verifies byte for byte: the language is on its Audit
	// sheet, and the rebuild speaks it.
	ko := filepath.Join(dir, "oct-ko.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "--lang", "ko", "-o", ko), "Korean report")
	if r := must(t, sl(t, store, "verify", "--report", ko), "verify the Korean report"); !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("verify --report of the Korean report = %q", r.stdout)
	}
	if f, err := excelize.OpenFile(ko); err != nil || f.GetSheetList()[0] != "요약" {
		t.Fatalf("the Korean report's sheets: %v %v", f.GetSheetList(), err)
	}
	// Without -o, each language has a file of its own: the Korean workbook
	// made after the English one does not replace it.
	here := t.TempDir()
	must(t, slIn(t, here, store, nil, "report", "monthly", "--month", "2025-10"), "English report, default name")
	must(t, slIn(t, here, store, nil, "report", "monthly", "--month", "2025-10", "--lang", "ko"), "Korean report, default name")
	must(t, slIn(t, here, store, nil, "chart", "--lang", "km"), "Khmer chart page, default name")
	for _, name := range []string{"statledger-2025-10.xlsx", "statledger-2025-10-ko.xlsx", "charts-km.html"} {
		if _, err := os.Stat(filepath.Join(here, name)); err != nil {
			t.Fatalf("default names: %v", err)
		}
	}
	if r := sl(t, store, "report", "monthly", "--month", "2025-10", "--lang", "fr", "-o", ko); r.code != 2 || !strings.Contains(r.stderr, "--lang") {
		t.Fatalf("--lang fr: exit %d %s", r.code, r.stderr)
	}
	// Alter one byte-level detail of the file: the auditor must see it.
	tampered := filepath.Join(dir, "tampered.xlsx")
	os.WriteFile(tampered, append(bytes.Clone(b), 0), 0o644)
	if r := sl(t, store, "verify", "--report", tampered); r.code != 3 {
		t.Fatalf("altered report: exit %d %s", r.code, r.stderr)
	}
}

// editFile changes an embedded ledger file with the bbolt API, in one
// transaction, as an insider with access to the file could.
func editFile(t *testing.T, path string, fn func(*bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// TestTamperedFileFailsVerify edits one stored event with the bbolt API, as an
// insider with file access could, and runs verify as the auditor would.
func TestTamperedFileFailsVerify(t *testing.T) {
	store, vkey := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	cp := filepath.Join(t.TempDir(), "cp.txt")
	os.WriteFile(cp, []byte(must(t, sl(t, store, "checkpoint"), "checkpoint").stdout), 0o644)
	editFile(t, store, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		k := []byte{0, 0, 0, 0, 0, 0, 0, 2}
		return b.Put(k, bytes.Replace(b.Get(k), []byte(`"count":61`), []byte(`"count":16`), 1))
	})
	r := sl(t, store, "verify")
	if r.code != 3 || !strings.Contains(r.stderr, "seq 2:") {
		t.Fatalf("verify of a tampered file: exit %d, %q; want 3 naming seq 2", r.code, r.stderr)
	}
	if r := sl(t, store, "verify", "--checkpoint", cp, "--key", vkey); r.code != 3 {
		t.Fatalf("verify --checkpoint of a tampered file: exit %d", r.code)
	}
}

// An auditor who gives another ledger's checkpoint, or --store of another
// ledger, is told so (exit 2), not that history was changed (exit 3).
func TestAnotherLedgersCheckpointIsNoVerdict(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	r := must(t, sl(t, other, "init", "--origin", "police.example/ledger"), "init another")
	otherKey := strings.TrimSpace(r.stdout)
	must(t, sl(t, other, "record", "arrest", "--date", "2025-10-20", "--count", "3", "--nationality", "KR", "--country", "KH", "--source-publisher", "Yonhap"), "record")
	cp := filepath.Join(dir, "cp.txt")
	os.WriteFile(cp, []byte(must(t, sl(t, other, "checkpoint"), "checkpoint").stdout), 0o644)
	r = sl(t, store, "verify", "--checkpoint", cp, "--key", otherKey)
	if r.code != 2 || !strings.Contains(r.stderr, "the checkpoint is of the ledger police.example/ledger, and this ledger is statledger.local/l") || strings.Contains(r.stdout, "events verified") {
		t.Fatalf("verify with another ledger's checkpoint: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sl(t, store, "prove", "--consistency", cp)
	if r.code != 2 || !strings.Contains(r.stderr, "the checkpoint is signed by police.example/ledger") {
		t.Fatalf("prove --consistency from another ledger's checkpoint: exit %d\n%s", r.code, r.stderr)
	}
}

func TestChartPage(t *testing.T) { forEachStore(t, testChartPage) }

func testChartPage(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", seed), "import")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.html")
	r := must(t, sl(t, store, "chart", "-o", a), "chart")
	if !strings.Contains(r.stdout, "2025-08 to 2025-10 as of tree size 4") || !strings.Contains(r.stderr, "loads ECharts from https://") {
		t.Fatalf("chart: %q %q", r.stdout, r.stderr)
	}
	must(t, sl(t, store, "record", "rescue", "--date", "2025-11-02", "--count", "3", "--nationality", "KR", "--country", "KH", "--source-publisher", "p"), "record")
	must(t, sl(t, store, "chart", "--as-of", "4", "-o", b), "chart as of 4")
	pa, _ := os.ReadFile(a)
	pb, _ := os.ReadFile(b)
	if !bytes.Equal(pa, pb) {
		t.Fatal("the page rebuilt as of the same tree size differs")
	}
	if !bytes.Contains(pa, []byte(`<dd id="tree-size">4</dd>`)) {
		t.Fatal("the page does not show its tree size")
	}
	if r := sl(t, store, "chart", "--from", "2025-10", "--to", "2025-08", "-o", b); r.code != 2 || !strings.Contains(r.stderr, "--from 2025-10 is after --to 2025-08") {
		t.Fatalf("reversed period: exit %d %q", r.code, r.stderr)
	}
	if r := sl(t, store, "chart", "--echarts-js", filepath.Join(dir, "missing.js"), "-o", b); r.code != 2 || !strings.Contains(r.stderr, "npm install echarts") {
		t.Fatalf("missing library: exit %d %q", r.code, r.stderr)
	}
}

// TestCopyRoundTrip copies embedded → EventStoreDB → embedded: the root is the
// same at every step and a checkpoint taken before still verifies on the copy.
func TestCopyRoundTrip(t *testing.T) {
	src, vkey := newLedger(t, "bolt")
	must(t, sl(t, src, "import", seed), "import")
	cp := filepath.Join(t.TempDir(), "cp.txt")
	os.WriteFile(cp, []byte(must(t, sl(t, src, "checkpoint"), "checkpoint").stdout), 0o644)
	want := head(t, src)

	srv := esdbtest.Start(t)
	r := must(t, sl(t, src, "copy", "--from", src, "--to", srv.URL, "--to-ledger", "moi"), "copy to esdb")
	if !strings.Contains(r.stdout, "copied 4 events") {
		t.Fatalf("copy = %q", r.stdout)
	}
	r = must(t, sl(t, srv.URL, "--ledger", "moi", "verify"), "verify the EventStoreDB copy")
	if m := verifyRe.FindStringSubmatch(r.stdout); m == nil || m[1]+" "+m[2] != want {
		t.Fatalf("EventStoreDB copy: %q, want %s", r.stdout, want)
	}
	if got := head(t, srv.URL); !strings.HasPrefix(got, "0 ") {
		t.Fatalf("the copy went to the default stream too: %s", got)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	must(t, sl(t, src, "copy", "--from", srv.URL, "--from-ledger", "moi", "--to", back), "copy back")
	if got := head(t, back); got != want {
		t.Fatalf("round trip changed the ledger: %s, want %s", got, want)
	}
	must(t, sl(t, back, "verify", "--checkpoint", cp, "--key", vkey), "old checkpoint on the copy")

	// Resumable: the source grows, the copy continues from where it stopped.
	must(t, sl(t, src, "record", "rescue", "--date", "2025-10-09", "--count", "4", "--nationality", "KR", "--country", "KH", "--source-publisher", "p"), "record")
	r = must(t, sl(t, src, "copy", "--from", src, "--to", back), "resume")
	if !strings.Contains(r.stdout, "copied 1 events") || head(t, back) != head(t, src) {
		t.Fatalf("resume = %q", r.stdout)
	}
	r = must(t, sl(t, src, "copy", "--from", src, "--to", back), "nothing left")
	if !strings.Contains(r.stdout, "copied 0 events") {
		t.Fatalf("second resume = %q", r.stdout)
	}

	// A target with another history is refused and left alone.
	other, _ := newLedger(t, "bolt")
	must(t, sl(t, other, "record", "death", "--date", "2025-08-01", "--count", "2", "--nationality", "KR", "--country", "KH", "--source-publisher", "p"), "record other")
	before := head(t, other)
	if r := sl(t, src, "copy", "--from", src, "--to", other); r.code != 2 || !strings.Contains(r.stderr, "differ") {
		t.Fatalf("copy onto another history: exit %d %q", r.code, r.stderr)
	}
	if head(t, other) != before {
		t.Fatal("a refused copy changed the target")
	}
}

func TestReplayFollow(t *testing.T) { forEachStore(t, testReplayFollow) }

func testReplayFollow(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", seed), "import")
	args := []string{"--store", store, "replay", "--follow", "--format", "jsonl"}
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatal("replay --follow printed nothing for 10 s")
		}
		return ""
	}
	for i := range 4 {
		if l := next(); !strings.HasPrefix(l, fmt.Sprintf(`{"seq":%d,`, i)) {
			t.Fatalf("history line %d = %q", i, l)
		}
	}
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-09", "--count", "4", "--nationality", "KR", "--country", "KH", "--source-publisher", "p"), "record while following")
	if l := next(); !strings.HasPrefix(l, `{"seq":4,`) || !strings.Contains(l, `"type":"rescue"`) {
		t.Fatalf("followed line = %q", l)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("replay --follow after SIGINT: %v (want exit 0)", err)
	}
}

// TestExportRoundTrip: a JSONL export imported into an empty ledger gives the
// same ids and figures; a CSV export neutralises formula-like cells.
func TestExportRoundTrip(t *testing.T) { forEachStore(t, testExportRoundTrip) }

func testExportRoundTrip(t *testing.T, kind string) {
	store, _ := newLedger(t, kind)
	must(t, sl(t, store, "import", seed), "import")
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-05", "--count", "7", "--nationality", "CN", "--country", "KH",
		"--location", `=HYPERLINK("http://evil.example","x")`, "--notes", "-2+3", "--source-publisher", "@SUM(A1)"), "record hostile")
	rep := regexp.MustCompile(`"id":"([0-9a-f-]{36})","type":"repatriation"`).FindStringSubmatch(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout)[1]
	must(t, sl(t, store, "correct", rep, "--count", "64", "--reason", "ministry list"), "correct")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", filepath.Join(t.TempDir(), "x.xlsx"), "--publish"), "publish")

	dir := t.TempDir()
	out := filepath.Join(dir, "ledger.jsonl")
	must(t, sl(t, store, "export", "-o", out), "export jsonl")
	copyStore, _ := newLedger(t, "bolt")
	r := must(t, sl(t, copyStore, "import", out), "import the export")
	if !strings.Contains(r.stdout, "appended 6, duplicates 0") {
		t.Fatalf("import of the export = %q", r.stdout)
	}
	ids := func(store string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`"event":\{"id":"([^"]+)","type":"([a-z_]+)"`).FindAllStringSubmatch(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout, -1) {
			if m[2] != "report_published" {
				out = append(out, m[1])
			}
		}
		return out
	}
	if a, b := ids(store), ids(copyStore); strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("ids differ:\n%v\n%v", a, b)
	}
	figures := func(store string) string {
		s := must(t, sl(t, store, "summary", "--month", "2025-10", "--format", "json"), "summary").stdout
		return s[strings.Index(s, `"rows"`):]
	}
	if a, b := figures(store), figures(copyStore); a != b || !strings.Contains(a, `"persons": 64`) {
		t.Fatalf("figures differ:\n%s\n%s", a, b)
	}

	// The CSV export imports back too: same ids, same figures, the
	// neutralising ' taken off (it is statledger's own export).
	csvOut := filepath.Join(dir, "ledger.csv")
	must(t, sl(t, store, "export", "--format", "csv", "-o", csvOut), "export csv")
	csvStore, _ := newLedger(t, "bolt")
	if r := must(t, sl(t, csvStore, "import", csvOut), "import the CSV export"); !strings.Contains(r.stdout, "appended 6, duplicates 0") {
		t.Fatalf("import of the CSV export = %q", r.stdout)
	}
	if a, b := ids(store), ids(csvStore); strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("ids differ after a CSV round trip:\n%v\n%v", a, b)
	}
	if a, b := figures(store), figures(csvStore); a != b {
		t.Fatalf("figures differ after a CSV round trip:\n%s\n%s", a, b)
	}

	r = must(t, sl(t, store, "export", "--format", "csv", "--month", "2025-10"), "export csv")
	// Excel, opening a CSV file, reads it as UTF-8 only after a BOM.
	body, ok := strings.CutPrefix(r.stdout, "\uFEFFid,type,")
	if !ok {
		t.Fatalf("the CSV export does not start with a UTF-8 byte-order mark and its header: %q", r.stdout[:min(len(r.stdout), 20)])
	}
	rows, err := csv.NewReader(strings.NewReader("id,type," + body)).ReadAll()
	if err != nil || len(rows) != 4 { // header, repatriation (corrected), arrest, rescue
		t.Fatalf("csv export: %v\n%s", err, r.stdout)
	}
	joined := strings.Join(rows[3], "|")
	for _, want := range []string{`'=HYPERLINK("http://evil.example","x")`, "'-2+3", "'@SUM(A1)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("csv row %q lacks the neutralised %q", joined, want)
		}
	}
	if rows[1][1] != "repatriation" || rows[1][4] != "64" { // rows in seq order: repatriation is seq 2
		t.Errorf("month export is not the effective event: %v", rows[1])
	}

	// Export streams into a temporary file renamed when complete: a failed
	// export leaves the file it would have replaced, and no temporary file.
	before, _ := os.ReadFile(out)
	if r := sl(t, store, "export", "--as-of", "999", "-o", out); r.code == 0 {
		t.Fatal("export past the ledger's end succeeded")
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Fatal("a failed export changed the file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".statledger-*")); len(left) > 0 {
		t.Fatalf("a failed export left %v", left)
	}
}

func TestDemoSynthetic(t *testing.T) {
	dir, exports := t.TempDir(), t.TempDir()
	r := must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", dir, "--events", "3000", "--seed", "9", "--export-dir", exports), "demo --events")
	if !strings.Contains(r.stdout, "generated 3000 synthetic events (seed 9)") || !strings.Contains(r.stdout, "appended 3000") {
		t.Fatalf("demo --events = %s", r.stdout)
	}
	demoStore := filepath.Join(dir, "statledger.db")
	// The CSV twin holds the same events: imported elsewhere, the same figures.
	other, _ := newLedger(t, "bolt")
	must(t, sl(t, other, "import", filepath.Join(exports, "events.csv")), "import the CSV twin")
	for _, month := range []string{"2019-03", "2025-10"} {
		a := must(t, sl(t, demoStore, "summary", "--month", month), "summary").stdout
		b := must(t, sl(t, other, "summary", "--month", month), "summary").stdout
		if a[strings.Index(a, "Type"):] != b[strings.Index(b, "Type"):] {
			t.Fatalf("%s differs between the JSONL and CSV twins:\n%s\n%s", month, a, b)
		}
	}
	// The same seed gives the same file.
	again := t.TempDir()
	must(t, slIn(t, "../..", "ignored.db", nil, "demo", "--dir", t.TempDir(), "--events", "3000", "--seed", "9", "--export-dir", again), "demo again")
	x, _ := os.ReadFile(filepath.Join(exports, "events.jsonl"))
	y, _ := os.ReadFile(filepath.Join(again, "events.jsonl"))
	if !bytes.Equal(x, y) {
		t.Fatal("the same seed gave different events")
	}
}

// TestOutputNeverReplacesLedgerOrKey: an -o naming the ledger file or the
// signing key is refused, and both stay as they were.
// An output named as another kind of file (the workbook as oct.html) is
// refused before anything is written, with the name to use; export takes
// the kind from the name when --format is not given.
func TestOutputNamedAsAnotherKind(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "monthly", "--month", "2025-10", "-o", filepath.Join(dir, "oct.html")}, "this writes an Excel workbook; name it " + filepath.Join(dir, "oct.xlsx")},
		{[]string{"report", "monthly", "--month", "2025-10", "-o", filepath.Join(dir, "oct.XLS")}, "name it " + filepath.Join(dir, "oct.xlsx")},
		{[]string{"chart", "-o", filepath.Join(dir, "charts.xlsx")}, "this writes an HTML page; name it " + filepath.Join(dir, "charts.html")},
		{[]string{"export", "--format", "jsonl", "-o", filepath.Join(dir, "all.csv")}, "this writes JSON Lines (--format jsonl); name it " + filepath.Join(dir, "all.jsonl")},
		{[]string{"export", "--format", "sdmx-csv", "-o", filepath.Join(dir, "figures.json")}, "name it " + filepath.Join(dir, "figures.csv")},
		{[]string{"export", "-o", filepath.Join(dir, "oct.xlsx")}, "the monthly workbook is 'statledger report monthly"},
	} {
		if r := sl(t, store, c.args...); r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Fatalf("refused outputs left %v", names)
	}
	csvOut := filepath.Join(dir, "all.csv")
	must(t, sl(t, store, "export", "-o", csvOut), "export -o all.csv")
	if b, _ := os.ReadFile(csvOut); !bytes.HasPrefix(b, []byte("\uFEFFid,type,")) {
		t.Fatalf("export -o all.csv wrote %.40q", b)
	}
	must(t, sl(t, store, "export", "-o", os.DevNull), "export to a device")
}

func TestOutputNeverReplacesLedgerOrKey(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	before := head(t, store)
	key, _ := os.ReadFile(store + ".key")
	for _, args := range [][]string{
		{"report", "monthly", "--month", "2025-10", "-o", store},
		{"export", "-o", store},
		{"chart", "-o", store},
		{"export", "-o", store + ".key"},
		{"report", "monthly", "--month", "2025-10", "-o", store + ".key"},
	} {
		r := sl(t, store, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "never writes an output over") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	if head(t, store) != before {
		t.Fatal("the ledger changed")
	}
	if now, _ := os.ReadFile(store + ".key"); !bytes.Equal(now, key) {
		t.Fatal("the signing key changed")
	}
}

// An output that cannot be written fails before the projection is folded,
// which on a large ledger with no checkpoint yet takes long.
func TestUnwritableOutputFailsBeforeTheFold(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", eventsFile(t, "a", 50)), "import")
	must(t, sl(t, store, "verify", "--rebuild-projection"), "discard the checkpoint the import folded")
	nowhere := filepath.Join(t.TempDir(), "no", "such", "folder")
	for _, args := range [][]string{
		{"report", "monthly", "--month", "2025-10", "-o", filepath.Join(nowhere, "oct.xlsx")},
		{"chart", "-o", filepath.Join(nowhere, "charts.html")},
	} {
		if r := sl(t, store, args...); r.code == 0 || !strings.Contains(r.stderr, "cannot write") {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "none yet") {
		t.Fatalf("a report or chart that could not be written folded the projection first:\n%s", r.stdout)
	}
}
