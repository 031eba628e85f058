package main

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/statledger/statledger/internal/atomicfile"
	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

// output is a file a command writes: a workbook, a chart page, an export.
// "-" is standard output; anything else is an atomicfile.File.
type output struct {
	w    io.Writer
	file *atomicfile.File // nil for standard output
	path string           // what the user named
}

// createOutput makes path ready for writing. It refuses a folder, and the
// ledger and its signing key however they are named (the same file by
// identity), or any other ledger or signing key (by their first bytes).
func createOutput(c *cli.Context, path string) (*output, error) {
	if path == "-" {
		return &output{w: c.App.Writer, path: "standard output"}, nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, usageError("%s is a folder: give the name of a file to write", path)
	} else if err == nil && fi.Mode().IsRegular() {
		if err := refuseToReplace(c, path, fi); err != nil {
			return nil, err
		}
	}
	// Made now, before the work that fills it, which may take long: a
	// file that cannot be written fails at once.
	f, err := atomicfile.Create(path, 0o644)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		// Said of the folder the user named, not of the temporary file
		// atomicfile makes in it.
		return nil, usageError("cannot write %s: there is no folder %s", path, filepath.Dir(path))
	}
	if err != nil {
		return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", path)
	}
	return &output{w: f, file: f, path: path}, nil
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
	if isLedgerFile(path) {
		return usageError("%s is a ledger (or another bbolt database): statledger never writes an output over one; choose another file name", path)
	}
	if ledger.IsSigningKeyFile(path) {
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
	if o.file != nil {
		o.file.Abort()
	}
}

// commit makes the file durable under its path (see atomicfile).
func (o *output) commit() error {
	if o.file == nil {
		return nil
	}
	if err := o.file.Commit(); err != nil {
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

// fileKinds are the kinds of file a person names by extension.
var fileKinds = map[string]string{
	".xlsx": "xlsx", ".xls": "xls", ".ods": "ods", ".html": "html", ".htm": "html",
	".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".pdf": "pdf", ".txt": "txt", ".png": "png",
}

// checkExtension refuses to write what (a file of kind ext) under a name
// of another kind: oct.html for a workbook, october.csv for JSON Lines.
// Saved so, the file opens in no program by its name, or opens wrong. A
// name of no known kind (a device, a FIFO, a name without extension) passes.
func checkExtension(path, what, ext string) error {
	got := strings.ToLower(filepath.Ext(path))
	if kind, known := fileKinds[got]; known && kind != fileKinds[ext] {
		return usageError("-o %s: this writes %s; name it %s", path, what, strings.TrimSuffix(path, filepath.Ext(path))+ext)
	}
	return nil
}

// exportOutput is where an export writes: -o FILE, or standard output.
func exportOutput(c *cli.Context) (io.Writer, *output, error) {
	out := c.String("output")
	if out == "" {
		return c.App.Writer, nil, nil
	}
	if err := checkExtension(out, exportKinds[c.String("format")].what, exportKinds[c.String("format")].ext); err != nil {
		return nil, nil, err
	}
	file, err := createOutput(c, out)
	if err != nil {
		return nil, nil, err
	}
	return file, file, nil
}

func printJSON(c *cli.Context, v any) error {
	enc := json.NewEncoder(c.App.Writer)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
