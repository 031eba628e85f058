package checkpoint

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/synth"
)

// BenchmarkUpdateAfter1k measures bringing the checkpoint up to date after 1k
// new events, on ledgers of different sizes: the cost must follow the 1k, not
// the history. Compare the ns/op of the sizes.
func BenchmarkUpdateAfter1k(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
			s, err := bolt.Open(filepath.Join(b.TempDir(), "l.db"), bolt.Options{Create: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var recs []ledger.Recorded
			total := n + 1000*(b.N+1)
			synth.Generate(total, 5, func(e ledger.Event) error {
				ledger.Normalize(&e)
				at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(recs)/1000) * time.Second)
				recs = append(recs, ledger.NewRecorded(uint64(len(recs)), at, "b", e))
				return nil
			})
			add := func(from, to int) {
				for i := from; i < to; i += 1000 {
					if err := s.Append(ctx, uint64(i), recs[i:min(i+1000, to)]); err != nil {
						b.Fatal(err)
					}
				}
			}
			add(0, n)
			if _, err := Update(ctx, s.KV(), s, nil); err != nil {
				b.Fatal(err)
			}
			next := n
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				add(next, next+1000)
				next += 1000
				b.StartTimer()
				res, err := Update(ctx, s.KV(), s, nil)
				if err != nil || res.To-res.From != 1000 {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
}

// BenchmarkCorrectionsOfOneEvent folds a ledger of one arrest and N
// corrections of it into a checkpoint, then reads the fact with all its
// changes as a report would. A fact's versions are records of their own, so
// the cost grows with N, not N²: compare the ns/op of the sizes.
func BenchmarkCorrectionsOfOneEvent(b *testing.B) {
	for _, n := range []int{2_500, 10_000} {
		b.Run(fmt.Sprintf("corrections=%d", n), func(b *testing.B) {
			at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
			arrest := ledger.Event{Type: ledger.Arrest, Date: "2025-10-20", Count: new(int64(60)), Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "b"}}
			ledger.Normalize(&arrest)
			recs := []ledger.Recorded{ledger.NewRecorded(0, at, "b", arrest)}
			for i := range n {
				c := ledger.Event{Type: ledger.Correction, Corrects: arrest.ID, Changes: &ledger.Changes{Count: new(int64(i % 100))}, Reason: fmt.Sprintf("list %d", i)}
				ledger.Normalize(&c)
				recs = append(recs, ledger.NewRecorded(uint64(len(recs)), at, "b", c))
			}
			for range b.N {
				b.StopTimer()
				s, err := bolt.Open(filepath.Join(b.TempDir(), "l.db"), bolt.Options{Create: true})
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(recs); i += 1000 {
					if err := s.Append(ctx, uint64(i), recs[i:min(i+1000, len(recs))]); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := Update(ctx, s.KV(), s, nil); err != nil {
					b.Fatal(err)
				}
				st, done, err := View(s.KV(), s)
				if err != nil {
					b.Fatal(err)
				}
				f := st.Fact(arrest.ID)
				if f == nil || len(f.Changes) != n || *f.Event.Count != int64((n-1)%100) {
					b.Fatalf("the fact after %d corrections: %+v", n, f)
				}
				done()
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkAppend100k appends 100k synthetic events in batches of 1000,
// with and without FoldOnAppend: what inline folding costs an import.
func BenchmarkAppend100k(b *testing.B) {
	var recs []ledger.Recorded
	synth.Generate(100_000, 5, func(e ledger.Event) error {
		ledger.Normalize(&e)
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(recs)/1000) * time.Second)
		recs = append(recs, ledger.NewRecorded(uint64(len(recs)), at, "b", e))
		return nil
	})
	for _, inline := range []bool{false, true} {
		b.Run(fmt.Sprintf("inline=%v", inline), func(b *testing.B) {
			for range b.N {
				s, err := bolt.Open(filepath.Join(b.TempDir(), "l.db"), bolt.Options{Create: true})
				if err != nil {
					b.Fatal(err)
				}
				if inline {
					s.OnAppend(NewFolder().FoldOnAppend)
				}
				for i := 0; i < len(recs); i += 1000 {
					if err := s.Append(ctx, uint64(i), recs[i:min(i+1000, len(recs))]); err != nil {
						b.Fatal(err)
					}
				}
				s.Close()
			}
		})
	}
}
