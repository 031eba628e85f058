package esdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
)

// index is what the store knows of its stream without reading it again: where
// each id is, the Merkle tree of the leaf hashes seen so far, and the last
// recorded_at. EventStoreDB has neither a unique-id index nor a tree, so the
// store must keep both. Kept in memory, they cost a read of the whole stream
// on every open; kept in a local file, only the events appended since.
type index interface {
	tlog.HashReader
	size() uint64
	lastAt() time.Time
	seqsOf(ids []string) ([]uint64, []bool, error)
	// add indexes events that follow on from size. An id the index already
	// holds is a CodeVerify error: the stream has it twice.
	add(es []entry) error
	reset() error
	close() error
}

type entry struct {
	id   string
	seq  uint64
	leaf tlog.Hash
	at   time.Time
}

func (s *Store) duplicate(e entry, old uint64) error {
	return ledger.Errorf(ledger.CodeVerify, "seq %d: id %s appears twice in stream %s (first at seq %d)", e.seq, e.id, s.stream, old)
}

// memIndex lives only as long as the process.
type memIndex struct {
	s    *Store
	ids  map[string]uint64
	tree ledger.MemTree
	last time.Time
}

func newMemIndex(s *Store) *memIndex { return &memIndex{s: s, ids: map[string]uint64{}} }

func (m *memIndex) ReadHashes(idx []int64) ([]tlog.Hash, error) { return m.tree.ReadHashes(idx) }
func (m *memIndex) size() uint64                                { return m.tree.Size() }
func (m *memIndex) lastAt() time.Time                           { return m.last }
func (m *memIndex) close() error                                { return nil }

func (m *memIndex) seqsOf(ids []string) ([]uint64, []bool, error) {
	seqs, found := make([]uint64, len(ids)), make([]bool, len(ids))
	for i, id := range ids {
		seqs[i], found[i] = m.ids[id]
	}
	return seqs, found, nil
}

func (m *memIndex) add(es []entry) error {
	for _, e := range es {
		if old, dup := m.ids[e.id]; dup {
			return m.s.duplicate(e, old)
		}
		m.ids[e.id] = e.seq
		m.tree.Add(e.leaf)
		m.last = e.at
	}
	return nil
}

func (m *memIndex) reset() error {
	*m = *newMemIndex(m.s)
	return nil
}

// fileIndex keeps the index in a local bbolt file. It is derived data: the
// store checks it against the stream when it opens (the event at its last
// seq must have the leaf hash it holds), every read compares events with the
// leaf hashes it holds, and verify rebuilds it from the stream.
type fileIndex struct {
	s    *Store
	db   *bbolt.DB
	n    uint64
	last time.Time
	// pages releases the file's mapped pages every 16k entries: a first
	// build, or a fold pinning every event it reads, would otherwise keep the
	// whole file resident (1M events: 362 MB peak for a cold summary).
	pages *bolt.Releaser
	temp  string // the file's path, if it is this process's own, removed on close
}

var (
	bucketIDRuns = []byte("idruns") // the id index's runs (bolt.IDs)
	bucketHashes = []byte("hashes") // tlog stored-hash index -> hash
	bucketMeta   = []byte("meta")
	keyFormat    = []byte("format")
	keyStream    = []byte("stream")
	keySize      = []byte("size")
	keyLastAt    = []byte("last_recorded_at")
)

// indexFormat 2: the id index is sorted runs (bolt.IDs).
const indexFormat = "statledger-esdb-index-2"

// indexWait is how long to wait for another process that holds the index
// file before reading the stream into memory instead.
const indexWait = time.Second

func openFileIndex(s *Store, path string) (*fileIndex, error) {
	db, remade, err := bolt.OpenDerived(path, indexWait)
	if err != nil {
		return nil, err
	}
	if remade != nil {
		s.note = fmt.Sprintf("the local index %s could not be read (%v); it was rebuilt from the stream", path, remade)
	}
	f := &fileIndex{s: s, db: db, pages: &bolt.Releaser{DB: db, Every: 1 << 14}}
	var ok bool
	err = f.view(func(tx *bbolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil || string(m.Get(keyFormat)) != indexFormat || string(m.Get(keyStream)) != s.stream {
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
		err = f.reset()
	}
	if errors.Is(err, ledger.ErrDamaged) {
		// Derived data: a damaged file is made again from the stream.
		db.Close()
		if rerr := os.Remove(path); rerr == nil {
			damage := err
			f, err := openFileIndex(s, path)
			if err == nil {
				s.note = fmt.Sprintf("the local index %s was damaged (%v); it was rebuilt from the stream", path, damage)
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
func (f *fileIndex) view(fn func(*bbolt.Tx) error) error {
	return bolt.Guard(f.db.Path(), func() error { return f.db.View(fn) })
}

func (f *fileIndex) update(fn func(*bbolt.Tx) error) error {
	return bolt.Guard(f.db.Path(), func() error { return f.db.Update(fn) })
}

func key(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func (f *fileIndex) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	defer f.pages.Touch(len(idx))
	var out []tlog.Hash
	err := f.view(func(tx *bbolt.Tx) error {
		var err error
		out, err = bolt.Hashes{B: tx.Bucket(bucketHashes)}.ReadHashes(idx)
		return err
	})
	return out, err
}

func (f *fileIndex) size() uint64      { return f.n }
func (f *fileIndex) lastAt() time.Time { return f.last }
func (f *fileIndex) close() error {
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
func openTempIndex(s *Store, dir string) (*fileIndex, error) {
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
		return nil, err
	}
	path := tmp.Name()
	tmp.Close()
	f, err := openFileIndex(s, path)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	f.db.NoSync = true // thrown away on close: nothing to make durable
	f.temp = path
	return f, nil
}

func (f *fileIndex) seqsOf(ids []string) ([]uint64, []bool, error) {
	defer f.pages.TouchScattered(len(ids))
	var seqs []uint64
	var found []bool
	err := f.view(func(tx *bbolt.Tx) error {
		seqs, found = bolt.IDs{Runs: tx.Bucket(bucketIDRuns)}.SeqsOf(ids)
		return nil
	})
	return seqs, found, err
}

func (f *fileIndex) add(es []entry) error {
	if len(es) == 0 {
		return nil
	}
	merged := 0
	err := f.update(func(tx *bbolt.Tx) error {
		hashes, m := bolt.Hashes{B: tx.Bucket(bucketHashes)}, tx.Bucket(bucketMeta)
		ids := make([]string, len(es))
		for i, e := range es {
			if e.seq != f.n+uint64(i) {
				return fmt.Errorf("the local index holds %d events; seq %d cannot follow", f.n, e.seq)
			}
			ids[i] = e.id
		}
		dup, held, n, err := bolt.IDs{Runs: tx.Bucket(bucketIDRuns)}.Add(ids, f.n)
		if err != nil {
			return err
		}
		if dup >= 0 {
			return f.s.duplicate(es[dup], held)
		}
		merged = n
		for _, e := range es {
			if err := hashes.Add(e.seq, e.leaf); err != nil {
				return err
			}
		}
		last := es[len(es)-1]
		if err := m.Put(keySize, key(last.seq+1)); err != nil {
			return err
		}
		return m.Put(keyLastAt, []byte(last.at.Format(ledger.TimeFormat)))
	})
	if err != nil {
		return err
	}
	f.n, f.last = es[len(es)-1].seq+1, es[len(es)-1].at
	f.pages.Touch(len(es) + merged)
	return nil
}

func (f *fileIndex) reset() error {
	err := f.update(func(tx *bbolt.Tx) error {
		// "ids": format 1's id tree.
		if err := tx.DeleteBucket([]byte("ids")); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
			return err
		}
		for _, b := range [][]byte{bucketIDRuns, bucketHashes, bucketMeta} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
				return err
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		m := tx.Bucket(bucketMeta)
		if err := m.Put(keyFormat, []byte(indexFormat)); err != nil {
			return err
		}
		return m.Put(keyStream, []byte(f.s.stream))
	})
	if err == nil {
		f.n, f.last = 0, time.Time{}
	}
	return err
}
