// Package storetest is the conformance suite every ledger.Store must pass.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
)

// Factory makes stores for the suite. New returns a fresh empty store.
// Reopen, if set, closes s and opens the same ledger again, to check durability.
type Factory struct {
	New    func(t *testing.T) ledger.Store
	Reopen func(t *testing.T, s ledger.Store) ledger.Store
}

var t0 = time.Date(2025, 10, 28, 9, 0, 0, 0, time.UTC)

// Arrest returns a valid, normalised arrest event distinguished by i.
func Arrest(i int) ledger.Event {
	n := int64(i%50 + 1)
	e := ledger.Event{Type: ledger.Arrest, Date: fmt.Sprintf("2025-%02d-%02d", i%12+1, i%28+1), Count: &n,
		Nationality: "KR", Country: "KH", Notes: fmt.Sprintf("test event %d", i),
		Source: &ledger.Source{Publisher: "storetest"}}
	ledger.Normalize(&e)
	return e
}

// Sealed returns n recorded arrests with seqs from..from+n-1, as a store's
// Append takes them.
func Sealed(from, n int) []ledger.Recorded { return seal(uint64(from), arrests(from, n)...) }

func seal(from uint64, events ...ledger.Event) []ledger.Recorded {
	out := make([]ledger.Recorded, len(events))
	for i, e := range events {
		out[i] = ledger.NewRecorded(from+uint64(i), t0.Add(time.Duration(from)*time.Second), "storetest", e)
	}
	return out
}

func arrests(from, n int) []ledger.Event {
	out := make([]ledger.Event, n)
	for i := range out {
		out[i] = Arrest(from + i)
	}
	return out
}

func readAll(t *testing.T, s ledger.Store, from uint64) []ledger.Recorded {
	t.Helper()
	var out []ledger.Recorded
	if err := s.Read(context.Background(), from, func(r ledger.Recorded) error { out = append(out, r); return nil }); err != nil {
		t.Fatalf("Read(%d): %v", from, err)
	}
	return out
}

func mustHead(t *testing.T, s ledger.Store) ledger.Head {
	t.Helper()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

// Run runs the whole suite.
func Run(t *testing.T, f Factory) {
	ctx := context.Background()

	t.Run("Empty", func(t *testing.T) {
		s := f.New(t)
		h := mustHead(t, s)
		if h.Size != 0 || h.Root != (tlog.Hash{}) {
			t.Fatalf("empty ledger head = %d %x, want 0 and zero root", h.Size, h.Root)
		}
		if got := readAll(t, s, 0); len(got) != 0 {
			t.Fatalf("empty ledger read %d events", len(got))
		}
		if _, found, err := s.Lookup(ctx, Arrest(1).ID); err != nil || found {
			t.Fatalf("Lookup on empty ledger = %v, %v", found, err)
		}
	})

	t.Run("OrderAndReadFrom", func(t *testing.T) {
		s := f.New(t)
		recs := seal(0, arrests(0, 10)...)
		if err := s.Append(ctx, 0, recs[:4]); err != nil {
			t.Fatal(err)
		}
		if err := s.Append(ctx, 4, recs[4:]); err != nil {
			t.Fatal(err)
		}
		got := readAll(t, s, 0)
		if len(got) != 10 {
			t.Fatalf("read %d events, want 10", len(got))
		}
		for i, r := range got {
			if r.Seq != uint64(i) || string(r.Raw) != string(recs[i].Raw) || r.Leaf != recs[i].Leaf {
				t.Fatalf("event %d came back as seq %d with other bytes", i, r.Seq)
			}
		}
		from7 := readAll(t, s, 7)
		if len(from7) != 3 || from7[0].Seq != 7 {
			t.Fatalf("Read(7) gave %d events starting at %v", len(from7), from7)
		}
		if got := readAll(t, s, 10); len(got) != 0 {
			t.Fatalf("Read(size) gave %d events", len(got))
		}
		stop := errors.New("stop")
		n := 0
		err := s.Read(ctx, 0, func(ledger.Recorded) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Read must stop at the callback's error: got %v after %d events", err, n)
		}
		r, found, err := s.Lookup(ctx, recs[5].Event.ID)
		if err != nil || !found || r.Seq != 5 || !r.Event.Equal(&recs[5].Event) {
			t.Fatalf("Lookup = %v %v %v", r.Seq, found, err)
		}
	})

	t.Run("Conflict", func(t *testing.T) {
		s := f.New(t)
		if err := s.Append(ctx, 0, seal(0, arrests(0, 3)...)); err != nil {
			t.Fatal(err)
		}
		before := mustHead(t, s)
		for _, next := range []uint64{0, 2, 4} {
			err := s.Append(ctx, next, seal(next, arrests(100, 2)...))
			if !errors.Is(err, ledger.ErrConflict) || ledger.CodeOf(err) != ledger.CodeConflict {
				t.Fatalf("Append(expectedNext=%d) on size 3 = %v, want a conflict", next, err)
			}
		}
		if after := mustHead(t, s); after != before {
			t.Fatalf("a refused append changed the head: %v -> %v", before, after)
		}
	})

	t.Run("AtomicOnDuplicateID", func(t *testing.T) {
		s := f.New(t)
		if err := s.Append(ctx, 0, seal(0, arrests(0, 3)...)); err != nil {
			t.Fatal(err)
		}
		before := mustHead(t, s)
		batch := append(arrests(10, 3), Arrest(1)) // the last one is already held
		err := s.Append(ctx, 3, seal(3, batch...))
		if !errors.Is(err, ledger.ErrIDExists) {
			t.Fatalf("append of a held id = %v, want ErrIDExists", err)
		}
		if after := mustHead(t, s); after != before {
			t.Fatalf("a refused batch was half appended: %v -> %v", before, after)
		}
		if _, found, _ := s.Lookup(ctx, Arrest(10).ID); found {
			t.Fatal("an event of a refused batch is in the id index")
		}
		if got := readAll(t, s, 0); len(got) != 3 {
			t.Fatalf("ledger holds %d events after a refused batch, want 3", len(got))
		}
		// The same id twice in one batch is refused too.
		if err := s.Append(ctx, 3, seal(3, Arrest(20), Arrest(20))); !errors.Is(err, ledger.ErrIDExists) {
			t.Fatalf("a batch with an id twice = %v", err)
		}
		// A batch whose seqs do not run from expectedNext is refused.
		if err := s.Append(ctx, 3, seal(4, Arrest(21))); err == nil {
			t.Fatal("a batch with wrong seqs was accepted")
		}
	})

	t.Run("IdempotentThroughLedger", func(t *testing.T) {
		s := f.New(t)
		l := ledger.New(s)
		// After the last of the arrests' dates: an incident is recorded
		// once it has happened.
		l.Now = func() time.Time { return time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) }
		in := arrests(0, 25)
		p, errs, err := l.Prepare(ctx, in)
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		res, err := l.Append(ctx, "storetest", p, 10, nil)
		if err != nil || res.Appended != 25 || res.Head.Size != 25 {
			t.Fatalf("first append = %+v, %v", res, err)
		}
		p, errs, err = l.Prepare(ctx, in)
		if err != nil || len(errs) > 0 || p.Len() != 0 || p.Duplicates != 25 {
			t.Fatalf("second prepare = fresh %d dup %d errs %v err %v", p.Len(), p.Duplicates, errs, err)
		}
		changed := Arrest(3)
		changed.Notes = "other content under the same id"
		_, errs, _ = l.Prepare(ctx, []ledger.Event{changed})
		if len(errs) != 1 || errs[0].Field != "id" {
			t.Fatalf("same id with other content = %v, want an id error", errs)
		}
	})

	t.Run("HeadRootAndProofs", func(t *testing.T) {
		s := f.New(t)
		var mem ledger.MemTree
		var roots []tlog.Hash
		for from := 0; from < 37; from += 6 {
			n := min(6, 37-from)
			recs := seal(uint64(from), arrests(from, n)...)
			if err := s.Append(ctx, uint64(from), recs); err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				mem.Add(r.Leaf)
				roots = append(roots, mem.Root(mem.Size()))
			}
			h := mustHead(t, s)
			if h.Size != uint64(from+n) || h.Root != mem.Root(h.Size) {
				t.Fatalf("head after %d = %d %x, want root %x", from+n, h.Size, h.Root, mem.Root(h.Size))
			}
			if !h.LastRecordedAt.Equal(recs[n-1].RecordedAt) {
				t.Fatalf("head last recorded_at = %v, want %v", h.LastRecordedAt, recs[n-1].RecordedAt)
			}
		}
		for size := uint64(1); size <= 37; size++ {
			root, err := ledger.TreeRoot(ctx, s, size)
			if err != nil || root != roots[size-1] {
				t.Fatalf("TreeRoot(%d) = %x %v, want %x", size, root, err, roots[size-1])
			}
		}
		all := readAll(t, s, 0)
		for _, size := range []uint64{1, 2, 13, 37} {
			for seq := uint64(0); seq < size; seq++ {
				p, err := ledger.ProveInclusion(ctx, s, seq, size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckRecord(p, int64(size), roots[size-1], int64(seq), all[seq].Leaf); err != nil {
					t.Fatalf("proof of %d in %d does not verify: %v", seq, size, err)
				}
				if seq > 0 {
					if tlog.CheckRecord(p, int64(size), roots[size-1], int64(seq), all[seq-1].Leaf) == nil {
						t.Fatalf("proof of %d verified another leaf", seq)
					}
				}
			}
		}
		tp, err := tlog.ProveTree(37, 13, ledger.HashReader(ctx, s))
		if err != nil || tlog.CheckTree(tp, 37, roots[36], 13, roots[12]) != nil {
			t.Fatalf("consistency proof 13 -> 37 failed: %v", err)
		}
		var told [][2]uint64
		if _, err := ledger.Verify(ctx, s, func(done, total uint64) { told = append(told, [2]uint64{done, total}) }); err != nil {
			t.Fatalf("Verify on an untouched ledger: %v", err)
		}
		if len(told) == 0 || told[len(told)-1] != [2]uint64{uint64(len(all)), uint64(len(all))} {
			t.Fatalf("Verify of %d events told its progress as %v", len(all), told)
		}
	})

	t.Run("ConcurrentWritersOneWins", func(t *testing.T) {
		s := f.New(t)
		if err := s.Append(ctx, 0, seal(0, Arrest(0))); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for w := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = s.Append(ctx, 1, seal(1, arrests(100*(w+1), 3)...))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, ledger.ErrConflict) {
				t.Fatalf("losing writer got %v, want a conflict", err)
			}
		}
		if ok != 1 || mustHead(t, s).Size != 4 {
			t.Fatalf("%d writers won with the same expectedNext, size %d; want exactly 1 and size 4", ok, mustHead(t, s).Size)
		}
	})

	if f.Reopen != nil {
		t.Run("DurableAcrossReopen", func(t *testing.T) {
			s := f.New(t)
			recs := seal(0, arrests(0, 5)...)
			if err := s.Append(ctx, 0, recs); err != nil {
				t.Fatal(err)
			}
			before := mustHead(t, s)
			s = f.Reopen(t, s)
			if after := mustHead(t, s); after != before {
				t.Fatalf("head changed across reopen: %v -> %v", before, after)
			}
			if err := s.Append(ctx, 5, seal(5, Arrest(0))); !errors.Is(err, ledger.ErrIDExists) {
				t.Fatalf("id index lost across reopen: %v", err)
			}
		})
	}
}

// ResidentFileKB is how much of files mapped by this process is resident
// (RssFile in /proc/self/status): what a pass that should release bbolt's
// mapped pages must keep small. It skips the test where Linux cannot say.
func ResidentFileKB(t testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "RssFile:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}
