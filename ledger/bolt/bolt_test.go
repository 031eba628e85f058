package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

func open(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		New: func(t *testing.T) ledger.Store { return open(t, filepath.Join(t.TempDir(), "l.db")) },
		Reopen: func(t *testing.T, s ledger.Store) ledger.Store {
			path := s.(*bolt.Store).Path()
			s.Close()
			return open(t, path)
		},
	})
}
