package ledger_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/esdb"
	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/ledger/storetest"
)

const copyEvents = 100_000

func copySource(b *testing.B) ledger.Store {
	src, err := bolt.Open(filepath.Join(b.TempDir(), "src.db"), bolt.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2025, 10, 28, 0, 0, 0, 0, time.UTC)
	for i := 0; i < copyEvents; i += 1000 {
		recs := make([]ledger.Recorded, 1000)
		for j := range recs {
			recs[j] = ledger.NewRecorded(uint64(i+j), at, "bench", storetest.Arrest(i+j))
		}
		if err := src.Append(context.Background(), uint64(i), recs); err != nil {
			b.Fatal(err)
		}
	}
	return src
}

// BenchmarkCopy100kToBolt and BenchmarkCopy100kToESDB time 'statledger copy'
// of a 100k-event ledger into an empty embedded file and into the in-process
// EventStoreDB server.
func BenchmarkCopy100kToBolt(b *testing.B) {
	src := copySource(b)
	defer src.Close()
	b.ResetTimer()
	for b.Loop() {
		dst, err := bolt.Open(filepath.Join(b.TempDir(), "dst.db"), bolt.Options{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		if n, _, err := ledger.Copy(context.Background(), src, dst, 1000, nil); err != nil || n != copyEvents {
			b.Fatal(n, err)
		}
		dst.Close()
	}
}

func BenchmarkCopy100kToESDB(b *testing.B) {
	src := copySource(b)
	defer src.Close()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		srv, err := esdbtest.Listen()
		if err != nil {
			b.Fatal(err)
		}
		dst, err := esdb.Open(context.Background(), srv.URL, "copy", esdb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if n, _, err := ledger.Copy(context.Background(), src, dst, 1000, nil); err != nil || n != copyEvents {
			b.Fatal(n, err)
		}
		dst.Close()
		srv.Stop()
	}
}
