package checkpoint_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/ledger/storetest"
	"github.com/statledger/statledger/projections/checkpoint"
)

// boltFiles keeps derived data in bbolt files, as the statledger command does.
type boltFiles struct{}

func (boltFiles) Open(path string) (kv.DB, error) {
	db, _, err := bolt.OpenKV(path, 0, nil)
	return db, err
}
func (boltFiles) Temp() (kv.DB, error) { return bolt.TempKV() }

// A view of a ledger's projection as of a point: the checkpoint kept in the
// ledger's file is brought up to the head (folding only what is new), then
// seen as of the first 30 events.
func ExamplePlace_View() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "l.db")
	s, _ := bolt.Open(path, bolt.Options{Create: true})
	s.Append(context.Background(), 0, storetest.Sealed(0, 40)) // 40 arrests through 2025
	s.Close()

	p := checkpoint.Place{
		Open: func(ctx context.Context, mode checkpoint.Mode) (ledger.Store, error) {
			return bolt.Open(path, bolt.Options{ReadOnly: mode == checkpoint.Reading})
		},
		Files:  boltFiles{},
		Ledger: path,
	}
	size := uint64(30)
	l, err := p.View(context.Background(), ledger.AsOf{Size: &size}, checkpoint.Reading)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	oct := l.State.MonthSummary("2025-10")
	fmt.Println("as of tree size", l.State.Size, "October's arrest events:", oct[ledger.Arrest].Events)
	// Output: as of tree size 30 October's arrest events: 2
}
