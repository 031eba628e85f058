package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Outputs that are not regular files: "-" is standard output; a FIFO, a
// device or a link to one is written to, never replaced by a regular file
// and never opened for reading; a folder is refused; and the ledger is known
// by identity, even when its first page is damaged.
func TestOutputsThatAreNotRegularFiles(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", seed), "import")
	dir := t.TempDir()

	r := must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", "-"), "report -o -")
	if !strings.HasPrefix(r.stdout, "PK\x03\x04") || !strings.Contains(r.stderr, "wrote standard output:") {
		t.Fatalf("report -o - wrote %q… to stdout and %q to stderr", r.stdout[:min(20, len(r.stdout))], r.stderr)
	}

	// A FIFO with a reader gets the page; it is still a FIFO afterwards.
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	must(t, sl(t, store, "chart", "-o", fifo), "chart -o FIFO")
	select {
	case b := <-got:
		if !bytes.Contains(b, []byte("<!DOCTYPE html>")) {
			t.Fatalf("the FIFO's reader got %d bytes, not the page", len(b))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the FIFO's reader got nothing")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}

	// A character device (this test's own null device, where it may make
	// one), directly and through a link: written to, never replaced.
	null := filepath.Join(dir, "null")
	if err := mknull(null); err != nil {
		t.Logf("cannot make a device node here (%v): the device case was not run", err)
	} else {
		link := filepath.Join(dir, "null-link")
		os.Symlink(null, link)
		for _, target := range []string{null, link} {
			must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", target), "report -o device")
			must(t, sl(t, store, "export", "-o", target), "export -o device")
		}
		if fi, err := os.Lstat(null); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("the device node was replaced: %v %v", fi.Mode(), err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link to the device was replaced: %v %v", fi.Mode(), err)
		}
	}

	// A link to a regular file: the file it points to is replaced, the link stays.
	real := filepath.Join(dir, "real.html")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "page-link.html")
	os.Symlink(real, link)
	must(t, sl(t, store, "chart", "-o", link), "chart -o link")
	if b, _ := os.ReadFile(real); !bytes.Contains(b, []byte("<!DOCTYPE html>")) {
		t.Fatal("the file behind the link was not written")
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a file")
	}

	if r := sl(t, store, "chart", "-o", dir); r.code != 2 || !strings.Contains(r.stderr, "is a folder") {
		t.Fatalf("chart -o FOLDER: exit %d %s", r.code, r.stderr)
	}

	// The ledger with its first page zeroed no longer looks like a ledger,
	// and still opens (bbolt has a second meta page): it is known by identity.
	b, _ := os.ReadFile(store)
	clear(b[:4096])
	os.WriteFile(store, b, 0o600)
	alias := filepath.Join(dir, "alias.db")
	os.Symlink(store, alias)
	for _, out := range []string{store, alias} {
		if r := sl(t, store, "report", "monthly", "--month", "2025-10", "-o", out); r.code != 2 || !strings.Contains(r.stderr, "is the ledger") {
			t.Fatalf("report -o the ledger with its first page damaged: exit %d %s", r.code, r.stderr)
		}
	}
	if now, _ := os.ReadFile(store); !bytes.Equal(now, b) {
		t.Fatal("the ledger was written over")
	}
}
