package bolt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// TestOpenWritesNothing: opening a ledger for writing commits nothing (a
// no-op commit costs two fsyncs on every record), and a bbolt file that is
// not a ledger is refused rather than turned into one.
func TestOpenWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s, err := Open(path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(path)
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("opening the ledger for writing changed the file")
	}
	other := filepath.Join(t.TempDir(), "other.db")
	db, err := bbolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(other, Options{}); err == nil || !strings.Contains(err.Error(), "not a statledger ledger file") {
		t.Fatalf("a bbolt file that is not a ledger: %v", err)
	}
}
