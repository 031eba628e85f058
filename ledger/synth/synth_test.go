package synth

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/statledger/statledger/ledger"
)

func TestGenerateIsValidDeterministicAndMixed(t *testing.T) {
	var a, b []string
	kinds := map[ledger.Type]int{}
	ids := map[string]bool{}
	err := Generate(5000, 42, func(e ledger.Event) error {
		if errs := ledger.Validate(&e); len(errs) > 0 {
			t.Fatalf("invalid synthetic event %s: %v", e.Canonical(), errs)
		}
		if e.Type == ledger.Correction && !ids[e.Corrects] || e.Type == ledger.Retraction && !ids[e.Retracts] {
			t.Fatalf("a correction names an id not generated before: %s", e.Canonical())
		}
		ids[e.ID] = true
		kinds[e.Type]++
		a = append(a, e.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	Generate(5000, 42, func(e ledger.Event) error { b = append(b, e.ID); return nil })
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("event %d differs between two runs with the same seed", i)
		}
	}
	if len(ids) != 5000 {
		t.Fatalf("%d distinct ids of 5000", len(ids))
	}
	pct := func(k ledger.Type) float64 { return 100 * float64(kinds[k]) / 5000 }
	if c, r := pct(ledger.Correction), pct(ledger.Retraction); c < 3.5 || c > 6.5 || r < 1 || r > 3 {
		t.Fatalf("corrections %.1f%%, retractions %.1f%%: want ~5%% and ~2%%", c, r)
	}
	for _, typ := range append(ledger.IncidentTypes, ledger.TaskforceTypes...) {
		if kinds[typ] == 0 {
			t.Errorf("no %s generated", typ)
		}
	}
}

// The two files WriteFiles makes hold the same events, and decode cleanly.
func TestWriteFilesTwins(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteFiles(dir, 300, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	decode := func(p string, dec func(string, io.Reader) (ledger.Decoded, error)) []ledger.Event {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		d, err := dec(p, f)
		if err != nil || len(d.Errors) > 0 {
			t.Fatalf("%s: %v %v", p, err, d.Errors)
		}
		return d.Events
	}
	j := decode(path, ledger.DecodeJSONL)
	c := decode(filepath.Join(dir, "events.csv"), ledger.DecodeCSV)
	if len(j) != 300 || len(c) != 300 {
		t.Fatalf("%d and %d events, want 300", len(j), len(c))
	}
	for i := range j {
		if !j[i].Equal(&c[i]) {
			t.Fatalf("event %d differs:\n%s\n%s", i, j[i].Canonical(), c[i].Canonical())
		}
	}
}
