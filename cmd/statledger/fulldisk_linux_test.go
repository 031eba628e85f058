package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A disk that fills during an import leaves whole batches that verify, and
// says so; a report that cannot be written leaves nothing beside its path;
// with room again, the same import appends the rest and nothing twice. The
// disk is a small tmpfs, which needs root (as CI has); elsewhere it skips.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v): the full disk was not tried", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	store := filepath.Join(dir, "l.db")
	must(t, sl(t, store, "init", "--origin", "statledger.local/full"), "init")
	input := eventsFile(t, "full", 20000)

	r := sl(t, store, "import", input)
	if r.code != 1 || !strings.Contains(r.stderr, "no space left on device") || !strings.Contains(r.stderr, "importing the same input again appends the rest and nothing twice") {
		t.Fatalf("import onto a full disk: exit %d\n%s", r.code, r.stderr)
	}
	var appended int
	fmt.Sscanf(r.stderr[strings.Index(r.stderr, "(")+1:], "%d events were appended", &appended)
	size, _, err := verifiedHead(t, store)
	if err != nil || size != appended || size == 0 || size%1000 != 0 {
		t.Fatalf("after the full disk the ledger verifies at %d (%v); the import said %d were appended", size, err, appended)
	}

	out := filepath.Join(dir, "oct.xlsx")
	if r := sl(t, store, "report", "monthly", "--month", "2025-10", "-o", out); r.code != 1 || !strings.Contains(r.stderr, "no space left on device") {
		t.Fatalf("report onto a full disk: exit %d\n%s", r.code, r.stderr)
	}
	if names, _ := os.ReadDir(dir); len(names) != 2 { // l.db, l.db.key
		t.Fatalf("the failed report left files: %v", names)
	}

	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, "size=64m"); err != nil {
		t.Fatal(err)
	}
	r = must(t, sl(t, store, "import", input), "the import again, with room")
	if want := fmt.Sprintf("appended %d, duplicates %d; tree size 20000", 20000-size, size); !strings.Contains(r.stdout, want) {
		t.Fatalf("the import again said %q, want %q", r.stdout, want)
	}
	if size, _, err := verifiedHead(t, store); err != nil || size != 20000 {
		t.Fatalf("after the import again: %d, %v", size, err)
	}
	t.Logf("the disk filled after %d of 20000 events", appended)
}
