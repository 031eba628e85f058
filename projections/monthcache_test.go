package projections

import (
	"bytes"
	"errors"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/synth"
)

// Folds that take their months from one MonthCache, a batch each, write
// the records a single fresh fold writes: also after a fold that changed
// the cached months and was then thrown away unflushed (a transaction
// that rolled back), and a record that is not the one kept is decoded and
// checked, not taken from the cache.
func TestMonthCache(t *testing.T) {
	var recs []ledger.Recorded
	synth.Generate(3000, 7, func(e ledger.Event) error {
		ledger.Normalize(&e)
		recs = append(recs, ledger.NewRecorded(uint64(len(recs)), at, "t", e))
		return nil
	})
	fresh := New()
	for _, r := range recs {
		fresh.Apply(r)
	}
	if err := fresh.Flush(); err != nil {
		t.Fatal(err)
	}

	kv, cache := NewMemKV(), NewMonthCache()
	foldBatch := func(kv KV, batch []ledger.Recorded, flush bool) error {
		s, err := Open(kv)
		if err != nil {
			return err
		}
		s.UseMonthCache(cache)
		for _, r := range batch {
			s.Apply(r)
		}
		if !flush {
			return s.f.err
		}
		return s.Flush()
	}
	for i := 0; i < len(recs); i += 500 {
		batch := recs[i:min(i+500, len(recs))]
		if i == 1000 {
			if err := foldBatch(cloneKV(kv), batch, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := foldBatch(kv, batch, true); err != nil {
			t.Fatalf("batch at %d: %v", i, err)
		}
		if len(cache.m) == 0 {
			t.Fatalf("after the batch at %d the cache keeps no month", i)
		}
	}
	want := fresh.f.kv.(*MemKV)
	for _, b := range []string{bucketCells, bucketFacts, bucketMeta} {
		if !sameBucket(kv, want, b) {
			t.Fatalf("bucket %s differs from a fresh fold's", b)
		}
	}

	// A damaged record of a month the cache keeps.
	var month string
	for m := range cache.m {
		month = m
		break
	}
	rec, _ := kv.Get(bucketCells, []byte(month))
	rec = bytes.Clone(rec)
	rec[len(rec)-1] ^= 0x40
	kv.Put(bucketCells, []byte(month), append(rec, 0x7f))
	s, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	s.UseMonthCache(cache)
	s.cellsOf(month)
	if !errors.Is(s.f.err, ErrDamaged) {
		t.Fatalf("a damaged record of a cached month was not checked: %v", s.f.err)
	}
}

func cloneKV(kv *MemKV) *MemKV {
	c := NewMemKV()
	for name, b := range kv.buckets {
		for k, v := range b.m {
			c.Put(name, []byte(k), v)
		}
	}
	return c
}

func sameBucket(a, b *MemKV, name string) bool {
	x, y := a.bucket(name).m, b.bucket(name).m
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if w, ok := y[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}
