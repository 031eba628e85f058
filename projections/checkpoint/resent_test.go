package checkpoint_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/projections/checkpoint"
)

func arrest(count int64, location string) ledger.Event {
	e := ledger.Event{Type: ledger.Arrest, Date: "2025-10-20", Count: &count, Nationality: "KR", Country: "KH",
		Source: &ledger.Source{Publisher: "Phnom Penh news"}, Location: location}
	ledger.Normalize(&e) // as a decoder does: the id is derived from the content
	return e
}

// A row edited and imported again is found, by the line it came from; a
// row of another place is not; a checkpoint that is not current is left alone, and
// incidents past MaxNew are not compared at all.
func TestResentAfterAnImport(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	if s, err := bolt.Open(path, bolt.Options{Create: true}); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	fold := true
	open := func(ctx context.Context, write bool) (ledger.Store, error) {
		s, err := bolt.Open(path, bolt.Options{ReadOnly: !write})
		if err == nil && write && fold {
			s.OnAppend(checkpoint.NewFolder().FoldOnAppend)
		}
		return s, err
	}
	p := checkpoint.Place{
		Open: func(ctx context.Context, mode checkpoint.Mode) (ledger.Store, error) {
			return open(ctx, mode != checkpoint.Reading && mode != checkpoint.Current)
		},
		Files:  boltFiles{},
		Ledger: path,
	}
	imp := func(list ...ledger.Event) (*checkpoint.NewIncidents, ledger.AppendResult) {
		t.Helper()
		var news checkpoint.NewIncidents
		res, err := ledger.Import(ctx, open, ledger.Events{File: "oct.csv", List: list}, ledger.ImportOptions{Actor: "t", BatchSize: 10, Fresh: news.Add})
		if err != nil {
			t.Fatal(err, ledger.BadLines(err))
		}
		return &news, res
	}
	imp(arrest(60, "Sihanoukville"), arrest(3, "Bavet"))
	news, _ := imp(arrest(7, "Poipet"), arrest(64, "Sihanoukville")) // line 2 is line 1 of the first, its count changed
	found, err := p.Resent(ctx, news)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || *found[0].New.Count != 64 || *found[0].Old.Event.Count != 60 {
		t.Fatalf("found %+v, want the 64 as a resend of the 60", found)
	}
	if where := news.Where(found[0].New.ID); where != "oct.csv:2" {
		t.Fatalf("Where = %q, want oct.csv:2", where)
	}

	// The events as they stand: a correction applied, an unknown id left out.
	old := arrest(60, "Sihanoukville")
	four := int64(4)
	fix := ledger.Event{Type: ledger.Correction, Corrects: old.ID, Changes: &ledger.Changes{Count: &four}, Reason: "ministry list"}
	ledger.Normalize(&fix)
	imp(fix)
	eff, err := p.Effective(ctx, []string{old.ID, arrest(3, "Bavet").ID, "11111111-2222-4333-8444-555555555555"})
	if err != nil || len(eff) != 2 || *eff[old.ID].Count != 4 || eff[old.ID].Location != "Sihanoukville" || *eff[arrest(3, "Bavet").ID].Count != 3 {
		t.Fatalf("Effective = %+v, %v", eff, err)
	}

	// Appended without a fold, the checkpoint is behind: nothing is
	// compared, and it stays behind for the next report to fold.
	fold = false
	behind, res := imp(arrest(65, "Sihanoukville"))
	if found, err := p.Resent(ctx, behind); err != nil || found != nil {
		t.Fatalf("with a checkpoint behind: %v, %v", found, err)
	}
	s, _ := bolt.Open(path, bolt.Options{ReadOnly: true})
	st, err := checkpoint.Check(ctx, s.KV(), s)
	s.Close()
	if err != nil || st.Size != res.Head.Size-1 {
		t.Fatalf("the checkpoint is at %d, want %d (left behind): %v", st.Size, res.Head.Size-1, err)
	}

	// Past MaxNew the ledger is not even opened.
	var many checkpoint.NewIncidents
	for i := range checkpoint.MaxNew + 1 {
		many.Add("big.csv", i+1, arrest(int64(i), "Kampot"))
	}
	p.Open = func(context.Context, checkpoint.Mode) (ledger.Store, error) { return nil, errors.New("opened") }
	if found, err := p.Resent(ctx, &many); err != nil || found != nil {
		t.Fatalf("past MaxNew: %v, %v", found, err)
	}
	if id := arrest(5, "Kampot").ID; many.Where(id) != id {
		t.Fatal("past MaxNew, a line is still kept")
	}
}
