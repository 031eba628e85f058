package bolt

import (
	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// ReleasePages drops db's mapped pages from this process's resident set. bbolt
// reads through a shared read-only mapping of the whole file, so a pass over a
// large ledger would otherwise leave every page it touched counted against the
// process, up to the size of the file. The pages stay in the kernel's page
// cache; the next read of one maps it again from there, with the same bytes.
//
// It runs inside a read transaction: bbolt never remaps while one is open, so
// the range is exactly the current mapping, never memory that was since
// reused for something else.
func ReleasePages(db *bbolt.DB) {
	db.View(func(tx *bbolt.Tx) error {
		unix.Syscall(unix.SYS_MADVISE, db.Info().Data, uintptr(tx.Size()), unix.MADV_DONTNEED)
		return nil
	})
}
