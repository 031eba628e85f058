package bolt

import (
	"os"
	"strconv"
	"strings"

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

// mappedOverBudget says whether the process's resident file-backed pages
// (statm's third field: the ledger's and the checkpoint's maps, and the
// binary's own text) are over MappedBudget. Reading it costs a few µs.
func mappedOverBudget() bool {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return true
	}
	shared, err := strconv.ParseInt(f[2], 10, 64)
	return err != nil || shared*int64(os.Getpagesize()) > MappedBudget
}
