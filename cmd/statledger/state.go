package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	bbolt "go.etcd.io/bbolt"
	"golang.org/x/term"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
)

// ledgerState is an open ledger with its projection: the checkpoint brought
// up to the ledger's head, seen as of the point a command asked for.
type ledgerState struct {
	store ledger.Store
	state *projections.State // as of the requested point; At gives earlier views
	done  func()             // ends the checkpoint's read transaction
	cache *bbolt.DB          // a checkpoint file of its own (EventStoreDB), else nil
}

// release ends the read of the projection; the store stays open, so it may be
// appended to.
func (l *ledgerState) release() {
	if l.done != nil {
		l.done()
		l.done = nil
	}
	if l.cache != nil {
		l.cache.Close()
		l.cache = nil
	}
}

func (l *ledgerState) Close() error {
	l.release()
	return l.store.Close()
}

// openState opens the ledger and its projection as of asOf. The projection
// checkpoint (a bucket of the embedded file, or a local cache file for
// EventStoreDB) first folds whatever was appended since it was last brought
// up to date; a checkpoint that no longer matches the ledger is rebuilt.
// write opens the store for appending as well.
func openState(c *cli.Context, asOf ledger.AsOf, write bool) (*ledgerState, error) {
	s, ref, err := openStore(c, write)
	if err != nil {
		return nil, err
	}
	l := &ledgerState{store: s}
	fail := func(err error) (*ledgerState, error) {
		l.Close()
		return nil, err
	}
	var db *bbolt.DB
	if b, ok := s.(*bolt.Store); ok {
		db = b.DB()
	} else if db, err = openCacheFile(ref, c.String("ledger")); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "note: no projection cache (%v); folding the whole ledger into a temporary file\n", err)
		if err := l.fresh(c, asOf); err != nil {
			return fail(err)
		}
		return l, nil
	} else {
		l.cache = db
	}
	status, err := checkpoint.Check(c.Context, db, s)
	if err != nil {
		return fail(err)
	}
	if !status.Present || !status.Matches || status.Size != status.Head {
		if db.IsReadOnly() {
			// The checkpoint lives in the embedded file, opened for reading
			// only: reopen it for writing, just for the fold. A file this
			// process may not write (an auditor's read-only copy), or one
			// another process holds, is folded into a temporary file instead.
			s.Close()
			w, werr := bolt.Open(ref.path, bolt.Options{Wait: time.Second})
			if werr != nil {
				if s, _, err = openStore(c, false); err != nil {
					return nil, err
				}
				l.store = s
				fmt.Fprintf(c.App.ErrWriter, "note: cannot update the projection checkpoint (%v); folding the whole ledger into a temporary file\n", werr)
				if err := l.fresh(c, asOf); err != nil {
					return fail(err)
				}
				return l, nil
			}
			s, l.store, db = w, w, w.DB()
		}
		res, err := checkpoint.Update(c.Context, db, s, foldProgress(c))
		if err != nil {
			return fail(err)
		}
		if res.Discarded != "" {
			fmt.Fprintf(c.App.ErrWriter, "warning: %s; rebuilt it from the ledger. Run 'statledger verify' to check the ledger.\n", res.Discarded)
		}
	}
	head, done, err := checkpoint.View(db, s)
	if err != nil {
		return fail(err)
	}
	if err := l.use(head, done, asOf); err != nil {
		return fail(err)
	}
	return l, nil
}

// use takes a fold at its head, and the end of its read, and sees it as of asOf.
func (l *ledgerState) use(head *projections.State, done func(), asOf ledger.AsOf) error {
	l.done = done
	size, err := head.SizeAt(asOf)
	if err != nil {
		return err
	}
	l.state = head.At(size)
	return nil
}

// fresh folds the whole ledger into a temporary checkpoint of its own, for
// when the checkpoint kept beside the ledger cannot be used.
func (l *ledgerState) fresh(c *cli.Context, asOf ledger.AsOf) error {
	head, err := l.store.Head(c.Context)
	if err != nil {
		return err
	}
	st, done, err := checkpoint.Fresh(c.Context, l.store, head.Size, foldProgress(c))
	if err != nil {
		return err
	}
	return l.use(st, done, asOf)
}

// foldProgress shows a bar on a terminal while a fold is long enough to wait
// for; the bar appears with the first chunk, when the total is known.
func foldProgress(c *cli.Context) func(done, total uint64) {
	show := barOnTerminal(c, "folding the projection")
	if show == nil {
		return nil
	}
	return func(done, total uint64) {
		if total >= 4*uint64(checkpoint.Chunk) {
			show(done, total)
		}
	}
}

// barOnTerminal is a progress bar for long work, shown only when stderr is
// a terminal, made at the first report of progress and cleared when done.
func barOnTerminal(c *cli.Context, what string) func(done, total uint64) {
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total uint64) {
		if bar == nil {
			bar = progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		}
		bar.Set64(int64(done))
		if done >= total {
			bar.Finish()
		}
	}
}

// openCacheFile opens the projection checkpoint of an EventStoreDB ledger,
// kept in the user's cache folder (see cacheFile). Its root is checked against
// the server before use, so a file that belongs to another history is
// rebuilt, never believed.
func openCacheFile(ref storeRef, ledgerName string) (*bbolt.DB, error) {
	path, err := cacheFile("projection", ref, ledgerName)
	if err != nil {
		return nil, err
	}
	return checkpoint.OpenFile(path)
}

// damaged is the error of a projection record that cannot be read.
func damaged(err error) error {
	return ledger.Wrap(ledger.CodeVerify, err, "the projection checkpoint is damaged; 'statledger verify' names what is wrong and 'statledger verify --rebuild-projection' rebuilds it")
}

// verifyProjection checks the projection checkpoint against a fresh fold of
// the ledger: reports are built from it, so a changed record would otherwise
// reach a spreadsheet under a root that verifies.
//
// It returns the fresh fold it compared with, for verify --report, or nil.
func verifyProjection(c *cli.Context, s ledger.Store, ref storeRef) (*checkpoint.Fold, error) {
	var db *bbolt.DB
	if b, ok := s.(*bolt.Store); ok {
		db = b.DB()
	} else {
		path, err := cacheFile("projection", ref, c.String("ledger"))
		if err != nil {
			return nil, nil
		}
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintln(c.App.Writer, "projection checkpoint: none yet; the next report builds it")
			return nil, nil
		}
		if db, err = checkpoint.OpenFile(path); err != nil {
			// Another statledger holds it. Not a failure of the ledger, but
			// the records were not compared: say so rather than "ok".
			fmt.Fprintf(c.App.Writer, "projection checkpoint %s: not compared this time (%v); run verify again when no other statledger uses it\n", path, err)
			return nil, nil
		}
		defer db.Close()
	}
	if c.Bool("rebuild-projection") {
		if err := checkpoint.Discard(db); err != nil {
			return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot discard the projection checkpoint")
		}
		fmt.Fprintln(c.App.Writer, "projection checkpoint discarded; the next report rebuilds it from the ledger")
		return nil, nil
	}
	status, fold, err := checkpoint.Verify(c.Context, db, s, foldProgress(c))
	switch {
	case err != nil:
		return nil, err
	case !status.Present:
		fmt.Fprintln(c.App.Writer, "projection checkpoint: none yet; the next report builds it")
	default:
		fmt.Fprintf(c.App.Writer, "ok: the projection checkpoint at tree size %d matches a fresh fold of the ledger\n", status.Size)
	}
	return fold, nil
}

// openBuilt opens the ledger's projection as of asOf and runs build on it,
// returning the ledger open (the caller closes it) once build has succeeded
// and the projection met no damage while build read it. A projection found
// damaged is never used: build runs once more, on figures folded again from
// the ledger (reopen), and the user is told. build must have no effect but
// on its own variables: it may run twice.
func openBuilt(c *cli.Context, asOf ledger.AsOf, write bool, build func(*ledgerState) error) (*ledgerState, error) {
	run := func(l *ledgerState) error {
		if err := build(l); err != nil {
			return err
		}
		if err := l.state.Err(); err != nil {
			return damaged(err)
		}
		return nil
	}
	l, err := openState(c, asOf, write)
	opened := err == nil
	if opened {
		if err = run(l); err == nil {
			return l, nil
		}
		l.Close()
	}
	if !errors.Is(err, projections.ErrDamaged) && !errors.Is(err, ledger.ErrDamaged) {
		return nil, err
	}
	if l, err = reopen(c, asOf, write, err, opened); err != nil {
		return nil, err
	}
	if err := run(l); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// reopen opens the projection again after damage:
//   - a damaged file that is not the ledger is derived data (the local index
//     or projection file of an EventStoreDB ledger): it is made again;
//   - a ledger file that cannot be opened leaves nothing to fold from;
//   - a record that fails its checksum discards the checkpoint, which is
//     folded again from the ledger in place;
//   - a page that cannot be read at all (the file's structure is damaged
//     there) is left alone, and the figures are folded from the ledger into
//     a temporary file.
func reopen(c *cli.Context, asOf ledger.AsOf, write bool, damage error, opened bool) (*ledgerState, error) {
	ledgerPath := ""
	if ref, err := storeFlag(c); err == nil && ref.kind == "bolt" {
		ledgerPath = ref.path
	}
	if path, ok := bolt.DamagedFile(damage); ok && path != ledgerPath {
		fmt.Fprintf(c.App.ErrWriter, "warning: %v; it is made again from the ledger\n", damage)
		if err := os.Remove(path); err != nil {
			return nil, damage
		}
		return openState(c, asOf, write)
	} else if ok && !opened {
		return nil, damage
	}
	fmt.Fprintf(c.App.ErrWriter, "warning: the projection checkpoint cannot be used (%v); the figures are folded again from the ledger\n", damage)
	if !errors.Is(damage, ledger.ErrDamaged) && discardProjection(c) == nil {
		return openState(c, asOf, write)
	}
	s, _, err := openStore(c, write)
	if err != nil {
		return nil, err
	}
	l := &ledgerState{store: s}
	if err := l.fresh(c, asOf); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// discardProjection throws the projection checkpoint away, so the next
// openState rebuilds it.
func discardProjection(c *cli.Context) error {
	s, ref, err := openStore(c, true)
	if err != nil {
		return err
	}
	defer s.Close()
	if b, ok := s.(*bolt.Store); ok {
		return checkpoint.Discard(b.DB())
	}
	db, err := openCacheFile(ref, c.String("ledger"))
	if err != nil {
		return err
	}
	defer db.Close()
	return checkpoint.Discard(db)
}
