package ledger

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TreeRoot returns the root of the ledger's first size events.
func TreeRoot(ctx context.Context, s Store, size uint64) (tlog.Hash, error) {
	if size == 0 {
		return tlog.Hash{}, nil
	}
	return tlog.TreeHash(int64(size), HashReader(ctx, s))
}

// MemTree is an in-memory Merkle tree built from leaf hashes, used to recompute
// a ledger's tree from its events without trusting the stored hashes.
type MemTree struct {
	hashes []tlog.Hash // tlog stored hashes, in stored-hash-index order
	size   int64
}

func (m *MemTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("hash index %d not in tree of size %d", x, m.size)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// Add appends a leaf and returns the stored hashes it created, which a store
// keeps at indexes from tlog.StoredHashIndex(0, n).
func (m *MemTree) Add(leaf tlog.Hash) []tlog.Hash {
	hs, err := tlog.StoredHashesForRecordHash(m.size, leaf, m)
	if err != nil {
		panic("ledger: memtree: " + err.Error()) // every index it reads exists by construction
	}
	m.hashes = append(m.hashes, hs...)
	m.size++
	return hs
}

func (m *MemTree) Size() uint64 { return uint64(m.size) }

// Root returns the root at any size up to the current one.
func (m *MemTree) Root(size uint64) tlog.Hash {
	if size == 0 {
		return tlog.Hash{}
	}
	h, err := tlog.TreeHash(int64(size), m)
	if err != nil {
		panic("ledger: memtree root: " + err.Error())
	}
	return h
}

// ProveInclusion returns the proof that the event at seq is in the tree of size.
func ProveInclusion(ctx context.Context, s Store, seq, size uint64) (tlog.RecordProof, error) {
	if seq >= size {
		return nil, Errorf(CodeInput, "seq %d is not in a tree of size %d", seq, size)
	}
	return tlog.ProveRecord(int64(size), int64(seq), HashReader(ctx, s))
}
