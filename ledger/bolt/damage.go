package bolt

import (
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
			err = ledger.Damaged(path, fmt.Sprint(r))
		}
	}()
	return fn()
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
				return ledger.Damaged(path, fmt.Sprintf("it is %d bytes long, but its pages reach to byte %d: it was truncated", fi.Size(), tx.Size()))
			}
			return nil
		})
	})
}

func (s *Store) view(fn func(*bbolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Guard(s.path, func() error { return s.db.View(fn) })
}

func (s *Store) update(fn func(*bbolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Guard(s.path, func() error { return s.db.Update(fn) })
}
