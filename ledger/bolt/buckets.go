package bolt

import (
	"fmt"

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
