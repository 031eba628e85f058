package bolt

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/ledger"
)

// Guard runs fn, which reads or writes the bbolt file at path, so that a
// damaged file is an error and never a crash. bbolt trusts its pages: on one
// it cannot read it panics (an assertion on a page's id or type), and a
// pointer into a part of the file that is not there faults on the memory
// map. Both become a ledger.ErrDamaged error naming the file. Faults are
// turned into panics only for the goroutine running fn, while it runs.
func Guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = Damaged(path, fmt.Sprint(r))
		}
	}()
	return fn()
}

// Damaged is the error of a file whose structure cannot be read.
func Damaged(path, what string) error {
	if len(what) > 200 {
		what = what[:200] + "…"
	}
	return &ledger.Error{Code: ledger.CodeRuntime, Err: &damaged{path: path, msg: fmt.Sprintf("the file %s is damaged (%s)", path, what)}}
}

// damaged is ledger.ErrDamaged, naming the file.
type damaged struct{ path, msg string }

func (d *damaged) Error() string        { return d.msg }
func (d *damaged) Is(target error) bool { return target == ledger.ErrDamaged }

// DamagedFile is the file a damage error names.
func DamagedFile(err error) (string, bool) {
	var d *damaged
	if errors.As(err, &d) {
		return d.path, true
	}
	return "", false
}

// checkLength refuses a file shorter than the pages its newest meta page
// counts: a truncated file, whose missing pages the memory map would fault
// on at the first read of one.
func checkLength(db *bbolt.DB, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot read %s", path)
	}
	return Guard(path, func() error {
		return db.View(func(tx *bbolt.Tx) error {
			if tx.Size() > fi.Size() {
				return Damaged(path, fmt.Sprintf("it is %d bytes long, but its pages reach to byte %d: it was truncated", fi.Size(), tx.Size()))
			}
			return nil
		})
	})
}

func (s *Store) view(fn func(*bbolt.Tx) error) error {
	return Guard(s.path, func() error { return s.db.View(fn) })
}

func (s *Store) update(fn func(*bbolt.Tx) error) error {
	return Guard(s.path, func() error { return s.db.Update(fn) })
}
