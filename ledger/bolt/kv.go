package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/statledger/statledger/ledger/kv"
)

// KV is a bbolt file seen as a kv.DB: how the packages that keep derived
// data (the projection checkpoint, the EventStoreDB index) use one.
func KV(db *bbolt.DB) kv.DB { return kvDB{db: db} }

// KV is the ledger file itself, where the projection checkpoint is kept in a
// bucket of its own, so it is written in the same file as the events. It
// follows the store's handle: a writer of many transactions through it (a
// fold of the whole ledger into the checkpoint) counts towards the store's
// reopen, as appends do, and each use holds the handle as the store's own
// methods do. At 10M events such a fold's heap otherwise grew by bbolt's
// record of every page it wrote (see reopen).
func (s *Store) KV() kv.DB { return storeKV{s} }

type storeKV struct{ s *Store }

func (k storeKV) View(fn func(kv.Tx) error) error {
	return k.s.view(func(tx *bbolt.Tx) error { return fn(kvTx{tx}) })
}

func (k storeKV) Update(fn func(kv.Tx) error) error {
	// No context here: a wait for the file is told (Options.Waiting), and
	// a second Ctrl-C ends it.
	if err := k.s.reopen(context.Background()); err != nil {
		return err
	}
	err := k.s.update(func(tx *bbolt.Tx) error { return fn(kvTx{tx}) })
	if err == nil {
		k.s.appends.Add(1)
	}
	return err
}

// Begin holds the handle until Rollback: the store is not opened again
// under a read transaction.
func (k storeKV) Begin() (kv.Tx, error) {
	k.s.mu.RLock()
	tx, err := k.s.db.Begin(false)
	if err != nil {
		k.s.mu.RUnlock()
		return nil, err
	}
	return &storeRead{Tx: kvTx{tx}, s: k.s}, nil
}

type storeRead struct {
	kv.Tx
	s    *Store
	once sync.Once
}

func (r *storeRead) Rollback() error {
	err := r.Tx.Rollback()
	r.once.Do(r.s.mu.RUnlock)
	return err
}

func (k storeKV) Guard(fn func() error) error { return Guard(k.s.path, fn) }

// Pages counts towards the store's own release, which follows its handle.
func (k storeKV) Pages(int64) kv.Pages { return storePages(k) }

func (k storeKV) ReleasePages() {
	k.s.mu.RLock()
	defer k.s.mu.RUnlock()
	ReleasePages(k.s.db)
}

func (k storeKV) Path() string { return k.s.path }

func (k storeKV) ReadOnly() bool {
	k.s.mu.RLock()
	defer k.s.mu.RUnlock()
	return k.s.db.IsReadOnly()
}

// Close leaves the file open: it is the store's, closed with it.
func (k storeKV) Close() error { return nil }

type storePages struct{ s *Store }

func (p storePages) Touch(n int)          { p.s.touch(n, false) }
func (p storePages) TouchScattered(n int) { p.s.touch(n, true) }

// OpenKV opens (creating it) a file of derived data: see OpenDerived.
func OpenKV(path string, wait time.Duration, waiting func()) (db kv.DB, remade, err error) {
	b, remade, err := OpenDerived(path, wait, waiting)
	if err != nil {
		return nil, remade, err
	}
	return kvDB{db: b}, remade, nil
}

// TempKV makes a file of derived data that lives only while it is open:
// closing it removes it. Made again on any failure, so it is never synced.
func TempKV() (kv.DB, error) {
	tmp, err := os.CreateTemp("", "statledger-fold-*.db")
	if err != nil {
		return nil, err
	}
	name := tmp.Name()
	// Its freelist is kept in the file (bbolt's default), unlike the rest
	// of what is never synced: opened again (reopen), bbolt reads it back
	// instead of walking every page of the file to find the free ones.
	db, err := bbolt.Open(name, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		tmp.Close()
		os.Remove(name)
		return nil, err
	}
	// bbolt works through the descriptor it opened: unlinked now, the file
	// goes with the process however it ends, even killed half-way through
	// a fold of a long ledger (gigabytes left in the temporary folder). Where
	// an open file cannot be removed (Windows), Close removes it. tmp stays
	// open to open the file again by.
	t := &tempDB{db: kvDB{db: db, name: name}, keep: tmp}
	if runtime.GOOS != "windows" {
		os.Remove(name)
	}
	return t, nil
}

// tempDB is TempKV's file. A fold writes one for as long as the ledger is
// long, and bbolt's freelist remembers, for every page a write transaction
// took, which one did, until the page is freed again: at 10M events, 40 MB
// of a verify's heap. Like the ledger (Store.reopen), it is opened again
// every reopenEvery writes, and starts with none.
type tempDB struct {
	keep *os.File // the file, open: on Linux it is opened again by /proc/self/fd, unlinked

	mu      sync.Mutex
	db      kvDB
	writes  int64
	readers int // read transactions open: bbolt's Close would wait for them
}

// current is the file as it is open now; read counts a read transaction
// begun on it, which done ends.
func (t *tempDB) current(read bool) kvDB {
	t.mu.Lock()
	defer t.mu.Unlock()
	if read {
		t.readers++
	}
	return t.db
}

func (t *tempDB) done() {
	t.mu.Lock()
	t.readers--
	t.mu.Unlock()
}

func (t *tempDB) Update(fn func(kv.Tx) error) error {
	t.mu.Lock()
	if t.writes++; t.writes >= reopenEvery && t.readers == 0 {
		if err := t.reopen(); err != nil {
			t.mu.Unlock()
			return err
		}
	}
	d := t.db
	t.mu.Unlock()
	return d.Update(fn)
}

func (t *tempDB) reopen() error {
	t.writes = 0
	path := t.db.name
	if runtime.GOOS == "linux" {
		path = fmt.Sprintf("/proc/self/fd/%d", t.keep.Fd())
	} else if runtime.GOOS != "windows" {
		return nil // unlinked, and no way back to it by a name
	}
	if err := t.db.db.Close(); err != nil {
		return err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		return fmt.Errorf("cannot open the temporary fold file again: %w", err)
	}
	t.db = kvDB{db: db, name: t.db.name}
	return nil
}

func (t *tempDB) View(fn func(kv.Tx) error) error {
	defer t.done()
	return t.current(true).View(fn)
}

func (t *tempDB) Begin() (kv.Tx, error) {
	tx, err := t.current(true).Begin()
	if err != nil {
		t.done()
		return nil, err
	}
	return &tempRead{Tx: tx, t: t}, nil
}

type tempRead struct {
	kv.Tx
	t    *tempDB
	once sync.Once
}

func (r *tempRead) Rollback() error {
	r.once.Do(r.t.done)
	return r.Tx.Rollback()
}

func (t *tempDB) Guard(fn func() error) error { return t.current(false).Guard(fn) }
func (t *tempDB) Pages(every int64) kv.Pages  { return t.current(false).Pages(every) }
func (t *tempDB) ReleasePages()               { t.current(false).ReleasePages() }
func (t *tempDB) Path() string                { return t.current(false).name }
func (t *tempDB) ReadOnly() bool              { return false }

func (t *tempDB) Close() error {
	d := t.current(false)
	err := d.Close()
	t.keep.Close()
	os.Remove(d.name)
	return err
}

type kvDB struct {
	db   *bbolt.DB
	name string // the file's name in messages, when not db.Path()
}

func (d kvDB) path() string {
	if d.name != "" {
		return d.name
	}
	return d.db.Path()
}

func (d kvDB) View(fn func(kv.Tx) error) error {
	return Guard(d.path(), func() error { return d.db.View(func(tx *bbolt.Tx) error { return fn(kvTx{tx}) }) })
}

func (d kvDB) Update(fn func(kv.Tx) error) error {
	return Guard(d.path(), func() error { return d.db.Update(func(tx *bbolt.Tx) error { return fn(kvTx{tx}) }) })
}

func (d kvDB) Begin() (kv.Tx, error) {
	tx, err := d.db.Begin(false)
	if err != nil {
		return nil, err
	}
	return kvTx{tx}, nil
}

func (d kvDB) Guard(fn func() error) error { return Guard(d.path(), fn) }
func (d kvDB) Pages(every int64) kv.Pages  { return &Releaser{DB: d.db, Every: every} }
func (d kvDB) ReleasePages()               { ReleasePages(d.db) }
func (d kvDB) Path() string                { return d.path() }
func (d kvDB) ReadOnly() bool              { return d.db.IsReadOnly() }
func (d kvDB) Close() error                { return d.db.Close() }

type kvTx struct{ tx *bbolt.Tx }

func (t kvTx) Bucket(name []byte) kv.Bucket { return bucketOf(t.tx.Bucket(name)) }
func (t kvTx) CreateBucket(name []byte) (kv.Bucket, error) {
	b, err := t.tx.CreateBucket(name)
	return bucketOf(b), err
}
func (t kvTx) DeleteBucket(name []byte) error {
	if err := t.tx.DeleteBucket(name); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
		return err
	}
	return nil
}
func (t kvTx) Rollback() error { return t.tx.Rollback() }

// kvBucket is a *bbolt.Bucket under another name: a pointer, so it is held
// in an interface without an allocation.
type kvBucket bbolt.Bucket

// bucketOf keeps a missing bucket nil as an interface too.
func bucketOf(b *bbolt.Bucket) kv.Bucket {
	if b == nil {
		return nil
	}
	return (*kvBucket)(b)
}

func (b *kvBucket) bb() *bbolt.Bucket            { return (*bbolt.Bucket)(b) }
func (b *kvBucket) Get(key []byte) []byte        { return b.bb().Get(key) }
func (b *kvBucket) Put(key, value []byte) error  { return b.bb().Put(key, value) }
func (b *kvBucket) Delete(key []byte) error      { return b.bb().Delete(key) }
func (b *kvBucket) Bucket(name []byte) kv.Bucket { return bucketOf(b.bb().Bucket(name)) }
func (b *kvBucket) Cursor() kv.Cursor            { return b.bb().Cursor() }
func (b *kvBucket) Ascending()                   { b.bb().FillPercent = 1.0 }
func (b *kvBucket) CreateBucket(name []byte) (kv.Bucket, error) {
	nb, err := b.bb().CreateBucket(name)
	return bucketOf(nb), err
}
