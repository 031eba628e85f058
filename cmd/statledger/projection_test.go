package main

import (
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/projections/checkpoint"
)

// TestProjectionCheckpoint drives the projection checkpoint from the CLI on
// both stores: it is built by the first report, folds only what is new, gives
// the same workbook as a fresh fold, and is rebuilt, with a warning, when the
// history it was built from changes.
func TestProjectionCheckpoint(t *testing.T) { forEachStore(t, testProjectionCheckpoint) }

func testProjectionCheckpoint(t *testing.T, kind string) {
	store, srv := ledgerAndServer(t, kind)
	dir := t.TempDir()
	must(t, sl(t, store, "import", eventsFile(t, "a", 60)), "import a")
	// Every append folds what it appends: in the same transaction on the
	// embedded store, into this machine's cache once EventStoreDB has
	// acknowledged it. The checkpoint is the ledger's size before any report.
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "projection checkpoint at tree size 60 matches a fresh fold") {
		t.Fatalf("verify before any report: %s", r.stdout)
	}
	must(t, sl(t, store, "summary", "--month", "2025-03"), "summary")
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "projection checkpoint at tree size 60 matches a fresh fold") {
		t.Fatalf("verify after a report: %s", r.stdout)
	}
	must(t, sl(t, store, "import", eventsFile(t, "b", 25)), "import b")
	oct := filepath.Join(dir, "oct.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", oct), "report")
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "at tree size 85 matches") {
		t.Fatalf("verify after more events: %s", r.stdout)
	}
	// verify --report rebuilds from a fresh fold, never from the checkpoint:
	// byte-identical means the incremental fold gave the very same workbook.
	if r := must(t, sl(t, store, "verify", "--report", oct), "verify --report"); !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("the workbook from the checkpoint differs from a fresh fold: %s", r.stdout)
	}
	// An old size is answered from the same records.
	old := filepath.Join(dir, "old.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "--as-of", "30", "-o", old), "report as of 30")
	if r := must(t, sl(t, store, "verify", "--report", old), "verify old"); !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("old report: %s", r.stdout)
	}

	// The history the checkpoint was built from changes.
	if kind == "esdb" {
		srv.Tamper("statledger", func([]esdbtest.Record) []esdbtest.Record { return nil })
		must(t, sl(t, store, "import", eventsFile(t, "other", 90)), "import into the emptied stream")
	} else {
		editCheckpoint(t, store, func(b *bbolt.Bucket) error { return b.Put([]byte("root"), make([]byte, 32)) })
	}
	r := sl(t, store, "verify")
	if r.code != 3 || !strings.Contains(r.stderr, "the history it was built from has changed") {
		t.Fatalf("verify of a mismatched checkpoint: exit %d\n%s", r.code, r.stderr)
	}
	r = must(t, sl(t, store, "summary", "--month", "2025-03"), "summary after the change")
	if !strings.Contains(r.stderr, "rebuilt it from the ledger. Run 'statledger verify' to check the ledger.") {
		t.Fatalf("no warning, with how to check the ledger, when the checkpoint was rebuilt: %q", r.stderr)
	}
	size := map[string]string{"bolt": "85", "esdb": "90"}[kind]
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "at tree size "+size+" matches") {
		t.Fatalf("verify after the rebuild: %s", r.stdout)
	}
	if kind == "esdb" {
		return
	}
	// A figure edited in the checkpoint, under a root that still matches:
	// verify names it; a report never uses it, but folds the figures again.
	want := must(t, sl(t, store, "summary", "--month", "2025-03"), "summary").stdout
	editCheckpoint(t, store, func(b *bbolt.Bucket) error {
		c := b.Bucket([]byte("cells"))
		k := []byte("2025-03")
		v := append([]byte(nil), c.Get(k)...)
		v[1] += 2
		return c.Put(k, v)
	})
	if r := sl(t, store, "verify"); r.code != 3 || !strings.Contains(r.stderr, "differs from a fresh fold") {
		t.Fatalf("verify of an edited checkpoint: exit %d\n%s", r.code, r.stderr)
	}
	r = must(t, sl(t, store, "summary", "--month", "2025-03"), "summary of an edited checkpoint")
	if r.stdout != want || !strings.Contains(r.stderr, "does not match its checksum") || !strings.Contains(r.stderr, "folded again from the ledger") {
		t.Fatalf("summary of an edited checkpoint:\n%s%s\nwant:\n%s", r.stdout, r.stderr, want)
	}
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "at tree size 85 matches") {
		t.Fatalf("verify after the checkpoint was folded again: %s", r.stdout)
	}
	// A month's record removed from the checkpoint (a damaged key does the
	// same): not a month of zeros, but the figures folded again.
	editCheckpoint(t, store, func(b *bbolt.Bucket) error { return b.Bucket([]byte("cells")).Delete([]byte("2025-03")) })
	r = must(t, sl(t, store, "summary", "--month", "2025-03"), "summary with a month's record removed")
	if r.stdout != want || !strings.Contains(r.stderr, "a record was removed or replaced") {
		t.Fatalf("summary with a month's record removed:\n%s%s\nwant:\n%s", r.stdout, r.stderr, want)
	}
	must(t, sl(t, store, "verify", "--rebuild-projection"), "verify --rebuild-projection")
	must(t, sl(t, store, "summary", "--month", "2025-03"), "summary")
	if r := must(t, sl(t, store, "verify"), "verify"); !strings.Contains(r.stdout, "at tree size 85 matches") {
		t.Fatalf("verify after --rebuild-projection: %s", r.stdout)
	}
}

func editCheckpoint(t *testing.T, store string, fn func(*bbolt.Bucket) error) {
	t.Helper()
	editFile(t, store, func(tx *bbolt.Tx) error { return fn(tx.Bucket(checkpoint.Bucket)) })
}

// TestProjectionFallsBackToMemory: a reader that cannot write the ledger file
// (here: another process shares it for reading) still gets its figures, from
// a fold in memory, and says so.
func TestProjectionFallsBackToMemory(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", eventsFile(t, "a", 40)), "import")
	want := must(t, sl(t, store, "summary", "--month", "2025-03", "--format", "json"), "summary").stdout
	must(t, sl(t, store, "import", eventsFile(t, "b", 10)), "import more")
	must(t, sl(t, store, "verify", "--rebuild-projection"), "discard the checkpoint") // a reader must fold
	want2 := ""
	func() {
		db, err := bbolt.Open(store, 0o600, &bbolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		r := must(t, sl(t, store, "summary", "--month", "2025-03", "--format", "json"), "summary while shared")
		if !strings.Contains(r.stderr, "folding the whole ledger into a temporary file") {
			t.Fatalf("no note about the fallback: %q", r.stderr)
		}
		want2 = r.stdout
	}()
	got := must(t, sl(t, store, "summary", "--month", "2025-03", "--format", "json"), "summary").stdout
	if got != want2 || got == want {
		t.Fatalf("in-memory fold gave\n%s\nthe checkpoint gives\n%s\n(before the second import:\n%s)", want2, got, want)
	}
}

// ledgerAndServer makes a fresh ledger of a kind and, for EventStoreDB, hands
// back its in-process server too, for tests that change the stream under it.
func ledgerAndServer(t *testing.T, kind string) (string, *esdbtest.Server) {
	t.Helper()
	if kind != "esdb" {
		store, _ := newLedger(t, "bolt")
		return store, nil
	}
	srv := esdbtest.Start(t)
	signingKeys.Store(srv.URL, filepath.Join(t.TempDir(), "l.key"))
	must(t, sl(t, srv.URL, "init", "--origin", "statledger.local/l"), "init")
	return srv.URL, srv
}

// TestCrashDuringProjectionFold kills reports while they fold the projection
// checkpoint. Every kill must leave a checkpoint that is absent or whole at a
// chunk boundary (verify compares it record by record with a fresh fold),
// and the next report must finish the fold and give the right figures.
func TestCrashDuringProjectionFold(t *testing.T) {
	t.Parallel() // a harness of its own: it runs beside the others
	store, _ := newLedger(t, "bolt")
	// 10k events are four chunks of a fold (checkpoint.Chunk): kills land
	// before, between and after its commits, at half the cost of 20k.
	must(t, sl(t, store, "import", eventsFile(t, "crash", 10000)), "import")
	want := must(t, sl(t, store, "summary", "--month", "2025-06", "--format", "json"), "summary").stdout
	must(t, sl(t, store, "verify", "--rebuild-projection"), "discard")
	start := time.Now()
	must(t, sl(t, store, "summary", "--month", "2025-06"), "timing a cold fold")
	cycle := time.Since(start)
	rng := rand.New(rand.NewPCG(3, 5))
	sizes := map[string]bool{}
	for range 8 {
		must(t, sl(t, store, "verify", "--rebuild-projection"), "discard")
		cmd := exec.Command(bin, "--store", store, "summary", "--month", "2025-06")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(cycle))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		r := sl(t, store, "verify")
		if r.code != 0 {
			t.Fatalf("after a kill, verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.Contains(l, "projection checkpoint") {
				sizes[l] = true
			}
		}
		if got := must(t, sl(t, store, "summary", "--month", "2025-06", "--format", "json"), "summary after a kill").stdout; got != want {
			t.Fatalf("after a kill the figures differ:\n%s\nwant\n%s", got, want)
		}
	}
	t.Logf("checkpoints seen after kills: %v", sizes)
}
