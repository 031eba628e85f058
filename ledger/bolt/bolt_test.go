package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

func open(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		New: func(t *testing.T) ledger.Store { return open(t, filepath.Join(t.TempDir(), "l.db")) },
		Reopen: func(t *testing.T, s ledger.Store) ledger.Store {
			path := s.(*bolt.Store).Path()
			s.Close()
			return open(t, path)
		},
	})
}

// With runs of at most three ids, every batch the suite appends is merged
// or held at the cap: the store's contract must hold all the same.
func TestConformanceSmallRuns(t *testing.T) {
	defer bolt.SetRunLimits(3, 2)()
	TestConformance(t)
}

// A file written before the id index was runs (statledger-bolt-2, one id
// tree) is read as it is; its first append makes it version 3, and its old
// ids are still refused a second time.
func TestVersion2FileIsReadThenUpgraded(t *testing.T) {
	s, _ := filled(t, 20)
	path := s.Path()
	format := func() (f string) {
		s.DB().View(func(tx *bbolt.Tx) error { f = string(tx.Bucket([]byte("meta")).Get([]byte("format"))); return nil })
		return f
	}
	if f := format(); f != "statledger-bolt-3" {
		t.Fatalf("a new file is %q", f)
	}
	var ids []string
	err := s.DB().Update(func(tx *bbolt.Tx) error {
		old, err := tx.CreateBucket([]byte("ids"))
		if err != nil {
			return err
		}
		c := tx.Bucket([]byte("events")).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := ledger.ParseRecorded(v)
			if err != nil {
				return err
			}
			ids = append(ids, r.Event.ID)
			if err := old.Put([]byte(r.Event.ID), bytes.Clone(k)); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket([]byte("idruns")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("format"), []byte("statledger-bolt-2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	ctx := context.Background()
	if _, err := ledger.Verify(ctx, s, nil); err != nil {
		t.Fatalf("verify of a version 2 file: %v", err)
	}
	if r, ok, err := s.Lookup(ctx, ids[7]); err != nil || !ok || r.Seq != 7 {
		t.Fatalf("Lookup(%s) in a version 2 file = seq %d, %v, %v", ids[7], r.Seq, ok, err)
	}
	if format() != "statledger-bolt-2" {
		t.Fatal("reading changed the file's version")
	}
	// An old id again, sealed as seq 20: refused by the old tree.
	dup := []ledger.Recorded{ledger.NewRecorded(20, time.Now(), "tester", storetest.Arrest(7))}
	if err := s.Append(ctx, 20, dup); !errors.Is(err, ledger.ErrIDExists) || !strings.Contains(err.Error(), "at seq 7") {
		t.Fatalf("appending seq 7's id again to a version 2 file: %v", err)
	}
	if format() != "statledger-bolt-2" {
		t.Fatal("a refused append changed the file's version")
	}
	var more []ledger.Recorded
	for i := range 5 {
		more = append(more, ledger.NewRecorded(uint64(20+i), time.Now(), "tester", storetest.Arrest(20+i)))
	}
	if err := s.Append(ctx, 20, more); err != nil {
		t.Fatal(err)
	}
	if f := format(); f != "statledger-bolt-3" {
		t.Fatalf("after its first append a version 2 file is %q", f)
	}
	s.Close()
	s = open(t, path)
	if _, err := ledger.Verify(ctx, s, nil); err != nil {
		t.Fatalf("verify after the upgrade: %v", err)
	}
	if r, ok, err := s.Lookup(ctx, more[2].Event.ID); err != nil || !ok || r.Seq != 22 {
		t.Fatalf("Lookup of an id appended after the upgrade = seq %d, %v, %v", r.Seq, ok, err)
	}
}

// A ledger file, and any bbolt file, is known by its first page, also when
// closed by another process; a file that merely starts alike is not.
func TestIsFile(t *testing.T) {
	dir := t.TempDir()
	s := open(t, filepath.Join(dir, "l.db"))
	s.Close()
	path := filepath.Join(dir, "cache.db")
	db, _, err := bolt.OpenKV(path, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.WriteFile(filepath.Join(dir, "text"), []byte("not a database, though twenty bytes long"), 0o644)
	os.WriteFile(filepath.Join(dir, "short"), []byte{1, 2, 3}, 0o644)
	for p, want := range map[string]bool{filepath.Join(dir, "l.db"): true, path: true, filepath.Join(dir, "text"): false,
		filepath.Join(dir, "short"): false, filepath.Join(dir, "none"): false} {
		if got := bolt.IsFile(p); got != want {
			t.Errorf("%s: %v", p, got)
		}
	}
}

// Opening the file again every two appends, the store keeps its contract.
func TestConformanceReopening(t *testing.T) {
	defer bolt.SetReopenEvery(2)()
	TestConformance(t)
}

// A writer opens its file again after reopenEvery appends, and the ledger
// is whole: its size, root and every event.
func TestReopen(t *testing.T) {
	defer bolt.SetReopenEvery(3)()
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "l.db"))
	var handles []*bbolt.DB
	for i := range 7 {
		handles = append(handles, s.DB())
		if err := s.Append(ctx, uint64(i*50), storetest.Sealed(i*50, 50)); err != nil {
			t.Fatal(err)
		}
	}
	// Appends 1–3 on the first handle, 4–6 on a second (opened by the 4th
	// before it writes), 7 on a third.
	if h := append(handles, s.DB()); h[0] != h[3] || h[3] == h[4] || h[4] != h[6] || h[6] == h[7] {
		t.Fatalf("handles before each append and after: %v", h)
	}
	res, err := ledger.Verify(ctx, s, nil)
	if err != nil || res.Size != 350 {
		t.Fatalf("%+v %v", res, err)
	}
}

// A writer that opens its file again serves readers at work meanwhile in
// the same process: none of them meets a closed file, and under -race none
// touches the handle as it is replaced. reopen waits for a moment with no
// reader; this test does not count on finding one.
func TestReopenWhileReading(t *testing.T) {
	defer bolt.SetReopenEvery(2)()
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "l.db"))
	done := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(readErr)
		for {
			select {
			case <-done:
				return
			default:
			}
			h, err := s.Head(ctx)
			next := uint64(0)
			if err == nil {
				err = s.Read(ctx, 0, func(r ledger.Recorded) error {
					if r.Seq != next {
						return fmt.Errorf("read seq %d where %d was next", r.Seq, next)
					}
					next++
					return nil
				})
			}
			if err == nil && next < h.Size {
				err = fmt.Errorf("read %d events of a ledger of %d", next, h.Size)
			}
			if err == nil && h.Size > 0 {
				_, _, err = s.Lookup(ctx, storetest.Arrest(0).ID)
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	for i := range 20 {
		if err := s.Append(ctx, uint64(i*50), storetest.Sealed(i*50, 50)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	close(done)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	res, err := ledger.Verify(ctx, s, nil)
	if err != nil || res.Size != 1000 {
		t.Fatalf("%+v %v", res, err)
	}
}

// Another writer that takes the file while a store opens it again appends
// first; the store's next append then refuses, appending nothing, and the
// ledger holds both writers' events in order. One that holds the file past
// the store's wait leaves it with a clear error and the ledger whole.
func TestReopenMeetsAnotherWriter(t *testing.T) {
	defer bolt.SetReopenEvery(1)()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	s := open(t, path)
	if err := s.Append(ctx, 0, storetest.Sealed(0, 10)); err != nil {
		t.Fatal(err)
	}
	other := func(appendAt int, keep bool) *bolt.Store {
		o, err := bolt.Open(path, bolt.Options{Wait: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if appendAt >= 0 {
			if err := o.Append(ctx, uint64(appendAt), storetest.Sealed(appendAt, 5)); err != nil {
				t.Fatal(err)
			}
		}
		if !keep {
			o.Close()
			return nil
		}
		return o
	}
	restore := bolt.SetInReopen(func() { other(10, false) })
	err := s.Append(ctx, 10, storetest.Sealed(10, 10))
	restore()
	if !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("an append after another writer's: %v", err)
	}
	if err := s.Append(ctx, 15, storetest.Sealed(15, 10)); err != nil {
		t.Fatalf("appending after the other writer's events: %v", err)
	}
	if res, err := ledger.Verify(ctx, s, nil); err != nil || res.Size != 25 {
		t.Fatalf("%+v %v", res, err)
	}

	if _, err := bolt.Open(path, bolt.Options{Wait: 100 * time.Millisecond}); err == nil {
		t.Fatal("a second handle opened a file the first holds")
	}
	s.Close()
	w, err := bolt.Open(path, bolt.Options{Wait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(ctx, 25, storetest.Sealed(25, 5)); err != nil {
		t.Fatal(err)
	}
	var held *bolt.Store
	restore = bolt.SetInReopen(func() { held = other(-1, true) })
	err = w.Append(ctx, 30, storetest.Sealed(30, 10))
	restore()
	if err == nil || !strings.Contains(err.Error(), "another process took the ledger") || ledger.CodeOf(err) != ledger.CodeRuntime {
		t.Fatalf("an append while another process held the file: %v", err)
	}
	held.Close()
	r := open(t, path)
	if res, err := ledger.Verify(ctx, r, nil); err != nil || res.Size != 30 {
		t.Fatalf("after a failed reopen: %+v %v", res, err)
	}
}

// Open waits for another process that holds the file, tells it once, and
// goes on when the file is free; a done context ends the wait.
func TestOpenWaitsForTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := open(t, path)
	time.AfterFunc(2500*time.Millisecond, func() { s.Close() })
	told := 0
	start := time.Now()
	w, err := bolt.Open(path, bolt.Options{Waiting: func() { told++ }})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); told != 1 || d < 2*time.Second {
		t.Fatalf("opened after %s, told %d times", d, told)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err = bolt.Open(path, bolt.Options{Context: ctx, ReadOnly: true})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting for another process") {
		t.Fatalf("a wait stopped: %v", err)
	}
	w.Close()
}
