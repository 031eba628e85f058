package ledger_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

// countingStore records the size of every append.
type countingStore struct {
	ledger.Store
	batches []int // bytes per append
}

func (c *countingStore) Append(ctx context.Context, next uint64, recs []ledger.Recorded) error {
	n := 0
	for _, r := range recs {
		n += len(r.Raw)
	}
	c.batches = append(c.batches, n)
	return c.Store.Append(ctx, next, recs)
}

func TestBatchesStayUnderTheByteBound(t *testing.T) {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs := &countingStore{Store: s}
	l := ledger.New(cs)
	var evs []ledger.Event
	for i := range 300 {
		e := storetest.Arrest(i)
		e.Notes = strings.Repeat("ក", ledger.MaxNotes) // 3 bytes each in UTF-8: ~12 KB per event
		e.ID = ""
		ledger.Normalize(&e)
		evs = append(evs, e)
	}
	p, errs, err := l.Prepare(context.Background(), evs)
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	res, err := l.Append(context.Background(), "t", p, 1000, nil)
	if err != nil || res.Appended != 300 {
		t.Fatalf("%+v %v", res, err)
	}
	if len(cs.batches) < 2 {
		t.Fatalf("300 events of ~12 KB went in %d append(s)", len(cs.batches))
	}
	for _, b := range cs.batches {
		if b > ledger.MaxBatchBytes {
			t.Fatalf("an append carried %d bytes, over %d", b, ledger.MaxBatchBytes)
		}
	}
}

// handedStore counts the events a store hands to Read's callback.
type handedStore struct {
	ledger.Store
	handed int
}

func (h *handedStore) Read(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	return h.Store.Read(ctx, from, func(r ledger.Recorded) error {
		h.handed++
		return fn(r)
	})
}

// TestReadAsOfStopsAtItsLastEvent: a prefix of known size is read to its last
// event and no further, since a store may read a whole batch to hand over one
// more.
func TestReadAsOfStopsAtItsLastEvent(t *testing.T) {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(context.Background(), 0, storetest.Sealed(0, 50)); err != nil {
		t.Fatal(err)
	}
	for _, size := range []uint64{1, 10, 50} {
		h := &handedStore{Store: s}
		got := 0
		n, err := ledger.ReadAsOf(context.Background(), h, ledger.AsOf{Size: &size}, 0, func(ledger.Recorded) error { got++; return nil })
		if err != nil || n != size || uint64(got) != size || uint64(h.handed) != size {
			t.Fatalf("as of %d: size %d, %d events to fn, %d read (%v)", size, n, got, h.handed, err)
		}
	}
}
