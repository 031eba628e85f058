package bolt_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

// BenchmarkAppend100kBatches appends 100k events in batches of 1000 (the
// import default), each batch one durable transaction.
func BenchmarkAppend100kBatches(b *testing.B) {
	recs := storetest.Sealed(0, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, err := bolt.Open(filepath.Join(b.TempDir(), "l.db"), bolt.Options{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < len(recs); i += 1000 {
			if err := s.Append(context.Background(), uint64(i), recs[i:i+1000]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDurableSingleAppend is one 'statledger record': one event, one fsynced transaction.
func BenchmarkDurableSingleAppend(b *testing.B) {
	s, err := bolt.Open(filepath.Join(b.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	recs := storetest.Sealed(0, b.N+1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Append(context.Background(), uint64(i), recs[i:i+1]); err != nil {
			b.Fatal(err)
		}
	}
}
