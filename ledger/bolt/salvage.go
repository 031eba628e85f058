package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
)

// Backup writes a consistent copy of the whole file to w, as of one read
// transaction: writers may go on meanwhile, and the copy holds whole
// appends only. It returns the head the copy holds.
func (s *Store) Backup(ctx context.Context, w io.Writer) (ledger.Head, error) {
	var h ledger.Head
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		if h, err = headOf(tx); err != nil {
			return err
		}
		_, err = tx.WriteTo(w)
		return err
	})
	return h, err
}

// CheckBackup opens the copy at path that Backup wrote when the ledger had
// head, and verifies it: a copy is a backup only if it verifies and holds
// what was read.
func CheckBackup(ctx context.Context, path string, head ledger.Head, progress func(done, total uint64)) (ledger.VerifyResult, error) {
	b, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		return ledger.VerifyResult{}, ledger.Wrap(ledger.CodeOf(err), err, "the backup %s", path)
	}
	defer b.Close()
	res, err := ledger.Verify(ctx, b, progress)
	if ledger.Stopped(ctx, err) {
		return res, err // interrupted: no verdict on the backup
	}
	if err != nil {
		return res, ledger.Wrap(ledger.CodeOf(err), err, "the backup %s does not verify", path)
	}
	if res.Size != head.Size || res.Root != head.Root {
		return res, ledger.Errorf(ledger.CodeVerify, "the backup %s holds tree size %d, root %s; the ledger read had %d, %s", path, res.Size, ledger.HashHex(res.Root), head.Size, ledger.HashHex(head.Root))
	}
	return res, nil
}

// SalvageResult says what Salvage recovered of a damaged file.
type SalvageResult struct {
	Recovered uint64 // events 0…Recovered-1 verified and were handed on
	Recorded  uint64 // the size the file says it has, when that can be read
	Stopped   string // why the salvage stopped before Recorded, or ""
	Origin    string // the origin the file recorded at init, when that can be read
}

// Salvage reads the ledger file at path, however damaged, and appends to
// dst, in batches, every event in seq order that verifies, until the first
// that does not: each must be stored at its seq, in canonical form, with the
// leaf hash the file keeps for it, recorded no earlier than the one before.
// Each keeps its seq, recorded_at and recorded_by, so checkpoints, proofs and
// reports of the recovered history verify on dst. Pages that cannot be read
// end the salvage there, as a failed event does. Nothing after the first gap
// is appended: a history with a hole is not a history. dst must be empty.
//
// Where the file's tree cannot be walked as far as it recorded, its pages are
// read as they lie (salvagePages), and whichever read recovers more is the
// one appended: dst gets the events of one of the two reads only. The pages
// may hold an event's earlier copy that bbolt freed but did not overwrite:
// it counts if it matches its leaf hash, for then it is the event recorded.
func Salvage(ctx context.Context, path string, dst ledger.Store, progress func(appended uint64)) (SalvageResult, error) {
	// The tree's read goes into dst as it comes, in batches: a ledger of
	// 1M events kept whole in memory first took 3.2 GB.
	tree := &ledger.Batcher{Store: dst, Size: salvageBatch, Progress: progress}
	res, err := salvageTree(ctx, path, func(r ledger.Recorded) error { return tree.Add(ctx, r) })
	if err == nil {
		err = tree.Flush(ctx)
	}
	if err != nil || res.Stopped == "" {
		return res, err
	}
	// The pages' read goes on from where the tree's stopped only where the
	// two agree on every event before: dst then holds the pages' read, as
	// if it alone had been taken; where they differ, the tree's stays.
	k := res.Recovered
	pages := &ledger.Batcher{Store: dst, Next: k, Size: salvageBatch, Progress: progress}
	agree := true
	var before []ledger.Recorded // of the pages' read, not yet compared
	compare := func() error {
		if len(before) == 0 {
			return nil
		}
		idx := make([]int64, len(before))
		for i, r := range before {
			idx[i] = tlog.StoredHashIndex(0, int64(r.Seq))
		}
		held, err := dst.ReadHashes(ctx, idx)
		if err != nil {
			return err
		}
		for i, r := range before {
			agree = agree && held[i] == r.Leaf
		}
		before = before[:0]
		return nil
	}
	pres, err := salvagePages(ctx, path, func(r ledger.Recorded) error {
		if r.Seq < k {
			before = append(before, r)
			if len(before) == salvageBatch {
				return compare()
			}
			return nil
		}
		if err := compare(); err != nil || !agree {
			return errDisagree
		}
		return pages.Add(ctx, r)
	})
	if err == nil {
		err = pages.Flush(ctx)
	}
	switch {
	case errors.Is(err, errDisagree):
		return res, nil
	case ledger.Stopped(ctx, err):
		return res, err // interrupted: no verdict on which read was better
	case err != nil && pages.Next > k:
		return res, err // dst holds more than the tree's read: say why it stopped
	case err != nil || pres.Recovered <= k:
		return res, nil // the pages' read is no better: the tree's stands
	}
	pres.Recorded, pres.Origin = res.Recorded, res.Origin
	// The pages' read stops where it finds no next event; only the tree
	// knows whether the file recorded more.
	if pres.Stopped == "" && (res.Recorded == 0 || pres.Recovered < res.Recorded) {
		pres.Stopped = res.Stopped
	}
	return pres, nil
}

// errDisagree ends a pages' read that differs from the tree's before where
// the tree's stopped.
var errDisagree = errors.New("the pages hold other events than the tree")

// salvageBatch is how many events Salvage appends at once, at most.
const salvageBatch = 1000

// salvageTree walks the file's tree from its root.
func salvageTree(ctx context.Context, path string, fn func(ledger.Recorded) error) (SalvageResult, error) {
	var res SalvageResult
	if _, err := os.Stat(path); err != nil {
		return res, ledger.Wrap(ledger.CodeInput, err, "cannot read %s", path)
	}
	// A damaged file is one no other command should be using: no long wait.
	db, err := openLocked(ctx, path, bbolt.Options{ReadOnly: true}, 10*time.Second, nil)
	if errors.Is(err, errHeld) || ledger.Stopped(ctx, err) {
		return res, err
	}
	if err != nil {
		return res, ledger.Wrap(ledger.CodeRuntime, err, "cannot open %s even to salvage it: bbolt cannot read either of its meta pages", path)
	}
	defer db.Close()
	tx, err := db.Begin(false)
	if err != nil {
		return res, ledger.Wrap(ledger.CodeRuntime, err, "cannot read %s", path)
	}
	defer tx.Rollback()
	var events, hashes, meta *bbolt.Bucket
	if err := Guard(path, func() error {
		events, hashes, meta = tx.Bucket(bucketEvents), tx.Bucket(bucketHashes), tx.Bucket(bucketMeta)
		if meta != nil {
			if v := meta.Get(keySize); len(v) == 8 {
				res.Recorded = binary.BigEndian.Uint64(v)
			}
			res.Origin = string(meta.Get(keyOrigin))
		}
		return nil
	}); err != nil {
		res.Stopped = err.Error()
		return res, nil
	}
	if events == nil || hashes == nil {
		res.Stopped = "the file holds no events bucket a ledger would have"
		return res, nil
	}
	// A walk of the whole file would keep every page it read mapped.
	pages := newReleaser(db)
	var prev ledger.Recorded
	for seq := uint64(0); ; seq++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		pages.Touch(1)
		var r ledger.Recorded
		var found bool
		why := ""
		err := Guard(path, func() error {
			v := events.Get(seqKey(seq))
			if found = v != nil; found {
				r, why = salvaged(seq, v, hashes.Get(leafKey(seq)), prev)
			}
			return nil
		})
		if err != nil {
			why = fmt.Sprintf("seq %d: %v", seq, err)
		}
		if why == "" && !found {
			if res.Recorded > seq {
				why = fmt.Sprintf("seq %d is missing", seq)
			} else {
				return res, nil // the whole history the file recorded
			}
		}
		if why != "" {
			res.Stopped = why
			return res, nil
		}
		if err := fn(r); err != nil {
			return res, err
		}
		res.Recovered, prev = seq+1, r
	}
}

// salvagePages is Salvage for a file whose tree cannot be walked from its
// root (a truncated file has lost the pages written last, the roots among
// them): it reads every leaf page of the file as it lies, keeping the
// events (an 8-byte seq key and a canonical envelope of that seq) and the
// leaf hashes (an 8-byte key and a 32-byte hash) it finds. Events and
// hashes are never changed once written, so an old copy of a page is as
// good as the current one. fn then gets the events from seq 0 while each
// is present and matches the hash found for its leaf.
func salvagePages(ctx context.Context, path string, fn func(ledger.Recorded) error) (SalvageResult, error) {
	var res SalvageResult
	f, err := os.Open(path)
	if err != nil {
		return res, ledger.Wrap(ledger.CodeRuntime, err, "cannot read %s", path)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, ledger.Wrap(ledger.CodeRuntime, err, "cannot read %s", path)
	}
	size := int(fi.Size())
	// The file is read a page (or an overflow run) at a time, and only where
	// each event and hash lies is kept: reading it whole took its size in
	// memory, 1.4 GB at 1M events.
	read := func(off, n int) []byte {
		n = max(0, min(n, size-off))
		b := make([]byte, n)
		m, _ := f.ReadAt(b, int64(off))
		return b[:m]
	}
	pageSize := 4096
	for _, off := range []int{0, 4096} { // either meta page may be the damaged one
		if m := read(off, 32); len(m) == 32 && binary.NativeEndian.Uint32(m[16:]) == 0xED0CDAED {
			if ps := int(binary.NativeEndian.Uint32(m[24:])); ps >= 512 && ps <= 1<<16 {
				pageSize = ps
				break
			}
		}
	}
	// Where each event and each leaf's hash lies, by seq: a seq is at most
	// one per 64 bytes of the file, so a key past that is no seq of it. An
	// event is kept as its offset and length in one word (a value lies past
	// the first page, so 0 is none), a leaf's hash, always 32 bytes, as its
	// offset: 16 bytes a seq, 160 MB for 10M events (spans of 16 bytes
	// each, twice, took 320 MB).
	var events, leaves []uint64
	found := 0
	limit := uint64(size/64 + 1)
	put := func(at *[]uint64, seq uint64, v uint64) {
		for uint64(len(*at)) <= seq {
			*at = append(*at, 0)
		}
		(*at)[seq] = v
	}
	const lenBits = 24 // an event is at most ledger.MaxLineBytes (1 MiB)
	for off := 0; off+16 <= size; off += pageSize {
		if off%(64<<20) == 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		page := read(off, pageSize)
		if len(page) < 16 || int(binary.NativeEndian.Uint64(page)) != off/pageSize || binary.NativeEndian.Uint16(page[8:]) != 0x02 {
			continue // not a leaf page where it lies
		}
		count := int(binary.NativeEndian.Uint16(page[10:]))
		if overflow := int(binary.NativeEndian.Uint32(page[12:])); overflow > 0 {
			page = read(off, (overflow+1)*pageSize)
		}
		for i := range count {
			e := 16 + i*16
			if e+16 > len(page) {
				break
			}
			flags := binary.NativeEndian.Uint32(page[e:])
			pos := int(binary.NativeEndian.Uint32(page[e+4:]))
			ksize := int(binary.NativeEndian.Uint32(page[e+8:]))
			vsize := int(binary.NativeEndian.Uint32(page[e+12:]))
			k := e + pos
			if flags != 0 || ksize != 8 || pos < 0 || vsize < 0 || k+ksize+vsize > len(page) || k < e {
				continue
			}
			key := binary.BigEndian.Uint64(page[k:])
			at := uint64(off + k + ksize)
			switch {
			case vsize == 32 && key < 1<<62:
				if level, seq := tlog.SplitStoredHashIndex(int64(key)); level == 0 && uint64(seq) < limit {
					put(&leaves, uint64(seq), at)
				}
			case key < limit && vsize < 1<<lenBits && bytes.HasPrefix(page[k+ksize:k+ksize+vsize], []byte(`{"seq":`)):
				if int(key) >= len(events) || events[key] == 0 {
					found++
				}
				put(&events, key, at<<lenBits|uint64(vsize))
			}
		}
	}
	var prev ledger.Recorded
	for seq := uint64(0); ; seq++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if seq >= uint64(len(events)) || events[seq] == 0 {
			if found > int(seq) {
				res.Stopped = fmt.Sprintf("seq %d is in no page that can be read", seq)
			}
			return res, nil
		}
		ev := events[seq]
		var leaf []byte
		if seq < uint64(len(leaves)) && leaves[seq] != 0 {
			leaf = read(int(leaves[seq]), 32)
		}
		r, why := salvaged(seq, read(int(ev>>lenBits), int(ev&(1<<lenBits-1))), leaf, prev)
		if why != "" {
			res.Stopped = why
			return res, nil
		}
		if err := fn(r); err != nil {
			return res, err
		}
		res.Recovered, prev = seq+1, r
	}
}

// leafKey is the key of the stored hash of leaf seq.
func leafKey(seq uint64) []byte { return seqKey(uint64(tlog.StoredHashIndex(0, int64(seq)))) }

// salvaged checks the event a damaged file holds at seq: canonical bytes of
// that seq, matching the leaf hash the file keeps for it (leaf, nil when
// none is left), recorded no earlier than the one before. It returns the
// event, or why it cannot be taken.
func salvaged(seq uint64, raw, leaf []byte, prev ledger.Recorded) (ledger.Recorded, string) {
	r, err := ledger.ParseRecorded(bytes.Clone(raw))
	switch {
	case err != nil:
		return r, fmt.Sprintf("seq %d: %v", seq, err)
	case r.Seq != seq:
		return r, fmt.Sprintf("seq %d holds the event of seq %d", seq, r.Seq)
	case leaf == nil:
		return r, fmt.Sprintf("seq %d: no leaf hash is left in the file for it", seq)
	case !bytes.Equal(leaf, r.Leaf[:]):
		return r, fmt.Sprintf("seq %d: the event does not match the leaf hash the file keeps for it", seq)
	case seq > 0 && r.RecordedAt.Before(prev.RecordedAt):
		return r, fmt.Sprintf("seq %d: recorded before the event before it", seq)
	}
	return r, ""
}
