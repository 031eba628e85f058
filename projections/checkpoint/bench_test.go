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
			if _, err := Update(ctx, s.DB(), s, nil); err != nil {
				b.Fatal(err)
			}
			next := n
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				add(next, next+1000)
				next += 1000
				b.StartTimer()
				res, err := Update(ctx, s.DB(), s, nil)
				if err != nil || res.To-res.From != 1000 {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
}
