package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

// TamperID points id at seq in the run that holds it, or removes it there
// when seq is nil, as someone editing the file would.
func TamperID(tx *bbolt.Tx, id string, seq *uint64) error {
	k, ok := idKey(id)
	if !ok {
		return fmt.Errorf("%q is not an id", id)
	}
	for _, r := range idsOf(tx).runs() {
		c := r.bucket().Cursor()
		for bk, v := c.First(); bk != nil; bk, v = c.Next() {
			i, _, ok := search(v, k[:])
			if !ok {
				continue
			}
			b := bytes.Clone(v)
			if seq == nil {
				b = append(b[:i*entrySize], b[(i+1)*entrySize:]...)
			} else {
				binary.BigEndian.PutUint64(b[i*entrySize+16:], *seq)
			}
			if err := r.bucket().Delete(bk); err != nil || len(b) == 0 {
				return err
			}
			return r.bucket().Put(b[:16], b)
		}
	}
	return fmt.Errorf("no run holds %s", id)
}

// SetRunLimits sets the cap and merge ratio of runs until the returned
// func restores them.
func SetRunLimits(capacity, ratio uint64) (restore func()) {
	c, r := runCap, mergeRatio
	runCap, mergeRatio = capacity, ratio
	return func() { runCap, mergeRatio = c, r }
}

// SetReopenEvery sets reopenEvery until the returned func restores it.
func SetReopenEvery(n int64) (restore func()) {
	old := reopenEvery
	reopenEvery = n
	return func() { reopenEvery = old }
}

// SetInReopen makes f run between a reopen's close and its open, until the
// returned func restores it.
func SetInReopen(f func()) (restore func()) {
	inReopen = f
	return func() { inReopen = nil }
}

// SetLookupPiece sets how many ids SeqsOf looks up in one read transaction
// until the returned func restores it.
func SetLookupPiece(n int) (restore func()) {
	old := lookupPiece
	lookupPiece = n
	return func() { lookupPiece = old }
}

// SalvageTree is the tree's read of a salvage alone.
var SalvageTree = salvageTree
