package ledger

import (
	"context"
	"errors"
	"time"
)

// Copy appends to dst what src holds beyond dst's size, after checking that
// dst holds a prefix of src's history: the same recorded bytes, in batches
// of at most batchSize, so every leaf hash, root and signed checkpoint of src
// holds on dst. progress, when set, is told dst's size after each batch. It
// returns how many events were copied and dst's head.
func Copy(ctx context.Context, src, dst Store, batchSize int, progress func(size uint64)) (uint64, Head, error) {
	sh, err := src.Head(ctx)
	if err != nil {
		return 0, Head{}, err
	}
	dh, err := dst.Head(ctx)
	if err != nil {
		return 0, Head{}, err
	}
	if dh.Size > sh.Size {
		return 0, dh, Errorf(CodeInput, "the target holds %d events, more than the source's %d: its history differs; copy to an empty ledger", dh.Size, sh.Size)
	}
	if err := copyOrigin(ctx, src, dst); err != nil {
		return 0, dh, err
	}
	if dh.Size > 0 {
		root, err := TreeRoot(ctx, src, dh.Size)
		if err != nil {
			return 0, dh, err
		}
		if root != dh.Root {
			return 0, dh, Errorf(CodeInput, "the target's first %d events differ from the source's (root %s, source has %s): refusing to copy onto another history", dh.Size, HashHex(dh.Root), HashHex(root))
		}
	}
	b := &Batcher{Store: dst, Next: dh.Size, Size: batchSize, Bytes: MaxBatchBytes, Progress: progress}
	err = src.Read(ctx, dh.Size, func(r Recorded) error {
		if r.Seq >= sh.Size {
			return errStop
		}
		return b.Add(ctx, r) // the same recorded bytes: same leaf hashes
	})
	if err == nil || errors.Is(err, errStop) {
		err = b.Flush(ctx)
	}
	next := b.Next
	if Stopped(ctx, err) {
		return next - dh.Size, dh, Wrap(CodeRuntime, err, "the copy stopped with %d of the %d events in the target, in whole batches; copying again goes on from there", next, sh.Size)
	}
	if err != nil {
		return next - dh.Size, dh, err
	}
	head, err := dst.Head(ctx)
	if err == nil && head.Root != sh.Root {
		return next - dh.Size, head, Errorf(CodeVerify, "after the copy the target's root %s differs from the source's %s", HashHex(head.Root), HashHex(sh.Root))
	}
	return next - dh.Size, head, err
}

// A Batcher appends recorded events to Store as they come, from seq Next,
// in atomic batches of at most Size events and, when Bytes is set, Bytes of
// recorded bytes: what a copy and a salvage hand on, never all held at
// once. Progress, when set, is told the store's size after each batch.
type Batcher struct {
	Store    Store
	Next     uint64
	Size     int
	Bytes    int // MaxBatchBytes for a store that may be EventStoreDB
	Progress func(size uint64)
	batch    []Recorded
	bytes    int
}

// Add adds r, appending the batch before it first when r would overfill it.
func (b *Batcher) Add(ctx context.Context, r Recorded) error {
	if len(b.batch) >= b.Size || (b.Bytes > 0 && b.bytes+len(r.Raw) > b.Bytes) {
		if err := b.Flush(ctx); err != nil {
			return err
		}
	}
	b.batch = append(b.batch, r)
	b.bytes += len(r.Raw)
	return nil
}

// Flush appends what is batched.
func (b *Batcher) Flush(ctx context.Context) error {
	if len(b.batch) == 0 {
		return nil
	}
	if err := b.Store.Append(ctx, b.Next, b.batch); err != nil {
		return err
	}
	b.Next += uint64(len(b.batch))
	b.batch, b.bytes = b.batch[:0], 0
	if b.Progress != nil {
		b.Progress(b.Next)
	}
	return nil
}

// A Follower is a store that pushes new events as they are appended
// (EventStoreDB's catch-up subscriptions).
type Follower interface {
	Follow(ctx context.Context, from uint64, fn func(Recorded) error) error
}

// PollEvery is how often Follow reads a store that cannot push.
var PollEvery = 500 * time.Millisecond

// Follow calls fn with every event from seq from, then with each new one as
// it is appended, until ctx ends (which is no error). A store that cannot
// push is polled, opened afresh each time, so that a writer never waits on
// the follower's lock of the file for long.
func Follow(ctx context.Context, open func(context.Context) (Store, error), from uint64, fn func(Recorded) error) error {
	s, err := open(ctx)
	if err != nil {
		return err
	}
	if f, ok := s.(Follower); ok {
		defer s.Close()
		err := f.Follow(ctx, from, fn)
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.Close()
	for {
		s, err := open(ctx)
		if err != nil {
			return err
		}
		err = s.Read(ctx, from, func(r Recorded) error {
			from = r.Seq + 1
			return fn(r)
		})
		s.Close()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(PollEvery):
		}
	}
}

// copyOrigin gives dst the origin src recorded, if dst has none: a copy is
// the same ledger, signed with the same key, and another ledger's key and
// checkpoints are told apart on it by its origin (CheckOrigin). A target
// that is another ledger is refused.
func copyOrigin(ctx context.Context, src, dst Store) error {
	so, ok1 := src.(Origins)
	do, ok2 := dst.(Origins)
	if !ok1 || !ok2 {
		return nil
	}
	from, err := so.Origin(ctx)
	if err != nil || from == "" {
		return err
	}
	to, err := do.Origin(ctx)
	switch {
	case err != nil:
		return err
	case to == "":
		return do.SetOrigin(ctx, from)
	case to != from:
		return Errorf(CodeInput, "the target is the ledger %s, and the source %s: refusing to copy one ledger into another", to, from)
	}
	return nil
}
