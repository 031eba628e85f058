package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
)

// Index is what a store whose server keeps neither an id index nor a Merkle
// tree (EventStoreDB) knows of its stream without reading it again, kept in
// a local bbolt file: where each id is, the leaf hashes, and the last
// recorded_at. It is derived data: the store checks it against the stream
// when it opens (the event at its last seq must have the leaf hash it
// holds), every read compares events with the leaf hashes it holds, and
// verify rebuilds it from the stream.
type Index struct {
	stream string
	note   string
	path   string
	db     *bbolt.DB
	n      uint64
	last   time.Time
	// pages releases the file's mapped pages every 16k entries: a first
	// build, or a fold pinning every event it reads, would otherwise keep the
	// whole file resident (1M events: 362 MB peak for a cold summary).
	pages *Releaser
	temp  string // the file's path, if it is this process's own, removed on close
}

var (
	keyStream    = []byte("stream")
	errDuplicate = errors.New("an id indexed twice")
)

// indexFormat 2: the id index is sorted runs (IDs).
const indexFormat = "statledger-esdb-index-2"

// OpenIndex opens the index of stream in the file at path, creating it, or
// making it again when it cannot be read or belongs to another stream. A
// file that another process holds is waited for up to DerivedWait (waiting,
// if set, is told after a second), and then the index is kept in a
// temporary file of this process's own in the same folder instead. Note says
// what the user should know of either.
func OpenIndex(path, stream string, waiting func()) (*Index, error) {
	f, err := openIndex(path, stream, waiting)
	if err != nil {
		note := fmt.Sprintf("the local index %s cannot be used (%v), so the whole stream was read", path, err)
		if errors.Is(err, errHeld) {
			note = fmt.Sprintf("the local index %s is in use by another command (waited %s), so the whole stream was read", path, DerivedWait.Round(time.Second))
		}
		if f, err = openTempIndex(filepath.Dir(path), stream); err != nil {
			return nil, err
		}
		f.note = note + " into a temporary index"
	}
	return f, nil
}

// Note says what the user should know of how the index was opened, or "".
func (f *Index) Note() string { return f.note }

func openIndex(path, stream string, waiting func()) (*Index, error) {
	db, remade, err := OpenDerived(path, DerivedWait, waiting)
	if err != nil {
		return nil, err
	}
	f := &Index{stream: stream, path: path, db: db, pages: &Releaser{DB: db, Every: 1 << 12}}
	if remade != nil {
		f.note = fmt.Sprintf("the local index %s could not be read (%v); it was rebuilt from the stream", path, remade)
	}
	var ok bool
	err = f.view(func(tx *bbolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil || string(m.Get(keyFormat)) != indexFormat || string(m.Get(keyStream)) != stream {
			return nil
		}
		if v := m.Get(keySize); len(v) == 8 {
			f.n = binary.BigEndian.Uint64(v)
		}
		if v := m.Get(keyLastAt); v != nil {
			t, err := time.Parse(ledger.TimeFormat, string(v))
			if err != nil {
				return nil
			}
			f.last = t
		}
		ok = true
		return nil
	})
	if err == nil && !ok {
		// Another format, another stream, or a file that is not an index:
		// derived data, so start it again.
		err = f.Reset()
	}
	if errors.Is(err, ledger.ErrDamaged) {
		// Derived data: a damaged file is made again from the stream.
		db.Close()
		if rerr := os.Remove(path); rerr == nil {
			damage := err
			f, err := openIndex(path, stream, nil)
			if err == nil {
				f.note = fmt.Sprintf("the local index %s was damaged (%v); it was rebuilt from the stream", path, damage)
			}
			return f, err
		}
		return nil, err
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return f, nil
}

// view and update are bbolt's, guarded: a damaged index file is an error,
// never a crash.
func (f *Index) view(fn func(*bbolt.Tx) error) error {
	return Guard(f.path, func() error { return f.db.View(fn) })
}

func (f *Index) update(fn func(*bbolt.Tx) error) error {
	return Guard(f.path, func() error { return f.db.Update(fn) })
}

func (f *Index) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	defer f.pages.Touch(len(idx))
	var out []tlog.Hash
	err := f.view(func(tx *bbolt.Tx) error {
		var err error
		out, err = Hashes{B: tx.Bucket(bucketHashes)}.ReadHashes(idx)
		return err
	})
	return out, err
}

func (f *Index) Size() uint64      { return f.n }
func (f *Index) LastAt() time.Time { return f.last }
func (f *Index) Close() error {
	err := f.db.Close()
	if f.temp != "" {
		os.Remove(f.temp)
	}
	return err
}

// openTempIndex makes an index file of this process's own in dir, for when
// the shared one is held by another statledger: the whole stream is read
// into it, as into memory, but within the memory a file index needs (1M
// events into a map: 425 MB peak for a summary). Files left by processes
// that were killed are removed first.
func openTempIndex(dir, stream string) (*Index, error) {
	path, err := tempIndexFile(dir)
	if err != nil {
		return nil, err
	}
	f, err := openIndex(path, stream, nil)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	f.db.NoSync = true // thrown away on close: nothing to make durable
	f.temp = path
	return f, nil
}

func (f *Index) SeqsOf(ids []string) ([]uint64, []bool, error) {
	return seqsInPieces(ids, f.view, func(tx *bbolt.Tx) IDs { return IDs{Runs: tx.Bucket(bucketIDRuns)} }, f.pages.TouchScattered)
}

// Add indexes events that follow on from Size: their ids and leaf hashes,
// and the last one's recorded_at. An id the index holds already (or that
// ids holds twice) is refused, all of them with it: dup is its position in
// ids, and held the seq that holds it; otherwise dup is -1.
func (f *Index) Add(ids []string, leaves []tlog.Hash, lastAt time.Time) (dup int, held uint64, err error) {
	if len(ids) == 0 {
		return -1, 0, nil
	}
	merged := 0
	dup = -1
	err = f.update(func(tx *bbolt.Tx) error {
		hashes, m := Hashes{B: tx.Bucket(bucketHashes)}, tx.Bucket(bucketMeta)
		var n int
		var err error
		if dup, held, n, err = (IDs{Runs: tx.Bucket(bucketIDRuns)}).Add(ids, f.n); err != nil {
			return err
		} else if dup >= 0 {
			return errDuplicate // rolls back what Add wrote
		}
		merged = n
		for i, leaf := range leaves {
			if err := hashes.Add(f.n+uint64(i), leaf); err != nil {
				return err
			}
		}
		if err := m.Put(keySize, seqKey(f.n+uint64(len(ids)))); err != nil {
			return err
		}
		return m.Put(keyLastAt, []byte(lastAt.Format(ledger.TimeFormat)))
	})
	if errors.Is(err, errDuplicate) {
		return dup, held, nil
	} else if err != nil {
		return -1, 0, err
	}
	f.n, f.last = f.n+uint64(len(ids)), lastAt
	f.pages.Touch(len(ids) + merged)
	return -1, 0, nil
}

// tempIndexFile makes an empty file for an index of this process's own in
// dir, first removing those left by processes that were killed.
func tempIndexFile(dir string) (string, error) {
	if old, _ := filepath.Glob(filepath.Join(dir, "index-tmp-*.db")); len(old) > 0 {
		for _, p := range old {
			var pid int
			if _, err := fmt.Sscanf(filepath.Base(p), "index-tmp-%d-", &pid); err == nil && !processAlive(pid) {
				os.Remove(p)
			}
		}
	}
	tmp, err := os.CreateTemp(dir, fmt.Sprintf("index-tmp-%d-*.db", os.Getpid()))
	if err != nil {
		return "", err
	}
	tmp.Close()
	return tmp.Name(), nil
}

// Reset empties the index. bbolt reads every page of a bucket it deletes
// (to free it), and mapped them all: resetting an index of 1M events took
// 145 MB of the process's memory, of 10M events 1.43 GB in 1.9 s. So an
// empty file takes its place instead (10M events: 16 KB in 75 ms), made
// beside it and renamed over it while this process still holds the old
// one, so the path is never free for another process to take. One that
// opened the old file before, and waits for it, reads what it held and
// checks it against the stream, as on any open. Where an open file cannot
// be replaced (Windows), its buckets are deleted as before.
func (f *Index) Reset() error {
	err := f.replace()
	if err != nil {
		err = f.resetInPlace()
	}
	if err == nil {
		f.n, f.last = 0, time.Time{}
	}
	return err
}

func (f *Index) replace() error {
	name, err := tempIndexFile(filepath.Dir(f.path))
	if err != nil {
		return err
	}
	db, err := bbolt.Open(name, 0o600, &bbolt.Options{Timeout: time.Second}) // a new file of its own
	if err == nil {
		db.NoSync = f.db.NoSync
		err = db.Update(func(tx *bbolt.Tx) error { return f.empty(tx) })
		if err == nil {
			err = os.Rename(name, f.path)
		}
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	old := f.db
	f.db, f.pages = db, &Releaser{DB: db, Every: f.pages.Every}
	old.Close()
	return nil
}

// empty makes tx's file an empty index of f's stream.
func (f *Index) empty(tx *bbolt.Tx) error {
	for _, b := range [][]byte{bucketIDRuns, bucketHashes, bucketMeta} {
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	m := tx.Bucket(bucketMeta)
	if err := m.Put(keyFormat, []byte(indexFormat)); err != nil {
		return err
	}
	return m.Put(keyStream, []byte(f.stream))
}

func (f *Index) resetInPlace() error {
	return f.update(func(tx *bbolt.Tx) error {
		// "ids": format 1's id tree.
		if err := tx.DeleteBucket([]byte("ids")); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		for _, b := range [][]byte{bucketIDRuns, bucketHashes, bucketMeta} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		return f.empty(tx)
	})
}
