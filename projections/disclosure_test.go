package projections

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/statledger/statledger/ledger"
)

// randomMonth folds a random month of incidents: few nationalities and
// countries, small counts, so that small cells and lines of one are common.
func randomMonth(rt *rapid.T) *State {
	s := New()
	nats := []string{"KR", "CN", "VN", "TH", "KH"}
	countries := []string{"KH", "MM", "LA"}
	n := rapid.IntRange(0, 30).Draw(rt, "incidents")
	at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		count := rapid.Int64Range(0, 14).Draw(rt, "count")
		e := ledger.Event{
			Type:        rapid.SampledFrom(ledger.IncidentTypes).Draw(rt, "type"),
			Date:        fmt.Sprintf("2025-10-%02d", i%28+1),
			Count:       &count,
			Nationality: rapid.SampledFrom(nats).Draw(rt, "nationality"),
			Country:     rapid.SampledFrom(countries).Draw(rt, "country"),
			Source:      &ledger.Source{Publisher: "t"},
		}
		ledger.Normalize(&e)
		s.Apply(ledger.NewRecorded(uint64(i), at, "t", e))
	}
	return s
}

// The pattern's promises, for random months and thresholds: no published
// breakdown cell counts 1 to below-1 persons; no row, column or margin line
// has exactly one withheld figure beside the others and its total (from
// which it could be worked out); figures that stay published are the
// unsuppressed figures; the same month gives the same pattern.
func TestSuppressionProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := randomMonth(rt)
		below := rapid.IntRange(0, 12).Draw(rt, "below")
		const m = "2025-10"
		d := s.MonthDisclosure(m, below)
		sum, byNat, byCountry := s.MonthSummary(m), s.ByNationality(m), s.ByCountry(m)
		if below < 2 && d.Any() {
			rt.Fatalf("threshold %d suppressed something", below)
		}
		again := s.MonthDisclosure(m, below)
		if !reflect.DeepEqual(d, again) {
			rt.Fatal("the same month gave two patterns")
		}
		check := func(name string, bd Breakdown, cell func(string, ledger.Type) Status, rowTotal func(string) Status) {
			for _, k := range bd.Keys() {
				row := 0
				for _, tp := range ledger.IncidentTypes {
					v := bd[k][tp].Persons
					st := cell(k, tp)
					if !st.Suppressed() && v >= 1 && v < int64(below) {
						rt.Fatalf("%s %s %s: %d persons published under threshold %d", name, k, tp, v, below)
					}
					if st == Primary && (v < 1 || v >= int64(below)) {
						rt.Fatalf("%s %s %s: %d persons marked primary under threshold %d", name, k, tp, v, below)
					}
					if st.Suppressed() {
						row++
					}
				}
				if rowTotal(k).Suppressed() {
					row++
				}
				if row == 1 {
					rt.Fatalf("%s %s: one figure withheld in its row, beside its published total", name, k)
				}
			}
			margin := 0
			for _, tp := range ledger.IncidentTypes {
				col := 0
				for _, k := range bd.Keys() {
					if cell(k, tp).Suppressed() {
						col++
					}
				}
				if d.Type(tp).Suppressed() {
					col++
				}
				if col == 1 {
					rt.Fatalf("%s %s: one figure withheld in its column, beside its published total", name, tp)
				}
			}
			for _, k := range bd.Keys() {
				if rowTotal(k).Suppressed() {
					margin++
				}
			}
			if d.Total().Suppressed() {
				margin++
			}
			if margin == 1 {
				rt.Fatalf("%s: one row total withheld beside the month's total", name)
			}
		}
		check("nationality", byNat, d.Nationality, d.NationalityTotal)
		check("country", byCountry, d.Country, d.CountryTotal)
		types := 0
		for _, tp := range ledger.IncidentTypes {
			if d.Type(tp).Suppressed() {
				types++
			}
			if !d.Type(tp).Suppressed() && d.Type(tp) != Free {
				rt.Fatalf("a status that is neither free nor withheld")
			}
		}
		if d.Total().Suppressed() {
			types++
		}
		if types == 1 {
			rt.Fatal("one type total withheld beside the month's total")
		}
		// Nothing published changes: the pattern only hides.
		if !reflect.DeepEqual(sum, s.MonthSummary(m)) {
			rt.Fatal("computing the pattern changed the figures")
		}
	})
}

// The seed report's "22-year-old Korean killed in August": alone in its
// month, the death is withheld, and so is every figure that would give it
// away, while a month of larger counts is published whole.
func TestSuppressionOfTheSeedDeath(t *testing.T) {
	s := New()
	one, sixty := int64(1), int64(61)
	at := time.Date(2025, 10, 28, 0, 0, 0, 0, time.UTC)
	for i, e := range []ledger.Event{
		{Type: ledger.Death, Date: "2025-08-01", Count: &one, Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "t"}},
		{Type: ledger.Repatriation, Date: "2025-10-01", Count: &sixty, Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "t"}},
	} {
		ledger.Normalize(&e)
		s.Apply(ledger.NewRecorded(uint64(i), at, "t", e))
	}
	d := s.MonthDisclosure("2025-08", 5)
	if d.Nationality("KR", ledger.Death) != Primary || d.Country("KH", ledger.Death) != Primary {
		t.Fatalf("the death is not withheld: %c %c", d.Nationality("KR", ledger.Death), d.Country("KH", ledger.Death))
	}
	if !d.Type(ledger.Death).Suppressed() || !d.NationalityTotal("KR").Suppressed() || !d.Total().Suppressed() {
		t.Fatal("a total gives the death away")
	}
	if oct := s.MonthDisclosure("2025-10", 5); oct.Any() {
		t.Fatal("October, with 61 repatriated, had something withheld")
	}
}
