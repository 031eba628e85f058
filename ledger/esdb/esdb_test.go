package esdb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/esdb"
	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/ledger/storetest"
)

var streamN int
var streamMu sync.Mutex

// fresh opens a store on a new stream of srv.
func fresh(t *testing.T, srv *esdbtest.Server) *esdb.Store {
	t.Helper()
	streamMu.Lock()
	streamN++
	name := fmt.Sprintf("ledger-%d", streamN)
	streamMu.Unlock()
	return open(t, srv.URL, name, esdb.Options{})
}

func open(t *testing.T, url, name string, opt esdb.Options) *esdb.Store {
	t.Helper()
	s, err := esdb.Open(context.Background(), url, name, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	srv := esdbtest.Start(t)
	t.Run("index in memory", func(t *testing.T) {
		storetest.Run(t, storetest.Factory{
			New: func(t *testing.T) ledger.Store { return fresh(t, srv) },
			Reopen: func(t *testing.T, s ledger.Store) ledger.Store {
				name := s.(*esdb.Store).Stream()
				s.Close()
				return open(t, srv.URL, name, esdb.Options{})
			},
		})
	})
	t.Run("index file", func(t *testing.T) {
		dir := t.TempDir()
		indexed := func(name string) esdb.Options {
			return esdb.Options{Index: dir + "/" + name + ".db", OpenIndex: boltIndex}
		}
		storetest.Run(t, storetest.Factory{
			New: func(t *testing.T) ledger.Store {
				name := fresh(t, srv).Stream()
				return open(t, srv.URL, name, indexed(name))
			},
			Reopen: func(t *testing.T, s ledger.Store) ledger.Store {
				name := s.(*esdb.Store).Stream()
				s.Close()
				return open(t, srv.URL, name, indexed(name))
			},
		})
	})
}

// TestRealServer runs the suite against a real EventStoreDB/KurrentDB when
// STATLEDGER_ESDB_URL names one (e.g. esdb://localhost:2113?tls=false).
func TestRealServer(t *testing.T) {
	url := os.Getenv("STATLEDGER_ESDB_URL")
	if url == "" {
		t.Skip("STATLEDGER_ESDB_URL is not set: skipping the test against a real EventStoreDB server")
	}
	run := time.Now().UnixNano()
	n := 0
	storetest.Run(t, storetest.Factory{
		New: func(t *testing.T) ledger.Store {
			n++
			return open(t, url, fmt.Sprintf("statledger-test-%d-%d", run, n), esdb.Options{})
		},
	})
}

func size(t *testing.T, s ledger.Store) uint64 {
	t.Helper()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Size
}

// checkExactlyOnce verifies the ledger and that it holds each of want's ids once.
func checkExactlyOnce(t *testing.T, s ledger.Store, want []ledger.Recorded) {
	t.Helper()
	if _, err := ledger.Verify(context.Background(), s, nil); err != nil {
		t.Fatalf("ledger does not verify: %v", err)
	}
	seen := map[string]int{}
	s.Read(context.Background(), 0, func(r ledger.Recorded) error { seen[r.Event.ID]++; return nil })
	for _, r := range want {
		if seen[r.Event.ID] != 1 {
			t.Fatalf("event %s is in the ledger %d times", r.Event.ID, seen[r.Event.ID])
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("ledger holds %d events, want %d", len(seen), len(want))
	}
}

func TestFaultLostAckIsRecognised(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	recs := storetest.Sealed(0, 5)
	srv.LoseAcks = 1 // applied, but the client hears Unavailable
	if err := s.Append(context.Background(), 0, recs); err != nil {
		t.Fatalf("an append whose ack was lost but which landed must succeed: %v", err)
	}
	checkExactlyOnce(t, s, recs)
}

func TestFaultUnavailableRetriedByLedger(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	srv.FailAppends = 1
	recs := storetest.Sealed(0, 3)
	err := s.Append(context.Background(), 0, recs)
	if err == nil || ledger.CodeOf(err) != ledger.CodeRuntime || !strings.Contains(err.Error(), "none were appended") {
		t.Fatalf("unavailable server: %v", err)
	}
	if size(t, s) != 0 {
		t.Fatal("a refused append left events")
	}
	if err := s.Append(context.Background(), 0, recs); err != nil {
		t.Fatalf("retry after the server came back: %v", err)
	}
	checkExactlyOnce(t, s, recs)
}

func TestFaultSlowServerPastDeadline(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	srv.AppendDelay = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	recs := storetest.Sealed(0, 2)
	start := time.Now()
	err := s.Append(ctx, 0, recs)
	if err == nil || time.Since(start) > 1900*time.Millisecond {
		t.Fatalf("append past its deadline: %v after %v", err, time.Since(start))
	}
	srv.AppendDelay = 0
	// The slow append was abandoned before the server applied it.
	time.Sleep(2100 * time.Millisecond)
	if err := s.Append(context.Background(), 0, recs); err != nil && !errors.Is(err, ledger.ErrConflict) {
		t.Fatal(err)
	}
	checkExactlyOnce(t, s, recs)
}

func TestFaultConcurrentWriterWins(t *testing.T) {
	srv := esdbtest.Start(t)
	a := fresh(t, srv)
	b := open(t, srv.URL, a.Stream(), esdb.Options{})
	mine, theirs := storetest.Sealed(0, 3), storetest.Sealed(100, 2)
	for i := range theirs {
		theirs[i] = ledger.NewRecorded(uint64(i), theirs[i].RecordedAt, "other", theirs[i].Event)
	}
	// The other writer appends between our check and our append.
	srv.BeforeAppend = func() {
		srv.BeforeAppend = nil
		if err := b.Append(context.Background(), 0, theirs); err != nil {
			t.Errorf("other writer: %v", err)
		}
	}
	err := a.Append(context.Background(), 0, mine)
	if !errors.Is(err, ledger.ErrConflict) || ledger.CodeOf(err) != ledger.CodeConflict {
		t.Fatalf("the loser got %v, want a conflict", err)
	}
	// Through the ledger, the loser re-checks and retries on top.
	l := ledger.New(a)
	var evs []ledger.Event
	for _, r := range mine {
		evs = append(evs, r.Event)
	}
	p, _, _ := l.Prepare(context.Background(), evs)
	res, err := l.Append(context.Background(), "t", p, 10, nil)
	if err != nil || res.Appended != 3 {
		t.Fatalf("retry through the ledger: %+v %v", res, err)
	}
	checkExactlyOnce(t, a, append(theirs, mine...))
}

func TestSameBytesAsEmbeddedStore(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	recs := storetest.Sealed(0, 7)
	if err := s.Append(context.Background(), 0, recs); err != nil {
		t.Fatal(err)
	}
	var mem ledger.MemTree
	for _, r := range recs {
		mem.Add(r.Leaf)
	}
	h, _ := s.Head(context.Background())
	if h.Root != mem.Root(7) {
		t.Fatal("the stream's root differs from the root of the same recorded events")
	}
	ev := srv.Events(s.Stream())[3]
	if string(ev.Data) != string(recs[3].Event.Canonical()) || ev.Type != "arrest" || ev.ContentType != "application/json" {
		t.Fatalf("stored event = %s %s %s", ev.Type, ev.ContentType, ev.Data)
	}
	if !strings.Contains(string(ev.Meta), `"leaf_hash":"`+recs[3].LeafHex()+`"`) || !strings.Contains(string(ev.Meta), `"schema":1`) {
		t.Fatalf("metadata = %s", ev.Meta)
	}
}

func TestTamperedStreamFailsVerify(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	if err := s.Append(context.Background(), 0, storetest.Sealed(0, 6)); err != nil {
		t.Fatal(err)
	}
	srv.Tamper(s.Stream(), func(rs []esdbtest.Record) []esdbtest.Record {
		rs[4].Data = []byte(strings.Replace(string(rs[4].Data), `"count":5`, `"count":50`, 1))
		return rs
	})
	// Every read checks leaf hashes, so the changed stream cannot even be
	// opened: no command can report from it.
	_, err := esdb.Open(context.Background(), srv.URL, s.Stream(), esdb.Options{})
	if err == nil || ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "seq 4:") {
		t.Fatalf("open of a tampered stream: %v", err)
	}
}

func TestPasswordNeverInErrors(t *testing.T) {
	_, err := esdb.Open(context.Background(), "esdb://admin:s3cret-pw@127.0.0.1:1?tls=false", "l", esdb.Options{})
	if err == nil {
		t.Fatal("opened a server that is not there")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("error shows the password: %v", err)
	}
}

func esdbOpen(url string) (*esdb.Store, error) {
	return esdb.Open(context.Background(), url, "bench", esdb.Options{})
}

// The deadline is per page read: a catch-up longer than it succeeds while
// each page answers in time, and a server that stops answering fails within
// it. The margins are wide (a page answers in 0.6 s against a 2 s deadline)
// so that a loaded machine cannot make it flaky.
func TestPageDeadline(t *testing.T) {
	srv := esdbtest.Start(t)
	w := fresh(t, srv)
	for i := 0; i < 3500; i += 500 {
		if err := w.Append(context.Background(), uint64(i), storetest.Sealed(i, 500)); err != nil {
			t.Fatal(err)
		}
	}
	defer esdb.SetPageTimeout(2 * time.Second)()
	srv.ReadDelay = 600 * time.Millisecond // four pages: 2.4 s in all
	start := time.Now()
	s, err := esdb.Open(context.Background(), srv.URL, w.Stream(), esdb.Options{})
	if err != nil || time.Since(start) < 2*time.Second {
		t.Fatalf("catch-up of four slow pages: %v after %v", err, time.Since(start))
	}
	s.Close()
	srv.ReadDelay = 20 * time.Second
	start = time.Now()
	_, err = esdb.Open(context.Background(), srv.URL, w.Stream(), esdb.Options{})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("a server that stopped answering: %v after %v", err, time.Since(start))
	}
}

// A port outside 1…65535 is refused before any dial, with the password
// hidden; addresses without a port, IPv6 hosts and clusters pass.
func TestCheckAddress(t *testing.T) {
	for s, bad := range map[string]string{
		"esdb://localhost:2113?tls=false":               "",
		"esdb://localhost?tls=false":                    "",
		"esdb://[::1]?tls=false":                        "",
		"esdb+discover://a:2113,b:2113,c:2113":          "",
		"kurrentdb://admin:pw@db1:2113/?tls=true":       "",
		"esdb://admin:secret@localhost:99999?tls=false": `"99999"`,
		"kurrentdb://db1:2113,db2:0":                    `"0"`,
		"esdb://db1:http":                               `"http"`,
	} {
		err := esdb.CheckAddress(s)
		if (err != nil) != (bad != "") {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if err != nil && (!strings.Contains(err.Error(), bad+" is not a port") || strings.Contains(err.Error(), "secret") ||
			!errors.Is(err, ledger.ErrStoreAddress) || ledger.CodeOf(err) != ledger.CodeInput) {
			t.Errorf("%s: %v", s, err)
		}
		if bad == "" {
			continue
		}
		if _, err := esdb.Open(context.Background(), s, "l", esdb.Options{}); !errors.Is(err, ledger.ErrStoreAddress) {
			t.Errorf("Open(%s) = %v", s, err)
		}
	}
	if !esdb.IsAddress("kurrent://x") || esdb.IsAddress("bolt:x.db") || esdb.IsAddress("http://x") {
		t.Error("IsAddress")
	}
}

// A ledger's cache files are in the user's cache, one per kind, ledger and
// address, whatever the password; they are known as derived data by name.
func TestCacheFile(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	path := func(kind, conn, ledgerName string) string {
		t.Helper()
		p, err := esdb.CacheFile(kind, conn, ledgerName)
		if err != nil {
			t.Fatal(err)
		}
		if !esdb.IsCacheFile(p) || strings.Contains(p, "secret") {
			t.Fatalf("%s", p)
		}
		return p
	}
	a := path(esdb.IndexFile, "esdb://admin:secret@db1:2113?tls=true", "moi")
	if fi, err := os.Stat(filepath.Dir(a)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder %v %v", fi, err)
	}
	for _, other := range []string{
		path(esdb.ProjectionFile, "esdb://admin:secret@db1:2113?tls=true", "moi"),
		path(esdb.IndexFile, "esdb://admin:secret@db2:2113?tls=true", "moi"),
		path(esdb.IndexFile, "esdb://admin:secret@db1:2113?tls=true", "mofa"),
	} {
		if other == a {
			t.Fatalf("two ledgers share %s", a)
		}
	}
	if path(esdb.IndexFile, "esdb://admin:changed@db1:2113?tls=true", "moi") != a {
		t.Error("a new password made a new index")
	}
	if esdb.IsCacheFile("/var/lib/statledger/statledger.db") {
		t.Error("a ledger is derived data")
	}
}

// The append hook runs on a goroutine of its own, but sees every append, in
// order, with the ledger's heads around it, by the time Close returns; what
// it looks up through the store finds the batch it is told of.
func TestAppendHookInOrderBeforeClose(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	ctx := context.Background()
	var mu sync.Mutex
	var seen []string
	s.OnAppend(func(recs []ledger.Recorded, before, after ledger.Head) {
		time.Sleep(20 * time.Millisecond) // slower than an append: they queue
		_, found, err := s.SeqsOf(ctx, ledger.IDsOf(recs))
		for i := range found {
			if err != nil || !found[i] {
				t.Errorf("the hook of %d..%d could not find %s: %v", before.Size, after.Size, recs[i].Event.ID, err)
			}
		}
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%d-%d", before.Size, after.Size))
		mu.Unlock()
	})
	recs := storetest.Sealed(0, 50)
	for i := 0; i < len(recs); i += 10 {
		if err := s.Append(ctx, uint64(i), recs[i:i+10]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, " "); got != "0-10 10-20 20-30 30-40 40-50" {
		t.Fatalf("the hook saw %q by the time Close returned", got)
	}
}

// Lookups in ledger order (an input imported again) read the server a page
// at a time, not an event at a time; in any order they find each event as
// Read has it.
func TestLookupReadsAheadInLedgerOrder(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	ctx := context.Background()
	appendAll(t, s, storetest.Sealed(0, 600))
	var want []ledger.Recorded
	if err := s.Read(ctx, 0, func(r ledger.Recorded) error { want = append(want, r); return nil }); err != nil {
		t.Fatal(err)
	}
	lookup := func(order []int) {
		t.Helper()
		for _, i := range order {
			r, found, err := s.Lookup(ctx, want[i].Event.ID)
			if err != nil || !found || r.Seq != want[i].Seq || !bytes.Equal(r.Raw, want[i].Raw) {
				t.Fatalf("Lookup(%s) = seq %d, %v, %v; want seq %d", want[i].Event.ID, r.Seq, found, err, want[i].Seq)
			}
		}
	}
	inOrder := make([]int, len(want))
	for i := range inOrder {
		inOrder[i] = i
	}
	reads := srv.Reads()
	lookup(inOrder)
	if n := srv.Reads() - reads; n > 2+len(want)/256+2 {
		t.Fatalf("600 lookups in ledger order took %d reads of the server", n)
	}
	scattered := []int{599, 3, 400, 17, 250, 251, 9, 598}
	reads = srv.Reads()
	lookup(scattered)
	if n := srv.Reads() - reads; n > len(scattered) {
		t.Fatalf("%d scattered lookups took %d reads", len(scattered), n)
	}
}

// A read stopped by its context (Ctrl-C) is said as the interruption it is:
// the client reports it as the RPC's status, which errors.Is does not see,
// so it read "EventStoreDB … failed while reading the ledger".
func TestInterruptedReadIsNoFailure(t *testing.T) {
	srv := esdbtest.Start(t)
	s := fresh(t, srv)
	for i := 0; i < 3000; i += 500 {
		if err := s.Append(context.Background(), uint64(i), storetest.Sealed(i, 500)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.Read(ctx, 0, func(ledger.Recorded) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || ledger.CodeOf(err) != ledger.CodeRuntime || strings.Contains(err.Error(), "failed") || n == 3000 {
		t.Fatalf("a read cancelled at event 10 of 3000: read %d, code %d, %v", n, ledger.CodeOf(err), err)
	}
}
