//go:build !unix

package atomicfile

import "testing"

// Windows has named pipes, but not in the file system.
func mkfifo(t *testing.T, _ string) { t.Skip("no FIFOs here") }
