package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

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
func Salvage(ctx context.Context, path string, dst ledger.Store) (SalvageResult, error) {
	var walked []ledger.Recorded
	res, err := salvageTree(ctx, path, func(r ledger.Recorded) error { walked = append(walked, r); return nil })
	if err != nil {
		return res, err
	}
	if res.Stopped != "" {
		var pages []ledger.Recorded
		pres, err := salvagePages(ctx, path, func(r ledger.Recorded) error { pages = append(pages, r); return nil })
		if err == nil && pres.Recovered > res.Recovered {
			pres.Recorded = res.Recorded
			// The pages' read stops where it finds no next event; only the
			// tree knows whether the file recorded more.
			if pres.Stopped == "" && (res.Recorded == 0 || pres.Recovered < res.Recorded) {
				pres.Stopped = res.Stopped
			}
			res, walked = pres, pages
		}
	}
	for len(walked) > 0 {
		n := min(len(walked), 1000)
		if err := dst.Append(ctx, walked[0].Seq, walked[:n]); err != nil {
			return res, err
		}
		walked = walked[n:]
	}
	return res, nil
}

// salvageTree walks the file's tree from its root.
func salvageTree(ctx context.Context, path string, fn func(ledger.Recorded) error) (SalvageResult, error) {
	var res SalvageResult
	if _, err := os.Stat(path); err != nil {
		return res, ledger.Wrap(ledger.CodeInput, err, "cannot read %s", path)
	}
	var db *bbolt.DB
	err := Guard(path, func() (err error) {
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: LockTimeout})
		return err
	})
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
	var prev ledger.Recorded
	for seq := uint64(0); ; seq++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
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
	data, err := os.ReadFile(path)
	if err != nil {
		return res, ledger.Wrap(ledger.CodeRuntime, err, "cannot read %s", path)
	}
	pageSize := 4096
	for _, off := range []int{0, 4096} { // either meta page may be the damaged one
		if off+32 <= len(data) && binary.NativeEndian.Uint32(data[off+16:]) == 0xED0CDAED {
			if ps := int(binary.NativeEndian.Uint32(data[off+24:])); ps >= 512 && ps <= 1<<16 {
				pageSize = ps
				break
			}
		}
	}
	type span struct{ off, n int }
	events := map[uint64]span{}
	hashes := map[uint64]span{}
	for off := 0; off+16 <= len(data); off += pageSize {
		if int(binary.NativeEndian.Uint64(data[off:])) != off/pageSize || binary.NativeEndian.Uint16(data[off+8:]) != 0x02 {
			continue // not a leaf page where it lies
		}
		count := int(binary.NativeEndian.Uint16(data[off+10:]))
		end := min(len(data), off+(int(binary.NativeEndian.Uint32(data[off+12:]))+1)*pageSize)
		for i := range count {
			e := off + 16 + i*16
			if e+16 > end {
				break
			}
			flags := binary.NativeEndian.Uint32(data[e:])
			pos := int(binary.NativeEndian.Uint32(data[e+4:]))
			ksize := int(binary.NativeEndian.Uint32(data[e+8:]))
			vsize := int(binary.NativeEndian.Uint32(data[e+12:]))
			k := e + pos
			if flags != 0 || ksize != 8 || pos < 0 || vsize < 0 || k+ksize+vsize > end || k < e {
				continue
			}
			key := binary.BigEndian.Uint64(data[k:])
			v := span{k + ksize, vsize}
			switch {
			case vsize == 32:
				hashes[key] = v
			case bytes.HasPrefix(data[v.off:v.off+v.n], []byte(`{"seq":`)):
				events[key] = v
			}
		}
	}
	var prev ledger.Recorded
	for seq := uint64(0); ; seq++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		ev, ok := events[seq]
		if !ok {
			if len(events) > int(seq) {
				res.Stopped = fmt.Sprintf("seq %d is in no page that can be read", seq)
			}
			return res, nil
		}
		var leaf []byte
		if h, ok := hashes[binary.BigEndian.Uint64(leafKey(seq))]; ok {
			leaf = data[h.off : h.off+h.n]
		}
		r, why := salvaged(seq, data[ev.off:ev.off+ev.n], leaf, prev)
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
