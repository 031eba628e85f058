package esdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/esdb"
	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/ledger/storetest"
)

// boltIndex is the local index statledger keeps.
func boltIndex(path, stream string) (esdb.Index, error) {
	ix, err := bolt.OpenIndex(path, stream, nil)
	if err != nil {
		return nil, err
	}
	return ix, nil
}

func indexed(t *testing.T) esdb.Options {
	return esdb.Options{Index: filepath.Join(t.TempDir(), "index.db"), OpenIndex: boltIndex}
}

// indexedLedger is a server with a ledger of n events, written through a
// store without an index file, and the options of one for opening it.
func indexedLedger(t *testing.T, n int) (*esdbtest.Server, *esdb.Store, esdb.Options) {
	t.Helper()
	srv := esdbtest.Start(t)
	w := fresh(t, srv)
	appendAll(t, w, storetest.Sealed(0, n))
	return srv, w, indexed(t)
}

func head(t *testing.T, s ledger.Store) ledger.Head {
	t.Helper()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func appendAll(t *testing.T, s ledger.Store, recs []ledger.Recorded) {
	t.Helper()
	for i := 0; i < len(recs); i += 1000 {
		batch := recs[i:min(i+1000, len(recs))]
		if err := s.Append(context.Background(), batch[0].Seq, batch); err != nil {
			t.Fatal(err)
		}
	}
}

// otherHistory is a stream of n events other than storetest.Sealed's, at the
// same seqs, as a server reset and refilled by someone else would hold.
func otherHistory(t *testing.T, srv *esdbtest.Server, n int) []esdbtest.Record {
	t.Helper()
	s := fresh(t, srv)
	recs := storetest.Sealed(0, n)
	for i := range recs {
		recs[i] = ledger.NewRecorded(uint64(i), recs[i].RecordedAt, "other", storetest.Arrest(1000+i))
	}
	appendAll(t, s, recs)
	return srv.Events(s.Stream())
}

func TestIndexFileReadsOnlyWhatIsNew(t *testing.T) {
	srv, w, opt := indexedLedger(t, 3000)

	a := open(t, srv.URL, w.Stream(), opt) // builds the index from the whole stream
	if h := head(t, a); h != head(t, w) {
		t.Fatalf("head from a new index %+v, want %+v", h, head(t, w))
	}
	a.Close()

	sent := srv.EventsSent()
	b := open(t, srv.URL, w.Stream(), opt)
	if got := srv.EventsSent() - sent; got != 1 {
		t.Fatalf("reopening with an index read %d events; want 1, the last one, which it checks", got)
	}
	if h := head(t, b); h != head(t, w) || b.Note() != "" {
		t.Fatalf("head from the index %+v, want %+v (note %q)", h, head(t, w), b.Note())
	}
	b.Close()

	more := storetest.Sealed(3000, 10)
	appendAll(t, w, more)
	sent = srv.EventsSent()
	c := open(t, srv.URL, w.Stream(), opt)
	if got := srv.EventsSent() - sent; got != 11 {
		t.Fatalf("reopening after 10 new events read %d; want 11", got)
	}
	if h := head(t, c); h != head(t, w) {
		t.Fatalf("head after catching up %+v, want %+v", h, head(t, w))
	}
	if seq, ok, _ := ledger.SeqOf(context.Background(), c, more[9].Event.ID); !ok || seq != 3009 {
		t.Fatalf("SeqOf a new id = %d %v", seq, ok)
	}
	// The index refuses an id it holds, as the stream would hold it twice.
	dup := ledger.NewRecorded(3010, more[9].RecordedAt, "t", more[0].Event)
	if err := c.Append(context.Background(), 3010, []ledger.Recorded{dup}); err == nil || !strings.Contains(err.Error(), "seq 3000") {
		t.Fatalf("appending an id the index holds: %v", err)
	}
}

func TestIndexRebuiltWhenStreamReplaced(t *testing.T) {
	srv, w, opt := indexedLedger(t, 10)
	open(t, srv.URL, w.Stream(), opt).Close()

	replacement := otherHistory(t, srv, 12)
	srv.Tamper(w.Stream(), func([]esdbtest.Record) []esdbtest.Record { return replacement })
	s := open(t, srv.URL, w.Stream(), opt)
	if !strings.Contains(s.Note(), "rebuilt") {
		t.Fatalf("note = %q, want one saying the index was rebuilt", s.Note())
	}
	if h, want := head(t, s), head(t, open(t, srv.URL, w.Stream(), esdb.Options{})); h != want {
		t.Fatalf("head after the rebuild %+v, want the new stream's %+v", h, want)
	}

	// A stream that shrank is another history too.
	srv.Tamper(w.Stream(), func(rs []esdbtest.Record) []esdbtest.Record { return rs[:5] })
	s.Close()
	s = open(t, srv.URL, w.Stream(), opt)
	if !strings.Contains(s.Note(), "rebuilt") || head(t, s).Size != 5 {
		t.Fatalf("after the stream shrank: note %q, size %d", s.Note(), head(t, s).Size)
	}
}

// A rewrite of an old event, data and metadata both, passes the stream's own
// checks; the index still holds the leaf hash the machine first read.
func TestIndexPinsHistory(t *testing.T) {
	srv, w, opt := indexedLedger(t, 10)
	ix := open(t, srv.URL, w.Stream(), opt)
	first := head(t, ix)
	ix.Close()

	other := otherHistory(t, srv, 10)
	srv.Tamper(w.Stream(), func(rs []esdbtest.Record) []esdbtest.Record { rs[4] = other[4]; return rs })
	s := open(t, srv.URL, w.Stream(), opt)
	if h := head(t, s); h.Root != first.Root || s.Note() != "" {
		t.Fatalf("the index's root moved (note %q)", s.Note())
	}
	err := s.Read(context.Background(), 0, func(ledger.Recorded) error { return nil })
	if err == nil || ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "seq 4:") {
		t.Fatalf("reading the rewritten stream: %v", err)
	}
	if _, _, err := s.Lookup(context.Background(), storetest.Sealed(0, 10)[4].Event.ID); ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("looking up the rewritten event: %v", err)
	}
	s.Close()

	// verify rebuilds the index and compares what it held with the stream.
	r := open(t, srv.URL, w.Stream(), esdb.Options{Index: opt.Index, OpenIndex: boltIndex, Rebuild: true})
	before, ok := r.IndexBefore()
	if !ok || before.Size != 10 || before.Root != first.Root {
		t.Fatalf("IndexBefore = %+v %v, want size 10 and the first root", before, ok)
	}
	if _, err := ledger.Verify(context.Background(), r, nil); err != nil {
		t.Fatalf("the rewritten stream is consistent in itself: %v", err)
	}
	if head(t, r).Root == first.Root {
		t.Fatal("the rebuilt index kept the old root")
	}
}

// A second statledger whose index file is held by another waits for it,
// saying so, and then reads the whole stream into an index file of its
// own, removed when it closes, so its memory stays bounded; files left by
// killed processes are cleared.
func TestIndexHeldByAnotherProcess(t *testing.T) {
	defer func(wait time.Duration) { bolt.DerivedWait = wait }(bolt.DerivedWait)
	bolt.DerivedWait = 1500 * time.Millisecond
	srv, w, opt := indexedLedger(t, 5)
	dir := filepath.Dir(opt.Index)
	stale := filepath.Join(dir, "index-tmp-999999999-1.db") // no such process
	if err := os.WriteFile(stale, []byte("left by a killed process"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := open(t, srv.URL, w.Stream(), opt)
	told := 0
	waiting := opt
	waiting.OpenIndex = func(path, stream string) (esdb.Index, error) {
		ix, err := bolt.OpenIndex(path, stream, func() { told++ })
		if err != nil {
			return nil, err
		}
		return ix, nil
	}
	b := open(t, srv.URL, w.Stream(), waiting) // bbolt's lock is per open file, so this waits as another process would
	if !strings.Contains(b.Note(), "is in use by another command") || !strings.Contains(b.Note(), "into a temporary index") || told != 1 {
		t.Fatalf("note = %q, told of the wait %d times", b.Note(), told)
	}
	if head(t, a) != head(t, b) {
		t.Fatal("the store without its index disagrees")
	}
	temps, _ := filepath.Glob(filepath.Join(dir, "index-tmp-*.db"))
	if len(temps) != 1 || temps[0] == stale {
		t.Fatalf("while the second store is open, its folder holds %v: want its own index file only", temps)
	}
	b.Close()
	if temps, _ := filepath.Glob(filepath.Join(dir, "index-tmp-*.db")); len(temps) != 0 {
		t.Fatalf("closed, the second store left %v", temps)
	}
}

func TestIndexCatchUpProgress(t *testing.T) {
	srv, w, opt := indexedLedger(t, 10_000)
	var calls [][2]uint64
	opt.Progress = func(done, total uint64) { calls = append(calls, [2]uint64{done, total}) }
	open(t, srv.URL, w.Stream(), opt).Close()
	if len(calls) < 2 || calls[len(calls)-1] != [2]uint64{10_000, 10_000} {
		t.Fatalf("progress of a first open of 10k events: %v", calls)
	}
	calls = nil
	appendAll(t, w, storetest.Sealed(10_000, 10))
	s := open(t, srv.URL, w.Stream(), opt)
	if len(calls) != 0 || head(t, s).Size != 10_010 {
		t.Fatalf("a short catch-up reported progress %v", calls)
	}
}

// A follower lets go of the index file, so that commands run beside it keep
// the use of theirs.
func TestFollowReleasesIndex(t *testing.T) {
	srv, w, opt := indexedLedger(t, 3)
	f := open(t, srv.URL, w.Stream(), opt)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan uint64, 10)
	go f.Follow(ctx, 3, func(r ledger.Recorded) error { got <- r.Seq; return nil })
	appendAll(t, w, storetest.Sealed(3, 1))
	select {
	case seq := <-got:
		if seq != 3 {
			t.Fatalf("followed seq %d", seq)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the follower delivered nothing")
	}
	other := open(t, srv.URL, w.Stream(), opt)
	if other.Note() != "" || head(t, other).Size != 4 {
		t.Fatalf("a command beside a follower: note %q", other.Note())
	}
}

// A damaged index file is derived data: it is made again, with a note.
func TestDamagedIndexIsRebuilt(t *testing.T) {
	srv, w, opt := indexedLedger(t, 20)
	if err := os.WriteFile(opt.Index, []byte("not a bbolt file, whatever it once was"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, srv.URL, w.Stream(), opt)
	if !strings.Contains(s.Note(), "rebuilt") || head(t, s) != head(t, w) {
		t.Fatalf("open over a damaged index: note %q", s.Note())
	}
	s.Close()
	if s := open(t, srv.URL, w.Stream(), opt); s.Note() != "" {
		t.Fatalf("the rebuilt index is not used: %q", s.Note())
	}
}

// A stream given an id twice behind statledger's back, each event otherwise
// self-consistent (seq, leaf hash), is refused however it is indexed: by a
// new index file, by an index in memory, and as an index catches up.
func TestStreamWithAnIDTwiceIsRefused(t *testing.T) {
	srv, w, opt := indexedLedger(t, 5)
	caughtUp := open(t, srv.URL, w.Stream(), opt) // an index file holding seqs 0..4
	caughtUp.Close()
	// Another stream where seq 5 is event 2 again, sealed as seq 5.
	other := fresh(t, srv)
	recs := storetest.Sealed(0, 6)
	for i := range 5 {
		recs[i] = ledger.NewRecorded(uint64(i), recs[i].RecordedAt, "other", storetest.Arrest(100+i))
	}
	recs[5] = ledger.NewRecorded(5, recs[5].RecordedAt, "rogue", storetest.Arrest(2))
	appendAll(t, other, recs)
	rogue := srv.Events(other.Stream())[5]
	srv.Tamper(w.Stream(), func(rs []esdbtest.Record) []esdbtest.Record { return append(rs, rogue) })

	for name, o := range map[string]esdb.Options{"catching up": opt, "new index file": indexed(t), "in memory": {}} {
		s, err := esdb.Open(context.Background(), srv.URL, w.Stream(), o)
		if err == nil {
			s.Close()
		}
		if ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "seq 5: id") || !strings.Contains(err.Error(), "first at seq 2") {
			t.Errorf("%s: opening a stream with an id twice: %v", name, err)
		}
	}
}
