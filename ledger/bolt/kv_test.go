package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/ledger/storetest"
	bbolt "go.etcd.io/bbolt"
)

// A file of derived data that bbolt cannot read is made again, empty, and
// says why; a good one keeps what was written to it.
func TestOpenKVRemakesADamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "projection.db")
	if err := os.WriteFile(path, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, remade, err := OpenKV(path, time.Second, nil)
	if err != nil || remade == nil {
		t.Fatalf("a damaged file: remade %v, err %v", remade, err)
	}
	err = db.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, remade, err = OpenKV(path, time.Second, nil)
	if err != nil || remade != nil {
		t.Fatalf("a good file: remade %v, err %v", remade, err)
	}
	defer db.Close()
	db.View(func(tx kv.Tx) error {
		if tx.Bucket([]byte("none")) != nil {
			t.Error("a missing bucket is not nil")
		}
		if v := tx.Bucket([]byte("b")).Get([]byte("k")); string(v) != "v" {
			t.Errorf("read back %q", v)
		}
		return nil
	})
}

// putIn puts value under key in db's bucket "b", made if need be; a nil or
// empty value deletes the key.
func putIn(t *testing.T, db kv.DB, key byte, value []byte) {
	t.Helper()
	err := db.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if b == nil {
			var err error
			if b, err = tx.CreateBucket([]byte("b")); err != nil {
				return err
			}
		}
		if len(value) == 0 {
			return b.Delete([]byte{key})
		}
		return b.Put([]byte{key}, value)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A temporary file is gone once closed.
func TestTempKVIsRemoved(t *testing.T) {
	db, err := TempKV()
	if err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s after Close: %v", path, err)
	}
}

// A temporary fold file leaves nothing in the temporary folder, even while
// it is open: a process killed in a long fold leaves no gigabytes behind.
func TestTempKVLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	db, err := TempKV()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := make([]byte, 1<<20)
	for i := range 8 {
		putIn(t, db, byte(i), big)
	}
	if err := db.View(func(tx kv.Tx) error {
		if v := tx.Bucket([]byte("b")).Get([]byte{7}); len(v) != len(big) {
			t.Fatalf("read back %d bytes", len(v))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 && runtime.GOOS != "windows" {
		t.Fatalf("left in the temporary folder: %v", left)
	}
}

// A temporary fold file is opened again every reopenEvery writes, so that
// bbolt's freelist forgets which transaction took each page (at 10M events,
// 40 MB of verify's heap); what was written stays, and a read transaction
// still open puts the reopen off rather than waiting on itself.
func TestTempKVOpensAgainKeepingItsRecords(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("an unlinked file is opened again through /proc/self/fd")
	}
	defer SetReopenEvery(4)()
	db, err := TempKV()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := db.Path()
	reopensKeepingRecords(t, db, func() *bbolt.DB { return db.(*tempDB).current(false).db })
	if db.Path() != name || !strings.HasPrefix(filepath.Base(name), "statledger-fold-") {
		t.Errorf("Path is %q, not the file's name %q", db.Path(), name)
	}
}

// The ledger file's KV is opened again with the store, after as many
// writes through it as appends (a fold of the whole ledger into the
// checkpoint writes for long), and keeps to the store's current handle.
func TestStoreKVOpensAgainWithTheStore(t *testing.T) {
	defer SetReopenEvery(4)()
	s, err := Open(filepath.Join(t.TempDir(), "l.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reopensKeepingRecords(t, s.KV(), s.DB)
	if err := s.Append(context.Background(), 0, storetest.Sealed(0, 10)); err != nil {
		t.Fatalf("an append after the KV's writes: %v", err)
	}
}

// A fold of the whole ledger reads the store on one goroutine while it
// writes through KV on another: a write never waits for the reader, no read
// sees a closed file, and the file is opened again once the reader is not
// at work. (How often that is depends on the two goroutines' speeds: in a
// fold, the writer is the slower one.)
func TestStoreKVReopensBesideAReader(t *testing.T) {
	defer SetReopenEvery(2)()
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "l.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(ctx, 0, storetest.Sealed(0, 5000)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	read := make(chan error, 1)
	go func() {
		for passes := 0; ; passes++ {
			select {
			case <-stop:
				read <- nil
				return
			default:
			}
			n := 0
			if err := s.Read(ctx, 0, func(ledger.Recorded) error { n++; return nil }); err != nil || n != 5000 {
				read <- fmt.Errorf("pass %d: read %d events: %v", passes, n, err)
				return
			}
		}
	}()
	for i := range 200 {
		putIn(t, s.KV(), byte(i), bytes.Repeat([]byte{byte(i)}, 100))
	}
	close(stop)
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	before := s.DB()
	putIn(t, s.KV(), 0, bytes.Repeat([]byte{0}, 100))
	putIn(t, s.KV(), 1, bytes.Repeat([]byte{1}, 100))
	if s.DB() == before {
		t.Fatal("the reader stopped, and two more writes did not open the file again")
	}
	err = s.KV().View(func(tx kv.Tx) error {
		for i := range 200 {
			if v := tx.Bucket([]byte("b")).Get([]byte{byte(i)}); len(v) != 100 {
				t.Errorf("record %d: read back %d bytes", i, len(v))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reopensKeepingRecords writes through db until handle changes, then
// checks that an open read transaction puts the reopen off, and that
// every record written is still there.
func reopensKeepingRecords(t *testing.T, db kv.DB, handle func() *bbolt.DB) {
	t.Helper()
	put := func(key byte, size int) {
		t.Helper()
		putIn(t, db, key, bytes.Repeat([]byte{key}, size))
	}
	first := handle()
	for i := range 10 {
		put(byte(i), 3000)
	}
	if handle() == first {
		t.Fatal("ten writes, and the file was never opened again")
	}
	// Room made first: bbolt cannot grow its map under a read transaction
	// of the same goroutine, with or without a reopen.
	put(99, 1<<20)
	put(99, 0)
	put(98, 1)
	read, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	during := handle()
	for range 10 {
		put(98, 1) // would hang if the reopen waited for the read
	}
	if handle() != during {
		t.Fatal("opened again under an open read transaction")
	}
	read.Rollback()
	put(98, 1)
	if handle() == during {
		t.Fatal("not opened again once the read ended")
	}
	err = db.View(func(tx kv.Tx) error {
		for i := range 10 {
			if v := tx.Bucket([]byte("b")).Get([]byte{byte(i)}); !bytes.Equal(v, bytes.Repeat([]byte{byte(i)}, 3000)) {
				t.Errorf("record %d: read back %d bytes", i, len(v))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A bucket told that its keys ascend keeps its pages full; one that is not
// leaves half of every page empty when keys come in order, as bbolt splits
// a full page in halves. The projection's seq map is such a bucket: at 1M
// events, 41 MB of a 1.36 GB file.
func TestAscendingFillsPages(t *testing.T) {
	fill := func(ascending bool) float64 {
		db, _, err := OpenKV(filepath.Join(t.TempDir(), "fill.db"), time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for batch := range 50 {
			err := db.Update(func(tx kv.Tx) error {
				b := tx.Bucket([]byte("seqs"))
				if b == nil {
					var err error
					if b, err = tx.CreateBucket([]byte("seqs")); err != nil {
						return err
					}
				}
				if ascending {
					b.Ascending()
				}
				for i := range 200 {
					if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(batch*200+i)), make([]byte, 20)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var st bbolt.BucketStats
		db.(kvDB).db.View(func(tx *bbolt.Tx) error {
			st = tx.Bucket([]byte("seqs")).Stats()
			return nil
		})
		if st.KeyN != 10000 {
			t.Fatalf("%d keys", st.KeyN)
		}
		return float64(st.LeafInuse) / float64(st.LeafAlloc)
	}
	if f := fill(true); f < 0.9 {
		t.Errorf("ascending: pages %.0f%% full", 100*f)
	}
	if f := fill(false); f > 0.6 {
		t.Errorf("the test shows nothing: without Ascending, pages %.0f%% full", 100*f)
	}
}
