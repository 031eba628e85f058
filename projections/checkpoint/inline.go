package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/projections"
)

// Folder folds each append into a checkpoint: FoldOnAppend for one kept
// in the ledger's own file, FoldInto for one in a file of its own. It keeps
// the months it wrote for the next batch (projections.MonthCache), so give
// each ledger its own.
type Folder struct {
	mu     sync.Mutex
	months *projections.MonthCache
}

func NewFolder() *Folder { return &Folder{months: projections.NewMonthCache()} }

// FoldOnAppend keeps a checkpoint kept in the ledger's own file at the
// ledger's head: run inside each append's transaction (bolt's AppendHook),
// it folds what is appended, so the checkpoint and the events commit
// together or not at all, and the first report after an import has nothing
// left to fold.
//
// It only ever carries on a checkpoint that is exactly at the head before
// the batch, with its root: anything else (none yet on a ledger that holds
// events, another format, another history, a damaged record) is left to the
// next view, which folds or rebuilds it as it always has. A checkpoint
// found damaged is discarded here, so that an append never fails for a
// fault in derived data.
func (fo *Folder) FoldOnAppend(tx kv.Tx, ix ledger.IDIndex, recs []ledger.Recorded, before, after ledger.Head) error {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	b := tx.Bucket(Bucket)
	if b == nil {
		if before.Size != 0 {
			return nil
		}
		var err error
		if b, err = tx.CreateBucket(Bucket); err != nil {
			return err
		}
		if err := b.Put(keyFormat, []byte(format)); err != nil {
			return err
		}
	}
	if string(b.Get(keyFormat)) != format {
		return nil
	}
	size, root := uint64(0), b.Get(keyRoot)
	if v := b.Get(keySize); len(v) == 8 {
		size = binary.BigEndian.Uint64(v)
	}
	if size != before.Size || (size > 0 && !bytes.Equal(root, before.Root[:])) {
		return nil
	}
	err := fold(b, ix, fo.months, recs, before.Size)
	if errors.Is(err, projections.ErrDamaged) {
		// Derived data: made absent, it is discarded and folded again by
		// the next view (Discard), not deleted inside an append.
		return b.Delete(keyFormat)
	}
	if err != nil {
		return err
	}
	if err := b.Put(keySize, binary.BigEndian.AppendUint64(nil, after.Size)); err != nil {
		return err
	}
	return b.Put(keyRoot, after.Root[:])
}

// fold applies recs to the checkpoint's records, which hold size events.
func fold(b kv.Bucket, ix ledger.IDIndex, months *projections.MonthCache, recs []ledger.Recorded, size uint64) error {
	state, err := projections.Open(records{root: b})
	if err != nil {
		return err
	}
	if state.Size != size {
		return projections.ErrDamaged // records and header disagree: rebuild
	}
	state.UseIDIndex(ix)
	state.UseMonthCache(months)
	for _, r := range recs {
		state.Apply(r)
	}
	return state.Flush()
}

// FoldInto is FoldOnAppend for a checkpoint kept in a file of its own (an
// EventStoreDB ledger's, in this machine's cache): after an append is
// acknowledged, what it appended is folded into db, in one transaction of
// db's. ix is the ledger's id index.
func (fo *Folder) FoldInto(db kv.DB, ix ledger.IDIndex, recs []ledger.Recorded, before, after ledger.Head) error {
	return db.Update(func(tx kv.Tx) error { return fo.FoldOnAppend(tx, ix, recs, before, after) })
}
