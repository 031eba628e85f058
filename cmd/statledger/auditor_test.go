package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// copyTo copies src to a new file at dst, mode 0600 like a ledger.
func copyTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fileFormat is the format version an embedded ledger file records.
func fileFormat(t *testing.T, path string) string {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var f string
	db.View(func(tx *bbolt.Tx) error {
		f = string(tx.Bucket([]byte("meta")).Get([]byte("format")))
		return nil
	})
	return f
}

// An auditor has a copy of the ledger and the verifier key, never the
// signing key: verify --report checks the workbook's own signed checkpoint
// with the key, and rebuilds the rest from the ledger.
func TestAuditorVerifiesReportWithoutSigningKey(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	must(t, sl(t, store, "import", eventsFile(t, "a", 80)), "import")
	report := filepath.Join(t.TempDir(), "oct.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", report), "report")
	must(t, sl(t, store, "import", eventsFile(t, "b", 20)), "import after the report")

	copyOf := filepath.Join(t.TempDir(), "auditors-copy.db")
	copyTo(t, store, copyOf)
	r := must(t, sl(t, copyOf, "verify", "--report", report, "--key", verifier), "the auditor's verify --report")
	if !strings.Contains(r.stdout, "100 events verified") || !strings.Contains(r.stdout, "byte-identical to the report rebuilt at tree size 80") {
		t.Fatalf("the auditor's verify --report said:\n%s", r.stdout)
	}

	// Without the signing key and without --key: told what to pass, before
	// the ledger is read (so nothing was verified).
	r = sl(t, copyOf, "verify", "--report", report)
	if r.code != 2 || !strings.Contains(r.stderr, "--key VERIFIER-KEY") || strings.Contains(r.stdout, "verified") {
		t.Fatalf("verify --report with no key at all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"--report", report, "--key", ""}, {"--report", filepath.Join(t.TempDir(), "missing.xlsx"), "--key", verifier}} {
		if r := sl(t, copyOf, append([]string{"verify"}, args...)...); r.code != 2 || strings.Contains(r.stdout, "verified") {
			t.Fatalf("verify %v: exit %d, want 2 before reading the ledger\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}

	// Another ledger's key: the workbook's checkpoint does not verify with it.
	_, other := newLedger(t, "bolt")
	r = sl(t, copyOf, "verify", "--report", report, "--key", other)
	if r.code != 3 || !strings.Contains(r.stderr, "its signed checkpoint") {
		t.Fatalf("verify --report with another ledger's key: exit %d\n%s", r.code, r.stderr)
	}
}

// An auditor with neither the ledger nor a copy of it, given a published
// workbook, the proof of its publication and the verifier key, knows the
// ledger published that very file; a changed byte, or a proof of another
// event, is told.
func TestAuditorWithoutLedgerChecksPublishedWorkbook(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	book := filepath.Join(t.TempDir(), "oct.xlsx")
	r := must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", book, "--publish"), "report --publish")
	m := regexp.MustCompile(`published: report_published (\S+) at seq \d+ \(.*statledger prove (\S+)\)`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] != m[2] {
		t.Fatalf("report --publish said %q", r.stdout)
	}
	dir := t.TempDir() // the auditor's: no ledger in it
	proof := filepath.Join(dir, "oct-published.json")
	os.WriteFile(proof, []byte(must(t, sl(t, store, "prove", m[1]), "prove").stdout), 0o644)
	nowhere := filepath.Join(dir, "no-ledger.db")
	r = must(t, sl(t, nowhere, "verify-proof", "--key", verifier, "--file", book, proof), "verify-proof --file")
	if !strings.Contains(r.stdout, "ok: "+book+" is, byte for byte, the monthly report 2025-10 the ledger published as oct.xlsx, its figures as of tree size 4") {
		t.Errorf("verify-proof --file said %q", r.stdout)
	}
	b, _ := os.ReadFile(book)
	changed := filepath.Join(dir, "oct-changed.xlsx")
	os.WriteFile(changed, append(b[:len(b):len(b)], ' '), 0o644)
	if r := sl(t, nowhere, "verify-proof", "--key", verifier, "--file", changed, proof); r.code != 3 || !strings.Contains(r.stderr, "is not the workbook the ledger published") || strings.Contains(r.stdout, "ok:") {
		t.Errorf("a changed workbook: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	first := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout)[1]
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(must(t, sl(t, store, "prove", first), "prove").stdout), 0o644)
	if r := sl(t, nowhere, "verify-proof", "--key", verifier, "--file", book, other); r.code != 2 || !strings.Contains(r.stderr, "not of a report's publication") {
		t.Errorf("the proof of another event: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(nowhere); !os.IsNotExist(err) {
		t.Errorf("verify-proof made a ledger: %v", err)
	}
}

// A file far larger than what a flag expects (the ledger given as a
// checkpoint, a disk image as the workbook) is named as the wrong file
// before it is read, and before the ledger is.
func TestTheWrongFileIsToldBySize(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	dir := t.TempDir()
	big := func(name string, size int64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil { // sparse: nothing to write
			t.Fatal(err)
		}
		return path
	}
	twoMB, workbook := big("ledger-copy.db", 2e6), big("disk.xlsx", 80e6)
	for _, args := range [][]string{
		{"verify-proof", "--key", verifier, twoMB},
		{"verify", "--checkpoint", twoMB, "--key", verifier},
		{"witness", "cosign", "--dir", dir, "--log-key", verifier, twoMB},
		{"verify", "--report", workbook, "--key", verifier},
		{"verify-proof", "--key", twoMB, twoMB},
	} {
		r := sl(t, store, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "is it the right file?") || strings.Contains(r.stdout, "verified") {
			t.Errorf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	r := sl(t, store, "verify", "--report", workbook, "--key", verifier)
	if !strings.Contains(r.stderr, "it is 80.0 MB, larger than any workbook statledger writes") {
		t.Errorf("verify --report of 80 MB: %s", r.stderr)
	}
	// So is the ledger given for a key, or for the chart's library.
	os.Chmod(twoMB, 0o600)
	for args, want := range map[string]string{
		"checkpoint --signing-key " + twoMB:                                      "is no signing key: it is 2.0 MB, and a signing key is a line of about 100 bytes",
		"chart -o " + filepath.Join(dir, "c.html") + " --echarts-js " + workbook: "does not look like echarts.min.js: it is 80.0 MB",
	} {
		if r := sl(t, store, strings.Fields(args)...); r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

// testdata/v2 is a ledger and a workbook made by statledger before the id
// index was runs (format statledger-bolt-2). Today's statledger verifies
// both as an auditor would, finds the old ids in the old tree, and makes the
// file version 3 with its first new event, after which all still verifies.
func TestVersion2LedgerAndWorkbook(t *testing.T) {
	store := filepath.Join(t.TempDir(), "v2.db")
	copyTo(t, "../../testdata/v2/statledger.db", store)
	report, err := filepath.Abs("../../testdata/v2/statledger-2025-10.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	key := "../../testdata/v2/verifier.txt"
	seed := "../../testdata/seed.jsonl"
	verified := func(n string) {
		t.Helper()
		r := must(t, sl(t, store, "verify", "--report", report, "--key", key), "verify --report")
		if !strings.Contains(r.stdout, n+" events verified") || !strings.Contains(r.stdout, "byte-identical to the report rebuilt at tree size 5") {
			t.Fatalf("verify --report of the version 2 workbook said:\n%s", r.stdout)
		}
	}
	verified("5")
	if r := must(t, sl(t, store, "import", seed), "import the seed again"); !strings.Contains(r.stdout, "appended 0, duplicates 4") {
		t.Fatalf("the seed imported again into the version 2 file: %s", r.stdout)
	}
	if f := fileFormat(t, store); f != "statledger-bolt-2" {
		t.Fatalf("with nothing appended, the file became %q", f)
	}
	must(t, sl(t, store, "record", "arrest", "--date", "2025-10-20", "--count", "2", "--nationality", "KR", "--country", "KH", "--source-publisher", "after the upgrade"), "record")
	if f := fileFormat(t, store); f != "statledger-bolt-3" {
		t.Fatalf("after its first new event the file is %q", f)
	}
	verified("6")
	if r := must(t, sl(t, store, "import", seed), "import the seed after the upgrade"); !strings.Contains(r.stdout, "appended 0, duplicates 4") {
		t.Fatalf("the seed imported after the upgrade: %s", r.stdout)
	}
}

// init on a ledger that has its signing key refuses, and gives the verifier
// key again: the one thing an official must hand to auditors.
func TestInitAgainGivesTheVerifierKey(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	r := sl(t, store, "init")
	if r.code != 2 || !strings.Contains(r.stderr, "already exists") || !strings.Contains(r.stderr, verifier) {
		t.Fatalf("init again: exit %d\n%s\n(the verifier key is %s)", r.code, r.stderr, verifier)
	}
}

// A name with a space made a key no one could read, and a ledger that could
// sign nothing; a key left where its ledger is gone is not taken for a new
// one. Both are refused before anything is made.
func TestInitRefusesWhatWouldBreakTheKey(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "statledger.db")
	r := sl(t, store, "init", "--origin", "my ledger")
	if _, err := os.Stat(store); r.code != 2 || !strings.Contains(r.stderr, "has no spaces and no '+'") || err == nil {
		t.Fatalf("init --origin with a space: exit %d\n%s", r.code, r.stderr)
	}
	must(t, sl(t, store, "init"), "init")
	os.Remove(store)
	r = sl(t, store, "init")
	if _, err := os.Stat(store); r.code != 2 || !strings.Contains(r.stderr, "but there is no ledger "+store) || err == nil {
		t.Fatalf("init where only the key is left: exit %d\n%s", r.code, r.stderr)
	}
}

// Two ledgers made with the defaults have distinct origins, and a ledger
// refuses another ledger's signing key, naming the key's hash: checkpoints it
// signed would name another origin, and no auditor of this ledger could
// check a report sealed with them.
func TestOriginsAreDistinctAndKeysMatch(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a", "statledger.db"), filepath.Join(dir, "b", "statledger.db")
	va := strings.TrimSpace(must(t, sl(t, a, "init"), "init a").stdout)
	vb := strings.TrimSpace(must(t, sl(t, b, "init"), "init b").stdout)
	oa, ob := strings.SplitN(va, "+", 2)[0], strings.SplitN(vb, "+", 2)[0]
	if oa == ob || !strings.HasPrefix(oa, "statledger.local/") || !strings.Contains(oa, "/statledger-") {
		t.Fatalf("default origins %q and %q", oa, ob)
	}
	must(t, sl(t, a, "import", seed), "import")
	must(t, sl(t, a, "checkpoint"), "checkpoint with its own key")
	for _, args := range [][]string{
		{"--signing-key", b + ".key", "checkpoint"},
		{"--signing-key", b + ".key", "report", "monthly", "--month", "2025-10", "-o", filepath.Join(dir, "oct.xlsx")},
	} {
		r := sl(t, a, args...)
		hash := strings.SplitN(vb, "+", 3)[1]
		if r.code != 2 || !strings.Contains(r.stderr, "another ledger's key") || !strings.Contains(r.stderr, hash) || !strings.Contains(r.stderr, oa) {
			t.Fatalf("%v with another ledger's key: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}
