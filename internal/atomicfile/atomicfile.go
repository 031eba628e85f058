// Package atomicfile writes a file so that a reader never sees half of it
// and a crash never leaves an empty one where a report, a witness's record
// or a cosigned checkpoint was: the data goes to a temporary file beside it,
// synced, then renamed over it, and the folder synced.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// A File is written in full and then committed, or aborted.
//
//   - A regular file (or a new one) is written under a temporary name and
//     renamed over its path on Commit: a failure leaves whatever was there
//     before. Through a symbolic link, the file it points to is replaced.
//   - Anything else (a device such as /dev/null, a FIFO, or a link to one)
//     is opened for writing and written to directly: never replaced by a
//     regular file, and never opened for reading, which on a FIFO would
//     wait for a writer that never comes.
type File struct {
	f    *os.File
	dest string // the regular file the temporary one is renamed over, or ""
	mode os.FileMode
	done bool
}

// Create makes path ready for writing; a regular file gets mode on Commit.
func Create(path string, mode os.FileMode) (*File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{f: f}, nil
	}
	dest := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		dest = resolved
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".statledger-*.tmp")
	if err != nil {
		return nil, err
	}
	return &File{f: tmp, dest: dest, mode: mode}, nil
}

func (a *File) Write(p []byte) (int, error) { return a.f.Write(p) }

// SetMode changes the mode a regular file gets on Commit.
func (a *File) SetMode(mode os.FileMode) { a.mode = mode }

// Abort throws away what was written; after Commit it does nothing.
func (a *File) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	if a.dest != "" {
		os.Remove(a.f.Name())
	}
}

// Commit makes what was written the file's content, durably.
func (a *File) Commit() error {
	if a.done {
		return nil
	}
	if a.dest == "" { // a device or a FIFO: written through already
		a.done = true
		return a.f.Close()
	}
	err := a.f.Sync()
	if err == nil {
		err = a.f.Chmod(a.mode)
	}
	if err == nil {
		err = a.f.Close()
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.dest)
	}
	if err != nil {
		a.Abort()
		return err
	}
	a.done = true
	if d, err := os.Open(filepath.Dir(a.dest)); err == nil {
		d.Sync() // the rename itself survives a crash
		d.Close()
	}
	return nil
}

// Write writes data to path atomically, with mode.
func Write(path string, data []byte, mode os.FileMode) error {
	a, err := Create(path, mode)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.Abort()
		return err
	}
	return a.Commit()
}

var _ io.Writer = (*File)(nil)
