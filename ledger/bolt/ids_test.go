package bolt

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"
)

// The runs answer as one map would, through appends of every size, merges
// and runs held at the cap; an id is refused wherever it already is.
func TestIDsActAsAMap(t *testing.T) {
	dir := t.TempDir()
	checks := 0
	rapid.Check(t, func(t *rapid.T) {
		restore := SetRunLimits(uint64(rapid.IntRange(1, 400).Draw(t, "cap")), uint64(rapid.IntRange(2, 4).Draw(t, "ratio")))
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
			for range rapid.IntRange(1, rapid.SampledFrom([]int{3, 12, 300}).Draw(t, "batches up to")).Draw(t, "batch") {
				fresh++
				batch = append(batch, id(fresh*7919%100003))
			}
			// A quarter of the batches hold an id already indexed, or one
			// twice; the rest are appended.
			switch at := rapid.IntRange(0, len(batch)-1).Draw(t, "at"); rapid.IntRange(0, 7).Draw(t, "dup") {
			case 0:
				if len(known) > 0 {
					batch[at] = rapid.SampledFrom(known).Draw(t, "old")
				}
			case 1:
				batch[at] = batch[rapid.IntRange(0, len(batch)-1).Draw(t, "again")]
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
				var n uint64
				var last []byte
				c := r.bucket().Cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					if len(v) == 0 || len(v)%entrySize != 0 || len(v) > blockIDs*entrySize || !bytes.Equal(k, v[:16]) {
						t.Fatalf("run %d: block %x is malformed (%d bytes)", r.no, k, len(v))
					}
					for e := v; len(e) > 0; e = e[entrySize:] {
						if last != nil && bytes.Compare(last, e[:16]) >= 0 {
							t.Fatalf("run %d is out of order at %x", r.no, e[:16])
						}
						last = e[:16]
						n++
					}
				}
				if n != r.n {
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

// Only a UUID spelled as the ledger stores one can be in the index.
func TestIDsTakeOnlyCanonicalUUIDs(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "i.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := "6f1c5a0e-3d0b-5b8e-9a57-5e9d2f0c7a41"
	err = db.Update(func(tx *bbolt.Tx) error {
		x := IDs{}
		var err error
		if x.Runs, err = tx.CreateBucket(bucketIDRuns); err != nil {
			return err
		}
		if _, _, _, err := x.Add([]string{"not-an-id"}, 0); err == nil || !strings.Contains(err.Error(), `"not-an-id" is not a UUID`) {
			t.Errorf("adding a non-UUID: %v", err)
		}
		if _, _, _, err := x.Add([]string{id}, 0); err != nil {
			return err
		}
		_, found := x.SeqsOf([]string{id, strings.ToUpper(id), "urn:uuid:" + id, "{" + id + "}"})
		if !found[0] || found[1] || found[2] || found[3] {
			t.Errorf("found %v for an id and three other spellings of it", found)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkIDsAdd indexes 300k content-derived (random) ids in batches of
// 1000, each batch one transaction, as an import does; without fsync, to
// measure the index's own work: 1.4 µs an id here, against 7.7 µs for
// the one B-tree it replaced (a page write per id at this size).
func BenchmarkIDsAdd(b *testing.B) {
	const n, batch = 300_000, 1000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint(i))).String()
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := bbolt.Open(filepath.Join(b.TempDir(), "i.db"), 0o600, &bbolt.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < n; i += batch {
			err := db.Update(func(tx *bbolt.Tx) error {
				runs, err := tx.CreateBucketIfNotExists(bucketIDRuns)
				if err != nil {
					return err
				}
				dup, _, _, err := IDs{Runs: runs}.Add(ids[i:i+batch], uint64(i))
				if dup >= 0 {
					return fmt.Errorf("id %d reported as a duplicate", dup)
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/id")
}
