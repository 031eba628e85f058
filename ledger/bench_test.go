package ledger

import (
	"bytes"
	"fmt"
	"testing"
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
