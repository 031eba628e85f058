//go:build unix

package witness

import (
	"os"
	"syscall"
)

// lock takes an exclusive flock on path. The kernel lets go of it when the
// process dies, so a killed cosign never leaves the folder locked.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
