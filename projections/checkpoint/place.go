package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/projections"
)

// Mode is how Place.Open opens the ledger.
type Mode int

const (
	Reading Mode = iota // shared with other readers
	Writing             // for appending
	Folding             // for writing, waiting only a moment for another process: to bring the checkpoint a reader needs up to date
	// Current reads, as Reading does, a checkpoint that is current, and
	// only that: one to fold, rebuild or mend is ErrNotCurrent, and nothing
	// is written. What a command that only glances at the figures uses, so
	// that it changes nothing a later check would look at.
	Current
)

// ErrNotCurrent is the error of a view in Current mode of a checkpoint that
// is behind the ledger, mismatched, damaged or absent.
var ErrNotCurrent = errors.New("the projection checkpoint is not current")

// Keeper is a store that keeps the checkpoint in its own file (the embedded
// store), so that it is written in the same file as the events.
type Keeper interface{ KV() kv.DB }

// Files makes the files a checkpoint is kept in when the store keeps none
// itself, and the temporary files of fresh folds (ledger/bolt provides them).
type Files interface {
	// Open opens (creating it) a file of derived data; one that cannot be
	// read is made again. Another process holding it makes Open fail soon.
	Open(path string) (kv.DB, error)
	Temp() (kv.DB, error)
}

// Place says where a ledger's checkpoint is kept and how to reach the
// ledger, and opens views of the ledger's projection: the checkpoint brought
// up to the ledger's head (or rebuilt if it no longer matches), else, when
// it cannot be kept, a fold of the whole ledger into a temporary file.
type Place struct {
	// Open opens the ledger.
	Open  func(ctx context.Context, mode Mode) (ledger.Store, error)
	Files Files
	// File is the checkpoint's own file, for a store that is not a Keeper.
	// Empty: there is none, and every view folds the whole ledger.
	File string
	// Ledger is the ledger's own file, if it is one: damage there is not
	// damage of derived data, and removing the file would lose events.
	Ledger string
	// Progress, when set, is told how far a fold has come.
	Progress func(done, total uint64)
	// Count, when set, gives what is told how far work through the
	// checkpoint's records has come, whose number is not known before:
	// Verify's comparison with a fresh fold, a discard.
	Count func(what string) func(records uint64, finished bool)
	// Note, when set, is told what a reader should know: a checkpoint
	// rebuilt, or passed over, and why.
	Note func(Notice)
}

// A Notice is one line for a reader, starting "note:" or "warning:".
type Notice struct {
	Text string
	// HistoryChanged says the checkpoint was rebuilt because the ledger no
	// longer holds the history it was folded from: the ledger itself is
	// then worth verifying, which a caller may say how to do.
	HistoryChanged bool
}

// What Count is given.
const (
	discarding = "discarding the projection checkpoint"
	comparing  = "comparing the projection checkpoint with the fold"
)

func (p Place) count(what string) func(records uint64, finished bool) {
	if p.Count == nil {
		return nil
	}
	return p.Count(what)
}

func (p Place) note(format string, args ...any) {
	if p.Note != nil {
		p.Note(Notice{Text: fmt.Sprintf(format, args...)})
	}
}

// Ledger is an open ledger with its projection, seen as of a point.
type Ledger struct {
	Store ledger.Store
	State *projections.State // as of the requested point; At gives earlier views
	done  func()             // ends the checkpoint's read transaction
	file  kv.DB              // a checkpoint file of its own, else nil
}

// Release ends the read of the projection; the store stays open, so it may
// be appended to.
func (l *Ledger) Release() {
	if l.done != nil {
		l.done()
		l.done = nil
	}
	if l.file != nil {
		l.file.Close()
		l.file = nil
	}
}

// Close releases the projection and closes the store.
func (l *Ledger) Close() error {
	l.Release()
	return l.Store.Close()
}

// View opens the ledger and its projection as of asOf. The checkpoint first
// folds whatever was appended since it was last brought up to date; one that
// no longer matches the ledger is rebuilt.
func (p Place) View(ctx context.Context, asOf ledger.AsOf, mode Mode) (*Ledger, error) {
	s, err := p.Open(ctx, mode)
	if err != nil {
		return nil, err
	}
	l := &Ledger{Store: s}
	fail := func(err error) (*Ledger, error) {
		l.Close()
		return nil, err
	}
	db, own, err := p.checkpointOf(s)
	if mode == Current && db == nil {
		return fail(ErrNotCurrent)
	}
	if err != nil {
		p.note("note: no projection cache (%v); folding the whole ledger into a temporary file", err)
	}
	if db == nil {
		if err := p.fresh(ctx, l, asOf); err != nil {
			return fail(err)
		}
		return l, nil
	}
	if own {
		l.file = db
	}
	status, err := Check(ctx, db, s)
	if err != nil {
		return fail(err)
	}
	if !status.Present || !status.Matches || status.Size != status.Head {
		if mode == Current {
			return fail(ErrNotCurrent)
		}
		if db.ReadOnly() {
			// The checkpoint lives in the ledger's file, opened for reading
			// only: reopen it for writing, just for the fold. A file this
			// process may not write (an auditor's read-only copy), or one
			// another process holds, is folded into a temporary file instead.
			s.Close()
			w, werr := p.Open(ctx, Folding)
			if werr != nil {
				if l.Store, err = p.Open(ctx, mode); err != nil {
					return nil, err
				}
				p.note("note: cannot update the projection checkpoint (%v); folding the whole ledger into a temporary file", werr)
				if err := p.fresh(ctx, l, asOf); err != nil {
					return fail(err)
				}
				return l, nil
			}
			l.Store, s, db = w, w, w.(Keeper).KV()
		}
		res, err := update(ctx, db, s, nil, p.Progress, p.count(discarding))
		if ledger.Stopped(ctx, err) {
			return fail(ledger.Wrap(ledger.CodeRuntime, err, "the projection checkpoint keeps what was folded; the next report, chart or summary goes on from there"))
		}
		if err != nil {
			return fail(err)
		}
		if res.Discarded != "" && p.Note != nil {
			p.Note(Notice{Text: fmt.Sprintf("warning: %s; rebuilt it from the ledger", res.Discarded), HistoryChanged: true})
		}
	}
	head, done, err := View(db, s)
	if err != nil {
		return fail(err)
	}
	if err := l.use(head, done, asOf); err != nil {
		return fail(err)
	}
	return l, nil
}

// use takes a fold at its head, and the end of its read, and sees it as of asOf.
func (l *Ledger) use(head *projections.State, done func(), asOf ledger.AsOf) error {
	l.done = done
	size, err := head.SizeAt(asOf)
	if err != nil {
		return err
	}
	l.State = head.At(size)
	return nil
}

// fresh folds the whole ledger into a temporary checkpoint of its own, for
// when the checkpoint kept beside the ledger cannot be used.
func (p Place) fresh(ctx context.Context, l *Ledger, asOf ledger.AsOf) error {
	head, err := l.Store.Head(ctx)
	if err != nil {
		return err
	}
	temp, err := p.Files.Temp()
	if err != nil {
		return err
	}
	st, done, err := Fresh(ctx, temp, l.Store, head.Size, p.Progress)
	if err != nil {
		return err
	}
	return l.use(st, done, asOf)
}

// Damaged is the error of a projection record that cannot be read
// (projections.ErrDamaged).
func Damaged(err error) error {
	return ledger.Wrap(ledger.CodeVerify, err, "the projection checkpoint is damaged")
}

// Build opens the ledger's projection as of asOf and runs build on it,
// returning the ledger open (the caller closes it) once build has succeeded
// and the projection met no damage while build read it. A projection found
// damaged is never used: build runs once more, on figures folded again from
// the ledger, and Note says so. build must have no effect but on its own
// variables: it may run twice.
func (p Place) Build(ctx context.Context, asOf ledger.AsOf, mode Mode, build func(*Ledger) error) (*Ledger, error) {
	run := func(l *Ledger) error {
		if err := build(l); err != nil {
			return err
		}
		if err := l.State.Err(); err != nil {
			return Damaged(err)
		}
		return nil
	}
	l, err := p.View(ctx, asOf, mode)
	opened := err == nil
	if opened {
		if err = run(l); err == nil {
			return l, nil
		}
		l.Close()
	}
	if mode == Current || (!errors.Is(err, projections.ErrDamaged) && !errors.Is(err, ledger.ErrDamaged)) {
		return nil, err
	}
	if l, err = p.reopen(ctx, asOf, mode, err, opened); err != nil {
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
func (p Place) reopen(ctx context.Context, asOf ledger.AsOf, mode Mode, damage error, opened bool) (*Ledger, error) {
	if path, ok := ledger.DamagedFile(damage); ok && path != p.Ledger {
		p.note("warning: %v; it is made again from the ledger", damage)
		if err := os.Remove(path); err != nil {
			return nil, damage
		}
		return p.View(ctx, asOf, mode)
	} else if ok && !opened {
		return nil, damage
	}
	p.note("warning: the projection checkpoint cannot be used (%v); the figures are folded again from the ledger", damage)
	if !errors.Is(damage, ledger.ErrDamaged) && p.Discard(ctx) == nil {
		return p.View(ctx, asOf, mode)
	}
	s, err := p.Open(ctx, mode)
	if err != nil {
		return nil, err
	}
	l := &Ledger{Store: s}
	if err := p.fresh(ctx, l, asOf); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Discard throws the checkpoint away, so the next view rebuilds it.
func (p Place) Discard(ctx context.Context) error {
	s, err := p.Open(ctx, Writing)
	if err != nil {
		return err
	}
	defer s.Close()
	db, own, err := p.checkpointOf(s)
	if err != nil || db == nil {
		return err
	}
	if own {
		defer db.Close()
	}
	return Discard(ctx, db, p.count(discarding))
}

// checkpointOf is where s keeps its checkpoint: in its own file (a Keeper),
// or in the file of its own p names, opened here (own: the caller closes
// it); nil when there is neither.
func (p Place) checkpointOf(s ledger.Store) (db kv.DB, own bool, err error) {
	if k, ok := s.(Keeper); ok {
		return k.KV(), false, nil
	}
	if p.File == "" {
		return nil, false, nil
	}
	if db, err = p.Files.Open(p.File); err != nil {
		return nil, false, err
	}
	return db, true, nil
}

// Checked is what Place.Verify found.
type Checked struct {
	Said string // what to tell the user of the checkpoint, in one line
	// Fold is the fresh fold the checkpoint was compared with, for more
	// checks, or nil; the caller closes it.
	Fold *Fold
}

// Verify checks the checkpoint against a fresh fold of s: reports are built
// from it, so a changed record would otherwise reach a spreadsheet under a
// root that verifies. With discard, the checkpoint is thrown away instead.
func (p Place) Verify(ctx context.Context, s ledger.Store, discard bool) (Checked, error) {
	none := Checked{Said: "projection checkpoint: none yet; the next report builds it"}
	if _, keeps := s.(Keeper); !keeps && p.File != "" {
		if _, err := os.Stat(p.File); err != nil {
			return none, nil // opening it would make an empty one
		}
	}
	db, own, err := p.checkpointOf(s)
	if err != nil {
		// Another statledger holds it. Not a failure of the ledger, but
		// the records were not compared: say so rather than "ok".
		return Checked{Said: fmt.Sprintf("projection checkpoint %s: not compared this time (%v); run verify again when no other statledger uses it", p.File, err)}, nil
	}
	if db == nil {
		return Checked{}, nil
	}
	if own {
		defer db.Close()
	}
	if discard {
		err := Discard(ctx, db, p.count(discarding))
		if errors.Is(err, context.Canceled) {
			// Stopped between two pieces: set aside already.
			return Checked{}, ledger.Wrap(ledger.CodeRuntime, err, "stopped discarding the projection checkpoint (it is no longer used; the next report rebuilds it from the ledger)")
		}
		if err != nil {
			return Checked{}, ledger.Wrap(ledger.CodeRuntime, err, "cannot discard the projection checkpoint")
		}
		return Checked{Said: "projection checkpoint discarded; the next report rebuilds it from the ledger"}, nil
	}
	temp, err := p.Files.Temp()
	if err != nil {
		return Checked{}, err
	}
	status, fold, err := Verify(ctx, db, temp, s, p.Progress, p.count(comparing))
	switch {
	case err != nil:
		return Checked{}, err
	case !status.Present:
		return none, nil
	}
	return Checked{Said: fmt.Sprintf("ok: the projection checkpoint at tree size %d matches a fresh fold of the ledger", status.Size), Fold: fold}, nil
}
