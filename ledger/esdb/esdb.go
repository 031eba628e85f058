// Package esdb keeps a ledger in one EventStoreDB/KurrentDB stream through
// github.com/EventStore/EventStore-Client-Go/v4. Each event's data is its
// canonical JSON and its metadata the rest of the recorded envelope, so the
// leaf hashes and the root are those of any other store holding the ledger.
//
// EventStoreDB de-duplicates event ids only through a best-effort cache of
// recent ids, so the store keeps its own index (see index.go): it checks every
// id against the whole history, and appends with the expected revision, so
// nobody can have appended in between.
package esdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/statledger/statledger/ledger"
)

// SchemaVersion is written into every event's metadata.
const SchemaVersion = 1

// DefaultLedger is the stream of the default ledger.
const DefaultLedger = "statledger"

// readPage is how many events one ReadStream call asks for.
const readPage uint64 = 1000

// meta is the recorded envelope less the event, in each event's metadata.
type meta struct {
	Seq        uint64 `json:"seq"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	LeafHash   string `json:"leaf_hash"`
	Schema     int    `json:"schema"`
}

// Store is a ledger in one stream.
type Store struct {
	client  *esdb.Client
	stream  string
	display string // the URL without its password, for messages

	mu       sync.Mutex
	ix       Index // ids and the tree of the stored leaf hashes, as read
	lastSync time.Time
	note     string
	before   *ledger.Head
	progress func(done, total uint64)
	hook     AppendHook
	hooked   chan appended // to the goroutine that runs hook: see OnAppend
	hookDone chan struct{}
	hookMu   sync.Mutex // orders sends to hooked with its closing
	ahead    readAhead  // see Lookup
	aheadMu  sync.Mutex
	// ixMu orders changes to ix, made under mu as well, with SeqsOf, which
	// takes only ixMu: an append holds mu while the server answers, and
	// the hook's fold, on its own goroutine, looks ids up meanwhile.
	ixMu sync.RWMutex
}

// Options for Open.
type Options struct {
	// Index is a local file in which the store keeps its id index and Merkle
	// tree between runs, so that opening reads only what was appended since;
	// OpenIndex opens it (ledger/bolt.OpenIndex). Empty, or an index that
	// cannot be opened, keeps them in memory, and every open reads the
	// whole stream.
	Index     string
	OpenIndex func(path, stream string) (Index, error)
	// Rebuild starts the index file again from the whole stream, trusting
	// nothing it held; IndexBefore then says what it held. verify does this.
	Rebuild bool
	// Progress, if set, hears how far a long catch-up of the index has got:
	// done of total events, total being what the stream held beyond the
	// index when it started. A first open of a long stream reads all of it.
	Progress func(done, total uint64)
}

// lookupStaleness is how old the index may be for Lookup. A stale "not
// found" is safe: Append always catches up and refuses an id already held, and
// the ledger then re-checks the batch. Without it, checking an import of a
// million events would cost a million round trips.
const lookupStaleness = 500 * time.Millisecond

// Redact removes the password from a connection string, for any message.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.Index(s, "://"); i > 0 {
			return s[:i] + "://…"
		}
		return "…"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// Kinds of data derived from an EventStoreDB ledger that a machine keeps
// for it, in CacheFile.
const (
	IndexFile      = "index"      // the ledger's ids and leaf hashes: Options.Index
	ProjectionFile = "projection" // the projection checkpoint folded from it
)

// CacheFile is this machine's file of derived data of kind (IndexFile,
// ProjectionFile) for the ledger ledgerName at connection, in a folder of
// the user's cache that it creates. It is named by the connection string
// without its password, so a changed password keeps the same file.
func CacheFile(kind, connection, ledgerName string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "statledger")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(Redact(connection) + "\x00" + ledgerName))
	return filepath.Join(dir, kind+"-"+hex.EncodeToString(sum[:12])+".db"), nil
}

// IsCacheFile reports whether path is named as a CacheFile is: data derived
// from a ledger, which the next command that needs it makes again if it is
// removed.
func IsCacheFile(path string) bool {
	base := filepath.Base(path)
	return strings.HasPrefix(base, IndexFile+"-") || strings.HasPrefix(base, ProjectionFile+"-")
}

// IsAddress reports whether s names an EventStoreDB or KurrentDB server
// (rather than a file): esdb://, esdb+discover://, kurrentdb://,
// kurrentdb+discover:// or kurrent://.
func IsAddress(s string) bool {
	for _, p := range []string{"esdb://", "esdb+discover://", "kurrentdb://", "kurrentdb+discover://", "kurrent://"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// CheckAddress refuses a port outside 1…65535 in a connection string: the
// client takes 99999 and dials another port. Open checks it too; a caller
// checks it to refuse a bad address before any other work.
func CheckAddress(s string) error {
	hosts := s[strings.Index(s, "://")+3:]
	if i := strings.IndexAny(hosts, "/?"); i >= 0 {
		hosts = hosts[:i]
	}
	if i := strings.LastIndex(hosts, "@"); i >= 0 {
		hosts = hosts[i+1:]
	}
	for _, h := range strings.Split(hosts, ",") {
		i := strings.LastIndex(h, ":")
		if i < 0 || strings.HasSuffix(h, "]") {
			continue // no port: the client's default
		}
		if p, err := strconv.Atoi(h[i+1:]); err != nil || p < 1 || p > 65535 {
			return ledger.KindErrorf(ledger.CodeInput, ledger.ErrStoreAddress, "%s: %q is not a port (1 to 65535)", Redact(s), h[i+1:])
		}
	}
	return nil
}

// Open connects to the server of a connection string (esdb://, esdb+discover://;
// kurrentdb:// and kurrentdb+discover:// are accepted as synonyms) and reads the
// ledger's stream, or with opt.Index only what its index does not hold yet.
func Open(ctx context.Context, connection, ledgerName string, opt Options) (*Store, error) {
	display := Redact(connection)
	if err := CheckAddress(connection); err != nil {
		return nil, err
	}
	for _, scheme := range []string{"kurrentdb", "kurrent"} {
		if rest, ok := strings.CutPrefix(connection, scheme); ok && (strings.HasPrefix(rest, "://") || strings.HasPrefix(rest, "+discover://")) {
			connection = "esdb" + rest // the v4 client knows only the esdb schemes
			break
		}
	}
	cfg, err := esdb.ParseConnectionString(connection)
	if err != nil {
		// The client's message may quote the string; never show it.
		return nil, ledger.KindErrorf(ledger.CodeInput, ledger.ErrStoreAddress, "%s is not a valid EventStoreDB connection string", display)
	}
	cfg.Logger = esdb.NoopLogging() // errors reach the user through our messages, without secrets
	client, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, ledger.KindErrorf(ledger.CodeInput, ledger.ErrStoreAddress, "%s: %s", display, scrub(err, connection))
	}
	if ledgerName == "" {
		ledgerName = DefaultLedger
	}
	s := &Store{client: client, stream: ledgerName, display: display, progress: opt.Progress}
	s.ix = newMemIndex()
	if opt.Index != "" && opt.OpenIndex != nil {
		if ix, err := opt.OpenIndex(opt.Index, ledgerName); err != nil {
			s.note = fmt.Sprintf("the local index %s cannot be used (%v), so the whole stream was read", opt.Index, err)
		} else {
			s.ix, s.note = ix, ix.Note()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err = s.checkIndex(ctx, opt.Rebuild)
	if err == nil {
		err = s.sync(ctx)
	}
	if err != nil {
		s.ix.Close()
		client.Close()
		return nil, err
	}
	return s, nil
}

// checkIndex makes sure the index describes this stream: the event at its
// last seq must have the leaf hash it holds. A stream that was deleted and
// written again, or a server that was reset, fails this, and the index is
// started again. With rebuild it is started again whatever it holds.
func (s *Store) checkIndex(ctx context.Context, rebuild bool) error {
	n := s.ix.Size()
	if n == 0 {
		return nil
	}
	held, err := s.ix.ReadHashes([]int64{tlog.StoredHashIndex(0, int64(n-1))})
	if err != nil {
		return s.ix.Reset()
	}
	// What the index held, for verify to compare with the stream if the
	// index is started again.
	root, err := tlog.TreeHash(int64(n), s.ix)
	if err != nil {
		return s.ix.Reset()
	}
	if rebuild {
		s.before = &ledger.Head{Size: n, Root: root}
		return s.ix.Reset()
	}
	found := false
	err = s.read(ctx, n-1, 1, false, func(r ledger.Recorded, stored tlog.Hash) error {
		found = stored == held[0]
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if !found {
		s.note = fmt.Sprintf("the local index of %s held %d events, but the stream no longer has them as they were (deleted and written again, or another server); the index was rebuilt from the stream", s.stream, n)
		s.before = &ledger.Head{Size: n, Root: root}
		return s.ix.Reset()
	}
	return nil
}

// Note says what the store did about its local index that a person should
// know, or is empty.
func (s *Store) Note() string { return s.note }

// IndexBefore is what the index held before Open started it again (with
// Options.Rebuild, or because it no longer matched the stream), for a
// comparison with the verified stream.
func (s *Store) IndexBefore() (ledger.Head, bool) {
	if s.before == nil {
		return ledger.Head{}, false
	}
	return *s.before, true
}

// scrub is an error's text with the connection string's password removed, in
// case a library quotes it.
func scrub(err error, connection string) string {
	msg := err.Error()
	if u, perr := url.Parse(connection); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}

// code is the client's error code anywhere in err's chain.
func code(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return esdb.ErrorCodeUnknown
}

func (s *Store) fail(err error, what string) error {
	var le *ledger.Error
	if errors.As(err, &le) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ledger.Wrap(ledger.CodeRuntime, err, "EventStoreDB at %s did not answer in time while %s", s.display, what)
	}
	// The client reports a cancelled context as the RPC's status, which
	// errors.Is does not see: said as the interruption it is.
	if errors.Is(err, context.Canceled) || status.Code(err) == codes.Canceled {
		return ledger.Wrap(ledger.CodeRuntime, context.Canceled, "stopped while %s", what)
	}
	return ledger.Errorf(ledger.CodeRuntime, "EventStoreDB at %s failed while %s: %s", s.display, what, err.Error())
}

// sync indexes what was appended since the last read, checking that each
// event is where its metadata says. The caller holds s.mu.
func (s *Store) sync(ctx context.Context) error {
	s.lastSync = time.Now()
	var batch []entry
	from := s.ix.Size()
	var total uint64 // of a catch-up longer than a page, for progress
	flush := func() error {
		err := s.add(batch)
		batch = batch[:0]
		if err == nil && total > 0 {
			s.progress(s.ix.Size()-from, total)
		}
		return err
	}
	err := s.read(ctx, from, readPage, false, func(r ledger.Recorded, stored tlog.Hash) error {
		batch = append(batch, entry{id: r.Event.ID, seq: r.Seq, leaf: stored, at: r.RecordedAt})
		if s.progress != nil && total == 0 && r.Seq+1 == from+readPage {
			if n, err := s.length(ctx); err == nil && n > from {
				total = n - from
			}
		}
		if len(batch) >= indexBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// length is how many events the stream holds, from its last event.
func (s *Store) length(ctx context.Context) (uint64, error) {
	rs, err := s.client.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{From: esdb.End{}, Direction: esdb.Backwards}, 1)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if err != nil {
		return 0, err
	}
	return ev.Event.EventNumber + 1, nil
}

// indexBatch is how many events one write of the index file holds.
const indexBatch = 4096

// pageTimeout bounds one page of a read, not a whole read: a first catch-up
// or verify of a long stream takes minutes, a server that stopped answering
// must still fail in seconds.
var pageTimeout = 30 * time.Second

// read pages through the stream from revision from, page events at a time.
// fn gets each event as rebuilt from its data and metadata, and the leaf hash
// its metadata stores. With pinned, every event the index already holds must
// have the leaf hash it holds: a stream whose events and metadata were both
// rewritten then still cannot report changed figures under the old root.
func (s *Store) read(ctx context.Context, from uint64, page uint64, pinned bool, fn func(ledger.Recorded, tlog.Hash) error) error {
	for {
		got, stored, exists, err := s.readPage(ctx, from, page)
		if err != nil || !exists {
			return err // no stream yet is an empty ledger
		}
		if pinned {
			if err := s.pin(got); err != nil {
				return err
			}
		}
		for i := range got {
			if err := fn(got[i], stored[i]); err != nil {
				return err
			}
		}
		if uint64(len(got)) < page {
			return nil
		}
		from += uint64(len(got))
	}
}

// readPage reads up to page events from revision from, within pageTimeout.
func (s *Store) readPage(ctx context.Context, from, page uint64) (got []ledger.Recorded, stored []tlog.Hash, exists bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	rs, err := s.client.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{From: esdb.Revision(from), Direction: esdb.Forwards}, page)
	if err != nil {
		return nil, nil, false, s.fail(err, "reading the ledger")
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return got, stored, true, nil
		}
		if err != nil {
			if code(err) == esdb.ErrorCodeResourceNotFound {
				return nil, nil, false, nil
			}
			return nil, nil, false, s.fail(err, "reading the ledger")
		}
		rec, leaf, err := decode(ev.Event)
		if err != nil {
			return nil, nil, false, err
		}
		if want := from + uint64(len(got)); rec.Seq != want {
			return nil, nil, false, ledger.Errorf(ledger.CodeVerify, "seq %d: the event at stream revision %d says it is seq %d: an event was deleted, inserted or moved", want, ev.Event.EventNumber, rec.Seq)
		}
		got, stored = append(got, rec), append(stored, leaf)
	}
}

// pin checks events against the leaf hashes the index holds for them.
func (s *Store) pin(recs []ledger.Recorded) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var idx []int64 // recs run in seq order, so those the index holds come first
	for _, r := range recs {
		if r.Seq < s.ix.Size() {
			idx = append(idx, tlog.StoredHashIndex(0, int64(r.Seq)))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	held, err := s.ix.ReadHashes(idx)
	if err != nil {
		return s.fail(err, "reading the local index")
	}
	for i, h := range held {
		if recs[i].Leaf != h {
			return ledger.Errorf(ledger.CodeVerify, "seq %d: the event's leaf hash differs from the one this machine's index recorded when it was first read: the event was changed in the stream", recs[i].Seq)
		}
	}
	return nil
}

// decode rebuilds a recorded event from a stream event. It refuses data that is
// not the canonical form of the event it decodes to.
func decode(e *esdb.RecordedEvent) (ledger.Recorded, tlog.Hash, error) {
	bad := func(format string, args ...any) (ledger.Recorded, tlog.Hash, error) {
		return ledger.Recorded{}, tlog.Hash{}, ledger.Errorf(ledger.CodeVerify, "seq %d: "+format, append([]any{e.EventNumber}, args...)...)
	}
	var m meta
	if err := ledger.UnmarshalStored(e.UserMetadata, &m); err != nil || m.Schema != SchemaVersion {
		return bad("stream event %d has no statledger metadata (schema %d): %v", e.EventNumber, m.Schema, err)
	}
	var ev ledger.Event
	if err := ledger.UnmarshalStored(e.Data, &ev); err != nil {
		return bad("event data is not a statledger event: %v", err)
	}
	if !bytes.Equal(ev.Canonical(), e.Data) {
		return bad("event data is not in canonical form")
	}
	at, err := time.Parse(ledger.TimeFormat, m.RecordedAt)
	if err != nil {
		return bad("recorded_at %q is malformed", m.RecordedAt)
	}
	stored, err := ledger.ParseHashHex(m.LeafHash)
	if err != nil {
		return bad("leaf_hash: %v", err)
	}
	rec := ledger.NewRecorded(m.Seq, at, m.RecordedBy, ev)
	if rec.Leaf != stored {
		// Checked on every read, so no report can show changed figures under the old root.
		return bad("the event's bytes do not match its stored leaf hash: the event was changed")
	}
	return rec, stored, nil
}

// Append writes recs in one AppendToStream call: EventStoreDB applies it all
// or nothing.
func (s *Store) Append(ctx context.Context, expectedNext uint64, recs []ledger.Recorded) error {
	if err := ledger.CheckBatch(expectedNext, recs); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	before, after, err := s.append(ctx, expectedNext, recs)
	if err == nil && s.hook != nil && after.Size > 0 {
		s.hookMu.Lock()
		if s.hooked != nil { // nil once closed
			s.hooked <- appended{recs, before, after}
		}
		s.hookMu.Unlock()
	}
	return err
}

// An AppendHook is told of each acknowledged append, with the ledger's
// heads around it (the projection cache folds what was appended:
// checkpoint.Folder.FoldInto). What it fails to do is derived data, caught
// up later.
type AppendHook func(recs []ledger.Recorded, before, after ledger.Head)

type appended struct {
	recs          []ledger.Recorded
	before, after ledger.Head
}

// OnAppend makes every later acknowledged append run h. h runs on a
// goroutine of its own, one append after another in their order, while the
// next batch goes to the server: run in turn, folding took a third of an
// import's time (300k events: 20 s, 13-15 s side by side). It may read the
// store; SeqsOf does not wait for an append in flight. At most one append
// waits for it, and Close returns once it has seen every one.
func (s *Store) OnAppend(h AppendHook) {
	s.hook = h
	s.hooked = make(chan appended, 1)
	s.hookDone = make(chan struct{})
	go func(in <-chan appended) {
		defer close(s.hookDone)
		for a := range in {
			h(a.recs, a.before, a.after)
		}
	}(s.hooked)
}

func (s *Store) append(ctx context.Context, expectedNext uint64, recs []ledger.Recorded) (before, after ledger.Head, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(ctx); err != nil {
		return before, after, err
	}
	if n := s.ix.Size(); n != expectedNext {
		return before, after, ledger.ConflictError(expectedNext, n)
	}
	if s.hook != nil {
		if before.Root, err = ledger.RootOf(expectedNext, s.ix); err != nil {
			return before, after, err
		}
		before.Size = expectedNext
	}
	seqs, held, err := s.ix.SeqsOf(ledger.IDsOf(recs))
	if err != nil {
		return before, after, s.fail(err, "reading the local index")
	}
	for i, r := range recs {
		if held[i] {
			return before, after, ledger.Wrap(ledger.CodeInput, ledger.ErrIDExists, "event id %s is already in the ledger at seq %d", r.Event.ID, seqs[i])
		}
	}
	events := make([]esdb.EventData, len(recs))
	for i, r := range recs {
		m, _ := json.Marshal(meta{Seq: r.Seq, RecordedAt: r.RecordedAt.Format(ledger.TimeFormat), RecordedBy: r.RecordedBy, LeafHash: r.LeafHex(), Schema: SchemaVersion})
		id, err := uuid.Parse(r.Event.ID)
		if err != nil {
			return before, after, ledger.Errorf(ledger.CodeInput, "event id %s is not a UUID", r.Event.ID)
		}
		events[i] = esdb.EventData{EventID: id, EventType: string(r.Event.Type), ContentType: esdb.ContentTypeJson,
			Data: r.EventBytes(), Metadata: m}
	}
	var expected esdb.ExpectedRevision = esdb.NoStream{}
	if expectedNext > 0 {
		expected = esdb.Revision(expectedNext - 1)
	}
	_, err = s.client.AppendToStream(ctx, s.stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, events...)
	if err == nil {
		// The expected revision held, so the batch sits exactly at its seqs:
		// index it without reading it back. Should the index file fail to take
		// it, nothing is lost: it stays at its size, and the next sync reads
		// the batch back from the stream.
		es := make([]entry, len(recs))
		for i, r := range recs {
			es[i] = entry{id: r.Event.ID, seq: r.Seq, leaf: r.Leaf, at: r.RecordedAt}
		}
		_ = s.add(es)
		// A hook folds only a batch the index took; after's zero size says
		// there is nothing to fold, and the next view catches up.
		if n := expectedNext + uint64(len(recs)); s.hook != nil && s.ix.Size() == n {
			if root, err := ledger.RootOf(n, s.ix); err == nil {
				after = ledger.Head{Size: n, Root: root, LastRecordedAt: recs[len(recs)-1].RecordedAt}
			}
		}
		return before, after, nil
	}
	if code(err) == esdb.ErrorCodeWrongExpectedVersion {
		return before, ledger.Head{}, ledger.Wrap(ledger.CodeConflict, ledger.ErrConflict, "another writer appended to %s first", s.stream)
	}
	// The outcome is unknown (connection lost, deadline, server down): the
	// append may have been applied. Look before answering, so a retry neither
	// loses nor duplicates the batch.
	if landed, lerr := s.landed(recs); lerr == nil && landed {
		return before, ledger.Head{}, nil
	}
	return before, ledger.Head{}, s.fail(err, fmt.Sprintf("appending %d events; none were appended", len(recs)))
}

// landed reports whether recs are in the stream, byte for byte, at their seqs.
func (s *Store) landed(recs []ledger.Recorded) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.sync(ctx); err != nil {
		return false, err
	}
	seqs, found, err := s.ix.SeqsOf(ledger.IDsOf(recs))
	if err != nil {
		return false, err
	}
	for i, r := range recs {
		if !found[i] || seqs[i] != r.Seq {
			return false, nil
		}
	}
	hs, err := s.ix.ReadHashes([]int64{tlog.StoredHashIndex(0, int64(recs[len(recs)-1].Seq))})
	return err == nil && hs[0] == recs[len(recs)-1].Leaf, err
}

func (s *Store) Read(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	return s.read(ctx, from, readPage, true, func(r ledger.Recorded, _ tlog.Hash) error { return fn(r) })
}

func (s *Store) Head(ctx context.Context) (ledger.Head, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(ctx); err != nil {
		return ledger.Head{}, err
	}
	n := s.ix.Size()
	root, err := ledger.RootOf(n, s.ix)
	if err != nil {
		return ledger.Head{}, s.fail(err, "reading the local index")
	}
	return ledger.Head{Size: n, Root: root, LastRecordedAt: s.ix.LastAt()}, nil
}

// SeqsOf answers from the store's id index: no round trip. Ids appended by
// others since the last sync are found after the next one.
func (s *Store) SeqsOf(ctx context.Context, ids []string) ([]uint64, []bool, error) {
	s.ixMu.RLock()
	defer s.ixMu.RUnlock()
	return s.ix.SeqsOf(ids)
}

func (s *Store) Lookup(ctx context.Context, id string) (ledger.Recorded, bool, error) {
	s.mu.Lock()
	if time.Since(s.lastSync) > lookupStaleness {
		if err := s.sync(ctx); err != nil {
			s.mu.Unlock()
			return ledger.Recorded{}, false, err
		}
	}
	seqs, ok, err := s.ix.SeqsOf([]string{id})
	indexed := s.ix.Size()
	s.mu.Unlock()
	if err != nil || !ok[0] {
		return ledger.Recorded{}, false, err
	}
	seq := seqs[0]
	s.aheadMu.Lock()
	defer s.aheadMu.Unlock()
	next := s.ahead.last + 1
	s.ahead.last = seq
	if r, held := s.ahead.get(seq); held {
		return r, true, nil
	}
	// One event at a time, unless the lookups go in ledger order: an input
	// imported again asks for each of its events, one after another, and a
	// round trip to the server each took 82 s for 300k (in-process server).
	page := uint64(1)
	if seq == next {
		page = lookAhead
	}
	s.ahead.recs = s.ahead.recs[:0]
	page = min(page, indexed-seq) // only events pinned to the index's leaf hashes
	err = s.read(ctx, seq, page, true, func(r ledger.Recorded, _ tlog.Hash) error {
		s.ahead.recs = append(s.ahead.recs, r)
		if uint64(len(s.ahead.recs)) == page {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		s.ahead.recs = s.ahead.recs[:0]
		return ledger.Recorded{}, false, err
	}
	r, held := s.ahead.get(seq)
	return r, held, nil
}

// lookAhead is how many events Lookup reads at once when lookups go in
// ledger order.
const lookAhead = 256

// readAhead is what Lookup read last: events from recs[0].Seq on, each
// checked against the index's leaf hash as it was read. An event at a seq
// never changes, so they answer later lookups as well as a new read would.
type readAhead struct {
	recs []ledger.Recorded
	last uint64 // the seq of the last lookup
}

func (a *readAhead) get(seq uint64) (ledger.Recorded, bool) {
	if len(a.recs) == 0 || seq < a.recs[0].Seq || seq-a.recs[0].Seq >= uint64(len(a.recs)) {
		return ledger.Recorded{}, false
	}
	return a.recs[seq-a.recs[0].Seq], true
}

var errStop = errors.New("stop")

// ReadHashes answers from the index's tree of the stored leaf hashes.
func (s *Store) ReadHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ix.ReadHashes(idx)
}

// Follow calls fn with every event from seq from, then with each new one as it
// is appended, until ctx ends: a catch-up subscription.
//
// A follower runs for hours, so it first lets go of the index file: other
// commands on this machine then keep the use of it. What it delivers is
// checked against each event's stored leaf hash, as every read is, and
// against the index's leaf hashes only for events it held in memory.
func (s *Store) Follow(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	s.mu.Lock()
	if _, ok := s.ix.(*memIndex); !ok {
		s.ixMu.Lock()
		s.ix.Close()
		s.ix = newMemIndex()
		s.ixMu.Unlock()
	}
	s.mu.Unlock()
	var start esdb.StreamPosition = esdb.Start{}
	if from > 0 {
		start = esdb.Revision(from - 1) // a subscription from revision r starts after it
	}
	sub, err := s.client.SubscribeToStream(ctx, s.stream, esdb.SubscribeToStreamOptions{From: start})
	if err != nil {
		return s.fail(err, "subscribing to the ledger")
	}
	defer sub.Close()
	next := from
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			if ctx.Err() != nil {
				return nil
			}
			return s.fail(ev.SubscriptionDropped.Error, "following the ledger")
		case ev.EventAppeared != nil:
			rec, _, err := decode(ev.EventAppeared.Event)
			if err != nil {
				return err
			}
			if rec.Seq != next {
				return ledger.Errorf(ledger.CodeVerify, "seq %d: the subscription delivered seq %d", next, rec.Seq)
			}
			if err := s.pin([]ledger.Recorded{rec}); err != nil {
				return err
			}
			next++
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
}

func (s *Store) Close() error {
	s.hookMu.Lock()
	if s.hooked != nil { // before mu, which the hook may wait for
		close(s.hooked)
		<-s.hookDone
		s.hooked = nil
	}
	s.hookMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	return errors.Join(s.ix.Close(), s.client.Close())
}

// Stream is the name of the ledger's stream.
func (s *Store) Stream() string { return s.stream }
