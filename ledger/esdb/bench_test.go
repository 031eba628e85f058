package esdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/statledger/statledger/ledger/esdb"
	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/ledger/storetest"
)

// BenchmarkAppend1000 appends batches of 1000 events (the import default)
// through the real client; allocations and wire bytes are per event.
func BenchmarkAppend1000(b *testing.B) {
	srv, s := benchServer(b)
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

// BenchmarkOpen100k measures opening a ledger of 100k events, which every
// command on an EventStoreDB ledger does. With the index in memory the store
// reads the whole stream, growing with the history; with a warm index file it
// reads the one event it checks.
func BenchmarkOpen100k(b *testing.B) {
	srv, s := benchServer(b)
	const n, batch = 100_000, 1000
	recs := storetest.Sealed(0, n)
	for i := 0; i < n; i += batch {
		if err := s.Append(context.Background(), uint64(i), recs[i:i+batch]); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	for _, bc := range []struct {
		name string
		opt  esdb.Options
	}{{"memory", esdb.Options{}}, {"index-file", esdb.Options{Index: filepath.Join(b.TempDir(), "index.db"), OpenIndex: boltIndex}}} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.opt.Index != "" {
				s, err := esdb.Open(context.Background(), srv.URL, "bench", bc.opt) // the first open builds it
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			for b.Loop() {
				s, err := esdb.Open(context.Background(), srv.URL, "bench", bc.opt)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// benchServer starts an in-process server, stopped when the benchmark ends,
// and opens the ledger on it.
func benchServer(b *testing.B) (*esdbtest.Server, *esdb.Store) {
	srv, err := esdbtest.Listen()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Stop)
	s, err := esdbOpen(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	return srv, s
}
