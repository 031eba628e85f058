// Package bolt is the embedded default store: one bbolt file holding the
// events, a durable id index and the Merkle tree's stored hashes.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/kv"
)

var (
	bucketEvents = []byte("events") // seq (8 bytes, big endian) -> canonical envelope
	bucketIDs    = []byte("ids")    // event id -> seq, in a statledger-bolt-2 file: IDs.Base
	bucketIDRuns = []byte("idruns") // the id index's runs (IDs.Runs)
	bucketHashes = []byte("hashes") // tlog stored-hash index -> hash
	bucketMeta   = []byte("meta")
	keyFormat    = []byte("format")
	keyLastAt    = []byte("last_recorded_at")
	keySize      = []byte("size") // written with every append: a deleted last event shows as a gap
	// keyRoot is the root at size, written with every append: a damaged
	// stored hash among the few a root is computed from would otherwise give
	// every command a wrong root with no error. Files written before it have
	// none until their next append.
	keyRoot = []byte("root")
	// keyOrigin is the origin init made the ledger's signing key for.
	keyOrigin = []byte("origin")
)

// formatVersion is written at creation; a file of another version is refused
// rather than misread. 2: the size is stored, not derived from the last key.
// 3: the id index is sorted runs (IDs). A version 2 file is read as it is,
// its one id tree the index's base, and becomes version 3 with its first
// append: an older statledger would not see the runs, and would take an id
// already in them for a new one.
const (
	formatVersion = "statledger-bolt-3"
	formatBefore  = "statledger-bolt-2"
)

// LockTimeout is how long a process waits for another one to release the
// file. Readers share it and a writer has it alone, for as long as each has
// it open: a verify or an export of a large ledger reads for minutes, an
// import appends for as long, and a replay piped into a pager holds it until
// the pager quits. A command that fails after seconds of that leaves its
// user to guess why and retry; one that waits, saying so (Options.Waiting),
// goes on when the other is done, or is stopped with Ctrl-C.
var LockTimeout = 30 * time.Minute

// Store is a ledger in one bbolt file.
type Store struct {
	// mu guards db and pages, which a writer's reopen replaces: every use
	// holds it for reading.
	mu      sync.RWMutex
	db      *bbolt.DB
	path    string
	wait    time.Duration // for another process to release the file, also on reopen
	waiting func()        // Options.Waiting
	// pages looks at what reads have mapped every 1k entries, and at what an
	// append mapped after each append, and releases it past MappedBudget.
	pages *Releaser
	hook  AppendHook
	// appends counts the appends made since the file was opened, and the
	// writes through KV: see reopen.
	appends atomic.Int64
}

// reopenEvery is how many appends a Store makes before it opens its file
// again (reopen).
var reopenEvery int64 = 256

// inReopen, when set (by tests), runs between reopen's close and its open:
// where another process may take the file.
var inReopen func()

// An AppendHook runs inside an append's transaction, once its events are
// written: what it writes commits with them, or neither does. The store
// knows nothing of what it does (the projection checkpoint folds what is
// appended: checkpoint.Folder.FoldOnAppend). ix finds ids as of this batch;
// before and after are the ledger's heads around it.
type AppendHook func(tx kv.Tx, ix ledger.IDIndex, recs []ledger.Recorded, before, after ledger.Head) error

// OnAppend makes every later append run h.
func (s *Store) OnAppend(h AppendHook) { s.hook = h }

// txIDs is the id index as a transaction sees it, for a hook.
type txIDs struct{ tx *bbolt.Tx }

func (t txIDs) SeqsOf(_ context.Context, ids []string) ([]uint64, []bool, error) {
	seqs, found := idsOf(t.tx).SeqsOf(ids)
	return seqs, found, nil
}

// Releaser counts the entries a process reads or writes through a DB and,
// each time Every have been touched, releases the DB's mapped pages
// (ReleasePages) if the process holds more than MappedBudget of mapped file
// pages. Counting entries alone did not bound them: a fault maps the whole
// folio around its page, and the page cache's folios grow with the file
// (Linux 6.18, ext4: scanning one month's 7.4k facts of a 1M-event ledger
// mapped 56 MB for 1068 distinct pages). Safe for concurrent use.
type Releaser struct {
	DB    *bbolt.DB
	Every int64
	n     atomic.Int64
}

// MappedBudget is how many bytes of its files' pages a process keeps
// mapped before a Releaser lets go of them: a quarter of the 256 MiB a
// command may use at most.
var MappedBudget int64 = 64 << 20

// Touch counts n entries read or written in order.
func (r *Releaser) Touch(n int) {
	if r.n.Add(int64(n)) >= r.Every {
		r.Check()
	}
}

// Check releases the DB's mapped pages now if the process holds more than
// MappedBudget of them, and starts the count again.
func (r *Releaser) Check() {
	r.n.Store(0)
	if mappedOverBudget() {
		ReleasePages(r.DB)
	}
}

// TouchScattered counts n entries found by key. A lookup lands on pages no
// neighbour shares, and each fault maps a whole folio around its page: one
// counts as four entries read in order (re-importing 1M events the ledger
// holds: 290 MB peak counting one, 250 MB counting four).
func (r *Releaser) TouchScattered(n int) { r.Touch(4 * n) }

// Options for Open.
type Options struct {
	Create   bool // create the file if missing (statledger init); otherwise it must exist
	ReadOnly bool // share the file with other readers
	// Wait is how long to wait for another process to release the file;
	// zero means LockTimeout.
	Wait time.Duration
	// Waiting, if set, is told once that another process holds the file,
	// when a second of waiting for it has passed; also when a writer opens
	// its file again (reopen).
	Waiting func()
	// Context, if set, ends a wait for the file when it is done.
	Context context.Context
}

// Open opens (or with Create, creates) the ledger file at path.
func Open(path string, opt Options) (*Store, error) {
	if fi, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !opt.Create {
		return nil, ledger.KindErrorf(ledger.CodeInput, ledger.ErrNoLedger, "no ledger at %s", path)
	} else if err == nil && fi.IsDir() {
		return nil, ledger.KindErrorf(ledger.CodeInput, ledger.ErrStoreAddress, "%s is a folder, not a ledger file (like %s)", path, filepath.Join(path, "statledger.db"))
	}
	wait := opt.Wait
	if wait == 0 {
		wait = LockTimeout
	}
	db, err := openLocked(opt.Context, path, bbolt.Options{ReadOnly: opt.ReadOnly}, wait, opt.Waiting)
	if errors.Is(err, ledger.ErrDamaged) || errors.Is(err, errHeld) || opt.Context != nil && ledger.Stopped(opt.Context, err) {
		return nil, err
	}
	if errors.Is(err, bolterrors.ErrInvalid) && !IsFile(path) {
		// Neither meta page is bbolt's, and the first does not even begin
		// as one: most often a file given for the ledger by mistake. (A
		// ledger destroyed that far cannot be salvaged either.)
		return nil, ledger.KindErrorf(ledger.CodeInput, ledger.ErrStoreAddress, "%s holds no ledger: its first pages are not a bbolt database's, as a statledger ledger's are", path)
	}
	if err != nil {
		return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot open ledger %s", path)
	}
	s := &Store{db: db, path: path, wait: wait, waiting: opt.Waiting, pages: newReleaser(db)}
	if err := checkLength(db, path); err != nil {
		db.Close()
		return nil, err
	}
	fresh := false
	err = s.view(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil && opt.Create && !opt.ReadOnly {
			fresh = true
			return nil
		}
		return s.checkFormat(tx)
	})
	// Only a new file is written to here: a write transaction that changes
	// nothing still commits, and two fsyncs would double the cost of record.
	if err == nil && fresh {
		err = s.update(func(tx *bbolt.Tx) error {
			if tx.Bucket(bucketMeta) == nil {
				for _, b := range [][]byte{bucketEvents, bucketIDRuns, bucketHashes, bucketMeta} {
					if _, err := tx.CreateBucketIfNotExists(b); err != nil {
						return err
					}
				}
				return tx.Bucket(bucketMeta).Put(keyFormat, []byte(formatVersion))
			}
			return s.checkFormat(tx)
		})
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// errHeld marks the error of a wait for the file that ran out.
var errHeld = errors.New("held by another process")

// openLocked opens the bbolt file at path, waiting up to wait for another
// process to release it. bbolt's own wait cannot be stopped, so it waits a
// second at a time: ctx (if not nil) ends the wait, and waiting (if not nil)
// is told of it after the first second.
func openLocked(ctx context.Context, path string, o bbolt.Options, wait time.Duration, waiting func()) (*bbolt.DB, error) {
	deadline := time.Now().Add(wait)
	for told := false; ; told = true {
		// bbolt takes a zero Timeout for no limit.
		o.Timeout = max(min(time.Second, time.Until(deadline)), time.Millisecond)
		var db *bbolt.DB
		err := Guard(path, func() (err error) {
			db, err = bbolt.Open(path, 0o600, &o)
			return err
		})
		if !errors.Is(err, bolterrors.ErrTimeout) {
			return db, err
		}
		if time.Now().After(deadline) {
			return nil, ledger.KindErrorf(ledger.CodeRuntime, errHeld, "another process holds the ledger %s (waited %s); try again when it has finished", path, wait.Round(time.Second))
		}
		if ctx != nil && ctx.Err() != nil {
			return nil, ledger.Wrap(ledger.CodeRuntime, ctx.Err(), "stopped waiting for another process to release the ledger %s", path)
		}
		if !told && waiting != nil {
			waiting()
		}
	}
}

// OpenDerived opens (creating it) a bbolt file of derived data, one that can
// always be made again from a ledger: a projection checkpoint, an EventStoreDB
// index. Another process holding it makes this fail after wait; waiting, if
// set, is told of the wait after its first second. A file bbolt cannot read
// is removed and made again, rather than read around on every command;
// remade then says why.
func OpenDerived(path string, wait time.Duration, waiting func()) (db *bbolt.DB, remade, err error) {
	db, err = openLocked(context.Background(), path, bbolt.Options{}, wait, waiting)
	if errors.Is(err, errHeld) {
		// Not the ledger, and the caller makes its own rather than retry.
		return nil, nil, ledger.KindErrorf(ledger.CodeRuntime, errHeld, "another command has %s open (waited %s)", path, wait.Round(time.Second))
	}
	if err == nil {
		if err = checkLength(db, path); err != nil {
			db.Close()
		}
	}
	if err != nil && os.Remove(path) == nil {
		remade = err
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: wait})
	}
	return db, remade, err
}

// DerivedWait is how long a command waits for another that holds a file of
// derived data (OpenDerived) before it makes its own: a report holds this
// machine's projection cache of an EventStoreDB ledger for a moment, and
// making another means reading the whole stream; a verify holds it for its
// whole run.
var DerivedWait = 10 * time.Second

func (s *Store) checkFormat(tx *bbolt.Tx) error {
	m := tx.Bucket(bucketMeta)
	if m == nil || string(m.Get(keyFormat)) != formatVersion && string(m.Get(keyFormat)) != formatBefore {
		return ledger.Errorf(ledger.CodeInput, "%s is not a statledger ledger file (or one of another format version)", s.path)
	}
	return nil
}

func newReleaser(db *bbolt.DB) *Releaser { return &Releaser{DB: db, Every: 1 << 10} }

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Close()
}

// DB exposes the bbolt handle for tests that tamper with the file. A writer
// that appends more than reopenEvery batches replaces it.
func (s *Store) DB() *bbolt.DB {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db
}

// touch counts n entries read or written (scattered: found by key) for the
// Releaser.
func (s *Store) touch(n int, scattered bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if scattered {
		s.pages.TouchScattered(n)
	} else {
		s.pages.Touch(n)
	}
}

// release is Releaser.Check on the current handle.
func (s *Store) release() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.pages.Check()
}

// reopen closes the file and opens it again once a writer has made
// reopenEvery appends. bbolt's freelist remembers, for every page a write
// transaction took from it, which transaction did, until the page is freed
// again: in a process that writes for long, that is every page it wrote that
// is still in use, and at 10M events most of an import's heap. Opened again,
// the file starts with none.
//
// Between the close and the open another process may take the file: the
// open then waits for it, like any other, and the next append finds the
// ledger grown and refuses (ledger.ConflictError), appending nothing.
// reopen never waits for this process's own readers: with one at work it
// tries again at the next append.
func (s *Store) reopen(ctx context.Context) error {
	if s.appends.Load() < reopenEvery || !s.mu.TryLock() {
		return nil
	}
	defer s.mu.Unlock()
	s.appends.Store(0)
	if err := s.db.Close(); err != nil {
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot close ledger %s to open it again", s.path)
	}
	if inReopen != nil {
		inReopen()
	}
	db, err := openLocked(ctx, s.path, bbolt.Options{}, s.wait, s.waiting)
	if errors.Is(err, errHeld) {
		return ledger.Errorf(ledger.CodeRuntime, "another process took the ledger %s while this one opened it again, and held it for %s; nothing more was appended", s.path, s.wait.Round(time.Second))
	}
	if err == nil {
		if err = checkLength(db, s.path); err != nil {
			db.Close()
		}
	}
	if err != nil {
		// Every later use fails: bbolt refuses a closed database.
		return ledger.Wrap(ledger.CodeOf(err), err, "cannot open ledger %s again", s.path)
	}
	s.db, s.pages = db, newReleaser(db)
	return nil
}

func seqKey(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

func size(tx *bbolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keySize); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// Append is one bbolt write transaction: all or nothing, fsynced before
// Update returns. Then a second, that only marks the first as acknowledged:
// bbolt keeps its two latest commits in two meta pages and falls back to
// the older one when the newer cannot be read, so a damaged newest meta page
// would otherwise lose the batch just acknowledged, silently. With the mark
// on top, it loses only the mark.
func (s *Store) Append(ctx context.Context, expectedNext uint64, recs []ledger.Recorded) error {
	if err := s.AppendUnmarked(ctx, expectedNext, recs); err != nil || len(recs) == 0 {
		return err
	}
	return s.Mark(ctx)
}

// AppendUnmarked is Append without the mark, for a batch that another
// follows before anything is acknowledged (ledger.Marker).
func (s *Store) AppendUnmarked(ctx context.Context, expectedNext uint64, recs []ledger.Recorded) error {
	if err := ledger.CheckBatch(expectedNext, recs); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.reopen(ctx); err != nil {
		return err
	}
	// An append maps pages all over the file: the id runs it merges, and
	// the months the fold writes to, several times the budget's worth in a
	// large ledger. Counted in entries, a check came only every second batch;
	// the budget is looked at after each one instead.
	defer s.release()
	err := s.append(ctx, expectedNext, recs)
	if err == nil {
		s.appends.Add(1)
	}
	return err
}

// Mark commits the acknowledgement mark at the ledger's size: see Append.
func (s *Store) Mark(context.Context) error {
	return s.update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyAcked, seqKey(size(tx)))
	})
}

// keyAcked is the size of the last append acknowledged: see Append.
var keyAcked = []byte("acknowledged")

func (s *Store) append(ctx context.Context, expectedNext uint64, recs []ledger.Recorded) error {
	return s.update(func(tx *bbolt.Tx) error {
		if n := size(tx); n != expectedNext {
			return ledger.ConflictError(expectedNext, n)
		}
		ids, err := idsToWrite(tx)
		if err != nil {
			return err
		}
		batch := ledger.IDsOf(recs)
		dup, held, _, err := ids.Add(batch, expectedNext)
		if err != nil {
			return err
		}
		if dup >= 0 {
			return ledger.Wrap(ledger.CodeInput, ledger.ErrIDExists, "event id %s is already in the ledger at seq %d", batch[dup], held)
		}
		events, hashes := tx.Bucket(bucketEvents), Hashes{tx.Bucket(bucketHashes)}
		var before ledger.Head
		if s.hook != nil {
			before.Size = expectedNext
			if r := tx.Bucket(bucketMeta).Get(keyRoot); len(r) == len(before.Root) {
				copy(before.Root[:], r)
			} else if before.Root, err = tlog.TreeHash(int64(expectedNext), hashes); err != nil {
				return err
			}
		}
		// Keys only ever grow, so full pages waste nothing.
		events.FillPercent = 1.0
		for _, r := range recs {
			if err := events.Put(seqKey(r.Seq), r.Raw); err != nil {
				return err
			}
			if err := hashes.Add(r.Seq, r.Leaf); err != nil {
				return err
			}
		}
		last := recs[len(recs)-1].RecordedAt.Format(ledger.TimeFormat)
		n := expectedNext + uint64(len(recs))
		if err := tx.Bucket(bucketMeta).Put(keySize, seqKey(n)); err != nil {
			return err
		}
		root, err := tlog.TreeHash(int64(n), hashes)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyRoot, root[:]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyLastAt, []byte(last)); err != nil {
			return err
		}
		if s.hook == nil {
			return nil
		}
		return s.hook(kvTx{tx}, txIDs{tx}, recs, before, ledger.Head{Size: n, Root: root, LastRecordedAt: recs[len(recs)-1].RecordedAt})
	})
}

// idsOf is the id index as stored, for reading.
func idsOf(tx *bbolt.Tx) IDs {
	return IDs{Base: tx.Bucket(bucketIDs), Runs: tx.Bucket(bucketIDRuns)}
}

// idsToWrite is the id index, made version 3 if the file was version 2.
func idsToWrite(tx *bbolt.Tx) (IDs, error) {
	x := idsOf(tx)
	if x.Runs != nil {
		return x, nil
	}
	var err error
	if x.Runs, err = tx.CreateBucket(bucketIDRuns); err != nil {
		return x, err
	}
	return x, tx.Bucket(bucketMeta).Put(keyFormat, []byte(formatVersion))
}

func (s *Store) ReadHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	defer s.touch(len(idx), false)
	var out []tlog.Hash
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		out, err = Hashes{tx.Bucket(bucketHashes)}.ReadHashes(idx)
		return err
	})
	return out, err
}

// readChunk bounds how long one read transaction stays open, so a slow reader
// (a report, a replay piped to less) never pins old pages of a growing file.
const readChunk = 4096

func (s *Store) Read(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	next := from
	for {
		var batch []ledger.Recorded
		err := s.view(func(tx *bbolt.Tx) error {
			c := tx.Bucket(bucketEvents).Cursor()
			hashes := tx.Bucket(bucketHashes)
			for k, v := c.Seek(seqKey(next)); k != nil && len(batch) < readChunk; k, v = c.Next() {
				at := binary.BigEndian.Uint64(k)
				r, err := ledger.ParseRecorded(v)
				if err != nil {
					return ledger.Wrap(ledger.CodeVerify, err, "seq %d", at)
				}
				if r.Seq != at {
					return ledger.Errorf(ledger.CodeVerify, "seq %d: holds the event of seq %d: events were moved", at, r.Seq)
				}
				// Every read checks the event against its stored leaf hash, so no
				// report can show changed figures under the old root.
				if h := hashes.Get(leafKey(at)); !bytes.Equal(h, r.Leaf[:]) {
					return ledger.Errorf(ledger.CodeVerify, "seq %d: the event's bytes do not match its stored leaf hash: the event was changed", at)
				}
				batch = append(batch, r)
			}
			return nil
		})
		// Counted before fn sees any of it: a reader that stops early (a
		// fold reading chunk by chunk) read the pages all the same, and a
		// pass of such reads would otherwise keep the whole file resident.
		s.touch(len(batch), false)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < readChunk {
			return nil
		}
		next = batch[len(batch)-1].Seq + 1
	}
}

func (s *Store) Head(ctx context.Context) (ledger.Head, error) {
	var h ledger.Head
	err := s.view(func(tx *bbolt.Tx) (err error) {
		h, err = headOf(tx)
		return err
	})
	return h, err
}

func headOf(tx *bbolt.Tx) (ledger.Head, error) {
	var h ledger.Head
	h.Size = size(tx)
	if h.Size == 0 {
		return h, nil
	}
	if v := tx.Bucket(bucketMeta).Get(keyLastAt); v != nil {
		t, err := time.Parse(ledger.TimeFormat, string(v))
		if err != nil {
			return h, ledger.Errorf(ledger.CodeVerify, "stored last recorded_at %q is malformed", v)
		}
		h.LastRecordedAt = t
	}
	root, err := tlog.TreeHash(int64(h.Size), Hashes{tx.Bucket(bucketHashes)})
	h.Root = root
	if err != nil {
		return h, err
	}
	if want := tx.Bucket(bucketMeta).Get(keyRoot); want != nil && !bytes.Equal(want, root[:]) {
		return h, ledger.KindErrorf(ledger.CodeVerify, ledger.ErrHistoryChanged, "the ledger's stored tree hashes give the root %s at tree size %d, but the last append recorded %x: the file was changed or damaged", ledger.HashHex(root), h.Size, want)
	}
	return h, nil
}

// Origin is the origin recorded at init, or "".
func (s *Store) Origin(ctx context.Context) (string, error) {
	var o string
	err := s.view(func(tx *bbolt.Tx) error {
		o = string(tx.Bucket(bucketMeta).Get(keyOrigin))
		return nil
	})
	return o, err
}

// SetOrigin records the ledger's origin.
func (s *Store) SetOrigin(ctx context.Context, origin string) error {
	return s.update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOrigin, []byte(origin)) })
}

// SeqsOf reads the id index only, not the events.
func (s *Store) SeqsOf(ctx context.Context, ids []string) ([]uint64, []bool, error) {
	return seqsInPieces(ids, s.view, idsOf, func(n int) { s.touch(n, true) })
}

func (s *Store) Lookup(ctx context.Context, id string) (ledger.Recorded, bool, error) {
	_, raw, found, err := s.LookupRaw(ctx, id)
	if !found || err != nil {
		return ledger.Recorded{}, false, err
	}
	r, err := ledger.ParseRecorded(raw)
	return r, err == nil, err
}

// LookupRaw is Lookup without parsing the event's bytes: see
// ledger.RawLookup.
func (s *Store) LookupRaw(ctx context.Context, id string) (uint64, []byte, bool, error) {
	defer s.touch(1, true)
	var seq uint64
	var raw []byte
	err := s.view(func(tx *bbolt.Tx) error {
		var ok bool
		if seq, ok = idsOf(tx).SeqOf(id); !ok {
			return nil
		}
		v := tx.Bucket(bucketEvents).Get(seqKey(seq))
		if v == nil {
			return ledger.Errorf(ledger.CodeVerify, "id index names seq %d for %s, but no event is stored there", seq, id)
		}
		raw = bytes.Clone(v) // v lives only as long as the transaction
		return nil
	})
	return seq, raw, raw != nil, err
}

// Path is the file the ledger lives in.
func (s *Store) Path() string { return s.path }

// IsFile reports whether the file at path begins as a bbolt database does
// (a ledger, or any other bbolt file), whatever its state further on: its
// first meta page, a 16-byte page header and then bbolt's magic number.
func IsFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 20)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	const magic = 0xED0CDAED
	return binary.LittleEndian.Uint32(head[16:]) == magic || binary.BigEndian.Uint32(head[16:]) == magic
}
