package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// An import lets the heap grow to the limit before collecting, and puts
// the collector back as it was; GOGC in the environment wins.
func TestImportHeap(t *testing.T) {
	gcPercent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	before := gcPercent()

	t.Setenv("GOGC", "")
	restore := importHeap()
	if p := gcPercent(); p != 400 {
		t.Fatalf("during an import: GOGC %d; want 400", p)
	}
	restore()
	if p := gcPercent(); p != before {
		t.Fatalf("after an import: GOGC %d; want %d as before", p, before)
	}

	t.Setenv("GOGC", "50")
	restore = importHeap()
	defer restore()
	if p := gcPercent(); p != before {
		t.Fatalf("with GOGC set, an import set GOGC %d", p)
	}
}

// Every command's heap is held to heapLimit, unless GOMEMLIMIT says
// otherwise.
func TestLimitHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "200MiB")
	limitHeap()
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("with GOMEMLIMIT set, the limit became %d", l)
	}
	t.Setenv("GOMEMLIMIT", "")
	limitHeap()
	if l := debug.SetMemoryLimit(-1); l != heapLimit {
		t.Fatalf("the limit is %d, not %d", l, heapLimit)
	}
}
