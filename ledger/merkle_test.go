package ledger

import (
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// The frontier Verify recomputes the tree with gives the stored hashes and
// roots of a whole tree, at every size.
func TestFrontierMatchesMemTree(t *testing.T) {
	var mem MemTree
	var f frontier
	for n := range 600 {
		leaf := tlog.RecordHash([]byte{byte(n), byte(n >> 8)})
		a, b := mem.Add(leaf), f.add(leaf)
		if !slices.Equal(a, b) {
			t.Fatalf("leaf %d: stored hashes differ", n)
		}
		if mem.Root(uint64(n+1)) != f.root() {
			t.Fatalf("root at size %d differs", n+1)
		}
	}
}
