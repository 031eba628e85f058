package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
)

// output is a file a command writes: a workbook, a chart page, an export.
//
//   - A regular file (or a new one) is written in full under a temporary name
//     and renamed over its path on commit: a reader never sees half a file,
//     and a failure leaves whatever was there before. Through a symbolic
//     link, the file it points to is the one replaced.
//   - "-" is standard output.
//   - Anything else (a device such as /dev/null, a FIFO, or a link to one) is
//     opened for writing and written to directly: never replaced by a
//     regular file, and never opened for reading, which on a FIFO would wait
//     for a writer that never comes.
type output struct {
	w    io.Writer
	file *os.File // the temporary or the direct file; nil for standard output
	path string   // what the user named
	dest string   // the regular file a temporary one is renamed over, or ""
	mode os.FileMode
	done bool
}

// createOutput makes path ready for writing. It refuses a folder, and the
// ledger and its signing key however they are named (the same file by
// identity), or any other ledger or signing key (by their first bytes).
func createOutput(c *cli.Context, path string) (*output, error) {
	if path == "-" {
		return &output{w: c.App.Writer, path: "standard output"}, nil
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, usageError("%s is a folder: give the name of a file to write", path)
	case err == nil && !fi.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", path)
		}
		return &output{w: f, file: f, path: path}, nil
	case err == nil:
		if err := refuseToReplace(c, path, fi); err != nil {
			return nil, err
		}
	}
	dest := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		dest = resolved
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".statledger-*.tmp")
	if err != nil {
		return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", path)
	}
	return &output{w: tmp, file: tmp, path: path, dest: dest, mode: 0o644}, nil
}

func (o *output) Write(p []byte) (int, error) { return o.w.Write(p) }

// refuseToReplace keeps an output from replacing a ledger file or a signing
// key: one mistyped -o would otherwise destroy what every report comes from.
// The ledger in use and its key are known by identity, whatever their state
// (a ledger whose first page is damaged no longer looks like one); others by
// their first bytes.
func refuseToReplace(c *cli.Context, path string, fi os.FileInfo) error {
	if ref, err := storeFlag(c); err == nil && ref.kind == "bolt" {
		if l, err := os.Stat(ref.path); err == nil && os.SameFile(fi, l) {
			return usageError("%s is the ledger: statledger never writes an output over it; choose another file name", path)
		}
	}
	if keyPath, err := signingKeyPath(c); err == nil {
		if k, err := os.Stat(keyPath); err == nil && os.SameFile(fi, k) {
			return usageError("%s is the ledger's signing key: statledger never writes an output over it; choose another file name", path)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil // nothing there to lose
	}
	defer f.Close()
	head := make([]byte, 20)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	// bbolt's first meta page: a 16-byte page header, then its magic number.
	if n == 20 && (binary.LittleEndian.Uint32(head[16:]) == 0xED0CDAED || binary.BigEndian.Uint32(head[16:]) == 0xED0CDAED) {
		return usageError("%s is a ledger (or another bbolt database): statledger never writes an output over one; choose another file name", path)
	}
	if bytes.HasPrefix(head, []byte("PRIVATE+KEY+")) {
		return usageError("%s is a signing key: statledger never writes an output over one; choose another file name", path)
	}
	return nil
}

// writeAll writes data and commits the output, or aborts it.
func (o *output) writeAll(data []byte) error {
	if _, err := o.Write(data); err != nil {
		o.abort()
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", o.path)
	}
	return o.commit()
}

// writeFile writes data to path as an output.
func writeFile(c *cli.Context, path string, data []byte) error {
	o, err := createOutput(c, path)
	if err != nil {
		return err
	}
	return o.writeAll(data)
}

func (o *output) abort() {
	if o.done || o.file == nil {
		o.done = true
		return
	}
	o.done = true
	o.file.Close()
	if o.dest != "" {
		os.Remove(o.file.Name())
	}
}

// commit makes a regular file durable under its path: synced before the
// rename, so a crash never leaves an empty file where a report was
// published.
func (o *output) commit() error {
	if o.done || o.file == nil {
		o.done = true
		return nil
	}
	fail := func(err error) error {
		o.abort()
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", o.path)
	}
	if o.dest == "" { // a device or a FIFO: written through already
		o.done = true
		if err := o.file.Close(); err != nil {
			return ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", o.path)
		}
		return nil
	}
	if err := o.file.Sync(); err != nil {
		return fail(err)
	}
	if err := o.file.Chmod(o.mode); err != nil {
		return fail(err)
	}
	if err := o.file.Close(); err != nil {
		return fail(err)
	}
	o.done = true
	if err := os.Rename(o.file.Name(), o.dest); err != nil {
		os.Remove(o.file.Name())
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", o.path)
	}
	return nil
}

// infoWriter is where a command that wrote to out says what it did: standard
// output, unless the output itself went there.
func infoWriter(c *cli.Context, out string) io.Writer {
	if out == "-" {
		return c.App.ErrWriter
	}
	return c.App.Writer
}
