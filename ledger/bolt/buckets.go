package bolt

import (
	"encoding/binary"
	"fmt"
	"sort"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"
)

// Hashes is a bucket of a Merkle tree's tlog stored hashes, keyed by their
// stored-hash index (8 bytes, big endian). The embedded store keeps its tree
// in one; an EventStoreDB ledger's local index (ledger/esdb) in another.
type Hashes struct{ B *bbolt.Bucket }

func (h Hashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		v := h.B.Get(seqKey(uint64(x)))
		if len(v) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d is missing", x)
		}
		copy(out[i][:], v)
	}
	return out, nil
}

// Add stores the hashes that leaf seq creates, from the leaf up; the tree
// must hold every earlier leaf.
func (h Hashes) Add(seq uint64, leaf tlog.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(int64(seq), leaf, h)
	if err != nil {
		return err
	}
	h.B.FillPercent = 1.0 // keys only ever grow, so full pages waste nothing
	first := uint64(tlog.StoredHashIndex(0, int64(seq)))
	for i := range hs {
		if err := h.B.Put(seqKey(first+uint64(i)), hs[i][:]); err != nil {
			return err
		}
	}
	return nil
}

// IDs is a bucket of event ids, each to its seq (8 bytes, big endian): the
// embedded store's id index, and an EventStoreDB ledger's local one.
type IDs struct{ B *bbolt.Bucket }

// SeqsOf says where each of ids is: at seqs[i], if found[i]. In key order,
// each page of the index is visited once per call, not once per id: Verify
// asks for tens of thousands at a time.
func (x IDs) SeqsOf(ids []string) (seqs []uint64, found []bool) {
	seqs, found = make([]uint64, len(ids)), make([]bool, len(ids))
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, c int) bool { return ids[order[a]] < ids[order[c]] })
	for _, i := range order {
		if v := x.B.Get([]byte(ids[i])); len(v) == 8 {
			seqs[i], found[i] = binary.BigEndian.Uint64(v), true
		}
	}
	return seqs, found
}

// Add puts id at seq, unless the bucket holds it already: then it says
// where, and adds nothing.
func (x IDs) Add(id string, seq uint64) (held uint64, dup bool, err error) {
	if v := x.B.Get([]byte(id)); v != nil {
		return binary.BigEndian.Uint64(v), true, nil
	}
	return 0, false, x.B.Put([]byte(id), seqKey(seq))
}
