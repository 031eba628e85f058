package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// Until Commit, the old content stays; after, the new one, with its mode.
// Abort leaves the old content and no temporary file.
func TestCommitAndAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	os.WriteFile(path, []byte("old"), 0o600)
	a, err := Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("new"))
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("before Commit: %q", b)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("after Commit: %q, mode %v", b, fi.Mode())
	}
	a, _ = Create(path, 0o644)
	a.Write([]byte("lost"))
	a.Abort()
	a.Commit() // after Abort: nothing
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("after Abort: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".statledger-*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// Through a link, the file it points to is replaced and the link stays; a
// FIFO is written to, never replaced.
func TestLinksAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "t"), filepath.Join(dir, "l")
	os.WriteFile(target, []byte("old"), 0o644)
	os.Symlink(target, link)
	if err := Write(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Fatalf("target: %q", b)
	}
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	if err := Write(fifo, []byte("through"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b := <-got; string(b) != "through" {
		t.Fatalf("read from the FIFO: %q", b)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the FIFO was replaced")
	}
}
