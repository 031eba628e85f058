package esdb_test

import (
	"context"
	"testing"

	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/ledger/storetest"
)

// BenchmarkAppend1000 appends batches of 1000 events (the import default)
// through the real client; allocations and wire bytes are per event.
func BenchmarkAppend1000(b *testing.B) {
	srv, err := esdbtest.Listen()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	s, err := esdbOpen(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const batch = 1000
	recs := storetest.Sealed(0, batch*(b.N+1))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Append(context.Background(), uint64(i*batch), recs[i*batch:(i+1)*batch]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(srv.BytesIn())/float64(b.N*batch), "wire-B/event")
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
