package ledger_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

func boltLedger(t *testing.T, name string, recs []ledger.Recorded) (*bolt.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) > 0 {
		if err := s.Append(context.Background(), 0, recs); err != nil {
			t.Fatal(err)
		}
	}
	return s, path
}

// A copy onto a prefix of the source's history carries it on to the same
// root; a copy onto another history is refused and appends nothing.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	recs := storetest.Sealed(0, 250)
	src, _ := boltLedger(t, "src.db", recs)
	defer src.Close()
	dst, _ := boltLedger(t, "dst.db", recs[:40])
	defer dst.Close()
	var sizes []uint64
	n, head, err := ledger.Copy(ctx, src, dst, 100, func(size uint64) { sizes = append(sizes, size) })
	want, _ := src.Head(ctx)
	if err != nil || n != 210 || head != want || len(sizes) != 3 || sizes[2] != 250 {
		t.Fatalf("copied %d, head %+v (want %+v), sizes %v: %v", n, head, want, sizes, err)
	}
	var otherRecs []ledger.Recorded
	for j := range 5 {
		otherRecs = append(otherRecs, ledger.NewRecorded(uint64(j), time.Now(), "x", storetest.Arrest(1000+j)))
	}
	other, _ := boltLedger(t, "other.db", otherRecs)
	defer other.Close()
	before, _ := other.Head(ctx)
	if _, _, err := ledger.Copy(ctx, src, other, 100, nil); ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "another history") {
		t.Fatalf("copy onto another history: %v", err)
	}
	if after, _ := other.Head(ctx); after != before {
		t.Fatal("a refused copy changed the target")
	}

	// Interrupted after its second batch, a copy says how far it came, and
	// copying again goes on from there.
	part, _ := boltLedger(t, "part.db", nil)
	defer part.Close()
	stop, cancel := context.WithCancel(ctx)
	_, _, err = ledger.Copy(stop, src, part, 100, func(size uint64) {
		if size == 200 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || ledger.CodeOf(err) != ledger.CodeRuntime || !strings.Contains(err.Error(), "the copy stopped with 200 of the 250 events in the target") {
		t.Fatalf("an interrupted copy: %v", err)
	}
	if n, head, err := ledger.Copy(ctx, src, part, 100, nil); err != nil || n != 50 || head != want {
		t.Fatalf("the copy again: %d, %+v, %v", n, head, err)
	}
}

// A copy is the same ledger: it takes the source's origin, and a target
// recorded as another ledger is refused before anything is appended.
func TestCopyKeepsTheOrigin(t *testing.T) {
	ctx := context.Background()
	recs := storetest.Sealed(0, 30)
	src, _ := boltLedger(t, "src.db", recs)
	defer src.Close()
	src.SetOrigin(ctx, "moi.example/ledger")
	dst, _ := boltLedger(t, "dst.db", nil)
	defer dst.Close()
	if _, _, err := ledger.Copy(ctx, src, dst, 10, nil); err != nil {
		t.Fatal(err)
	}
	if o, err := dst.Origin(ctx); err != nil || o != "moi.example/ledger" {
		t.Fatalf("the copy's origin: %q %v", o, err)
	}
	other, _ := boltLedger(t, "other.db", nil)
	defer other.Close()
	other.SetOrigin(ctx, "police.example/ledger")
	if _, _, err := ledger.Copy(ctx, src, other, 10, nil); ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "the target is the ledger police.example/ledger, and the source moi.example/ledger") {
		t.Fatalf("a copy into another ledger: %v", err)
	}
	if h, _ := other.Head(ctx); h.Size != 0 {
		t.Fatalf("a refused copy appended %d events", h.Size)
	}
}

// Follow on a store that cannot push polls it: events appended while it
// follows arrive in order, and the end of ctx ends it without error.
func TestFollowPolls(t *testing.T) {
	defer func(d time.Duration) { ledger.PollEvery = d }(ledger.PollEvery)
	ledger.PollEvery = 10 * time.Millisecond
	recs := storetest.Sealed(0, 20)
	s, path := boltLedger(t, "l.db", recs[:5])
	s.Close()
	open := func(context.Context) (ledger.Store, error) { return bolt.Open(path, bolt.Options{ReadOnly: true}) }
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan uint64, 20)
	done := make(chan error)
	go func() {
		done <- ledger.Follow(ctx, open, 2, func(r ledger.Recorded) error { got <- r.Seq; return nil })
	}()
	w, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(context.Background(), 5, recs[5:]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	for want := uint64(2); want < 20; want++ {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("followed seq %d, want %d", seq, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("seq %d never came", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Follow ended with %v", err)
	}
}

// A verify that is interrupted stops where it is, with the context's error,
// rather than reading the rest of the ledger; it is no verdict (exit 1, not
// 3), and says so rather than that an event "cannot be read".
func TestVerifyStopsWhenInterrupted(t *testing.T) {
	s, _ := boltLedger(t, "l.db", storetest.Sealed(0, 3000))
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	read := 0
	counting := &interruptedStore{Store: s, seen: func() {
		if read++; read == 100 {
			cancel()
		}
	}}
	_, err := ledger.Verify(ctx, counting, nil)
	if !errors.Is(err, context.Canceled) || read > 200 {
		t.Fatalf("after cancelling at event 100: read %d, err %v", read, err)
	}
	if ledger.CodeOf(err) != ledger.CodeRuntime || !strings.Contains(err.Error(), "verify stopped at seq 100 of 3000") {
		t.Fatalf("an interrupted verify says (code %d): %v", ledger.CodeOf(err), err)
	}
}

// interruptedStore tells seen of every event it reads.
type interruptedStore struct {
	ledger.Store
	seen func()
}

func (c *interruptedStore) Read(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	return c.Store.Read(ctx, from, func(r ledger.Recorded) error { c.seen(); return fn(r) })
}
