package projections

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/statledger/statledger/ledger"
)

var at = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

func incident(t ledger.Type, date string, n int64, q string) ledger.Event {
	e := ledger.Event{Type: t, Date: date, Count: &n, CountQualifier: q, Nationality: "KR", Country: "KH",
		Source: &ledger.Source{Publisher: "p"}, Notes: fmt.Sprint(date, n, q, t)}
	ledger.Normalize(&e)
	return e
}

func fold(events ...ledger.Event) *State {
	s := New()
	for i, e := range events {
		if e.ID == "" {
			ledger.Normalize(&e)
		}
		s.Apply(ledger.NewRecorded(uint64(i), at, "t", e))
	}
	return s
}

func TestCombineQualifiers(t *testing.T) {
	cases := []struct {
		parts []string
		want  string
	}{
		{nil, "exact"},
		{[]string{"exact", "exact"}, "exact"},
		{[]string{"exact", "at_least"}, "at_least"},
		{[]string{"at_least", "at_least", "exact"}, "at_least"},
		{[]string{"exact", "at_most"}, "at_most"},
		{[]string{"at_least", "at_most"}, "approx"},
		{[]string{"exact", "approx"}, "approx"},
		{[]string{"approx", "at_least"}, "approx"},
		{[]string{"at_most", "approx", "exact"}, "approx"},
	}
	for _, c := range cases {
		var cell Cell
		for _, q := range c.parts {
			e := incident(ledger.Arrest, "2025-10-01", 1, q)
			cell.Add(&e)
		}
		if cell.Qual() != c.want {
			t.Errorf("%v -> %s, want %s", c.parts, cell.Qual(), c.want)
		}
	}
}

func TestMonthIsTheDateAsWritten(t *testing.T) {
	s := fold(incident(ledger.Arrest, "2025-10-31", 5, "exact"), incident(ledger.Arrest, "2025-11-01", 7, "exact"))
	if got := s.MonthSummary("2025-10")[ledger.Arrest]; got.Persons != 5 || got.Events != 1 {
		t.Fatalf("October = %+v", got)
	}
	if got := s.MonthSummary("2025-11")[ledger.Arrest]; got.Persons != 7 {
		t.Fatalf("November = %+v", got)
	}
}

func TestCorrectionsInLedgerOrderAndRetractions(t *testing.T) {
	a := incident(ledger.Arrest, "2025-10-20", 60, "approx")
	r := incident(ledger.Repatriation, "2025-10-01", 61, "at_least")
	n1, n2 := int64(58), int64(59)
	exact := "exact"
	nov := "2025-11-02"
	s := fold(a, r,
		ledger.Event{Type: ledger.Correction, Corrects: a.ID, Changes: &ledger.Changes{Count: &n1, CountQualifier: &exact}, Reason: "1"},
		ledger.Event{Type: ledger.Correction, Corrects: a.ID, Changes: &ledger.Changes{Count: &n2}, Reason: "2"},
		ledger.Event{Type: ledger.Retraction, Retracts: r.ID, Reason: "dup"},
	)
	sum := s.MonthSummary("2025-10")
	if c := sum[ledger.Arrest]; c.Persons != 59 || c.Qual() != "exact" {
		t.Fatalf("later correction must win: %+v", c)
	}
	if c := sum[ledger.Repatriation]; c.Events != 0 || c.Persons != 0 {
		t.Fatalf("retracted event still counts: %+v", c)
	}
	f := s.Fact(a.ID)
	if f.LastChange != 3 || len(f.Changes) != 2 {
		t.Fatalf("fact history = %+v", f)
	}
	// A correction of the date moves the incident to another month.
	s2 := fold(a, ledger.Event{Type: ledger.Correction, Corrects: a.ID, Changes: &ledger.Changes{Date: &nov}, Reason: "date"})
	if s2.MonthSummary("2025-10")[ledger.Arrest].Events != 0 || s2.MonthSummary("2025-11")[ledger.Arrest].Persons != 60 {
		t.Fatal("a corrected date did not move the incident")
	}
}

func TestTaskforceStatusIsLatestEffectiveEvent(t *testing.T) {
	ann := ledger.Event{Type: ledger.TaskforceAnnounced, Taskforce: "jwg", Name: "JWG", Members: []string{"KH", "KR"}, Date: "2025-10-27"}
	est := ledger.Event{Type: ledger.TaskforceEstablished, Taskforce: "jwg", Date: "2025-11-10"}
	ledger.Normalize(&ann)
	ledger.Normalize(&est)
	s := fold(ann, est)
	tf := s.Taskforces()
	if len(tf) != 1 || tf[0].Status != "established" || tf[0].Announced != "2025-10-27" || tf[0].Established != "2025-11-10" || tf[0].Name != "JWG" {
		t.Fatalf("registry = %+v", tf)
	}
	s = fold(ann, est, ledger.Event{Type: ledger.Retraction, Retracts: est.ID, Reason: "not yet"})
	if tf := s.Taskforces(); tf[0].Status != "announced" || tf[0].Established != "" {
		t.Fatalf("after retracting the establishment: %+v", tf)
	}
}

// TestPropertyTotalsMatchNaiveRecomputation folds random histories with
// corrections and retractions and compares every monthly total with a
// deliberately naive recomputation: replay each event's full history by hand.
func TestPropertyTotalsMatchNaiveRecomputation(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		months := []string{"2025-09", "2025-10", "2025-11"}
		quals := ledger.CountQualifiers
		var events []ledger.Event
		var incidents []ledger.Event
		n := rapid.IntRange(1, 40).Draw(rt, "n")
		for i := range n {
			kind := rapid.IntRange(0, 9).Draw(rt, "kind")
			switch {
			case kind < 6 || len(incidents) == 0:
				e := incident(ledger.IncidentTypes[rapid.IntRange(0, 4).Draw(rt, "type")],
					rapid.SampledFrom(months).Draw(rt, "month")+"-15", int64(rapid.IntRange(0, 100).Draw(rt, "count")),
					rapid.SampledFrom(quals).Draw(rt, "q"))
				e.Notes = fmt.Sprint("event ", i)
				e.ID = ""
				ledger.Normalize(&e)
				events = append(events, e)
				incidents = append(incidents, e)
			case kind < 9:
				target := rapid.SampledFrom(incidents).Draw(rt, "target")
				ch := &ledger.Changes{}
				if rapid.Bool().Draw(rt, "count?") {
					c := int64(rapid.IntRange(0, 100).Draw(rt, "newcount"))
					ch.Count = &c
				}
				if rapid.Bool().Draw(rt, "q?") {
					q := rapid.SampledFrom(quals).Draw(rt, "newq")
					ch.CountQualifier = &q
				}
				if rapid.Bool().Draw(rt, "date?") || len(ch.Fields()) == 0 {
					d := rapid.SampledFrom(months).Draw(rt, "newmonth") + "-01"
					ch.Date = &d
				}
				events = append(events, ledger.Event{Type: ledger.Correction, Corrects: target.ID, Changes: ch, Reason: fmt.Sprint("c", i)})
			default:
				target := rapid.SampledFrom(incidents).Draw(rt, "rtarget")
				events = append(events, ledger.Event{Type: ledger.Retraction, Retracts: target.ID, Reason: fmt.Sprint("r", i)})
			}
		}
		s := fold(events...)
		for _, m := range months {
			got := s.MonthSummary(m)
			for _, typ := range ledger.IncidentTypes {
				// Naive: for each incident, walk the whole history for its fields.
				var persons int64
				count := 0
				qs := map[string]bool{}
				for _, inc := range incidents {
					if inc.Type != typ {
						continue
					}
					date, c, q, retracted := inc.Date, *inc.Count, inc.CountQualifier, false
					for _, e := range events {
						if e.Type == ledger.Correction && e.Corrects == inc.ID {
							if e.Changes.Date != nil {
								date = *e.Changes.Date
							}
							if e.Changes.Count != nil {
								c = *e.Changes.Count
							}
							if e.Changes.CountQualifier != nil {
								q = *e.Changes.CountQualifier
							}
						}
						if e.Type == ledger.Retraction && e.Retracts == inc.ID {
							retracted = true
						}
					}
					if retracted || date[:7] != m {
						continue
					}
					persons += c
					count++
					qs[q] = true
				}
				want := "exact"
				switch {
				case qs["approx"] || (qs["at_least"] && qs["at_most"]):
					want = "approx"
				case qs["at_least"]:
					want = "at_least"
				case qs["at_most"]:
					want = "at_most"
				}
				if g := got[typ]; g.Persons != persons || g.Events != count || g.Qual() != want {
					rt.Fatalf("%s %s: got %+v, naive %d events %d persons %s", m, typ, g, count, persons, want)
				}
			}
		}
	})
}

func TestRevisionsNameTheirCauses(t *testing.T) {
	a := incident(ledger.Arrest, "2025-10-20", 60, "approx")
	pub := fold(a)
	n := int64(58)
	now := fold(a, ledger.Event{Type: ledger.Correction, Corrects: a.ID, Changes: &ledger.Changes{Count: &n}, Reason: "police figure"})
	revs := Revisions(now, pub, "2025-10")
	if len(revs) != 1 || revs[0].Figure != "Persons" || revs[0].Old != "60" || revs[0].New != "58" || len(revs[0].Causes) != 1 {
		t.Fatalf("revisions = %+v", revs)
	}
	if revs := Revisions(pub, pub, "2025-10"); len(revs) != 0 {
		t.Fatalf("no change gave revisions %+v", revs)
	}
}

// A retracted event can be neither corrected nor retracted again; a live
// one, a corrected one and an unknown id pass (the append refuses unknown
// ids itself).
func TestCheckTarget(t *testing.T) {
	a := incident(ledger.Arrest, "2025-10-20", 60, "approx")
	r := incident(ledger.Rescue, "2025-10-02", 12, "exact")
	n := int64(61)
	s := fold(a, r,
		ledger.Event{Type: ledger.Correction, Corrects: a.ID, Changes: &ledger.Changes{Count: &n}, Reason: "ministry"},
		ledger.Event{Type: ledger.Retraction, Retracts: r.ID, Reason: "duplicate"})
	for _, typ := range []ledger.Type{ledger.Correction, ledger.Retraction} {
		if err := s.CheckTarget(typ, a.ID); err != nil {
			t.Errorf("%s of a corrected event: %v", typ, err)
		}
		if err := s.CheckTarget(typ, "0b7d3c56-2f0c-4d4e-9f59-000000000000"); err != nil {
			t.Errorf("%s of an unknown id: %v", typ, err)
		}
	}
	err := s.CheckTarget(ledger.Correction, strings.ToUpper(r.ID))
	if ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(fmt.Sprint(err), r.ID+" was retracted at seq 3 (duplicate): it cannot be corrected") {
		t.Errorf("correction of a retracted event: %v", err)
	}
	if err := s.CheckTarget(ledger.Retraction, r.ID); err == nil || !strings.Contains(err.Error(), "cannot be retracted again") {
		t.Errorf("retraction of a retracted event: %v", err)
	}
}

// A span defaults each end to the first or last incident's month, or to
// the other end; with no incident and nothing given it is empty; one that
// ends before it starts is refused.
func TestSpan(t *testing.T) {
	s := fold(incident(ledger.Arrest, "2025-08-20", 3, "exact"), incident(ledger.Rescue, "2025-10-02", 1, "exact"))
	for _, tc := range []struct{ from, to, wantFrom, wantTo string }{
		{"", "", "2025-08", "2025-10"}, {"2025-09", "", "2025-09", "2025-10"}, {"", "2025-09", "2025-08", "2025-09"},
	} {
		if from, to, err := s.Span(tc.from, tc.to); err != nil || from != tc.wantFrom || to != tc.wantTo {
			t.Errorf("%q..%q: %s..%s %v", tc.from, tc.to, from, to, err)
		}
	}
	if _, _, err := s.Span("2025-11", ""); ledger.CodeOf(err) != ledger.CodeInput {
		t.Errorf("2025-11..(2025-10): %v", err)
	}
	empty := New()
	if from, to, err := empty.Span("", ""); from != "" || to != "" || err != nil {
		t.Errorf("no incidents: %q..%q %v", from, to, err)
	}
	if from, to, err := empty.Span("", "2024-02"); from != "2024-02" || to != "2024-02" || err != nil {
		t.Errorf("no incidents, ..2024-02: %q..%q %v", from, to, err)
	}
}
