// Package kv is the transactional key-value file that derived data is kept
// in beside a ledger: the projection checkpoint, and the local index of a
// store whose server keeps none. It names only what those need (buckets,
// cursors, transactions), so that the packages keeping derived data know no
// storage library; ledger/bolt provides it over a bbolt file.
//
// A DB's reads may fault on a damaged file; Guard turns that into an error
// (ledger.ErrDamaged) for whatever runs inside it. View and Update guard
// their transactions themselves; a transaction from Begin, which outlives
// the call that opened it, is read inside Guard by its user.
package kv

// DB is one key-value file.
type DB interface {
	// View runs fn in a read transaction, Update in a write transaction that
	// commits when fn returns nil; both guarded.
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	// Begin starts a read transaction that outlives the call; Rollback ends it.
	Begin() (Tx, error)
	// Guard runs fn so that a fault on a damaged page is an error naming the file.
	Guard(fn func() error) error
	// Pages counts entries read and releases the file's mapped pages from
	// the process's memory every so many; ReleasePages releases them now.
	Pages(every int64) Pages
	ReleasePages()
	Path() string
	ReadOnly() bool
	Close() error
}

// Tx is a transaction.
type Tx interface {
	Bucket(name []byte) Bucket // nil when there is none
	CreateBucket(name []byte) (Bucket, error)
	DeleteBucket(name []byte) error // none there is no error
	Rollback() error
}

// Bucket is a sorted map of keys to values, and of names to buckets. A
// value is valid only during its transaction.
type Bucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	Bucket(name []byte) Bucket // nil when there is none
	CreateBucket(name []byte) (Bucket, error)
	Cursor() Cursor
	// Ascending says, for this transaction, that the keys put are mostly
	// greater than those held (see projections.AscendingBuckets): full
	// pages are then kept whole rather than split in halves.
	Ascending()
}

// Cursor walks a bucket in key order; a nil key is the end.
type Cursor interface {
	First() (key, value []byte)
	Seek(key []byte) (key2, value []byte)
	Next() (key, value []byte)
}

// Pages counts what a reader touches: Touch for entries read in order,
// TouchScattered for entries found by key (each lands on pages of its own).
type Pages interface {
	Touch(n int)
	TouchScattered(n int)
}
