package bloom

import (
	"encoding/binary"
	"testing"
)

func key(i uint64) []byte { return binary.BigEndian.AppendUint64([]byte("id-"), i) }

// Every key added is found, and at most about one in a thousand others is
// let through; a filter of the older size (10 bits a key, as stored runs
// of older files hold) still finds every key it holds.
func TestFilter(t *testing.T) {
	const n = 100_000
	for _, f := range []struct {
		filter []byte
		maxFP  float64
	}{{New(n), 0.0012}, {make([]byte, n*10/8), 0.012}} {
		for i := range uint64(n) {
			h1, h2 := Hash(key(i))
			Add(f.filter, h1, h2)
		}
		for i := range uint64(n) {
			if h1, h2 := Hash(key(i)); !Has(f.filter, h1, h2) {
				t.Fatalf("%d bits a key: key %d was added and is not found", len(f.filter)*8/n, i)
			}
		}
		fp := 0
		for i := uint64(n); i < 11*n; i++ {
			if h1, h2 := Hash(key(i)); Has(f.filter, h1, h2) {
				fp++
			}
		}
		if rate := float64(fp) / (10 * n); rate > f.maxFP {
			t.Fatalf("%d bits a key: %.3f%% false positives, over %.2f%%", len(f.filter)*8/n, 100*rate, 100*f.maxFP)
		} else {
			t.Logf("%d bits a key: %.3f%% false positives", len(f.filter)*8/n, 100*rate)
		}
	}
	if h1, h2 := Hash(key(1)); !Has(nil, h1, h2) {
		t.Fatal("an empty filter (none kept) must let every key through")
	}
}
