package bolt

import (
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

// TamperID points id at seq in the run that holds it, or removes it there
// when seq is nil, as someone editing the file would.
func TamperID(tx *bbolt.Tx, id string, seq *uint64) error {
	x := idsOf(tx)
	for _, r := range x.runs() {
		if r.b.Get([]byte(id)) == nil {
			continue
		}
		if seq == nil {
			return r.b.Delete([]byte(id))
		}
		return r.b.Put([]byte(id), seqKey(*seq))
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
