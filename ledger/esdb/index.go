package esdb

import (
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
)

// Index is what the store knows of its stream without reading it again:
// where each id is, the Merkle tree of the leaf hashes seen so far, and the
// last recorded_at. EventStoreDB has neither a unique-id index nor a tree,
// so the store must keep both. Kept in memory, they cost a read of the whole
// stream on every open; kept in a local file (ledger/bolt.Index), only the
// events appended since.
type Index interface {
	tlog.HashReader
	Size() uint64
	LastAt() time.Time
	SeqsOf(ids []string) ([]uint64, []bool, error)
	// Add indexes events that follow on from Size: their ids, leaf hashes,
	// and the last one's recorded_at. An id already held (or held twice by
	// ids) adds nothing: dup is its position in ids and held the seq that
	// holds it; otherwise dup is -1.
	Add(ids []string, leaves []tlog.Hash, lastAt time.Time) (dup int, held uint64, err error)
	Reset() error
	Close() error
	// Note says what the user should know of how the index was opened.
	Note() string
}

// add indexes es, which follow on from the index's size. An id the index
// already holds is a CodeVerify error: the stream has it twice.
func (s *Store) add(es []entry) error {
	if len(es) == 0 {
		return nil
	}
	ids, leaves := make([]string, len(es)), make([]tlog.Hash, len(es))
	for i, e := range es {
		if e.seq != s.ix.Size()+uint64(i) {
			return fmt.Errorf("the local index holds %d events; seq %d cannot follow", s.ix.Size(), e.seq)
		}
		ids[i], leaves[i] = e.id, e.leaf
	}
	s.ixMu.Lock()
	dup, held, err := s.ix.Add(ids, leaves, es[len(es)-1].at)
	s.ixMu.Unlock()
	if err == nil && dup >= 0 {
		err = s.duplicate(es[dup], held)
	}
	return err
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
	ids  map[string]uint64
	tree ledger.MemTree
	last time.Time
}

func newMemIndex() *memIndex { return &memIndex{ids: map[string]uint64{}} }

func (m *memIndex) ReadHashes(idx []int64) ([]tlog.Hash, error) { return m.tree.ReadHashes(idx) }
func (m *memIndex) Size() uint64                                { return m.tree.Size() }
func (m *memIndex) LastAt() time.Time                           { return m.last }
func (m *memIndex) Close() error                                { return nil }
func (m *memIndex) Note() string                                { return "" }

func (m *memIndex) SeqsOf(ids []string) ([]uint64, []bool, error) {
	seqs, found := make([]uint64, len(ids)), make([]bool, len(ids))
	for i, id := range ids {
		seqs[i], found[i] = m.ids[id]
	}
	return seqs, found, nil
}

func (m *memIndex) Add(ids []string, leaves []tlog.Hash, lastAt time.Time) (int, uint64, error) {
	n := m.tree.Size()
	for i, id := range ids {
		if old, dup := m.ids[id]; dup {
			for _, id := range ids[:i] { // nothing of a refused batch stays
				delete(m.ids, id)
			}
			return i, old, nil
		}
		m.ids[id] = n + uint64(i)
	}
	for _, leaf := range leaves {
		m.tree.Add(leaf)
	}
	m.last = lastAt
	return -1, 0, nil
}

func (m *memIndex) Reset() error {
	*m = *newMemIndex()
	return nil
}
