package ledger

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// jsonlEvents makes n distinct, valid incident lines like a real import.
func jsonlEvents(n int) []byte {
	var b bytes.Buffer
	types := []string{"arrest", "repatriation", "rescue", "death", "deportation"}
	for i := range n {
		fmt.Fprintf(&b, `{"type":"%s","date":"2025-%02d-%02d","date_precision":"day","count":%d,"count_qualifier":"exact","nationality":"KR","country":"KH","location":"Phnom Penh","agencies":["Cambodian National Police"],"crime":"online_scam","source":{"publisher":"Khmer Times","url":"https://example.org/n/%d","published":"2025-10-28"},"notes":"synthetic event %d"}`+"\n",
			types[i%5], i%12+1, i%28+1, i%200, i, i)
	}
	return b.Bytes()
}

func BenchmarkDecodeValidateJSONL100k(b *testing.B) {
	data := jsonlEvents(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := DecodeJSONL("bench", bytes.NewReader(data))
		if err != nil || len(d.Events) != 100_000 {
			b.Fatal(err, len(d.Errors))
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDecodeValidateCSV100k(b *testing.B) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	d, _ := DecodeJSONL("gen", bytes.NewReader(jsonlEvents(100_000)))
	for i := range d.Events {
		w.Write(&d.Events[i])
	}
	w.Flush()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := DecodeCSV("bench", bytes.NewReader(data))
		if err != nil || len(d.Events) != 100_000 {
			b.Fatal(err, d.Errors)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkParseRecorded is the read path of every stored event: json/v2
// decoding, the canonical re-encoding and the leaf hash (see UnmarshalStored).
func BenchmarkParseRecorded(b *testing.B) {
	d, _ := DecodeJSONL("gen", bytes.NewReader(jsonlEvents(1000)))
	raws := make([][]byte, len(d.Events))
	for i := range d.Events {
		Normalize(&d.Events[i])
		raws[i] = NewRecorded(uint64(i), time.Unix(1761600000, 0), "bench", d.Events[i]).Raw
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseRecorded(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFrontier is the tree work of Verify per event.
func BenchmarkFrontier(b *testing.B) {
	var f frontier
	leaf := tlog.RecordHash([]byte("leaf"))
	b.ReportAllocs()
	for b.Loop() {
		f.add(leaf)
	}
}
