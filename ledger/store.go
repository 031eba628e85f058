package ledger

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Head is the state of a ledger: its size (the next seq), the Merkle root at that
// size, and the recorded_at of its last event (zero for an empty ledger).
type Head struct {
	Size           uint64
	Root           tlog.Hash
	LastRecordedAt time.Time
}

// Store holds one ledger. Implementations: ledger/bolt (embedded), ledger/esdb.
// Every implementation must pass ledger/storetest.
type Store interface {
	// Append adds recs, whose Seq must run from expectedNext, all or nothing, and
	// is durable when it returns nil. It fails with an error wrapping
	// ErrConflict if the ledger's size is not expectedNext, and with one wrapping
	// ErrIDExists if any event id is already held; either way nothing is appended.
	Append(ctx context.Context, expectedNext uint64, recs []Recorded) error
	// Read calls fn with every recorded event from seq from, in order, until fn
	// returns an error (returned as is) or the ledger ends.
	Read(ctx context.Context, from uint64, fn func(Recorded) error) error
	// Head returns the current size and root.
	Head(ctx context.Context) (Head, error)
	// Lookup finds the event with an id.
	Lookup(ctx context.Context, id string) (Recorded, bool, error)
	// ReadHashes returns the stored Merkle hashes at the given tlog stored-hash
	// indexes, so proofs and roots need no re-read of the events.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	Close() error
}

// A Marker is a store whose Append commits twice: the batch, then a mark
// that it was acknowledged, so that damage to the newest commit loses the
// mark rather than the batch (ledger/bolt). Between batches that acknowledge
// nothing to anyone, an import's, the mark is needed only after the last:
// the Appender appends the others with AppendUnmarked, as durable as Append,
// and marks once.
type Marker interface {
	AppendUnmarked(ctx context.Context, expectedNext uint64, recs []Recorded) error
	Mark(ctx context.Context) error
}

// IDIndex is implemented by stores that can say where an id is without
// reading its event: a projection then needs no id index of its own, and
// Verify no set of every id.
type IDIndex interface {
	// SeqsOf says where each of ids is: at seqs[i], if found[i]. Many at once,
	// so a store answers them in one transaction.
	SeqsOf(ctx context.Context, ids []string) (seqs []uint64, found []bool, err error)
}

// A RawLookup is a store that can hand over an event's stored bytes without
// parsing them. An import's check, to which an event held with the same
// content is a duplicate, then compares bytes rather than decoding each
// stored event (re-importing 1M events: ParseRecorded was 9.5 s of 23.9).
// Bytes that differ are looked up again with Lookup, parsed and checked.
type RawLookup interface {
	LookupRaw(ctx context.Context, id string) (seq uint64, raw []byte, found bool, err error)
}

// IDsOf lists the event ids of recs, in order: what a store checks against
// its id index before appending them.
func IDsOf(recs []Recorded) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.Event.ID
	}
	return ids
}

// SeqOf asks an IDIndex for one id.
func SeqOf(ctx context.Context, ix IDIndex, id string) (uint64, bool, error) {
	seqs, found, err := ix.SeqsOf(ctx, []string{id})
	if err != nil {
		return 0, false, err
	}
	return seqs[0], found[0], nil
}

// CheckBatch checks the invariants every store's Append relies on: seqs run
// contiguously from expectedNext and ids are unique within the batch.
func CheckBatch(expectedNext uint64, recs []Recorded) error {
	seen := make(map[string]bool, len(recs))
	for i, r := range recs {
		if r.Seq != expectedNext+uint64(i) {
			return Errorf(CodeRuntime, "batch is not contiguous: item %d has seq %d, want %d", i, r.Seq, expectedNext+uint64(i))
		}
		if r.Event.ID == "" {
			return Errorf(CodeRuntime, "event at seq %d has no id", r.Seq)
		}
		if seen[r.Event.ID] {
			return Wrap(CodeInput, ErrIDExists, "event id %s appears twice in one batch", r.Event.ID)
		}
		seen[r.Event.ID] = true
	}
	return nil
}

// HashReader adapts a store to tlog.
// Origins is a store that records the origin (the checkpoints' name, the
// signing key's name) it was created under, so a command given another
// ledger's signing key can refuse it instead of signing checkpoints no
// auditor of this ledger can check.
type Origins interface {
	// Origin is "" when none was recorded (a ledger made before origins were).
	Origin(ctx context.Context) (string, error)
	SetOrigin(ctx context.Context, origin string) error
}

func HashReader(ctx context.Context, s Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, idx) })
}
