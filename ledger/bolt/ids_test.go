package bolt

import (
	"fmt"
	"path/filepath"
	"testing"

	bbolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"
)

// The runs answer as one map would, through appends of every size, merges
// and runs held at the cap; an id is refused wherever it already is.
func TestIDsActAsAMap(t *testing.T) {
	dir := t.TempDir()
	checks := 0
	rapid.Check(t, func(t *rapid.T) {
		restore := SetRunLimits(uint64(rapid.IntRange(1, 40).Draw(t, "cap")), uint64(rapid.IntRange(2, 4).Draw(t, "ratio")))
		defer restore()
		checks++
		db, err := bbolt.Open(filepath.Join(dir, fmt.Sprintf("%d.db", checks)), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(bucketIDRuns); return err }); err != nil {
			t.Fatal(err)
		}
		model := map[string]uint64{}
		var known []string
		id := func(i int) string { return fmt.Sprintf("%08x-0000-5000-8000-000000000000", i) }
		fresh := 0
		for range rapid.IntRange(1, 30).Draw(t, "appends") {
			var batch []string
			for range rapid.IntRange(1, 12).Draw(t, "batch") {
				switch {
				case len(known) > 0 && rapid.IntRange(0, 30).Draw(t, "reuse") == 0:
					batch = append(batch, rapid.SampledFrom(known).Draw(t, "old"))
				case len(batch) > 0 && rapid.IntRange(0, 30).Draw(t, "repeat") == 0:
					batch = append(batch, rapid.SampledFrom(batch).Draw(t, "again"))
				default:
					fresh++
					batch = append(batch, id(fresh*7919%100003))
				}
			}
			first := uint64(len(model))
			wantDup, wantHeld := -1, uint64(0)
			in := map[string]uint64{}
			for i, x := range batch {
				if s, ok := model[x]; ok {
					wantDup, wantHeld = i, s
					break
				}
				if s, ok := in[x]; ok {
					wantDup, wantHeld = i, s
					break
				}
				in[x] = first + uint64(i)
			}
			var dup int
			var held uint64
			err := db.Update(func(tx *bbolt.Tx) error {
				var err error
				dup, held, _, err = IDs{Runs: tx.Bucket(bucketIDRuns)}.Add(batch, first)
				if dup >= 0 {
					return errDup
				}
				return err
			})
			if dup != wantDup || held != wantHeld || (err != nil) != (wantDup >= 0) {
				t.Fatalf("Add(%v at %d) = dup %d held %d (%v); want dup %d held %d", batch, first, dup, held, err, wantDup, wantHeld)
			}
			if wantDup < 0 {
				for x, s := range in {
					model[x] = s
					known = append(known, x)
				}
			}
		}
		err = db.View(func(tx *bbolt.Tx) error {
			x := IDs{Runs: tx.Bucket(bucketIDRuns)}
			ask := append(append([]string{}, known...), id(-1), id(100004))
			seqs, found := x.SeqsOf(ask)
			for i, a := range ask {
				if s, ok := model[a]; ok != found[i] || s != seqs[i] {
					t.Fatalf("SeqsOf(%s) = %d %v; want %d %v", a, seqs[i], found[i], s, ok)
				}
			}
			// Each run holds what its name says, and no two neighbours are
			// due a merge: so sizes fall geometrically below the cap.
			total, rs := uint64(0), x.runs()
			for i, r := range rs {
				if n := uint64(r.b.Stats().KeyN); n != r.n {
					t.Fatalf("run %d is named for %d ids and holds %d", r.no, r.n, n)
				}
				if r.filter == nil {
					t.Fatalf("run %d has no filter", r.no)
				}
				total += r.n
				if i > 0 && rs[i-1].n <= mergeRatio*r.n && rs[i-1].n+r.n <= runCap {
					t.Fatalf("runs %d (%d ids) and %d (%d ids) were due a merge", rs[i-1].no, rs[i-1].n, r.no, r.n)
				}
			}
			if total != uint64(len(model)) {
				t.Fatalf("runs hold %d ids, want %d", total, len(model))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

var errDup = fmt.Errorf("duplicate")
