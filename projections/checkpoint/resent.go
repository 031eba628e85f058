package checkpoint

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// Bounds of the resend check: the new incidents kept (a bulk load of history
// is not compared row by row), and the incidents of their months read (about
// 0.5 s).
const (
	MaxNew     = 10_000
	MaxScanned = 100_000
)

// NewIncidents collects the incidents an import found new (its Add is
// ledger.ImportOptions.Fresh), up to MaxNew, for Place.Resent to compare
// with the earlier ones once they are appended. It keeps ids and lines
// only: an import lets its heap grow to five times what it holds.
type NewIncidents struct {
	ids   []uuid.UUID
	lines []int32
	files []int16 // into names
	names []string
	over  bool
}

// Add keeps e if it is an incident.
func (n *NewIncidents) Add(file string, line int, e ledger.Event) {
	if !e.Type.IsIncident() || n.over {
		return
	}
	if len(n.ids) == MaxNew {
		*n = NewIncidents{over: true}
		return
	}
	id, err := uuid.Parse(e.ID)
	if err != nil {
		return
	}
	if len(n.names) == 0 || n.names[len(n.names)-1] != file {
		n.names = append(n.names, file)
	}
	n.ids, n.lines, n.files = append(n.ids, id), append(n.lines, int32(line)), append(n.files, int16(len(n.names)-1))
}

// Where is FILE:LINE of a new incident, by its id (the id, if not kept).
func (n *NewIncidents) Where(id string) string {
	for i, x := range n.ids {
		if x.String() == id {
			return fmt.Sprintf("%s:%d", n.names[n.files[i]], n.lines[i])
		}
	}
	return id
}

// Resent compares the new incidents n kept with the earlier effective
// incidents of their months (projections.State.Resent), in a checkpoint
// that is current: one to fold or rebuild is left as it is, for the next
// report to bring up to date with its warning, and nothing is compared
// (nil, nil). So is nothing when n passed MaxNew.
func (p Place) Resent(ctx context.Context, n *NewIncidents) ([]projections.Resend, error) {
	if n.over || len(n.ids) == 0 {
		return nil, nil
	}
	ids := make([]string, len(n.ids))
	for i, id := range n.ids {
		ids[i] = id.String()
	}
	var found []projections.Resend
	l, err := p.Build(ctx, ledger.AsOf{}, Current, func(l *Ledger) (err error) {
		found, _, err = l.State.Resent(ids, MaxScanned)
		return err
	})
	if errors.Is(err, ErrNotCurrent) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.Close()
	return found, nil
}

// Effective is the content the events of ids have now, their corrections
// applied, retracted or not: ledger.ImportOptions.Effective, for a sheet
// whose rows were corrected like the ledger. An id the ledger does not hold
// is left out.
func (p Place) Effective(ctx context.Context, ids []string) (map[string]ledger.Event, error) {
	out := map[string]ledger.Event{}
	l, err := p.Build(ctx, ledger.AsOf{}, Reading, func(l *Ledger) error {
		clear(out) // built again if the view is folded again
		for _, id := range ids {
			if f := l.State.Fact(id); f != nil {
				out[id] = f.Event
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.Close()
	return out, nil
}
