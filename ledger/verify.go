package ledger

import (
	"context"
	"errors"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// VerifyResult is what a full verification established.
type VerifyResult struct {
	Size   uint64
	Root   tlog.Hash
	hashes tlog.HashReader // the store's, each compared with the one recomputed from the events
}

// RootAt is the verified tree's root at an earlier size.
func (v VerifyResult) RootAt(size uint64) (tlog.Hash, error) { return RootOf(size, v.hashes) }

// Verify re-reads every event, checks that it is well formed and in order,
// recomputes every leaf and tree hash from the event bytes, and compares them
// with what the store holds. The first failure is returned as a CodeVerify
// error naming its seq.
//
// Its memory does not grow with the ledger: the tree is recomputed from its
// frontier, and ids are checked against the store's own id index where it has
// one (an index maps each id to one seq, so each event finding its own seq
// there proves no id is used twice).
//
// progress, if not nil, is told how many of how many events are verified,
// every 32k or so and at the end.
func Verify(ctx context.Context, s Store, progress func(done, total uint64)) (VerifyResult, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return VerifyResult{}, err
	}
	tree := &frontier{}
	ix, _ := s.(IDIndex)
	var ids map[string]uint64
	if ix == nil {
		ids = make(map[string]uint64)
	}
	var prevAt time.Time
	var pendIdx []int64
	var pendWant []tlog.Hash
	var pendSeq []uint64
	var pendIDs []string
	var pendIDSeq []uint64
	// flush checks what is pending and names the first bad seq, whether a
	// hash or an id is what is wrong there.
	flush := func() error {
		hashSeq, hashErr := checkHashes(ctx, s, pendIdx, pendWant, pendSeq)
		idSeq, idErr := checkIDs(ctx, ix, pendIDs, pendIDSeq)
		pendIdx, pendWant, pendSeq = pendIdx[:0], pendWant[:0], pendSeq[:0]
		pendIDs, pendIDSeq = pendIDs[:0], pendIDSeq[:0]
		if hashErr != nil && (idErr == nil || hashSeq <= idSeq) {
			return hashErr
		}
		return idErr
	}
	err = s.Read(ctx, 0, func(r Recorded) error {
		want := uint64(tree.size)
		if r.Seq != want {
			return Errorf(CodeVerify, "seq %d: the store returned seq %d here: an event was deleted, inserted or moved", want, r.Seq)
		}
		if want >= head.Size {
			return errStop
		}
		if errs := Validate(&r.Event); len(errs) > 0 {
			return Errorf(CodeVerify, "seq %d: event is not valid: %s", r.Seq, errs[0].Error())
		}
		if r.RecordedAt.Before(prevAt) {
			return Errorf(CodeVerify, "seq %d: recorded_at %s is earlier than the previous event's", r.Seq, r.RecordedAt.Format(TimeFormat))
		}
		if ix == nil {
			if old, dup := ids[r.Event.ID]; dup {
				return Errorf(CodeVerify, "seq %d: id %s was already used at seq %d", r.Seq, r.Event.ID, old)
			}
			ids[r.Event.ID] = r.Seq
		} else {
			pendIDs, pendIDSeq = append(pendIDs, r.Event.ID), append(pendIDSeq, r.Seq)
		}
		first := tlog.StoredHashIndex(0, int64(r.Seq))
		for i, h := range tree.add(r.Leaf) {
			pendIdx = append(pendIdx, first+int64(i))
			pendWant = append(pendWant, h)
			pendSeq = append(pendSeq, r.Seq)
		}
		prevAt = r.RecordedAt
		// About 32k events: large enough that a store reads its id index
		// in key order, a page at a time (1M events: 18.7 s, 210 MB peak,
		// against 23 s checking 2k at a time), small enough to stay cheap.
		if len(pendIdx) >= 1<<16 {
			if err := flush(); err != nil {
				return err
			}
			if progress != nil {
				progress(uint64(tree.size), head.Size)
			}
		}
		return nil
	})
	if Stopped(ctx, err) {
		return VerifyResult{}, Wrap(CodeRuntime, err, "verify stopped at seq %d of %d, before its end", tree.size, head.Size)
	}
	if err != nil && !errors.Is(err, errStop) {
		// What is still pending is all earlier than what failed here.
		if ferr := flush(); ferr != nil {
			return VerifyResult{}, ferr
		}
		var le *Error
		if errors.As(err, &le) {
			return VerifyResult{}, err
		}
		// A store that cannot even decode an event has been changed underneath us.
		return VerifyResult{}, Wrap(CodeVerify, err, "seq %d: event cannot be read", tree.size)
	}
	if err := flush(); err != nil {
		return VerifyResult{}, err
	}
	if n := uint64(tree.size); n != head.Size {
		return VerifyResult{}, Errorf(CodeVerify, "seq %d: the store says it holds %d events but only %d could be read", n, head.Size, n)
	}
	if progress != nil {
		progress(head.Size, head.Size)
	}
	root := tree.root()
	if root != head.Root {
		return VerifyResult{}, Errorf(CodeVerify, "the store's root %s differs from the root %s recomputed from its events", HashHex(head.Root), HashHex(root))
	}
	return VerifyResult{Size: head.Size, Root: root, hashes: HashReader(ctx, s)}, nil
}

// checkHashes compares stored hashes with recomputed ones; seq is that of
// the first that differs.
func checkHashes(ctx context.Context, s Store, idx []int64, want []tlog.Hash, seqs []uint64) (seq uint64, err error) {
	if len(idx) == 0 {
		return 0, nil
	}
	got, err := s.ReadHashes(ctx, idx)
	if err != nil {
		return seqs[0], Wrap(CodeVerify, err, "seq %d: stored tree hashes cannot be read", seqs[0])
	}
	for i := range got {
		if got[i] != want[i] {
			what := "a tree hash"
			if lvl, _ := tlog.SplitStoredHashIndex(idx[i]); lvl == 0 {
				what = "its leaf hash"
			}
			return seqs[i], Errorf(CodeVerify, "seq %d: %s in the store does not match the event bytes: the event or the hash was changed", seqs[i], what)
		}
	}
	return 0, nil
}

// checkIDs checks that the event at each of seqs, whose id is ids[i], finds
// its own seq in the store's id index: an index maps an id to one seq, so an
// id used twice fails at its second use.
func checkIDs(ctx context.Context, ix IDIndex, ids []string, seqs []uint64) (seq uint64, err error) {
	if len(ids) == 0 {
		return 0, nil
	}
	held, found, err := ix.SeqsOf(ctx, ids)
	if err != nil {
		return seqs[0], Wrap(CodeVerify, err, "seq %d: the store's id index cannot be read", seqs[0])
	}
	for i, id := range ids {
		switch {
		case !found[i]:
			return seqs[i], Errorf(CodeVerify, "seq %d: the store's id index does not hold id %s: the index or the event was changed", seqs[i], id)
		case held[i] < seqs[i]:
			return seqs[i], Errorf(CodeVerify, "seq %d: id %s was already used at seq %d", seqs[i], id, held[i])
		case held[i] != seqs[i]:
			return seqs[i], Errorf(CodeVerify, "seq %d: the store's id index names seq %d for id %s: the index or the event was changed", seqs[i], held[i], id)
		}
	}
	return 0, nil
}

// CheckAgainst checks that a verified ledger still has, at the checkpoint's
// size, the checkpoint's root: history only grew.
func (v VerifyResult) CheckAgainst(c Checkpoint) error {
	if c.Size > v.Size {
		return Errorf(CodeVerify, "seq %d: the checkpoint has tree size %d but the ledger holds only %d events: history was removed", v.Size, c.Size, v.Size)
	}
	got, err := v.RootAt(c.Size)
	if err != nil {
		return Wrap(CodeVerify, err, "the stored tree hashes at size %d cannot be read", c.Size)
	}
	if got != c.Root {
		return Errorf(CodeVerify, "at tree size %d the ledger's root is %s, the checkpoint says %s: history was changed somewhere in seq 0…%d", c.Size, HashHex(got), HashHex(c.Root), c.Size-1)
	}
	return nil
}

// VerifyOpened opens the ledger with open and verifies it: Verify, then
// CheckIndex. A store that keeps a local index (indexed: EventStoreDB)
// trusts it for all but the newest events, and the stored hashes compared
// are the index's: a failure may lie there. Then the ledger is opened again
// with the index started again from the whole stream (open(true)) and
// verified again, to say which of the two is wrong and name the first bad
// seq. The store is returned open only when all is well.
func VerifyOpened(ctx context.Context, open func(rebuild bool) (Store, error), indexed bool, progress func(done, total uint64)) (Store, VerifyResult, error) {
	var res VerifyResult
	s, err := open(false)
	if err == nil {
		if res, err = Verify(ctx, s, progress); err == nil {
			if err = CheckIndex(s, res); err == nil {
				return s, res, nil
			}
		}
		s.Close()
	}
	if !indexed || CodeOf(err) != CodeVerify {
		return nil, res, err
	}
	if s, err = open(true); err != nil {
		return nil, res, err
	}
	defer s.Close()
	if res, err = Verify(ctx, s, progress); err != nil {
		return nil, res, err
	}
	if err := CheckIndex(s, res); err != nil {
		return nil, res, err
	}
	stream := "?"
	if r, ok := s.(Reindexed); ok {
		stream = r.Stream()
	}
	return nil, res, Errorf(CodeVerify, "this machine's index of stream %s did not agree with the stream; it was rebuilt from the stream, which verifies: run verify again", stream)
}

// Reindexed is a store that keeps a local index of a ledger held elsewhere
// (EventStoreDB: its ids and leaf hashes, on this machine), and may have
// started it again when it opened: it no longer matched, or a verifier
// asked for it.
type Reindexed interface {
	// IndexBefore is what the index held before it was started again.
	IndexBefore() (Head, bool)
	Stream() string
}

// CheckIndex compares what this machine's index of an EventStoreDB stream
// held, when it was started again (it no longer matched the stream, or verify
// rebuilt it), with the verified stream. The index recorded the leaf hashes
// as they were first read, so a difference means history was changed on the
// server since (or the index file was damaged here): reports built before
// may carry figures the stream no longer supports.
func CheckIndex(s Store, res VerifyResult) error {
	e, ok := s.(Reindexed)
	if !ok {
		return nil
	}
	before, ok := e.IndexBefore()
	if !ok {
		return nil
	}
	if before.Size > res.Size {
		return Errorf(CodeVerify, "seq %d: this machine's index of stream %s held %d events, the stream now holds %d: history was removed on the server (or the index was damaged); the index was rebuilt from the stream", res.Size, e.Stream(), before.Size, res.Size)
	}
	got, err := res.RootAt(before.Size)
	if err != nil {
		return err
	}
	if got != before.Root {
		return Errorf(CodeVerify, "at tree size %d this machine's index of stream %s had root %s, the stream now has %s: history was changed on the server in seq 0…%d since this machine read it (or the index was damaged); the index was rebuilt from the stream", before.Size, e.Stream(), HashHex(before.Root), HashHex(got), before.Size-1)
	}
	return nil
}
