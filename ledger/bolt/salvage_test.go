package bolt_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
)

// Salvage copies every event that verifies, with its seq, time and actor,
// into the new ledger, which then has the old root at that size; an event
// altered in place ends the salvage before it, whatever comes after.
func TestSalvageAppendsWhatVerifies(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		n       int
		altered int // seq changed in place, or -1
		want    uint64
	}{
		{"whole", 2500, -1, 2500},
		{"altered", 2500, 1700, 1700},
		{"first", 30, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := filled(t, tc.n)
			path := s.DB().Path()
			var first ledger.Recorded
			s.Read(ctx, 0, func(r ledger.Recorded) error { first = r; return context.Canceled })
			if tc.altered >= 0 {
				err := s.DB().Update(func(tx *bbolt.Tx) error {
					b := tx.Bucket([]byte("events"))
					v := bytes.Replace(b.Get(key(uint64(tc.altered))), []byte(`"notes":"test`), []byte(`"notes":"TEST`), 1)
					return b.Put(key(uint64(tc.altered)), v)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			dst := open(t, filepath.Join(t.TempDir(), "new.db"))
			res, err := bolt.Salvage(ctx, path, dst)
			if err != nil {
				t.Fatal(err)
			}
			if res.Recovered != tc.want || res.Recorded != uint64(tc.n) || (res.Stopped == "") != (tc.altered < 0) {
				t.Fatalf("salvage = %+v, want %d recovered of %d", res, tc.want, tc.n)
			}
			if tc.altered >= 0 && !strings.Contains(res.Stopped, "seq") {
				t.Errorf("stopped: %q names no seq", res.Stopped)
			}
			h, err := dst.Head(ctx)
			if err != nil || h.Size != tc.want {
				t.Fatalf("new ledger: %+v %v", h, err)
			}
			if tc.want == 0 {
				return
			}
			v, err := ledger.Verify(ctx, dst, nil)
			if err != nil {
				t.Fatal(err)
			}
			old, err := bolt.Open(path, bolt.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			root, err := ledger.TreeRoot(ctx, old, tc.want)
			if err != nil || root != v.Root {
				t.Fatalf("recovered root %x, the file's at %d: %x %v", v.Root, tc.want, root, err)
			}
			r, found, err := dst.Lookup(ctx, first.Event.ID)
			if err != nil || !found || r.Seq != 0 || !r.RecordedAt.Equal(first.RecordedAt) || r.RecordedBy != "tester" {
				t.Fatalf("seq 0 recovered as %+v (found %v, %v)", r, found, err)
			}
		})
	}
}
