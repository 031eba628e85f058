package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/esdb"
	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	bbolt "go.etcd.io/bbolt"
)

// TestEsdbIndex: a command on an EventStoreDB ledger reads only what was
// appended since this machine's index last saw the stream, and verify, which
// rebuilds the index from the stream, says when the stream's history no
// longer is what the index recorded.
func TestEsdbIndex(t *testing.T) {
	store, srv := ledgerAndServer(t, "esdb")
	must(t, sl(t, store, "import", eventsFile(t, "a", 60)), "import")
	before := must(t, sl(t, store, "summary", "--month", "2025-11"), "summary").stdout

	sent := srv.EventsSent()
	if r := must(t, sl(t, store, "summary", "--month", "2025-11"), "warm summary"); r.stdout != before || r.stderr != "" {
		t.Fatalf("warm summary differs or warns:\n%s\n%s", r.stdout, r.stderr)
	}
	if got := srv.EventsSent() - sent; got != 1 {
		t.Fatalf("a warm summary read %d events from the server; want 1, the one that checks the index", got)
	}

	// verify reads the stream once to check it and once for the fresh fold it
	// compares the projection checkpoint with; the index is rebuilt (a third
	// read) only when something fails.
	sent = srv.EventsSent()
	must(t, sl(t, store, "verify"), "verify")
	if got := srv.EventsSent() - sent; got > 2*60+5 {
		t.Fatalf("verify of 60 events read %d from the server", got)
	}

	// Someone with access to the server rewrites seq 10 (November),
	// data and metadata alike, so the stream is consistent in itself.
	srv.Tamper("statledger", func(rs []esdbtest.Record) []esdbtest.Record {
		rs[10] = forge(t, rs[10])
		return rs
	})
	if r := sl(t, store, "replay"); r.code != 3 || !strings.Contains(r.stderr, "seq 10:") || !strings.Contains(r.stderr, "index") {
		t.Fatalf("replay of the rewritten stream: exit %d\n%s", r.code, r.stderr)
	}
	r := sl(t, store, "verify")
	if r.code != 3 || !strings.Contains(r.stderr, "this machine's index of stream statledger had root") || !strings.Contains(r.stderr, "seq 0…59") {
		t.Fatalf("verify of the rewritten stream: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The index now holds the stream as it is; the projection checkpoint was
	// built from the old history, so verify still fails, on that, until a
	// report rebuilds it.
	r = sl(t, store, "verify")
	if r.code != 3 || strings.Contains(r.stderr, "this machine's index") {
		t.Fatalf("second verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	after := sl(t, store, "summary", "--month", "2025-11")
	if after.code != 0 || after.stdout == before || !strings.Contains(after.stderr, "rebuilt it") {
		t.Fatalf("summary after the rewrite: exit %d\n%s\n%s", after.code, after.stdout, after.stderr)
	}
	must(t, sl(t, store, "verify"), "verify once everything is rebuilt")
}

// forge rewrites a stored event's count, with metadata to match.
func forge(t *testing.T, r esdbtest.Record) esdbtest.Record {
	t.Helper()
	var m struct {
		Seq        uint64 `json:"seq"`
		RecordedAt string `json:"recorded_at"`
		RecordedBy string `json:"recorded_by"`
		LeafHash   string `json:"leaf_hash"`
		Schema     int    `json:"schema"`
	}
	var ev ledger.Event
	data := bytes.Replace(r.Data, []byte(`"count":`), []byte(`"count":1`), 1)
	if err := json.Unmarshal(r.Meta, &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	at, _ := time.Parse(ledger.TimeFormat, m.RecordedAt)
	rec := ledger.NewRecorded(m.Seq, at, m.RecordedBy, ev)
	if !bytes.Equal(rec.Event.Canonical(), data) {
		t.Fatalf("forged data is not canonical: %s", data)
	}
	m.LeafHash = rec.LeafHex()
	r.Data = data
	r.Meta, _ = json.Marshal(m)
	return r
}

// TestProgressOnTerminal runs statledger on a terminal (util-linux script
// gives it one): long work shows a bar, and an error after a bar starts on a
// clean line.
func TestProgressOnTerminal(t *testing.T) {
	t.Parallel() // a harness of its own: it runs beside the others
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give statledger a terminal")
	}
	onTerminal := func(store, key string, args ...string) string {
		t.Helper()
		cmd := []string{shellQuote(bin), "--store", shellQuote(store)}
		if key != "" {
			cmd = append(cmd, "--signing-key", shellQuote(key))
		}
		for _, a := range args {
			cmd = append(cmd, shellQuote(a))
		}
		out, _ := exec.Command(script, "-qec", strings.Join(cmd, " "), "/dev/null").CombinedOutput()
		return string(out)
	}
	// EventStoreDB: 5 pages of the stream are enough for both of its bars.
	store, _ := ledgerAndServer(t, "esdb")
	key, _ := signingKeys.Load(store)
	if out := onTerminal(store, key.(string), "import", eventsFile(t, "many", 5_000)); !strings.Contains(out, "appending") || !strings.Contains(out, "appended 5000") {
		t.Fatalf("import of 5k events on a terminal:\n%q", out)
	}
	// This machine's index of the stream is gone: the next command reads
	// the whole stream into it, and says so.
	idx, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "statledger", "index-*.db"))
	for _, p := range idx {
		os.Remove(p)
	}
	if out := onTerminal(store, key.(string), "summary", "--month", "2025-03"); !strings.Contains(out, "reading the stream into this machine's index") {
		t.Fatalf("first summary without an index:\n%q", out)
	}
	// 40k events, on the embedded store: verify reports progress once
	// before it is done (every 32k events).
	file, _ := newLedger(t, "bolt")
	must(t, sl(t, file, "import", eventsFile(t, "more", 40_000)), "import 40k")
	if out := onTerminal(file, "", "verify"); !strings.Contains(out, "verifying every event") || !strings.Contains(out, "ok: 40000 events verified") {
		t.Fatalf("verify of 40k events on a terminal:\n%q", out)
	}
	exported := filepath.Join(t.TempDir(), "all.csv")
	if out := onTerminal(file, "", "export", "--format", "csv", "-o", exported); !strings.Contains(out, "exporting") || !strings.Contains(out, "wrote 40000 events") {
		t.Fatalf("export of 40k events to a file on a terminal:\n%q", out)
	}
	if out := onTerminal(file, "", "import", "/no/such/file.csv"); !strings.Contains(out, "\r\x1b[Kstatledger: ") {
		t.Fatalf("an error on a terminal does not start on a clean line:\n%q", out)
	}
}

// A demo of 20k events shows a bar for each long step, generation included
// (verify reports first at 32k: TestProgressOnTerminal).
func TestDemoProgressOnTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give statledger a terminal")
	}
	cmd := strings.Join([]string{shellQuote(bin), "demo", "--dir", shellQuote(t.TempDir()), "--events", "20000", "--seed", "5"}, " ")
	out, err := exec.Command(script, "-qec", cmd, "/dev/null").CombinedOutput()
	// No "folding the projection": the import folded as it appended.
	for _, want := range []string{"generating events", "appending", "generated 20000 synthetic events"} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("demo of 20k events on a terminal (%v) shows no %q:\n%q", err, want, out)
		}
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestVerifyReportFromAnotherMachine: on EventStoreDB each machine keeps its
// own projection checkpoint. An auditor's machine whose checkpoint is older
// than the report still rebuilds the report exactly: the fresh fold verify
// compares the checkpoint with is carried on to the report's size.
func TestVerifyReportFromAnotherMachine(t *testing.T) {
	store, _ := ledgerAndServer(t, "esdb")
	must(t, sl(t, store, "import", eventsFile(t, "a", 60)), "import")
	auditor := "XDG_CACHE_HOME=" + filepath.Join(t.TempDir(), "auditor-cache")
	onAuditorsMachine := func(args ...string) result {
		t.Helper()
		return runBinEnv(t, bin, "", store, nil, []string{auditor}, args...)
	}
	must(t, onAuditorsMachine("summary", "--month", "2025-03"), "the auditor's summary at 60")
	must(t, sl(t, store, "import", eventsFile(t, "b", 25)), "import more")
	report := filepath.Join(t.TempDir(), "oct.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", report), "the official's report at 85")
	r := onAuditorsMachine("verify", "--report", report)
	if r.code != 0 || !strings.Contains(r.stdout, "checkpoint at tree size 60 matches") || !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("verify --report on the auditor's machine: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// An import into an EventStoreDB ledger while another command holds this
// machine's projection cache (a verify keeps it for its whole run) says
// once that the cache is left behind, and does not wait for it at every
// batch: 50 batches cost 50 s of waits before.
func TestImportBesideAHeldProjectionCache(t *testing.T) {
	store, _ := newLedger(t, "esdb")
	must(t, sl(t, store, "import", seed), "import seed") // the cache exists
	held := holdProjectionCache(t, store)
	var b bytes.Buffer
	for i := range 1000 {
		fmt.Fprintf(&b, `{"type":"arrest","date":"2025-09-%02d","count":1,"nationality":"KR","country":"KH","source":{"publisher":"p"},"notes":"event %d"}`+"\n", i%28+1, i)
	}
	start := time.Now()
	r := must(t, slIn(t, "", store, b.Bytes(), "import", "--format", "jsonl", "--batch-size", "20", "-"), "import beside the held cache")
	took := time.Since(start)
	held.Close()
	if n := strings.Count(r.stderr, "projection cache of the ledger is left behind (another command has "); n != 1 || took > 40*time.Second {
		t.Fatalf("the import said so %d times and took %s:\n%s", n, took, r.stderr)
	}
	// Behind, the cache is brought up to date by the next report.
	if s := must(t, sl(t, store, "summary", "--month", "2025-09"), "summary after").stdout; !regexp.MustCompile(`Arrests\s+1,000\s+1,000\n`).MatchString(s) {
		t.Fatalf("the month after the import:\n%s", s)
	}
}

// A report beside another that holds this machine's projection cache of an
// EventStoreDB ledger waits for it, saying so, rather than fold the whole
// ledger into a file of its own (a summary during a 200k-event verify took
// 28 s so, where it takes milliseconds).
func TestSummaryWaitsForTheProjectionCache(t *testing.T) {
	store, _ := newLedger(t, "esdb")
	must(t, sl(t, store, "import", seed), "import seed")
	held := holdProjectionCache(t, store)
	time.AfterFunc(2500*time.Millisecond, func() { held.Close() })
	r := must(t, sl(t, store, "summary", "--month", "2025-10"), "summary beside a held cache")
	if !strings.Contains(r.stderr, "waiting: another command has this machine's projection cache of the ledger open") || strings.Contains(r.stderr, "no projection cache") || !regexp.MustCompile(`Arrests\s+1\s+about 60\n`).MatchString(r.stdout) {
		t.Fatalf("summary beside a held cache:\n%s%s", r.stdout, r.stderr)
	}
}

// holdProjectionCache opens this machine's projection cache of the
// EventStoreDB ledger at store, as another command would hold it.
func holdProjectionCache(t *testing.T, store string) *bbolt.DB {
	t.Helper()
	path, err := esdb.CacheFile(esdb.ProjectionFile, store, "statledger")
	if err != nil {
		t.Fatal(err)
	}
	held, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return held
}
