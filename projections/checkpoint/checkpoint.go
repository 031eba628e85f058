// Package checkpoint keeps a projection checkpoint beside the ledger: the
// fold's records, its tree size and the root at that size, in a key-value
// file (kv.DB: a bucket of the embedded ledger file, or a local cache file
// for EventStoreDB). Reports then fold only the events appended since.
// Place decides where the checkpoint is kept and opens views of it.
//
// The checkpoint is derived data and is trusted only as far as it is checked:
// its root must be the ledger's root at its size, or it is discarded and
// rebuilt; Verify compares every record with a fresh fold.
package checkpoint

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/projections"
)

// Bucket is the top-level bucket the checkpoint lives in.
var Bucket = []byte("projection")

// format names the record layout. A checkpoint of another format (written by
// another statledger version) is rebuilt, never misread.
const format = "statledger-projection-7" // 2: facts kept by month; 3: ids found through the ledger; 4: records checksummed; 5: versions kept apart; 6: small buckets rooted; 7: months only where a correction moved a fact, times once a run

var (
	keyFormat = []byte("format")
	keyRoot   = []byte("root")
	keySize   = []byte("size")
)

// Chunk is how many events one transaction folds: it bounds the memory of a
// fold and the work a crash can lose, which is only ever redone. Measured on
// a 1M-event ledger (cold fold, reading one chunk ahead): 4096 per chunk took
// 16.4 s and peaked at 246 MB RSS, 3072 took 18.2 s and 231 MB; without the
// read-ahead, 20k took 26 s and 889 MB.
var Chunk = 3072

// viewRelease is how many entries a view reads between two looks at how
// much of the file the process holds mapped (lookups count four); past
// bolt.MappedBudget, the pages are released, and each costs a fault if read
// again. A chart as of 900k of 1M events, which counts every month again
// from its facts, released every 64k entries: 6.6 s and 152 MB; every 16k,
// 7.8 s and 68 MB. Releasing by count alone let a month's report of a
// 10M-event ledger reach 729 MB: its folios map 13 pages for each one read.
var viewRelease int64 = 4 << 10

// records is a projections.KV over one transaction.
type records struct {
	root kv.Bucket
	db   kv.DB // the file, for the error of a damaged page
	// view is set on a view's kv, whose transaction outlives the call that
	// opened it: each access is guarded on its own. A fold's kv lives
	// inside one guarded transaction already.
	view bool
	// pages, when not nil, counts what a view reads, or a fold writes,
	// towards releasing the file's mapped pages: a view as of an earlier
	// size reads facts across the whole file (see viewRelease), and a fold's
	// puts land across all of it.
	pages kv.Pages
}

func (k records) bucket(name string, create bool) (kv.Bucket, error) {
	if k.root == nil {
		return nil, nil
	}
	b := k.root.Bucket([]byte(name))
	if b == nil && create {
		var err error
		if b, err = k.root.CreateBucket([]byte(name)); err != nil {
			return nil, err
		}
	}
	if b != nil && create && slices.Contains(projections.AscendingBuckets, name) {
		b.Ascending()
	}
	return b, nil
}

// guard runs fn guarded on a view (its reads happen while a
// report is written, outside any transaction call of ours); a fold's
// accesses are inside its guarded transaction.
func (k records) guard(fn func() error) error {
	if !k.view {
		return fn()
	}
	return k.db.Guard(fn)
}

// Every access is checked, and guarded where it is not already.
func (k records) Get(bucket string, key []byte) (v []byte, err error) {
	err = k.guard(func() error {
		b, err := k.bucket(bucket, false)
		if b == nil {
			return err
		}
		if k.pages != nil {
			k.pages.TouchScattered(1)
		}
		// Checked inside the guard: a damaged length reaches past the
		// memory map, and the checksum reads every byte.
		if v = b.Get(key); v != nil {
			v, err = checked(bucket, key, v)
		}
		return err
	})
	return v, err
}

// Every record carries a CRC-32C of its bucket, key and value, checked on
// every read: a flipped bit or an edited figure in the checkpoint is found
// before any figure is printed, written or signed, and the fold is made
// again from the ledger (projections.ErrDamaged). A record whose key was
// damaged is found the same way, under the key it now has.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const sumLen = 4

func sum(bucket string, key, value []byte) uint32 {
	c := crc32.Update(0, castagnoli, []byte(bucket))
	c = crc32.Update(c, castagnoli, []byte{0})
	c = crc32.Update(c, castagnoli, key)
	c = crc32.Update(c, castagnoli, []byte{0})
	return crc32.Update(c, castagnoli, value)
}

func sealed(bucket string, key, value []byte) []byte {
	out := make([]byte, len(value), len(value)+sumLen)
	copy(out, value)
	return binary.BigEndian.AppendUint32(out, sum(bucket, key, value))
}

func checked(bucket string, key, v []byte) ([]byte, error) {
	if len(v) < sumLen {
		return nil, fmt.Errorf("%w: %s record %x is cut short", projections.ErrDamaged, bucket, key)
	}
	value := v[:len(v)-sumLen]
	if binary.BigEndian.Uint32(v[len(v)-sumLen:]) != sum(bucket, key, value) {
		return nil, fmt.Errorf("%w: %s record %x does not match its checksum", projections.ErrDamaged, bucket, key)
	}
	return value, nil
}

func (k records) Put(bucket string, key, value []byte) error {
	return k.guard(func() error {
		b, err := k.bucket(bucket, true)
		if err != nil {
			return err
		}
		if k.pages != nil {
			k.pages.TouchScattered(1)
		}
		v := sealed(bucket, key, value)
		if err := k.reroot(b, bucket, key, v); err != nil {
			return err
		}
		return b.Put(key, v)
	})
}

func (k records) Delete(bucket string, key []byte) error {
	return k.guard(func() error {
		b, err := k.bucket(bucket, false)
		if b == nil {
			return err
		}
		if err := k.reroot(b, bucket, key, nil); err != nil {
			return err
		}
		return b.Delete(key)
	})
}

// A removed record leaves no checksum to fail: Get finds nothing, and a
// month whose cells record is gone would read as a month of zeros. The
// small buckets (projections.SmallBuckets: one record a month, one a
// publication) are rooted: the checkpoint keeps, for each, how many records
// it holds and the XOR of their checksums, and every view checks both
// against the bucket first (checkRoots).
func rootKey(bucket string) []byte { return []byte("root/" + bucket) }

// reroot updates a small bucket's root for key's record becoming v (nil:
// removed).
func (k records) reroot(b kv.Bucket, bucket string, key, v []byte) error {
	if !slices.Contains(projections.SmallBuckets, bucket) {
		return nil
	}
	count, x := uint64(0), uint32(0)
	if r := k.root.Get(rootKey(bucket)); len(r) == 12 {
		count, x = binary.BigEndian.Uint64(r), binary.BigEndian.Uint32(r[8:])
	}
	if old := b.Get(key); len(old) >= sumLen {
		count--
		x ^= binary.BigEndian.Uint32(old[len(old)-sumLen:])
	}
	if v != nil {
		count++
		x ^= binary.BigEndian.Uint32(v[len(v)-sumLen:])
	}
	return k.root.Put(rootKey(bucket), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, count), x))
}

// checkRoots checks every record of the small buckets and their roots.
func checkRoots(top kv.Bucket) error {
	for _, name := range projections.SmallBuckets {
		count, x := uint64(0), uint32(0)
		if b := top.Bucket([]byte(name)); b != nil {
			c := b.Cursor()
			for key, v := c.First(); key != nil; key, v = c.Next() {
				if _, err := checked(name, key, v); err != nil {
					return err
				}
				count++
				x ^= binary.BigEndian.Uint32(v[len(v)-sumLen:])
			}
		}
		want := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, count), x)
		if r := top.Get(rootKey(name)); !bytes.Equal(r, want) && (r != nil || count > 0) {
			return fmt.Errorf("%w: the %s bucket holds %d records that do not give its root: a record was removed or replaced", projections.ErrDamaged, name, count)
		}
	}
	return nil
}

func (k records) Scan(bucket string, from []byte, fn func(k, v []byte) bool) error {
	return k.guard(func() error { return k.scan(bucket, from, fn) })
}

func (k records) scan(bucket string, from []byte, fn func(k, v []byte) bool) error {
	b, err := k.bucket(bucket, false)
	if b == nil {
		return err
	}
	c := b.Cursor()
	var key, v []byte
	if from == nil {
		key, v = c.First()
	} else {
		key, v = c.Seek(from)
	}
	for ; key != nil; key, v = c.Next() {
		if k.pages != nil {
			k.pages.Touch(1)
		}
		value, err := checked(bucket, key, v)
		if err != nil {
			return err
		}
		if !fn(key, value) {
			return nil
		}
	}
	return nil
}

// Status is what a checkpoint says about itself, against the ledger.
type Status struct {
	Present bool      // a checkpoint of this format exists
	Size    uint64    // the tree size it has folded
	Root    tlog.Hash // the root it recorded at that size
	Matches bool      // the ledger has that root at that size
	Ledger  tlog.Hash // the ledger's root at that size, when it has the size
	Head    uint64    // the ledger's size
}

// Mismatch says what is wrong with a checkpoint that does not match.
func (s Status) Mismatch() string {
	if s.Size > s.Head {
		return fmt.Sprintf("the projection checkpoint has folded %d events but the ledger holds only %d: events were removed", s.Size, s.Head)
	}
	return fmt.Sprintf("the projection checkpoint at tree size %d has root %s but the ledger's root at that size is %s: the history it was built from has changed",
		s.Size, ledger.HashHex(s.Root), ledger.HashHex(s.Ledger))
}

// Check reads a checkpoint's size and root and compares them with the ledger.
func Check(ctx context.Context, db kv.DB, st ledger.Store) (Status, error) {
	var s Status
	head, err := st.Head(ctx)
	if err != nil {
		return s, err
	}
	s.Head = head.Size
	err = db.View(func(tx kv.Tx) error {
		b := tx.Bucket(Bucket)
		if b == nil || string(b.Get(keyFormat)) != format {
			return nil
		}
		size, root := b.Get(keySize), b.Get(keyRoot)
		if len(size) != 8 || len(root) != len(s.Root) {
			return nil // a damaged header: as good as absent
		}
		s.Present, s.Size = true, binary.BigEndian.Uint64(size)
		copy(s.Root[:], root)
		return nil
	})
	if err != nil || !s.Present || s.Size > s.Head {
		return s, err
	}
	// Up to date is the common case, and Head has read that root already.
	if s.Ledger = head.Root; s.Size != head.Size {
		if s.Ledger, err = ledger.TreeRoot(ctx, st, s.Size); err != nil {
			return s, err
		}
	}
	s.Matches = s.Ledger == s.Root
	return s, nil
}

// Result says what Update did.
type Result struct {
	Discarded string // why a checkpoint was thrown away, if one was
	From, To  uint64 // the events folded: seq From up to size To
}

// Update brings the checkpoint up to the ledger's head, folding only what is
// new. A checkpoint that does not match the ledger, or of another format, is
// discarded and rebuilt from the start. Each chunk commits with its size and
// root, so an interrupted fold resumes where it stopped.
func Update(ctx context.Context, db kv.DB, st ledger.Store, progress func(done, total uint64)) (Result, error) {
	return update(ctx, db, st, nil, progress, nil)
}

// update folds up to the ledger's head, or up to *to; discarding, if set,
// is told how a discard of a checkpoint that no longer serves goes.
func update(ctx context.Context, db kv.DB, st ledger.Store, to *uint64, progress func(done, total uint64), discarding func(records uint64, finished bool)) (Result, error) {
	var res Result
	status, err := Check(ctx, db, st)
	if err != nil {
		return res, err
	}
	if to != nil {
		if *to > status.Head {
			return res, ledger.KindErrorf(ledger.CodeInput, ledger.ErrAsOf, "as of tree size %d: the ledger holds only %d events", *to, status.Head)
		}
		status.Head = *to
	}
	if !status.Present || !status.Matches {
		if status.Present {
			res.Discarded = status.Mismatch()
		}
		if err := Discard(ctx, db, discarding); err != nil {
			return res, err
		}
		if err := db.Update(func(tx kv.Tx) error {
			b, err := tx.CreateBucket(Bucket)
			if err != nil {
				return err
			}
			return b.Put(keyFormat, []byte(format))
		}); err != nil {
			return res, err
		}
		status.Size = 0
	}
	res.From, res.To = status.Size, status.Size
	// One goroutine reads and checks the ledger's events (JSON, canonical
	// bytes, leaf hashes) a chunk ahead while this one folds and commits: the
	// two halves take about as long, and there are two cores.
	rctx, cancel := context.WithCancel(ctx)
	chunks := make(chan chunkOf) // one chunk read ahead, no more: memory stays bounded
	go readChunks(rctx, st, res.To, status.Head, chunks)
	defer func() {
		cancel()
		for range chunks { // the reader is done with the store before we return
		}
	}()
	var state *projections.State
	for c := range chunks {
		if err := ctx.Err(); err != nil {
			return res, stopped(err, res.To, status.Head)
		}
		if c.err != nil {
			return res, c.err
		}
		end := c.recs[len(c.recs)-1].Seq + 1
		err := db.Update(func(tx kv.Tx) error {
			// Released within the chunk, not only after it: a chunk's
			// puts at 10M events mapped up to 170 MB of the file.
			k := records{root: tx.Bucket(Bucket), db: db, pages: db.Pages(viewRelease)}
			if state == nil {
				var err error
				if state, err = projections.Open(k); err != nil {
					return err
				}
				if ix, ok := st.(ledger.IDIndex); ok {
					state.UseIDIndex(ix)
				}
				if state.Size != res.To {
					return fmt.Errorf("projection: checkpoint records hold %d events, its header says %d", state.Size, res.To)
				}
			}
			state.UseKV(k)
			for _, r := range c.recs {
				state.Apply(r)
			}
			if err := state.Flush(); err != nil {
				return err
			}
			if err := k.root.Put(keySize, binary.BigEndian.AppendUint64(nil, end)); err != nil {
				return err
			}
			return k.root.Put(keyRoot, c.root[:])
		})
		if err != nil {
			return res, err
		}
		res.To = end
		db.ReleasePages()
		if progress != nil {
			progress(res.To-res.From, status.Head-res.From)
		}
	}
	if err := ctx.Err(); err != nil {
		// The reader stops sending when the context ends, so an interrupted
		// fold lands here too, short of the head but not for want of events.
		return res, stopped(err, res.To, status.Head)
	}
	if res.To != status.Head {
		return res, fmt.Errorf("projection: the ledger ended at %d, before its head %d", res.To, status.Head)
	}
	return res, nil
}

// stopped is the error of a fold interrupted at size of head events. Each
// chunk was committed: a checkpoint kept goes on from there.
func stopped(err error, size, head uint64) error {
	return ledger.Wrap(ledger.CodeRuntime, err, "the fold stopped at %d of %d events", size, head)
}

// chunkOf is the next Chunk events of the ledger and the root after them.
type chunkOf struct {
	recs []ledger.Recorded
	root tlog.Hash
	err  error
}

// readChunks sends the events from..to in chunks, then closes out.
func readChunks(ctx context.Context, st ledger.Store, from, to uint64, out chan<- chunkOf) {
	defer close(out)
	for from < to {
		c := chunkOf{recs: make([]ledger.Recorded, 0, min(uint64(Chunk), to-from))}
		err := st.Read(ctx, from, func(r ledger.Recorded) error {
			if r.Seq >= to {
				return errFull
			}
			// Stop at the chunk's last event, not the one after it: that one
			// may start a whole new batch of reading and checking in the store.
			if c.recs = append(c.recs, r); len(c.recs) == Chunk || r.Seq+1 == to {
				return errFull
			}
			return nil
		})
		switch {
		case err != nil && !errors.Is(err, errFull):
			c.err = err
		case len(c.recs) == 0:
			c.err = fmt.Errorf("projection: the ledger ended at %d, before %d", from, to)
		default:
			from = c.recs[len(c.recs)-1].Seq + 1
			c.root, c.err = ledger.TreeRoot(ctx, st, from)
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return
		}
		if c.err != nil {
			return
		}
	}
}

var errFull = errors.New("chunk full")

// View opens a read transaction on the checkpoint and returns its state at
// its head. The caller must call done before the database is written to or
// closed.
func View(db kv.DB, st ledger.Store) (state *projections.State, done func(), err error) {
	tx, err := db.Begin()
	if err != nil {
		return nil, nil, err
	}
	var b kv.Bucket
	err = db.Guard(func() error {
		if b = tx.Bucket(Bucket); b == nil || string(b.Get(keyFormat)) != format {
			return errors.New("no projection checkpoint: run Update first")
		}
		return checkRoots(b)
	})
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	state, err = projections.Open(records{root: b, db: db, view: true, pages: db.Pages(viewRelease)})
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	if ix, ok := st.(ledger.IDIndex); ok {
		state.UseIDIndex(ix)
	}
	return state, func() { tx.Rollback() }, nil
}

// Fresh folds the ledger's first size events into temp, a temporary file
// of its own, and returns a view of it. done closes (so removes) temp.
func Fresh(ctx context.Context, temp kv.DB, st ledger.Store, size uint64, progress func(done, total uint64)) (state *projections.State, done func(), err error) {
	f, err := NewFold(ctx, temp, st, size, progress)
	if err != nil {
		return nil, nil, err
	}
	state, end, err := f.View(st)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return state, func() { end(); f.Close() }, nil
}

// A Fold is a fresh fold of a ledger's first Size events in a temporary file
// of its own: what an auditor's checks use, trusting no checkpoint, in the
// bounded memory of a chunked fold rather than a fold of the whole history in
// memory. verify's checks share one: a fold is the longest part of each.
type Fold struct {
	Size uint64
	db   kv.DB
}

// NewFold folds into temp, a temporary file that the Fold's Close closes.
func NewFold(ctx context.Context, temp kv.DB, st ledger.Store, size uint64, progress func(done, total uint64)) (*Fold, error) {
	f := &Fold{db: temp}
	if _, err := update(ctx, temp, st, &size, progress, nil); err != nil {
		f.Close()
		return nil, err
	}
	f.Size = size
	return f, nil
}

// To folds on, to the first size events; a fold already that long is left
// as it is.
func (f *Fold) To(ctx context.Context, st ledger.Store, size uint64, progress func(done, total uint64)) error {
	if size <= f.Size {
		return nil
	}
	if _, err := update(ctx, f.db, st, &size, progress, nil); err != nil {
		return err
	}
	f.Size = size
	return nil
}

// View is the fold's state at its Size; done ends the read transaction.
func (f *Fold) View(st ledger.Store) (*projections.State, func(), error) { return View(f.db, st) }

// Close closes the fold's file, which removes it.
func (f *Fold) Close() { f.db.Close() }

// Verify checks the checkpoint record by record against a fresh fold of the
// ledger to the checkpoint's size, so a changed figure in the checkpoint
// cannot reach a report unnoticed. It returns nil when no checkpoint exists.
//
// temp is the file of that fresh fold, closed with it. The fresh fold it compared with is returned, at the checkpoint's size, for
// more checks (verify --report); the caller closes it. It is nil when there
// was nothing to compare.
//
// progress is told how far the fold has come; compared, how many records
// have been compared since, every compareEvery and once finished at the end
// (their number is not known before: at 10M events the comparison alone
// takes a minute or more).
func Verify(ctx context.Context, db, temp kv.DB, st ledger.Store, progress func(done, total uint64), compared func(records uint64, finished bool)) (Status, *Fold, error) {
	status, err := Check(ctx, db, st)
	if err != nil || !status.Present {
		temp.Close()
		return status, nil, err
	}
	if !status.Matches {
		temp.Close()
		return status, nil, ledger.Errorf(ledger.CodeVerify, "%s; it will be rebuilt by the next report", status.Mismatch())
	}
	size := status.Size
	f, err := NewFold(ctx, temp, st, size, progress)
	if err != nil {
		return status, nil, err
	}
	fresh := f.db
	var n uint64
	err = db.View(func(tx kv.Tx) error {
		return fresh.View(func(ftx kv.Tx) error {
			got, want := tx.Bucket(Bucket), ftx.Bucket(Bucket)
			// A pass over both files would otherwise stay resident; often, as
			// the checkpoint's pages lie scattered through the ledger file and
			// each read maps a whole folio around its page (1M events: 463 MB
			// peak releasing every 64k pairs).
			inLedger, inFresh := db.Pages(1<<10), fresh.Pages(1<<10)
			step := func() error {
				inLedger.Touch(1)
				inFresh.Touch(1)
				if n++; n%compareEvery != 0 {
					return nil
				}
				if compared != nil {
					compared(n, false)
				}
				return ctx.Err()
			}
			for _, name := range projections.Buckets {
				key, same, err := sameBucket(got.Bucket([]byte(name)), want.Bucket([]byte(name)), step)
				if err != nil {
					return err
				}
				if !same {
					return ledger.KindErrorf(ledger.CodeVerify, ledger.ErrStaleProjection, "the projection checkpoint at tree size %d differs from a fresh fold of the ledger in its %s records (key %x): it was changed", size, name, key)
				}
			}
			return nil
		})
	})
	if compared != nil && n >= compareEvery {
		compared(n, true)
	}
	if err != nil {
		f.Close()
		return status, nil, err
	}
	return status, f, nil
}

// compareEvery is how many record pairs Verify compares between two looks
// at its context and two reports of progress.
const compareEvery = 1 << 14

// sameBucket compares two buckets pair by pair, calling step after each; a
// missing bucket is empty. An error from step ends it.
func sameBucket(a, b kv.Bucket, step func() error) (key []byte, same bool, err error) {
	next := func(bk kv.Bucket) func() ([]byte, []byte) {
		if bk == nil {
			return func() ([]byte, []byte) { return nil, nil }
		}
		c := bk.Cursor()
		started := false
		return func() ([]byte, []byte) {
			if !started {
				started = true
				return c.First()
			}
			return c.Next()
		}
	}
	na, nb := next(a), next(b)
	for {
		ka, va := na()
		kb, vb := nb()
		if err := step(); err != nil {
			return nil, false, err
		}
		if ka == nil && kb == nil {
			return nil, true, nil
		}
		if !bytes.Equal(ka, kb) || !bytes.Equal(va, vb) {
			if ka == nil {
				return kb, false, nil
			}
			return ka, false, nil
		}
	}
}

// Discard deletes the checkpoint; the next report rebuilds it. counted, if
// set, is told how many records are gone, every so often and once finished.
//
// Not in one transaction: bbolt reads every page of a bucket it deletes, and
// at 10M events the checkpoint is 11 GB of the ledger file, which stayed
// mapped (verify --rebuild-projection peaked at 11.9 GB RSS). The first
// transaction makes the checkpoint absent for every reader (its format key
// goes); the next ones delete its records discardPiece at a time, counted
// towards the page release, which follows each commit too. Cut short (ctx
// ends, the process dies), what is left is absent all the same, and the next
// rebuild carries on. At 10M events it takes about three minutes.
func Discard(ctx context.Context, db kv.DB, counted func(records uint64, finished bool)) error {
	// Nothing to discard is the common case (a rebuild after
	// verify --rebuild-projection, a fold into a new temporary file): no
	// write transaction then, each a synced commit of the whole freelist.
	present := false
	if err := db.View(func(tx kv.Tx) error {
		present = tx.Bucket(Bucket) != nil
		return nil
	}); err != nil || !present {
		return err
	}
	if err := db.Update(func(tx kv.Tx) error {
		if b := tx.Bucket(Bucket); b != nil {
			return b.Delete(keyFormat)
		}
		return nil
	}); err != nil {
		return err
	}
	pages := db.Pages(viewRelease)
	var gone uint64
	reported := false
	defer func() {
		if reported {
			counted(gone, true)
		}
	}()
	for more := true; more; {
		if err := ctx.Err(); err != nil {
			return err
		}
		more = false
		err := db.Update(func(tx kv.Tx) error {
			root := tx.Bucket(Bucket)
			if root == nil {
				return nil
			}
			deleted := 0
			c := root.Cursor()
			for name, v := c.First(); name != nil; name, v = c.Next() {
				if v != nil {
					continue // a key of the header, not a bucket
				}
				n, err := deleteSome(root.Bucket(name), discardPiece-deleted)
				if err != nil {
					return err
				}
				pages.Touch(n)
				if deleted += n; deleted == discardPiece {
					more = true
					break
				}
			}
			gone += uint64(deleted)
			if more {
				return nil
			}
			// Every bucket is empty now, or holds only buckets (of no
			// format this one writes): a few pages to free.
			return tx.DeleteBucket(Bucket)
		})
		if err != nil {
			return err
		}
		db.ReleasePages()
		if counted != nil && more {
			counted(gone, false)
			reported = true
		}
	}
	return nil
}

// discardPiece is how many records one of Discard's transactions deletes.
// Its commit maps pages in proportion, beyond the reach of any release (the
// emptied pages it frees, the nodes it rebalances): about 10 KB a record
// on a 1M-event ledger, 650 MB for pieces of 64k, 77 MB for pieces of 4k.
var discardPiece = 1 << 12

// deleteSome deletes up to n records of b, from its first; it returns how
// many.
func deleteSome(b kv.Bucket, n int) (int, error) {
	var keys [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(keys) < n; k, v = c.Next() {
		if v != nil {
			keys = append(keys, bytes.Clone(k))
		}
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
