package bolt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

func key(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// filled returns a fresh ledger of n arrests and a checkpoint body of it.
func filled(t *testing.T, n int) (*bolt.Store, ledger.Checkpoint) {
	t.Helper()
	s := open(t, filepath.Join(t.TempDir(), "l.db"))
	l := ledger.New(s)
	var evs []ledger.Event
	for i := range n {
		evs = append(evs, storetest.Arrest(i))
	}
	p, _, err := l.Prepare(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Append(context.Background(), "tester", p, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, ledger.Checkpoint{Origin: "o", Size: res.Head.Size, Root: res.Head.Root}
}

func wantVerifyFail(t *testing.T, s ledger.Store, wantSeq string) {
	t.Helper()
	_, err := ledger.Verify(context.Background(), s, nil)
	if err == nil {
		t.Fatal("verify passed on a tampered ledger")
	}
	if ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), wantSeq) {
		t.Fatalf("verify said %q (code %d), want a verification failure naming %q", err, ledger.CodeOf(err), wantSeq)
	}
}

func TestTamperChangedEventIsNamed(t *testing.T) {
	s, _ := filled(t, 10)
	err := s.DB().Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		v := bytes.Replace(b.Get(key(6)), []byte(`"count":7`), []byte(`"count":70`), 1)
		return b.Put(key(6), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantVerifyFail(t, s, "seq 6:")
}

func TestTamperRewrittenHistoryFailsCheckpoint(t *testing.T) {
	s, before := filled(t, 10)
	// A careful forger changes an event and recomputes every stored hash, so the
	// file is self-consistent; only a checkpoint taken before can tell.
	err := s.DB().Update(func(tx *bbolt.Tx) error {
		events, hashes := tx.Bucket([]byte("events")), tx.Bucket([]byte("hashes"))
		raw := events.Get(key(3))
		r, err := ledger.ParseRecorded(raw)
		if err != nil {
			return err
		}
		n := int64(99)
		r.Event.Count = &n
		forged := ledger.NewRecorded(r.Seq, r.RecordedAt, r.RecordedBy, r.Event)
		if err := events.Put(key(3), forged.Raw); err != nil {
			return err
		}
		return rehash(events, hashes)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ledger.Verify(context.Background(), s, nil)
	if err != nil {
		t.Fatalf("a self-consistent forgery should pass the internal check, got %v", err)
	}
	if err := res.CheckAgainst(before); err == nil || ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("checkpoint from before the forgery still verified: %v", err)
	}
}

// rehash recomputes every stored hash from the events, as a careful forger would.
//
// A forger rewrites the root the last append recorded too: the file is then
// self-consistent, and only a checkpoint taken before can tell.
func rehash(events, hashes *bbolt.Bucket) error {
	var mem ledger.MemTree
	c := events.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		rec, err := ledger.ParseRecorded(v)
		if err != nil {
			return err
		}
		first := tlog.StoredHashIndex(0, int64(rec.Seq))
		for i, h := range mem.Add(rec.Leaf) {
			if err := hashes.Put(key(uint64(first)+uint64(i)), h[:]); err != nil {
				return err
			}
		}
	}
	meta := events.Tx().Bucket([]byte("meta"))
	size := meta.Get([]byte("size"))
	if len(size) != 8 {
		return nil
	}
	root := mem.Root(binary.BigEndian.Uint64(size))
	return meta.Put([]byte("root"), root[:])
}

// Verify checks ids through the store's id index, not a map of its own; a
// second use of an id, or an index that no longer matches the events, fails
// it however self-consistent the hashes are.
func TestTamperIDs(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(tx *bbolt.Tx, events *bbolt.Bucket) error
	}{
		{"event 7 reuses the id of event 2", "seq 7: id ", func(tx *bbolt.Tx, events *bbolt.Bucket) error {
			r2, _ := ledger.ParseRecorded(events.Get(key(2)))
			r7, _ := ledger.ParseRecorded(events.Get(key(7)))
			if err := bolt.TamperID(tx, r7.Event.ID, nil); err != nil {
				return err
			}
			return events.Put(key(7), ledger.NewRecorded(7, r7.RecordedAt, r7.RecordedBy, r2.Event).Raw)
		}},
		{"the index points an id at another seq", "seq 5: the store's id index names seq 8", func(tx *bbolt.Tx, events *bbolt.Bucket) error {
			r5, _ := ledger.ParseRecorded(events.Get(key(5)))
			eight := uint64(8)
			return bolt.TamperID(tx, r5.Event.ID, &eight)
		}},
		{"the index lost an id", "seq 4: the store's id index does not hold", func(tx *bbolt.Tx, events *bbolt.Bucket) error {
			r4, _ := ledger.ParseRecorded(events.Get(key(4)))
			return bolt.TamperID(tx, r4.Event.ID, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := filled(t, 10)
			err := s.DB().Update(func(tx *bbolt.Tx) error {
				events := tx.Bucket([]byte("events"))
				if err := tc.edit(tx, events); err != nil {
					return err
				}
				return rehash(events, tx.Bucket([]byte("hashes")))
			})
			if err != nil {
				t.Fatal(err)
			}
			wantVerifyFail(t, s, tc.want)
			if tc.name == "event 7 reuses the id of event 2" {
				wantVerifyFail(t, s, "already used at seq 2")
			}
		})
	}
}

func TestTamperDeletedAndSwappedEvents(t *testing.T) {
	s, _ := filled(t, 10)
	if err := s.DB().Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("events")).Delete(key(4)) }); err != nil {
		t.Fatal(err)
	}
	wantVerifyFail(t, s, "seq 4:")

	s2, _ := filled(t, 10)
	err := s2.DB().Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		a, c := bytes.Clone(b.Get(key(2))), bytes.Clone(b.Get(key(5)))
		if err := b.Put(key(2), c); err != nil {
			return err
		}
		return b.Put(key(5), a)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Verify(context.Background(), s2, nil); err == nil || ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("verify of swapped events = %v", err)
	}
}

func TestLockHeldByAnotherProcessFailsClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := open(t, path)
	_ = s
	old := bolt.LockTimeout
	bolt.LockTimeout = 200 * time.Millisecond
	defer func() { bolt.LockTimeout = old }()
	// bbolt's flock is per open file description, so a second Open in this
	// process contends exactly as a second process would.
	_, err := bolt.Open(path, bolt.Options{})
	if err == nil || !strings.Contains(err.Error(), "another process holds the ledger") {
		t.Fatalf("second writer got %v", err)
	}
}

// Verify checks hashes and ids in batches; a later failure found on the
// spot must not hide an earlier one still waiting in the batch.
func TestTamperFirstBadSeqIsNamed(t *testing.T) {
	s, _ := filled(t, 10)
	err := s.DB().Update(func(tx *bbolt.Tx) error {
		events, hashes := tx.Bucket([]byte("events")), tx.Bucket([]byte("hashes"))
		r, _ := ledger.ParseRecorded(events.Get(key(7)))
		r.RecordedAt = r.RecordedAt.Add(-time.Hour) // earlier than seq 6's: found as it is read
		if err := events.Put(key(7), ledger.NewRecorded(7, r.RecordedAt, r.RecordedBy, r.Event).Raw); err != nil {
			return err
		}
		if err := rehash(events, hashes); err != nil {
			return err
		}
		// The node over seqs 2 and 3, stored when 3 was added: found when the batch is checked.
		return hashes.Put(key(uint64(tlog.StoredHashIndex(1, 1))), make([]byte, 32))
	})
	if err != nil {
		t.Fatal(err)
	}
	wantVerifyFail(t, s, "seq 3:")
}

// A damaged stored hash among the few the root is computed from would give
// every command a wrong root with no error: Head compares it with the root
// the last append recorded.
func TestDamagedRootHashIsAnError(t *testing.T) {
	s, _ := filled(t, 10)
	before, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = s.DB().Update(func(tx *bbolt.Tx) error {
		// The tree of 10 is the subtree of the first 8 and that of the last 2:
		// damage the stored hash of the first 8 (level 3, index 0).
		h := tx.Bucket([]byte("hashes"))
		k := key(uint64(tlog.StoredHashIndex(3, 0)))
		v := bytes.Clone(h.Get(k))
		v[0] ^= 1
		return h.Put(k, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Head(context.Background())
	if ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "recorded "+ledger.HashHex(before.Root)) {
		t.Fatalf("Head with a damaged root hash: %v", err)
	}
}

// LookupRaw hands over the bytes Read parses, and an import's check that
// uses them still tells a changed stored event from a duplicate: only bytes
// equal to the input's are a duplicate, others are parsed and compared.
func TestLookupRawAndTheImportCheck(t *testing.T) {
	s, _ := filled(t, 10)
	ctx := context.Background()
	err := s.Read(ctx, 0, func(r ledger.Recorded) error {
		seq, raw, found, err := s.LookupRaw(ctx, r.Event.ID)
		if err != nil || !found || seq != r.Seq || !bytes.Equal(raw, r.Raw) {
			t.Errorf("LookupRaw(%s) = %d, %s, %v, %v; want seq %d, %s", r.Event.ID, seq, raw, found, err, r.Seq, r.Raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, found, err := s.LookupRaw(ctx, storetest.Arrest(10).ID); found || err != nil {
		t.Fatalf("an id not held: found %v, %v", found, err)
	}
	var evs []ledger.Event
	for i := range 10 {
		evs = append(evs, storetest.Arrest(i))
	}
	p, errs, err := ledger.New(s).Prepare(ctx, evs)
	if err != nil || len(errs) != 0 || p.Duplicates != 10 || p.Len() != 0 {
		t.Fatalf("the same events again: %d duplicates, %d to append, %v %v", p.Duplicates, p.Len(), errs, err)
	}
	err = s.DB().Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		return b.Put(key(6), bytes.Replace(b.Get(key(6)), []byte(`"count":7`), []byte(`"count":70`), 1))
	})
	if err != nil {
		t.Fatal(err)
	}
	p, errs, err = ledger.New(s).Prepare(ctx, evs)
	if err != nil || p.Duplicates != 9 || len(errs) != 1 || errs[0].Line != 7 || !strings.Contains(errs[0].Msg, "at seq 6 with other content") {
		t.Fatalf("after the event at seq 6 was changed: %d duplicates, %v %v", p.Duplicates, errs, err)
	}
}

// SeqsOf looks ids up in pieces, each in a transaction of its own (so that
// a verify's 32k lookups release the file's pages as they go): every id
// still finds its own seq, in any order asked, and one never stored none.
func TestSeqsOfInPieces(t *testing.T) {
	s, _ := filled(t, 60)
	var ids []string
	var want []uint64
	err := s.Read(context.Background(), 0, func(r ledger.Recorded) error {
		ids, want = append(ids, r.Event.ID), append(want, r.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ids)
	slices.Reverse(want)
	missing := "00000000-0000-4000-8000-000000000000"
	ids = slices.Insert(ids, 30, missing)
	want = slices.Insert(want, 30, 0)
	for _, piece := range []int{1, 7, 4096} {
		restore := bolt.SetLookupPiece(piece)
		seqs, found, err := s.SeqsOf(context.Background(), ids)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			if found[i] != (id != missing) || seqs[i] != want[i] {
				t.Fatalf("pieces of %d: %s found %v at %d, want seq %d", piece, id, found[i], seqs[i], want[i])
			}
		}
	}
}
