package projections

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/synth"
)

func synthetic(t testing.TB, n int, seed uint64) []ledger.Recorded {
	var out []ledger.Recorded
	err := synth.Generate(n, seed, func(e ledger.Event) error {
		ledger.Normalize(&e)
		// A batch of up to 7 events shares one recorded_at, as appends do.
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(out)/7) * time.Minute)
		out = append(out, ledger.NewRecorded(uint64(len(out)), at, "t", e))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshot is everything a report reads from a state, for comparisons.
func snapshot(s *State) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "size %d at %s pubs %d\n", s.Size, s.LastRecordedAt, len(s.Publications))
	months := s.Months()
	fmt.Fprintln(&b, "months", months)
	for _, m := range months {
		fmt.Fprintln(&b, m, s.MonthSummary(m), s.ByNationality(m), s.ByCountry(m))
		for _, f := range s.Incidents(m) {
			fmt.Fprintf(&b, "  %s %d %d %v %v %s\n", f.Event.Canonical(), f.Seq, f.LastChange, f.Changes, f.Retracted, f.OriginalMonth)
		}
	}
	fmt.Fprintf(&b, "%+v\n", s.Taskforces())
	return b.String()
}

func TestCodecRoundTrip(t *testing.T) {
	for _, r := range synthetic(t, 2000, 3) {
		e := r.Event
		if !e.Type.IsIncident() && !e.Type.IsTaskforce() {
			continue
		}
		got, err := decodeEvent(appendEvent(nil, &e))
		if err != nil || !bytes.Equal(got.Canonical(), e.Canonical()) {
			t.Fatalf("round trip of %s: %s (%v)", e.Canonical(), got.Canonical(), err)
		}
		if h, err := decodeHot(appendEvent(nil, &e)); err != nil || h != hotOf(&e) {
			t.Fatalf("hot fields of %s: read %+v, in hand %+v (%v)", e.Canonical(), h, hotOf(&e), err)
		}
	}
	// Truncations of a record are refused, never misread.
	e := synthetic(t, 1, 3)[0].Event
	b := appendEvent(nil, &e)
	for i := range b {
		if _, err := decodeEvent(b[:i]); err == nil {
			t.Fatalf("a record cut at %d of %d bytes decoded", i, len(b))
		}
	}
}

// TestViewAsOfEqualsFoldOfPrefix: the head fold seen as of size k answers
// exactly what a fold of the first k events answers, for every k.
func TestViewAsOfEqualsFoldOfPrefix(t *testing.T) {
	recs := synthetic(t, 300, 11)
	full := New()
	for _, r := range recs {
		full.Apply(r)
	}
	prefix := New()
	for k := 0; k <= len(recs); k++ {
		if k > 0 {
			prefix.Apply(recs[k-1])
		}
		if k%7 != 0 && k != len(recs) && k > 20 {
			continue // every size near the start, then a sample
		}
		if want, got := snapshot(prefix), snapshot(full.At(uint64(k))); want != got {
			t.Fatalf("as of %d:\nfold of the prefix:\n%s\nview of the head:\n%s", k, want, got)
		}
	}
	if err := full.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestIncrementalFoldEqualsOneFold: folding in chunks, flushing and reopening
// the records between them, gives byte for byte the records of one fold.
func TestIncrementalFoldEqualsOneFold(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		recs := synthetic(t, 150, rapid.Uint64().Draw(rt, "seed"))
		one := New()
		for _, r := range recs {
			one.Apply(r)
		}
		if err := one.Flush(); err != nil {
			rt.Fatal(err)
		}
		kv := NewMemKV()
		for i := 0; i < len(recs); {
			s, err := Open(kv)
			if err != nil {
				rt.Fatal(err)
			}
			if s.Size != uint64(i) {
				rt.Fatalf("reopened at %d, want %d", s.Size, i)
			}
			n := rapid.IntRange(1, 40).Draw(rt, "chunk")
			for ; n > 0 && i < len(recs); n-- {
				s.Apply(recs[i])
				i++
			}
			if err := s.Flush(); err != nil {
				rt.Fatal(err)
			}
		}
		if a, b := dump(one.f.kv), dump(kv); !reflect.DeepEqual(a, b) {
			rt.Fatalf("records differ: one fold has %d pairs, the chunked fold %d", len(a), len(b))
		}
		s, _ := Open(kv)
		if snapshot(s) != snapshot(one) {
			rt.Fatal("reports differ")
		}
	})
}

func dump(kv KV) []string {
	var out []string
	for _, b := range Buckets {
		kv.Scan(b, nil, func(k, v []byte) bool {
			out = append(out, fmt.Sprintf("%s %x %x", b, k, v))
			return true
		})
	}
	return out
}

func TestDamagedRecordIsAnErrorNotAFigure(t *testing.T) {
	s := fold(incident(ledger.Arrest, "2025-10-20", 60, "approx"))
	s.Flush()
	kv := s.f.kv
	var first []byte
	kv.Scan(bucketFacts, nil, func(k, _ []byte) bool { first = bytes.Clone(k); return false })
	kv.Put(bucketFacts, first, []byte{1, 0})
	s2, _ := Open(kv)
	s2.At(0) // a view that reads nothing is fine
	s2.At(1).Incidents("2025-10")
	if s2.Err() == nil {
		t.Fatal("a damaged fact record was read without an error")
	}
}

// TestAsOfInstant: an instant selects every event recorded at or before it,
// and each view knows the recorded_at of its last event.
func TestAsOfInstant(t *testing.T) {
	recs := synthetic(t, 200, 5) // runs of 7 events share one recorded_at
	s := New()
	for _, r := range recs {
		s.Apply(r)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s, _ = Open(s.f.kv) // read back what was written, not the fold's memory
	first := recs[0].RecordedAt
	for _, d := range []time.Duration{-time.Second, 0, 30 * time.Second, time.Minute, 7 * time.Minute, 28*time.Minute + time.Second, 10 * time.Hour} {
		at := first.Add(d)
		want := uint64(0)
		for _, r := range recs {
			if !r.RecordedAt.After(at) {
				want = r.Seq + 1
			}
		}
		got, err := s.SizeAt(ledger.AsOf{Time: &at})
		if err != nil || got != want {
			t.Fatalf("as of %s: size %d, want %d (%v)", at, got, want, err)
		}
	}
	for _, size := range []uint64{1, 6, 7, 8, 14, 100, 199, 200} {
		if got, want := s.At(size).LastRecordedAt, recs[size-1].RecordedAt; !got.Equal(want) {
			t.Fatalf("as of size %d: last recorded at %s, want %s", size, got, want)
		}
	}
	if !s.At(0).LastRecordedAt.IsZero() {
		t.Fatal("an empty prefix has a last recorded_at")
	}
}
