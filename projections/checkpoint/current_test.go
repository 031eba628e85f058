package checkpoint_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
	"github.com/statledger/statledger/projections/checkpoint"
)

// A view in Current mode reads a checkpoint that is at the head, and
// otherwise is ErrNotCurrent and writes nothing: the checkpoint stays as
// far behind as it was.
func TestCurrentViewChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Append(ctx, 0, storetest.Sealed(0, 40)) // a store's own append folds nothing
	s.Close()
	p := checkpoint.Place{
		Open: func(ctx context.Context, mode checkpoint.Mode) (ledger.Store, error) {
			return bolt.Open(path, bolt.Options{ReadOnly: mode == checkpoint.Reading || mode == checkpoint.Current})
		},
		Files:  boltFiles{},
		Ledger: path,
	}
	behind := func() uint64 {
		s, _ := bolt.Open(path, bolt.Options{ReadOnly: true})
		defer s.Close()
		st, err := checkpoint.Check(ctx, s.KV(), s)
		if err != nil {
			t.Fatal(err)
		}
		return st.Head - st.Size
	}
	if _, err := p.Build(ctx, ledger.AsOf{}, checkpoint.Current, func(*checkpoint.Ledger) error { return nil }); !errors.Is(err, checkpoint.ErrNotCurrent) {
		t.Fatalf("Current of a checkpoint 40 behind: %v", err)
	}
	if n := behind(); n != 40 {
		t.Fatalf("after Current the checkpoint is %d behind, not 40", n)
	}
	l, err := p.View(ctx, ledger.AsOf{}, checkpoint.Reading) // folds
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	l, err = p.View(ctx, ledger.AsOf{}, checkpoint.Current)
	if err != nil || l.State.Size != 40 {
		t.Fatalf("Current of a checkpoint at the head: %v", err)
	}
	l.Close()
}
