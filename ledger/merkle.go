package ledger

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TreeRoot returns the root of the ledger's first size events.
func TreeRoot(ctx context.Context, s Store, size uint64) (tlog.Hash, error) {
	return RootOf(size, HashReader(ctx, s))
}

// RootOf is the root of a tree of size leaves whose stored hashes r reads;
// an empty tree's root is the zero hash, which tlog does not define.
func RootOf(size uint64, r tlog.HashReader) (tlog.Hash, error) {
	if size == 0 {
		return tlog.Hash{}, nil
	}
	return tlog.TreeHash(int64(size), r)
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

// frontier computes a tree's stored hashes keeping, per level, only the
// hash of the last complete subtree: all that the next leaf's stored hashes
// and the root at the current size read. Verifying a million events then
// holds a few dozen hashes instead of two million.
type frontier struct {
	size int64
	last [64]struct {
		idx int64
		h   tlog.Hash
	}
}

func (f *frontier) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		l, _ := tlog.SplitStoredHashIndex(x)
		if l >= len(f.last) || f.size == 0 || f.last[l].idx != x {
			return nil, fmt.Errorf("hash index %d is not on the frontier of a tree of size %d", x, f.size)
		}
		out[i] = f.last[l].h
	}
	return out, nil
}

// add appends a leaf and returns the stored hashes it created, at indexes
// from tlog.StoredHashIndex(0, n), one per level from the leaf up.
func (f *frontier) add(leaf tlog.Hash) []tlog.Hash {
	hs, err := tlog.StoredHashesForRecordHash(f.size, leaf, f)
	if err != nil {
		panic("ledger: frontier: " + err.Error()) // it reads only what the last add left
	}
	first := tlog.StoredHashIndex(0, f.size)
	for l, h := range hs {
		f.last[l].idx, f.last[l].h = first+int64(l), h
	}
	f.size++
	return hs
}

func (f *frontier) root() tlog.Hash {
	if f.size == 0 {
		return tlog.Hash{}
	}
	h, err := tlog.TreeHash(f.size, f)
	if err != nil {
		panic("ledger: frontier root: " + err.Error())
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
