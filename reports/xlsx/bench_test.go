package xlsx

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
)

const benchRows = 100_000

func bigMonth(fn func(ledger.Recorded)) {
	at := time.Date(2025, 10, 30, 8, 0, 0, 0, time.UTC)
	for i := range benchRows {
		n := int64(i % 300)
		e := ledger.Event{Type: ledger.IncidentTypes[i%5], Date: fmt.Sprintf("2025-10-%02d", i%28+1), Count: &n,
			Nationality: []string{"KR", "CN", "VN", "TH"}[i%4], Country: "KH", Location: "Sihanoukville",
			Agencies: []string{"Cambodian National Police"}, Crime: "online_scam",
			Source: &ledger.Source{Publisher: "Khmer Times", URL: fmt.Sprintf("https://example.org/%d", i), Published: "2025-10-28", Title: "Raid"},
			Notes:  fmt.Sprintf("synthetic incident %d", i)}
		ledger.Normalize(&e)
		fn(ledger.NewRecorded(uint64(i), at, "bench", e))
	}
}

func bigState(b *testing.B) *projections.State {
	s := projections.New()
	bigMonth(s.Apply)
	return s
}

// BenchmarkWorkbook100kCheckpoint is the same month read as the CLI reads it:
// from the projection checkpoint in the ledger's bbolt file.
func BenchmarkWorkbook100kCheckpoint(b *testing.B) {
	ctx := context.Background()
	st, err := bolt.Open(filepath.Join(b.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var batch []ledger.Recorded
	bigMonth(func(r ledger.Recorded) {
		if batch = append(batch, r); len(batch) == 1000 {
			if err := st.Append(ctx, r.Seq+1-1000, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	})
	if _, err := checkpoint.Update(ctx, st.KV(), st, nil); err != nil {
		b.Fatal(err)
	}
	s, done, err := checkpoint.View(st.KV(), st)
	if err != nil {
		b.Fatal(err)
	}
	defer done()
	in := input(s)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Write(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkbook100k builds a whole workbook for a month of 100k incidents.
func BenchmarkWorkbook100k(b *testing.B) {
	in := input(bigState(b))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Write(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareStreamWriter100k is the yardstick: excelize's StreamWriter
// writing the same 100k rows × 20 cells and nothing else.
func BenchmarkBareStreamWriter100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		row := make([]any, 20)
		for i := range benchRows {
			row[0], row[1], row[2], row[3] = "6f1c5a0e-3d0b-5b8e-9a57-5e9d2f0c7a41", i, i, "arrest"
			row[4], row[5], row[6], row[7] = "2025-10-01", "day", i%300, "exact"
			row[8], row[9], row[10], row[11] = "KR", "KH", "Sihanoukville", "Cambodian National Police"
			row[12], row[13], row[14], row[15] = "online_scam", "Khmer Times", fmt.Sprintf("https://example.org/%d", i), "2025-10-28"
			row[16], row[17], row[18], row[19] = "Raid", fmt.Sprintf("synthetic incident %d", i), "no", ""
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, row); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		if _, err := f.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
