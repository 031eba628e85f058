package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/esdb"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/urfave/cli/v2"
)

// storeRef is a parsed --store value.
type storeRef struct {
	kind string // "bolt" or "esdb"
	path string // bolt file
	raw  string
}

func parseStoreRef(s string) (storeRef, error) {
	if fixed, upper := addressLike(s); upper {
		return storeRef{}, usageError("--store: an EventStoreDB address starts in lower case: %s", redact(fixed))
	} else if fixed != "" {
		return storeRef{}, usageError("--store %s: an EventStoreDB address is written %s", redact(s), redact(fixed))
	}
	switch {
	case esdb.IsAddress(s):
		if err := esdb.CheckAddress(s); err != nil {
			return storeRef{}, err
		}
		return storeRef{kind: "esdb", raw: s}, nil
	case strings.HasPrefix(s, "bolt:"):
		p := strings.TrimPrefix(strings.TrimPrefix(s, "bolt:"), "//")
		if p == "" {
			return storeRef{}, usageError("--store bolt: needs a path, like bolt:./statledger.db")
		}
		return storeRef{kind: "bolt", path: p, raw: s}, nil
	case strings.Contains(s, "://"):
		return storeRef{}, usageError("--store %s: unknown kind of store; use a file path, bolt:PATH, esdb://… or kurrentdb://…", redact(s))
	case s == "":
		return storeRef{}, usageError("--store is empty")
	}
	return storeRef{kind: "bolt", path: s, raw: s}, nil
}

// addressLike is the EventStoreDB address s was meant as, when it is one
// mistyped ("esdb:/host:2113", "esdb//host:2113", "ESDB://host:2113",
// which upper says), or "". Taken for a file path, it would have made init
// create a file of that name.
func addressLike(s string) (fixed string, upper bool) {
	if esdb.IsAddress(s) {
		return "", false
	}
	lower := strings.ToLower(s)
	for _, scheme := range []string{"esdb+discover", "kurrentdb+discover", "esdb", "kurrentdb", "kurrent"} {
		for _, typo := range []string{"://", ":/", ":", "//"} {
			if rest, ok := strings.CutPrefix(lower, scheme+typo); ok && rest != "" {
				return scheme + "://" + s[len(s)-len(rest):], typo == "://"
			}
		}
	}
	return "", false
}

// String is the store as it may be shown: never with a password.
func (r storeRef) String() string {
	if r.kind == "bolt" {
		return r.path
	}
	return redact(r.raw)
}

func redact(s string) string { return esdb.Redact(s) }

func storeFlag(c *cli.Context) (storeRef, error) {
	return parseStoreRef(c.String("store"))
}

// openStore opens the ledger named by --store. write opens it for appending.
func openStore(c *cli.Context, write bool) (ledger.Store, storeRef, error) {
	ref, err := storeFlag(c)
	if err != nil {
		return nil, ref, err
	}
	s, err := openRef(c, ref, c.String("ledger"), write)
	return s, ref, err
}

// openRef opens a store by reference; ledgerName names the stream of an
// EventStoreDB ledger.
func openRef(c *cli.Context, ref storeRef, ledgerName string, write bool) (ledger.Store, error) {
	return openRefIndex(c, ref, ledgerName, write, false)
}

// openRefIndex is openRef, where rebuild makes an EventStoreDB ledger's local
// index start again from the whole stream (verify trusts nothing local).
func openRefIndex(c *cli.Context, ref storeRef, ledgerName string, write, rebuild bool) (ledger.Store, error) {
	if ref.kind == "bolt" {
		return openBolt(c, ref.path, bolt.Options{ReadOnly: !write})
	}
	opt := esdb.Options{Rebuild: rebuild, Progress: barOnTerminal(c, "reading the stream into this machine's index"), OpenIndex: boltFiles{waiting: derivedNote(c, "index")}.Index}
	if path, err := cacheFile(esdb.IndexFile, ref, ledgerName); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "note: no local index for %s (%v); reading the whole stream\n", ref, err)
	} else {
		opt.Index = path
	}
	// No deadline on the whole open: a first catch-up of a long stream takes
	// minutes. Each page read has its own (esdb.pageTimeout).
	s, err := esdb.Open(c.Context, ref.raw, ledgerName, opt)
	if err != nil {
		return nil, err
	}
	if s.Note() != "" {
		fmt.Fprintf(c.App.ErrWriter, "note: %s\n", s.Note())
	}
	if path, perr := cacheFile(esdb.ProjectionFile, ref, ledgerName); perr == nil && write {
		// What an append acknowledged is folded into this machine's
		// projection cache, opened for each batch so that other commands
		// are never kept from it for long. A failure is derived data: the
		// next report catches up.
		folder := checkpoint.NewFolder()
		behind := false
		s.OnAppend(func(recs []ledger.Recorded, before, after ledger.Head) {
			if behind {
				return
			}
			db, err := (boltFiles{wait: time.Second}).Open(path)
			if err != nil {
				// Held by another command (a verify keeps it for its whole
				// run) or unreadable: the cache is behind from this batch
				// on, and every later fold would find it so. Trying again
				// at each batch cost a second's wait a batch.
				behind = true
				fmt.Fprintf(c.App.ErrWriter, "note: this machine's projection cache of the ledger is left behind (%v); the next report brings it up to date\n", err)
				return
			}
			folder.FoldInto(db, s, recs, before, after)
			db.Close()
		})
	}
	return s, nil
}

// place is where the ledger named by --store keeps its projection
// checkpoint: in its own file (the embedded store), else in this machine's
// cache folder.
func place(c *cli.Context) (checkpoint.Place, error) {
	ref, err := storeFlag(c)
	if err != nil {
		return checkpoint.Place{}, err
	}
	p := checkpoint.Place{
		Open: func(ctx context.Context, mode checkpoint.Mode) (ledger.Store, error) {
			if mode == checkpoint.Folding && ref.kind == "bolt" {
				return openBolt(c, ref.path, bolt.Options{Wait: time.Second})
			}
			return openRef(c, ref, c.String("ledger"), mode != checkpoint.Reading && mode != checkpoint.Current)
		},
		Files:    boltFiles{waiting: derivedNote(c, "projection cache")},
		Progress: foldProgress(c),
		Count:    func(what string) func(uint64, bool) { return countOnTerminal(c, what, "records") },
		Note:     note(c),
	}
	if ref.kind == "bolt" {
		p.Ledger = ref.path
	} else if p.File, err = cacheFile(esdb.ProjectionFile, ref, c.String("ledger")); err != nil {
		note(c)(checkpoint.Notice{Text: "note: no projection cache (" + err.Error() + "); folding the whole ledger into a temporary file"})
	}
	return p, nil
}

// openBolt opens an embedded ledger file. Opened for writing, every append
// also folds what it appends into the projection checkpoint kept in the
// file, in the same transaction: a report after an import is warm.
func openBolt(c *cli.Context, path string, opt bolt.Options) (ledger.Store, error) {
	opt.Context, opt.Waiting = c.Context, waitingNote(c, path)
	s, err := bolt.Open(path, opt)
	if err != nil {
		return nil, err
	}
	if !opt.ReadOnly {
		s.OnAppend(checkpoint.NewFolder().FoldOnAppend)
	}
	return s, nil
}

// boltFiles keeps derived data in bbolt files.
type boltFiles struct {
	wait    time.Duration // for another command that holds one; 0 for bolt.DerivedWait
	waiting func()        // told of that wait
}

func (b boltFiles) Open(path string) (kv.DB, error) {
	db, _, err := bolt.OpenKV(path, cmp.Or(b.wait, bolt.DerivedWait), b.waiting)
	return db, err
}

func (boltFiles) Temp() (kv.DB, error) { return bolt.TempKV() }

func (b boltFiles) Index(path, stream string) (esdb.Index, error) {
	ix, err := bolt.OpenIndex(path, stream, b.waiting)
	if err != nil {
		return nil, err // not a nil *bolt.Index in an interface
	}
	return ix, nil
}

// cacheFile is this machine's file of derived data of kind for an
// EventStoreDB ledger: see esdb.CacheFile.
func cacheFile(kind string, ref storeRef, ledgerName string) (string, error) {
	return esdb.CacheFile(kind, ref.raw, ledgerName)
}

// isDerivedFile reports whether path holds only data derived from a ledger
// (esdb.IsCacheFile).
func isDerivedFile(path string) bool { return esdb.IsCacheFile(path) }

// defaultOrigin is ledger.DefaultOrigin, named after the ledger's file or
// its stream.
func defaultOrigin(ref storeRef, ledgerName string) string {
	if ref.kind == "bolt" {
		ledgerName = strings.TrimSuffix(filepath.Base(ref.path), filepath.Ext(ref.path))
	}
	return ledger.DefaultOrigin(ledgerName)
}

// createFile creates an embedded ledger file, recording the origin its
// signing key is for ("" for none yet).
func createFile(ctx context.Context, path, origin string) error {
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		return err
	}
	if origin != "" {
		if err := s.SetOrigin(ctx, origin); err != nil {
			s.Close()
			return err
		}
	}
	return s.Close()
}

// openFile opens an embedded ledger file by its path: salvage writes to one.
func openFile(c *cli.Context, path string, write bool) (ledger.Store, error) {
	return openBolt(c, path, bolt.Options{ReadOnly: !write})
}

// waitingNote tells the user why a command waits for the ledger at path:
// another command has it open (bolt.LockTimeout).
func waitingNote(c *cli.Context, path string) func() {
	return func() {
		fmt.Fprintf(c.App.ErrWriter, "waiting: another command has the ledger %s open (a verify or an export until it ends, an import while it appends, a replay until its pager quits); Ctrl-C to stop\n", path)
	}
}

// derivedNote tells the user why a command waits for this machine's file
// of derived data (what) of an EventStoreDB ledger: see bolt.DerivedWait.
func derivedNote(c *cli.Context, what string) func() {
	return func() {
		fmt.Fprintf(c.App.ErrWriter, "waiting: another command has this machine's %s of the ledger open; after %s this one makes its own from the stream\n", what, bolt.DerivedWait.Round(time.Second))
	}
}

// backupFile writes a consistent copy of the embedded ledger file at path to w.
func backupFile(c *cli.Context, path string, w io.Writer) (ledger.Head, error) {
	ctx := c.Context
	s, err := bolt.Open(path, bolt.Options{ReadOnly: true, Context: ctx, Waiting: waitingNote(c, path)})
	if err != nil {
		return ledger.Head{}, err
	}
	defer s.Close()
	return s.Backup(ctx, w)
}

// checkBackup verifies the backup at path: see bolt.CheckBackup.
func checkBackup(ctx context.Context, path string, head ledger.Head, progress func(done, total uint64)) (ledger.VerifyResult, error) {
	return bolt.CheckBackup(ctx, path, head, progress)
}

// salvageFile appends to dst each event of a damaged ledger file that
// still verifies, in order: see bolt.Salvage.
func salvageFile(ctx context.Context, path string, dst ledger.Store, progress func(uint64)) (bolt.SalvageResult, error) {
	return bolt.Salvage(ctx, path, dst, progress)
}

// isLedgerFile reports whether the file at path is an embedded ledger (or
// another bbolt database), by its first bytes.
func isLedgerFile(path string) bool { return bolt.IsFile(path) }
