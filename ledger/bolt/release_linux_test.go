package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/storetest"
	"golang.org/x/mod/sumdb/tlog"
)

// created is a new, empty ledger file, closed when the test ends.
func created(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "l.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestReleasePages: after a pass over the ledger, released pages leave the
// resident set, and every event reads back the same afterwards.
func TestReleasePages(t *testing.T) {
	ctx := context.Background()
	s := created(t)
	const n = 12_000
	for i := 0; i < n; i += 1000 {
		if err := s.Append(ctx, uint64(i), storetest.Sealed(i, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	ReleasePages(s.db)
	s.pages.n.Store(-1 << 40) // the reads below must not release pages themselves
	var first []string
	read := func() []string {
		var out []string
		if err := s.Read(ctx, 0, func(r ledger.Recorded) error {
			out = append(out, string(r.Raw))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first = read()
	before := storetest.ResidentFileKB(t)
	ReleasePages(s.db)
	after := storetest.ResidentFileKB(t)
	if before-after < 1024 {
		t.Fatalf("RssFile %d KB before releasing, %d KB after: the pass's pages were not released", before, after)
	}
	again := read()
	if len(again) != n || strings.Join(again, "\n") != strings.Join(first, "\n") {
		t.Fatal("events read after releasing differ")
	}
}

// A reader that stops early (a fold reads chunk by chunk) still read the
// whole batch's pages: they count towards the next release.
func TestReadThatStopsEarlyCounts(t *testing.T) {
	s := created(t)
	if err := s.Append(context.Background(), 0, storetest.Sealed(0, 100)); err != nil {
		t.Fatal(err)
	}
	s.pages.n.Store(0)
	stop := errors.New("stop")
	if err := s.Read(context.Background(), 0, func(ledger.Recorded) error { return stop }); err != stop {
		t.Fatal(err)
	}
	if got := s.pages.n.Load(); got != 100 {
		t.Fatalf("a read that stopped after one event of a batch of 100 counted %d", got)
	}
}

// A Releaser keeps the process's mapped file pages near MappedBudget, whatever
// the kernel maps for each page read: a long pass never holds the whole file.
func TestReleaserKeepsToTheBudget(t *testing.T) {
	ctx := context.Background()
	s := created(t)
	const n = 40_000
	for i := 0; i < n; i += 2000 {
		if err := s.Append(ctx, uint64(i), storetest.Sealed(i, 2000)); err != nil {
			t.Fatal(err)
		}
	}
	pass := func() (peak int) {
		ReleasePages(s.db)
		if err := s.Read(ctx, 0, func(r ledger.Recorded) error {
			if r.Seq%500 == 0 {
				peak = max(peak, storetest.ResidentFileKB(t))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return peak
	}
	defer func(b int64) { MappedBudget = b }(MappedBudget)
	MappedBudget = 1 << 40
	whole := pass() // never released: the pass maps the file
	ReleasePages(s.db)
	base := storetest.ResidentFileKB(t)
	if whole-base < 8<<10 {
		t.Skipf("a pass over %d events mapped only %d KB: too little to see a budget", n, whole-base)
	}
	MappedBudget = int64(base+2<<10) << 10
	kept := pass()
	if kept > base+(2<<10)+(whole-base)/3 {
		t.Fatalf("with a budget of %d KB, a pass held %d KB mapped (without one, %d KB)", base+2<<10, kept, whole)
	}
	t.Logf("mapped: %d KB without a budget, %d KB with %d KB", whole, kept, base+2<<10)
}

// Every append looks at the budget once it has written, however few events
// it held: a batch maps pages all over a large ledger (the id runs it
// merges, the fold's months), and a count of entries looked only every
// few batches.
func TestAppendLooksAtTheBudget(t *testing.T) {
	ctx := context.Background()
	s := created(t)
	for i := 0; i < 1000; i += 100 {
		s.pages.n.Store(7)
		if err := s.AppendUnmarked(ctx, uint64(i), storetest.Sealed(i, 100)); err != nil {
			t.Fatal(err)
		}
		if n := s.pages.n.Load(); n != 0 {
			t.Fatalf("after an append of 100 events the count is %d: the budget was not looked at", n)
		}
	}
}

// Resetting an index (a stream written again, verify rebuilding it) maps
// none of what it held: bbolt deleting its buckets mapped every page, 145 MB
// at 1M events. The empty index keeps its path and stream, takes new
// events, and is found empty and of the same stream when opened again; no
// file is left beside it.
func TestIndexResetMapsNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.db")
	f, err := OpenIndex(path, "stream-a", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.db.NoSync = true
	const n = 200_000
	ids := make([]string, 1000)
	leaves := make([]tlog.Hash, 1000)
	for i := 0; i < n; i += len(ids) {
		for j := range ids {
			ids[j] = fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", uint32((i+j)*2654435761), i+j)
		}
		if dup, _, err := f.Add(ids, leaves, time.Now()); err != nil || dup >= 0 {
			t.Fatal(dup, err)
		}
	}
	ReleasePages(f.db)
	before := storetest.ResidentFileKB(t)
	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	if grew := storetest.ResidentFileKB(t) - before; grew > 4<<10 {
		t.Errorf("the reset mapped %d KB of the index", grew)
	}
	if f.Size() != 0 {
		t.Fatalf("size %d after the reset", f.Size())
	}
	if _, found, _ := f.SeqsOf(ids[:1]); found[0] {
		t.Fatal("an id indexed before the reset is still found")
	}
	if dup, _, err := f.Add(ids, leaves, time.Now()); err != nil || dup >= 0 {
		t.Fatalf("adding after the reset: %d %v", dup, err)
	}
	f.Close()
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 1 || left[0] != path {
		t.Fatalf("files in the folder: %v", left)
	}
	f, err = OpenIndex(path, "stream-a", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != uint64(len(ids)) || f.Note() != "" {
		t.Fatalf("opened again: size %d, note %q", f.Size(), f.Note())
	}
}
