package ledger

import (
	"context"
	"errors"

	"golang.org/x/mod/sumdb/tlog"
)

// VerifyResult is what a full verification established.
type VerifyResult struct {
	Size uint64
	Root tlog.Hash
	Tree *MemTree // the tree recomputed from the events, for checkpoint checks
}

// Verify re-reads every event, checks that it is well formed and in order,
// recomputes every leaf and tree hash from the event bytes, and compares them
// with what the store holds. The first failure is returned as a CodeVerify
// error naming its seq.
func Verify(ctx context.Context, s Store) (VerifyResult, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return VerifyResult{}, err
	}
	tree := &MemTree{}
	ids := make(map[string]uint64)
	var prev *Recorded
	var pendIdx []int64
	var pendWant []tlog.Hash
	var pendSeq []uint64
	flush := func() error {
		if len(pendIdx) == 0 {
			return nil
		}
		got, err := s.ReadHashes(ctx, pendIdx)
		if err != nil {
			return Wrap(CodeVerify, err, "seq %d: stored tree hashes cannot be read", pendSeq[0])
		}
		for i := range got {
			if got[i] != pendWant[i] {
				what := "a tree hash"
				if lvl, _ := tlog.SplitStoredHashIndex(pendIdx[i]); lvl == 0 {
					what = "its leaf hash"
				}
				return Errorf(CodeVerify, "seq %d: %s in the store does not match the event bytes: the event or the hash was changed", pendSeq[i], what)
			}
		}
		pendIdx, pendWant, pendSeq = pendIdx[:0], pendWant[:0], pendSeq[:0]
		return nil
	}
	err = s.Read(ctx, 0, func(r Recorded) error {
		want := tree.Size()
		if r.Seq != want {
			return Errorf(CodeVerify, "seq %d: the store returned seq %d here: an event was deleted, inserted or moved", want, r.Seq)
		}
		if want >= head.Size {
			return errStop
		}
		if errs := Validate(&r.Event); len(errs) > 0 {
			return Errorf(CodeVerify, "seq %d: event is not valid: %s", r.Seq, errs[0].Error())
		}
		if prev != nil && r.RecordedAt.Before(prev.RecordedAt) {
			return Errorf(CodeVerify, "seq %d: recorded_at %s is earlier than the previous event's", r.Seq, r.RecordedAt.Format(TimeFormat))
		}
		if old, dup := ids[r.Event.ID]; dup {
			return Errorf(CodeVerify, "seq %d: id %s was already used at seq %d", r.Seq, r.Event.ID, old)
		}
		ids[r.Event.ID] = r.Seq
		first := tlog.StoredHashIndex(0, int64(r.Seq))
		for i, h := range tree.Add(r.Leaf) {
			pendIdx = append(pendIdx, first+int64(i))
			pendWant = append(pendWant, h)
			pendSeq = append(pendSeq, r.Seq)
		}
		rc := r
		prev = &rc
		if len(pendIdx) >= 4096 {
			return flush()
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		var le *Error
		if errors.As(err, &le) {
			return VerifyResult{}, err
		}
		// A store that cannot even decode an event has been changed underneath us.
		return VerifyResult{}, Wrap(CodeVerify, err, "seq %d: event cannot be read", tree.Size())
	}
	if err := flush(); err != nil {
		return VerifyResult{}, err
	}
	if tree.Size() != head.Size {
		return VerifyResult{}, Errorf(CodeVerify, "seq %d: the store says it holds %d events but only %d could be read", tree.Size(), head.Size, tree.Size())
	}
	root := tree.Root(head.Size)
	if root != head.Root {
		return VerifyResult{}, Errorf(CodeVerify, "the store's root %s differs from the root %s recomputed from its events", HashHex(head.Root), HashHex(root))
	}
	return VerifyResult{Size: head.Size, Root: root, Tree: tree}, nil
}

// CheckAgainst checks that a verified ledger still has, at the checkpoint's
// size, the checkpoint's root: history only grew.
func (v VerifyResult) CheckAgainst(c Checkpoint) error {
	if c.Size > v.Size {
		return Errorf(CodeVerify, "seq %d: the checkpoint has tree size %d but the ledger holds only %d events: history was removed", v.Size, c.Size, v.Size)
	}
	if got := v.Tree.Root(c.Size); got != c.Root {
		return Errorf(CodeVerify, "at tree size %d the ledger's root is %s, the checkpoint says %s: history was changed somewhere in seq 0…%d", c.Size, HashHex(got), HashHex(c.Root), c.Size-1)
	}
	return nil
}
