// Package esdb keeps a ledger in one EventStoreDB/KurrentDB stream through
// github.com/EventStore/EventStore-Client-Go/v4. Each event's data is its
// canonical JSON and its metadata the rest of the recorded envelope, so the
// leaf hashes and the root are those of any other store holding the ledger.
//
// EventStoreDB de-duplicates event ids only through a best-effort cache of
// recent ids, so the store keeps its own index: it reads the stream, checks
// every id against the whole history, and appends with the expected revision,
// so nobody can have appended in between.
package esdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

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
	tree     ledger.MemTree // built from the stored leaf hashes, as read
	ids      map[string]uint64
	lastAt   time.Time
	lastSync time.Time
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

// Open connects to the server of a connection string (esdb://, esdb+discover://;
// kurrentdb:// and kurrentdb+discover:// are accepted as synonyms) and reads the
// ledger's stream.
func Open(ctx context.Context, connection, ledgerName string) (*Store, error) {
	display := Redact(connection)
	for _, scheme := range []string{"kurrentdb", "kurrent"} {
		if rest, ok := strings.CutPrefix(connection, scheme); ok && (strings.HasPrefix(rest, "://") || strings.HasPrefix(rest, "+discover://")) {
			connection = "esdb" + rest // the v4 client knows only the esdb schemes
			break
		}
	}
	cfg, err := esdb.ParseConnectionString(connection)
	if err != nil {
		// The client's message may quote the string; never show it.
		return nil, ledger.Errorf(ledger.CodeInput, "--store %s is not a valid EventStoreDB connection string", display)
	}
	cfg.Logger = esdb.NoopLogging() // errors reach the user through our messages, without secrets
	client, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, ledger.Errorf(ledger.CodeInput, "--store %s: %s", display, scrub(err, connection))
	}
	if ledgerName == "" {
		ledgerName = DefaultLedger
	}
	s := &Store{client: client, stream: ledgerName, display: display, ids: map[string]uint64{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return s, nil
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
	return ledger.Errorf(ledger.CodeRuntime, "EventStoreDB at %s failed while %s: %s", s.display, what, err.Error())
}

// sync reads what was appended since the last read, checking that each event
// is where its metadata says and adding its stored leaf hash to the tree.
// The caller holds s.mu.
func (s *Store) sync(ctx context.Context) error {
	s.lastSync = time.Now()
	return s.read(ctx, s.tree.Size(), readPage, func(r ledger.Recorded, stored tlog.Hash) error {
		if _, dup := s.ids[r.Event.ID]; dup {
			return ledger.Errorf(ledger.CodeVerify, "seq %d: id %s appears twice in stream %s", r.Seq, r.Event.ID, s.stream)
		}
		s.ids[r.Event.ID] = r.Seq
		s.tree.Add(stored)
		s.lastAt = r.RecordedAt
		return nil
	})
}

// read pages through the stream from revision from, page events at a time.
// fn gets each event as rebuilt from its data and metadata, and the leaf hash
// its metadata stores.
func (s *Store) read(ctx context.Context, from uint64, page uint64, fn func(ledger.Recorded, tlog.Hash) error) error {
	for {
		rs, err := s.client.ReadStream(ctx, s.stream, esdb.ReadStreamOptions{From: esdb.Revision(from), Direction: esdb.Forwards}, page)
		if err != nil {
			return s.fail(err, "reading the ledger")
		}
		n := 0
		for {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rs.Close()
				if code(err) == esdb.ErrorCodeResourceNotFound {
					return nil // no stream yet: an empty ledger
				}
				return s.fail(err, "reading the ledger")
			}
			rec, stored, err := decode(ev.Event)
			if err != nil {
				rs.Close()
				return err
			}
			if rec.Seq != from+uint64(n) {
				rs.Close()
				return ledger.Errorf(ledger.CodeVerify, "seq %d: the event at stream revision %d says it is seq %d: an event was deleted, inserted or moved", from+uint64(n), ev.Event.EventNumber, rec.Seq)
			}
			if err := fn(rec, stored); err != nil {
				rs.Close()
				return err
			}
			n++
		}
		rs.Close()
		if uint64(n) < page {
			return nil
		}
		from += uint64(n)
	}
}

// decode rebuilds a recorded event from a stream event. It refuses data that is
// not the canonical form of the event it decodes to.
func decode(e *esdb.RecordedEvent) (ledger.Recorded, tlog.Hash, error) {
	bad := func(format string, args ...any) (ledger.Recorded, tlog.Hash, error) {
		return ledger.Recorded{}, tlog.Hash{}, ledger.Errorf(ledger.CodeVerify, "seq %d: "+format, append([]any{e.EventNumber}, args...)...)
	}
	var m meta
	dec := json.NewDecoder(bytes.NewReader(e.UserMetadata))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || m.Schema != SchemaVersion {
		return bad("stream event %d has no statledger metadata (schema %d): %v", e.EventNumber, m.Schema, err)
	}
	var ev ledger.Event
	dec = json.NewDecoder(bytes.NewReader(e.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(ctx); err != nil {
		return err
	}
	if n := s.tree.Size(); n != expectedNext {
		return ledger.ConflictError(expectedNext, n)
	}
	for _, r := range recs {
		if seq, held := s.ids[r.Event.ID]; held {
			return ledger.Wrap(ledger.CodeInput, ledger.ErrIDExists, "event id %s is already in the ledger at seq %d", r.Event.ID, seq)
		}
	}
	events := make([]esdb.EventData, len(recs))
	for i, r := range recs {
		m, _ := json.Marshal(meta{Seq: r.Seq, RecordedAt: r.RecordedAt.Format(ledger.TimeFormat), RecordedBy: r.RecordedBy, LeafHash: r.LeafHex(), Schema: SchemaVersion})
		id, err := uuid.Parse(r.Event.ID)
		if err != nil {
			return ledger.Errorf(ledger.CodeInput, "event id %s is not a UUID", r.Event.ID)
		}
		events[i] = esdb.EventData{EventID: id, EventType: string(r.Event.Type), ContentType: esdb.ContentTypeJson,
			Data: r.Event.Canonical(), Metadata: m}
	}
	var expected esdb.ExpectedRevision = esdb.NoStream{}
	if expectedNext > 0 {
		expected = esdb.Revision(expectedNext - 1)
	}
	_, err := s.client.AppendToStream(ctx, s.stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, events...)
	if err == nil {
		// The expected revision held, so the batch sits exactly at its seqs:
		// index it without reading it back.
		for _, r := range recs {
			s.ids[r.Event.ID] = r.Seq
			s.tree.Add(r.Leaf)
			s.lastAt = r.RecordedAt
		}
		return nil
	}
	if code(err) == esdb.ErrorCodeWrongExpectedVersion {
		return ledger.Wrap(ledger.CodeConflict, ledger.ErrConflict, "another writer appended to %s first", s.stream)
	}
	// The outcome is unknown (connection lost, deadline, server down): the
	// append may have been applied. Look before answering, so a retry neither
	// loses nor duplicates the batch.
	if landed, lerr := s.landed(recs); lerr == nil && landed {
		return nil
	}
	return s.fail(err, fmt.Sprintf("appending %d events; none were appended", len(recs)))
}

// landed reports whether recs are in the stream, byte for byte, at their seqs.
func (s *Store) landed(recs []ledger.Recorded) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.sync(ctx); err != nil {
		return false, err
	}
	for _, r := range recs {
		seq, ok := s.ids[r.Event.ID]
		if !ok || seq != r.Seq {
			return false, nil
		}
	}
	hs, err := s.tree.ReadHashes([]int64{tlog.StoredHashIndex(0, int64(recs[len(recs)-1].Seq))})
	return err == nil && hs[0] == recs[len(recs)-1].Leaf, err
}

func (s *Store) Read(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	return s.read(ctx, from, readPage, func(r ledger.Recorded, _ tlog.Hash) error { return fn(r) })
}

func (s *Store) Head(ctx context.Context) (ledger.Head, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(ctx); err != nil {
		return ledger.Head{}, err
	}
	n := s.tree.Size()
	return ledger.Head{Size: n, Root: s.tree.Root(n), LastRecordedAt: s.lastAt}, nil
}

// SeqOf answers from the id index the store keeps in memory: no round trip.
// Ids appended by others since the last sync are found after the next one.
func (s *Store) SeqOf(ctx context.Context, id string) (uint64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, ok := s.ids[id]
	return seq, ok, nil
}

func (s *Store) Lookup(ctx context.Context, id string) (ledger.Recorded, bool, error) {
	s.mu.Lock()
	if time.Since(s.lastSync) > lookupStaleness {
		if err := s.sync(ctx); err != nil {
			s.mu.Unlock()
			return ledger.Recorded{}, false, err
		}
	}
	seq, ok := s.ids[id]
	s.mu.Unlock()
	if !ok {
		return ledger.Recorded{}, false, nil
	}
	var out ledger.Recorded
	found := false
	err := s.read(ctx, seq, 1, func(r ledger.Recorded, _ tlog.Hash) error {
		out, found = r, true
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return out, false, err
	}
	return out, found, nil
}

var errStop = errors.New("stop")

// ReadHashes answers from the tree of stored leaf hashes read from the stream.
func (s *Store) ReadHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tree.ReadHashes(idx)
}

// Follow calls fn with every event from seq from, then with each new one as it
// is appended, until ctx ends: a catch-up subscription.
func (s *Store) Follow(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
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
			next++
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
}

func (s *Store) Close() error { return s.client.Close() }

// Stream is the name of the ledger's stream.
func (s *Store) Stream() string { return s.stream }
