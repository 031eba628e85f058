package bolt

import (
	"errors"
	"os"
	"runtime"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/ledger/kv"
)

// KV is a bbolt file seen as a kv.DB: how the packages that keep derived
// data (the projection checkpoint, the EventStoreDB index) use one.
func KV(db *bbolt.DB) kv.DB { return kvDB{db} }

// KV is the ledger file itself, where the projection checkpoint is kept in a
// bucket of its own, so it is written in the same file as the events. It
// serves until the store opens its file again (reopen): a view, not a writer
// of many batches, holds it.
func (s *Store) KV() kv.DB { return kvDB{s.DB()} }

// OpenKV opens (creating it) a file of derived data: see OpenDerived.
func OpenKV(path string, wait time.Duration) (db kv.DB, remade, err error) {
	b, remade, err := OpenDerived(path, wait)
	if err != nil {
		return nil, remade, err
	}
	return kvDB{b}, remade, nil
}

// TempKV makes a file of derived data that lives only while it is open:
// closing it removes it. Made again on any failure, so it is never synced.
func TempKV() (kv.DB, error) {
	tmp, err := os.CreateTemp("", "statledger-fold-*.db")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	db, err := bbolt.Open(tmp.Name(), 0o600, &bbolt.Options{NoSync: true, NoFreelistSync: true})
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	// bbolt works through the descriptor it opened: unlinked now, the file
	// goes with the process however it ends, even killed half-way through
	// a fold of a long ledger (gigabytes left in the temporary folder). Where
	// an open file cannot be removed (Windows), Close removes it.
	if runtime.GOOS != "windows" {
		os.Remove(tmp.Name())
	}
	return tempDB{kvDB{db}}, nil
}

type tempDB struct{ kvDB }

func (t tempDB) Close() error {
	path := t.db.Path() // bbolt forgets it on Close
	err := t.db.Close()
	os.Remove(path)
	return err
}

type kvDB struct{ db *bbolt.DB }

func (d kvDB) View(fn func(kv.Tx) error) error {
	return Guard(d.db.Path(), func() error { return d.db.View(func(tx *bbolt.Tx) error { return fn(kvTx{tx}) }) })
}

func (d kvDB) Update(fn func(kv.Tx) error) error {
	return Guard(d.db.Path(), func() error { return d.db.Update(func(tx *bbolt.Tx) error { return fn(kvTx{tx}) }) })
}

func (d kvDB) Begin() (kv.Tx, error) {
	tx, err := d.db.Begin(false)
	if err != nil {
		return nil, err
	}
	return kvTx{tx}, nil
}

func (d kvDB) Guard(fn func() error) error { return Guard(d.db.Path(), fn) }
func (d kvDB) Pages(every int64) kv.Pages  { return &Releaser{DB: d.db, Every: every} }
func (d kvDB) ReleasePages()               { ReleasePages(d.db) }
func (d kvDB) Path() string                { return d.db.Path() }
func (d kvDB) ReadOnly() bool              { return d.db.IsReadOnly() }
func (d kvDB) Close() error                { return d.db.Close() }

type kvTx struct{ tx *bbolt.Tx }

func (t kvTx) Bucket(name []byte) kv.Bucket { return bucketOf(t.tx.Bucket(name)) }
func (t kvTx) CreateBucket(name []byte) (kv.Bucket, error) {
	b, err := t.tx.CreateBucket(name)
	return bucketOf(b), err
}
func (t kvTx) DeleteBucket(name []byte) error {
	if err := t.tx.DeleteBucket(name); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
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
func (b *kvBucket) CreateBucket(name []byte) (kv.Bucket, error) {
	nb, err := b.bb().CreateBucket(name)
	return bucketOf(nb), err
}
