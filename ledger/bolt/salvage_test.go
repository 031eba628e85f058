package bolt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
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
		altered int  // seq changed, or -1
		inPlace bool // in the file's bytes, else by a transaction
		want    uint64
	}{
		{"whole", 2500, -1, false, 2500},
		{"altered", 2500, 1700, true, 1700},
		{"first", 30, 0, true, 0},
		{"rewritten", 2500, 1700, false, 1700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := filled(t, tc.n)
			path := s.DB().Path()
			var first ledger.Recorded
			s.Read(ctx, 0, func(r ledger.Recorded) error { first = r; return context.Canceled })
			if tc.altered >= 0 && !tc.inPlace {
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
			if tc.inPlace {
				// Every copy of the event in the file, as a disk's damage
				// would: bbolt may keep an earlier copy in a freed page.
				b, _ := os.ReadFile(path)
				note := fmt.Appendf(nil, `"notes":"test event %d"`, tc.altered)
				n := bytes.Count(b, note)
				b = bytes.ReplaceAll(b, note, fmt.Appendf(nil, `"notes":"TEST event %d"`, tc.altered))
				if n == 0 || os.WriteFile(path, b, 0o600) != nil {
					t.Fatalf("%d copies of seq %d altered", n, tc.altered)
				}
			}
			dst := open(t, filepath.Join(t.TempDir(), "new.db"))
			res, err := bolt.Salvage(ctx, path, dst, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.inPlace && tc.altered >= 0 && res.Recovered == uint64(tc.n) {
				// A transaction leaves the event's earlier copy in a page bbolt
				// freed; when no later write reused it, the salvage finds the
				// event as recorded, and has lost nothing.
				tc.want, tc.altered = uint64(tc.n), -1
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

// A backup that verifies and holds the head read is one; a copy that holds
// another history, or has a changed event, is refused, naming the file.
func TestCheckBackup(t *testing.T) {
	ctx := context.Background()
	s, _ := filled(t, 300)
	dir := t.TempDir()
	backup := func(name string) (string, ledger.Head) {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		head, err := s.Backup(ctx, f)
		if err != nil || f.Close() != nil {
			t.Fatal(err)
		}
		return p, head
	}
	good, head := backup("good.db")
	if res, err := bolt.CheckBackup(ctx, good, head, nil); err != nil || res.Size != 300 || res.Root != head.Root {
		t.Fatalf("a good backup: %+v %v", res, err)
	}
	other := head
	other.Size--
	if _, err := bolt.CheckBackup(ctx, good, other, nil); ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), good) {
		t.Fatalf("a backup of another head: %v", err)
	}
	bad, head := backup("bad.db")
	b, _ := os.ReadFile(bad)
	note := []byte(`"notes":"test event 123"`)
	if bytes.Count(b, note) == 0 {
		t.Fatal("event 123 not found in the copy")
	}
	os.WriteFile(bad, bytes.ReplaceAll(b, note, []byte(`"notes":"TEST event 123"`)), 0o600)
	if _, err := bolt.CheckBackup(ctx, bad, head, nil); ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("a damaged backup: %v", err)
	}
	// Interrupted, a check says nothing of the backup.
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := bolt.CheckBackup(stopped, good, head, nil); ledger.CodeOf(err) != ledger.CodeRuntime || strings.Contains(err.Error(), "does not verify") {
		t.Errorf("an interrupted check: code %d, %v", ledger.CodeOf(err), err)
	}
}

// A truncated file whose tree stops early gives up more events through its
// pages: the salvage goes on from where the tree's read stopped, the new
// ledger holding the first events of the file, in order, and verifying to
// the file's own root at that size.
func TestSalvageGoesOnFromThePages(t *testing.T) {
	ctx := context.Background()
	s, _ := filled(t, 3000)
	path := s.DB().Path()
	s.Close()
	orig, _ := os.ReadFile(path)
	old := filepath.Join(t.TempDir(), "old.db")
	os.WriteFile(old, orig, 0o600)
	// Truncated, a file loses the root its tree is walked from (the tree
	// gives nothing); a branch page zeroed hides the leaves below it from
	// the tree but not from the pages' read.
	var damages [][]byte
	for _, cut := range []int{2, 3, 4} {
		damages = append(damages, orig[:len(orig)*(cut-1)/cut/4096*4096])
	}
	for off := 2 * 4096; off+4096 <= len(orig); off += 4096 {
		if binary.NativeEndian.Uint16(orig[off+8:]) == 0x01 { // a branch page
			b := bytes.Clone(orig)
			clear(b[off : off+4096])
			damages = append(damages, b)
		}
	}
	further := 0
	for i, b := range damages {
		cut, name := i+2, "cut"
		damaged := filepath.Join(t.TempDir(), "damaged.db")
		os.WriteFile(damaged, b, 0o600)
		tree, err := bolt.SalvageTree(ctx, damaged, func(ledger.Recorded) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		dst := open(t, filepath.Join(t.TempDir(), "new.db"))
		res, err := bolt.Salvage(ctx, damaged, dst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Recovered < tree.Recovered {
			t.Fatalf("%s %d: %d recovered, the tree alone gave %d", name, cut, res.Recovered, tree.Recovered)
		}
		if tree.Recovered > 0 && res.Recovered > tree.Recovered {
			further++
		}
		v, err := ledger.Verify(ctx, dst, nil)
		if err != nil || v.Size != res.Recovered {
			t.Fatalf("%s %d: the new ledger: %+v %v", name, cut, v, err)
		}
		o, err := bolt.Open(old, bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		root, err := ledger.TreeRoot(ctx, o, v.Size)
		o.Close()
		if err != nil || root != v.Root {
			t.Fatalf("%s %d: recovered root %x, the file's at %d: %x %v", name, cut, v.Root, v.Size, root, err)
		}
		t.Logf("damage %d: the tree gave %d, the salvage %d", i, tree.Recovered, res.Recovered)
	}
	if further == 0 {
		t.Fatal("no cut had the pages go on from where the tree stopped: this test tests nothing")
	}
}

// A salvage appends as it reads, never holding the file's events: the
// first batch is in the new ledger before a later event is read, so a
// change made to that event then is what the salvage finds. (Holding every
// event first took 3.2 GB for a ledger of 1M events.)
func TestSalvageAppendsAsItReads(t *testing.T) {
	ctx := context.Background()
	s, _ := filled(t, 3000)
	path := s.DB().Path()
	s.Close()
	dst := open(t, filepath.Join(t.TempDir(), "new.db"))
	changed := false
	res, err := bolt.Salvage(ctx, path, dst, func(appended uint64) {
		if changed {
			return
		}
		changed = true
		b, _ := os.ReadFile(path)
		note := []byte(`"notes":"test event 2500"`)
		if bytes.Count(b, note) == 0 {
			t.Fatal("event 2500 not found in the file")
		}
		os.WriteFile(path, bytes.ReplaceAll(b, note, []byte(`"notes":"TEST event 2500"`)), 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recovered != 2500 || !strings.Contains(res.Stopped, "seq 2500") {
		t.Fatalf("salvage = %+v; want it stopped at seq 2500, changed after its first batch was appended", res)
	}
}
