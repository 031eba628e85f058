package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/ledger/storetest"
	"github.com/statledger/statledger/ledger/synth"
	"github.com/statledger/statledger/projections"
)

var ctx = context.Background()

// ledgerOf makes an embedded ledger holding the first n synthetic events.
func ledgerOf(t *testing.T, n int) (*bolt.Store, []ledger.Recorded) {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var recs []ledger.Recorded
	synth.Generate(n, 7, func(e ledger.Event) error {
		ledger.Normalize(&e)
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(recs)/10) * time.Second)
		recs = append(recs, ledger.NewRecorded(uint64(len(recs)), at, "t", e))
		return nil
	})
	return s, recs
}

func appendRecs(t *testing.T, s ledger.Store, recs []ledger.Recorded) {
	t.Helper()
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(recs); i += 100 {
		batch := recs[i:min(i+100, len(recs))]
		if err := s.Append(ctx, head.Size+uint64(i), batch); err != nil {
			t.Fatal(err)
		}
	}
}

// report is what a report reads from a state.
func report(s *projections.State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s\n", s.Size, s.LastRecordedAt)
	for _, m := range s.Months() {
		fmt.Fprintln(&b, m, s.MonthSummary(m), s.ByNationality(m), s.ByCountry(m))
		for _, f := range s.Incidents(m) {
			fmt.Fprintf(&b, " %s %d %v\n", f.Event.Canonical(), f.LastChange, f.Changes)
		}
	}
	fmt.Fprintf(&b, "%+v\n", s.Taskforces())
	return b.String()
}

func viewReport(t *testing.T, db kv.DB, size uint64) string {
	t.Helper()
	st, done, err := View(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	out := report(st.At(size))
	if st.Err() != nil {
		t.Fatal(st.Err())
	}
	return out
}

func fresh(t *testing.T, s ledger.Store, size uint64) string {
	t.Helper()
	st, err := projections.Build(ctx, s, ledger.AsOf{Size: &size})
	if err != nil {
		t.Fatal(err)
	}
	return report(st)
}

func TestUpdateFoldsOnlyWhatIsNew(t *testing.T) {
	defer func(c int) { Chunk = c }(Chunk)
	Chunk = 128
	s, recs := ledgerOf(t, 1500)
	appendRecs(t, s, recs[:1000])
	res, err := Update(ctx, s.KV(), s, nil)
	if err != nil || res.From != 0 || res.To != 1000 || res.Discarded != "" {
		t.Fatalf("first update: %+v, %v", res, err)
	}
	if got, want := viewReport(t, s.KV(), 1000), fresh(t, s, 1000); got != want {
		t.Fatalf("checkpoint differs from a fresh fold:\n%s\nwant\n%s", got, want)
	}
	appendRecs(t, s, recs[1000:])
	res, err = Update(ctx, s.KV(), s, nil)
	if err != nil || res.From != 1000 || res.To != 1500 {
		t.Fatalf("second update folded %+v, want only 1000..1500 (%v)", res, err)
	}
	for _, size := range []uint64{0, 1, 999, 1000, 1234, 1500} {
		if got, want := viewReport(t, s.KV(), size), fresh(t, s, size); got != want {
			t.Fatalf("as of %d the checkpoint differs from a fresh fold", size)
		}
	}
	if res, _ := Update(ctx, s.KV(), s, nil); res.From != 1500 || res.To != 1500 {
		t.Fatalf("an up-to-date checkpoint folded %+v", res)
	}
	if _, err := verify(ctx, t, s); err != nil {
		t.Fatalf("verify of a good checkpoint: %v", err)
	}
}

func TestInterruptedUpdateResumes(t *testing.T) {
	defer func(c int) { Chunk = c }(Chunk)
	Chunk = 100
	s, recs := ledgerOf(t, 1000)
	appendRecs(t, s, recs)
	cctx, cancel := context.WithCancel(ctx)
	_, err := Update(cctx, s.KV(), s, func(done, total uint64) {
		if done >= 300 {
			cancel()
		}
	})
	// However the reader and the fold meet the interruption, it is said as
	// one: not "the ledger ended at 300", as if events were missing.
	if !errors.Is(err, context.Canceled) || ledger.CodeOf(err) != ledger.CodeRuntime || !strings.Contains(err.Error(), "the fold stopped at 300 of 1000 events") {
		t.Fatalf("a cancelled update: %v", err)
	}
	st, err := Check(ctx, s.KV(), s)
	if err != nil || !st.Matches || st.Size != 300 {
		t.Fatalf("after the interruption: %+v %v", st, err)
	}
	res, err := Update(ctx, s.KV(), s, nil)
	if err != nil || res.From != 300 || res.To != 1000 {
		t.Fatalf("resumed %+v %v", res, err)
	}
	if _, err := verify(ctx, t, s); err != nil {
		t.Fatal(err)
	}
}

func TestMismatchedCheckpointIsDiscarded(t *testing.T) {
	s, recs := ledgerOf(t, 300)
	appendRecs(t, s, recs)
	if _, err := Update(ctx, s.KV(), s, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  []byte
		val  []byte
		want string
	}{
		{"root", keyRoot, make([]byte, 32), "the history it was built from has changed"},
		{"size", keySize, []byte{0, 0, 0, 0, 0, 0, 0x10, 0}, "holds only 300"},
	} {
		s.KV().Update(func(tx kv.Tx) error { return tx.Bucket(Bucket).Put(tc.key, tc.val) })
		if _, err := verify(ctx, t, s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: verify said %v", tc.name, err)
		}
		res, err := Update(ctx, s.KV(), s, nil)
		if err != nil || !strings.Contains(res.Discarded, tc.want) || res.From != 0 || res.To != 300 {
			t.Fatalf("%s: update %+v %v", tc.name, res, err)
		}
		if got, want := viewReport(t, s.KV(), 300), fresh(t, s, 300); got != want {
			t.Fatalf("%s: rebuilt checkpoint differs", tc.name)
		}
	}
}

// TestChangedRecordIsCaughtByVerify: a checkpoint whose root still matches
// but whose figures were edited must not pass verification.
func TestChangedRecordIsCaughtByVerify(t *testing.T) {
	s, recs := ledgerOf(t, 300)
	appendRecs(t, s, recs)
	if _, err := Update(ctx, s.KV(), s, nil); err != nil {
		t.Fatal(err)
	}
	var month []byte
	s.KV().Update(func(tx kv.Tx) error {
		c := tx.Bucket(Bucket).Bucket([]byte("cells"))
		k, v := c.Cursor().First()
		month = append([]byte(nil), k...)
		v = append([]byte(nil), v...)
		v[1]++ // the persons of the first incident type
		return c.Put(k, v)
	})
	_, err := verify(ctx, t, s)
	if err == nil || !strings.Contains(err.Error(), "differs from a fresh fold") || ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("verify of an edited checkpoint (%s): %v", month, err)
	}
	if err := Discard(ctx, s.KV(), nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := Check(ctx, s.KV(), s); st.Present {
		t.Fatal("discarded checkpoint still present")
	}
}

// Verify's comparison says how far it has come, and stops when its context
// ends: at 10M events it alone takes a minute or more.
func TestVerifyComparisonReportsAndStops(t *testing.T) {
	s, recs := ledgerOf(t, 18000)
	appendRecs(t, s, recs)
	if _, err := Update(ctx, s.KV(), s, nil); err != nil {
		t.Fatal(err)
	}
	records := 0
	s.KV().View(func(tx kv.Tx) error {
		for _, name := range projections.Buckets {
			if b := tx.Bucket(Bucket).Bucket([]byte(name)); b != nil {
				c := b.Cursor()
				for k, _ := c.First(); k != nil; k, _ = c.Next() {
					records++
				}
			}
		}
		return nil
	})
	if records < 2*compareEvery {
		t.Fatalf("the test needs more than %d records to see reports, has %d", 2*compareEvery, records)
	}

	var seen []uint64
	finished := 0
	_, fold, err := Verify(ctx, s.KV(), temp(t), s, nil, func(n uint64, done bool) {
		seen = append(seen, n)
		if done {
			finished++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	fold.Close()
	if len(seen) < 2 || finished != 1 || seen[len(seen)-1] < uint64(records) {
		t.Fatalf("reports %v (finished %d times) for %d records", seen, finished, records)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("reports go back: %v", seen)
		}
	}

	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	seen, finished = nil, 0
	_, fold, err = Verify(stop, s.KV(), temp(t), s, nil, func(n uint64, done bool) {
		seen = append(seen, n)
		if done {
			finished++
		}
		cancel()
	})
	if !errors.Is(err, context.Canceled) || fold != nil {
		t.Fatalf("cancelled in the comparison: %v, fold %v", err, fold)
	}
	if len(seen) != 2 || finished != 1 || seen[1] != seen[0] {
		t.Fatalf("cancelled at the first report: reports %v (finished %d times)", seen, finished)
	}
}

// failingUpdate is a kv.DB whose Update fails after ok successes: a
// process that stopped there.
type failingUpdate struct {
	kv.DB
	ok int
}

var errStopped = errors.New("stopped")

func (f *failingUpdate) Update(fn func(kv.Tx) error) error {
	if f.ok == 0 {
		return errStopped
	}
	f.ok--
	return f.DB.Update(fn)
}

// Discard goes piece by piece; cut short, it leaves a checkpoint that
// nothing uses, and the next update rebuilds it whole.
func TestDiscardInPieces(t *testing.T) {
	defer func(n int) { discardPiece = n }(discardPiece)
	discardPiece = 50
	s, recs := ledgerOf(t, 300)
	appendRecs(t, s, recs)
	if _, err := Update(ctx, s.KV(), s, nil); err != nil {
		t.Fatal(err)
	}
	records := func() (n int) {
		s.KV().View(func(tx kv.Tx) error {
			root := tx.Bucket(Bucket)
			if root == nil {
				n = -1
				return nil
			}
			for _, name := range projections.Buckets {
				if b := root.Bucket([]byte(name)); b != nil {
					c := b.Cursor()
					for k, _ := c.First(); k != nil; k, _ = c.Next() {
						n++
					}
				}
			}
			return nil
		})
		return n
	}
	whole := records()
	if whole < 4*discardPiece {
		t.Fatalf("the checkpoint holds %d records: too few for pieces of %d", whole, discardPiece)
	}
	// Stopped after making it absent and deleting two pieces.
	if err := Discard(ctx, &failingUpdate{DB: s.KV(), ok: 3}, nil); !errors.Is(err, errStopped) {
		t.Fatalf("Discard cut short: %v", err)
	}
	if left := records(); left != whole-2*discardPiece {
		t.Fatalf("cut short after two pieces of %d, %d of %d records are left", discardPiece, left, whole)
	}
	if st, err := Check(ctx, s.KV(), s); err != nil || st.Present {
		t.Fatalf("a checkpoint discarded in part is still present: %+v %v", st, err)
	}
	res, err := Update(ctx, s.KV(), s, nil)
	if err != nil || res.From != 0 || res.To != 300 {
		t.Fatalf("update after a discard cut short: %+v %v", res, err)
	}
	if got, want := viewReport(t, s.KV(), 300), fresh(t, s, 300); got != want {
		t.Fatal("the checkpoint rebuilt after a discard cut short differs from a fresh fold")
	}
	if n := records(); n != whole {
		t.Fatalf("rebuilt, the checkpoint holds %d records, first %d", n, whole)
	}
	// Ctrl-C at the first report: absent, and the records not yet deleted
	// are left for the next rebuild.
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var told []uint64
	err = Discard(stop, s.KV(), func(n uint64, finished bool) {
		told = append(told, n)
		cancel()
	})
	if !errors.Is(err, context.Canceled) || len(told) != 2 || told[0] != uint64(discardPiece) || told[1] != told[0] {
		t.Fatalf("Discard cancelled at its first report: %v, told %v", err, told)
	}
	if st, _ := Check(ctx, s.KV(), s); st.Present || records() != whole-discardPiece {
		t.Fatalf("cancelled after a piece: present %v, %d of %d records left", st.Present, records(), whole)
	}
	told = nil
	if err := Discard(ctx, s.KV(), func(n uint64, finished bool) { told = append(told, n) }); err != nil {
		t.Fatal(err)
	}
	if n := records(); n != -1 {
		t.Fatalf("after a whole discard %d records are left", n)
	}
	// Nothing left to discard: no write transaction at all.
	if err := Discard(ctx, &failingUpdate{DB: s.KV(), ok: 0}, nil); err != nil {
		t.Fatalf("a discard of nothing wrote: %v", err)
	}
	if len(told) < 2 || told[len(told)-1] != uint64(whole-discardPiece) {
		t.Fatalf("a whole discard of %d records told %v", whole-discardPiece, told)
	}
}

// verify is Verify, closing the fold it returns.
func verify(ctx context.Context, t *testing.T, s *bolt.Store) (Status, error) {
	status, f, err := Verify(ctx, s.KV(), temp(t), s, nil, nil)
	if f != nil {
		f.Close()
	}
	return status, err
}

// A fold carried on with To holds the very records of a fold made at once.
func TestFoldTo(t *testing.T) {
	s, recs := ledgerOf(t, 7000)
	appendRecs(t, s, recs)
	whole, err := NewFold(ctx, temp(t), s, 7000, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	part, err := NewFold(ctx, temp(t), s, 2500, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer part.Close()
	if err := part.To(ctx, s, 7000, nil); err != nil || part.Size != 7000 {
		t.Fatalf("To: %v, size %d", err, part.Size)
	}
	err = whole.db.View(func(a kv.Tx) error {
		return part.db.View(func(b kv.Tx) error {
			for _, name := range projections.Buckets {
				if key, same, _ := sameBucket(a.Bucket(Bucket).Bucket([]byte(name)), b.Bucket(Bucket).Bucket([]byte(name)), func() error { return nil }); !same {
					t.Errorf("bucket %s differs at key %x", name, key)
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// temp is a temporary file for a fresh fold.
func temp(t testing.TB) kv.DB {
	db, err := bolt.TempKV()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// With FoldOnAppend, every append folds what it appends in its own
// transaction: the checkpoint is at the ledger's head after each, and holds
// the records of a fresh fold. A checkpoint that is not at the head (none
// on a ledger that holds events) is left to the next view; a damaged one is
// discarded rather than failing the append.
func TestFoldOnAppend(t *testing.T) {
	s, recs := ledgerOf(t, 2500)
	s.OnAppend(NewFolder().FoldOnAppend)
	for i := 0; i < len(recs); i += 700 {
		batch := recs[i:min(i+700, len(recs))]
		if err := s.Append(ctx, uint64(i), batch); err != nil {
			t.Fatal(err)
		}
		st, err := Check(ctx, s.KV(), s)
		if err != nil || !st.Present || !st.Matches || st.Size != st.Head {
			t.Fatalf("after an append of %d: %+v %v", i+len(batch), st, err)
		}
	}
	if status, err := verify(ctx, t, s); err != nil || status.Size != 2500 {
		t.Fatalf("the inline checkpoint differs from a fresh fold: %+v %v", status, err)
	}
	if got, want := viewReport(t, s.KV(), 2500), fresh(t, s, 2500); got != want {
		t.Fatal("the inline checkpoint's view differs from a fresh fold's")
	}

	// A ledger without a checkpoint gets none from an append: a view folds it.
	other, more := ledgerOf(t, 300)
	if err := other.Append(ctx, 0, more[:100]); err != nil {
		t.Fatal(err)
	}
	other.OnAppend(NewFolder().FoldOnAppend)
	if err := other.Append(ctx, 100, more[100:]); err != nil {
		t.Fatal(err)
	}
	if st, _ := Check(ctx, other.KV(), other); st.Present {
		t.Fatalf("an append made a checkpoint of a ledger it had not folded: %+v", st)
	}

	// A damaged record the append reads: the append goes through, the
	// checkpoint is gone. (One it does not read is found by the next view
	// that does, as ever.)
	s.KV().Update(func(tx kv.Tx) error {
		c := tx.Bucket(Bucket).Bucket([]byte("cells"))
		var keys, vals [][]byte
		cur := c.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			keys, vals = append(keys, append([]byte(nil), k...)), append(vals, append([]byte(nil), v...))
		}
		for i := range keys {
			vals[i][0] ^= 0xff
			if err := c.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	extra := storetest.Sealed(2500, 10)
	if err := s.Append(ctx, 2500, extra); err != nil {
		t.Fatalf("an append failed on a damaged checkpoint: %v", err)
	}
	if st, _ := Check(ctx, s.KV(), s); st.Present {
		t.Fatalf("a damaged checkpoint was carried on: %+v", st)
	}
	// Left absent, not deleted inside the append: the next view rebuilds it.
	res, err := Update(ctx, s.KV(), s, nil)
	if err != nil || res.From != 0 || res.To != 2510 {
		t.Fatalf("the update after it: %+v %v", res, err)
	}
	if got, want := viewReport(t, s.KV(), 2510), fresh(t, s, 2510); got != want {
		t.Fatal("the checkpoint rebuilt after a damaged append differs from a fresh fold")
	}
}

// FoldInto keeps a checkpoint kept in a file of its own (EventStoreDB's
// cache) at the head, append after acknowledged append.
func TestFoldInto(t *testing.T) {
	s, recs := ledgerOf(t, 1200)
	own := temp(t)
	defer own.Close()
	folder := NewFolder()
	for i := 0; i < len(recs); i += 500 {
		batch := recs[i:min(i+500, len(recs))]
		before, _ := s.Head(ctx)
		if err := s.Append(ctx, uint64(i), batch); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Head(ctx)
		if err := folder.FoldInto(own, s, batch, before, after); err != nil {
			t.Fatal(err)
		}
	}
	st, err := Check(ctx, own, s)
	if err != nil || !st.Present || !st.Matches || st.Size != 1200 {
		t.Fatalf("the cache after the appends: %+v %v", st, err)
	}
	status, fold, err := Verify(ctx, own, temp(t), s, nil, nil)
	if fold != nil {
		fold.Close()
	}
	if err != nil || status.Size != 1200 {
		t.Fatalf("the cache differs from a fresh fold: %v", err)
	}
}
