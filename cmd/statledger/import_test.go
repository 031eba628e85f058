package main

import (
	"runtime/debug"
	"testing"
)

// An import lets the heap grow to importHeapLimit before collecting, and
// puts the collector back as it was; GOGC or GOMEMLIMIT in the environment
// win.
func TestImportHeap(t *testing.T) {
	gcPercent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	before, limit := gcPercent(), debug.SetMemoryLimit(-1)

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	restore := importHeap()
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != 400 || l != importHeapLimit {
		t.Fatalf("during an import: GOGC %d, limit %d; want 400, %d", p, l, importHeapLimit)
	}
	restore()
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != before || l != limit {
		t.Fatalf("after an import: GOGC %d, limit %d; want %d, %d as before", p, l, before, limit)
	}

	t.Setenv("GOGC", "50")
	restore = importHeap()
	defer restore()
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != before || l != limit {
		t.Fatalf("with GOGC set, an import set GOGC %d, limit %d", p, l)
	}
}
