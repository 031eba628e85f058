// Package projections folds recorded events into the figures every report
// shows. It is pure: it never reads a store itself except through Build, and
// the same events always give the same state.
package projections

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/statledger/statledger/ledger"
)

// Change is one correction or retraction applied to an event.
type Change struct {
	Seq     uint64
	ID      string
	Fields  []string // nil for a retraction
	Reason  string
	Retract bool
}

// Fact is an incident or task-force event as it stands after every correction.
type Fact struct {
	Event ledger.Event // effective content
	// OriginalMonth is the month of the event as first recorded: a correction
	// that moves an incident to another month revises both months.
	OriginalMonth string
	Seq           uint64 // where it was recorded
	LastChange    uint64 // seq of its latest correction or retraction, else Seq
	Changes       []Change
	Retracted     bool
}

// Publication is a report_published event.
type Publication struct {
	Seq        uint64
	RecordedAt time.Time
	Event      ledger.Event
}

// State is the fold of a ledger prefix.
type State struct {
	Size           uint64 // events folded: the tree size this state is "as of"
	LastRecordedAt time.Time
	facts          map[string]*Fact
	order          []*Fact // in seq order
	Publications   []Publication
}

func New() *State { return &State{facts: map[string]*Fact{}} }

// Apply folds the next recorded event. Events must come in seq order.
func (s *State) Apply(r ledger.Recorded) {
	s.Size = r.Seq + 1
	s.LastRecordedAt = r.RecordedAt
	e := r.Event
	switch {
	case e.Type.IsIncident() || e.Type.IsTaskforce():
		// No copy of e is needed: a correction replaces fields (and slices)
		// wholesale and never writes into the recorded event's memory.
		f := &Fact{Event: e, OriginalMonth: Month(&e), Seq: r.Seq, LastChange: r.Seq}
		s.facts[e.ID] = f
		s.order = append(s.order, f)
	case e.Type == ledger.Correction:
		if f := s.facts[e.Corrects]; f != nil {
			f.Event = e.Changes.Apply(f.Event)
			f.LastChange = r.Seq
			f.Changes = append(f.Changes, Change{Seq: r.Seq, ID: e.ID, Fields: e.Changes.Fields(), Reason: e.Reason})
		}
	case e.Type == ledger.Retraction:
		if f := s.facts[e.Retracts]; f != nil {
			f.Retracted = true
			f.LastChange = r.Seq
			f.Changes = append(f.Changes, Change{Seq: r.Seq, ID: e.ID, Reason: e.Reason, Retract: true})
		}
	case e.Type == ledger.ReportPublished:
		s.Publications = append(s.Publications, Publication{Seq: r.Seq, RecordedAt: r.RecordedAt, Event: e})
	}
}

// Build folds the prefix of the ledger that asOf selects.
func Build(ctx context.Context, st ledger.Store, asOf ledger.AsOf) (*State, error) {
	s := New()
	size, err := ledger.ReadAsOf(ctx, st, asOf, 0, func(r ledger.Recorded) error {
		s.Apply(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Size = size
	return s, nil
}

// Effective returns every effective fact (retractions removed) in seq order.
func (s *State) Effective() []*Fact {
	out := make([]*Fact, 0, len(s.order))
	for _, f := range s.order {
		if !f.Retracted {
			out = append(out, f)
		}
	}
	return out
}

// Fact returns the fact with an id, retracted or not.
func (s *State) Fact(id string) *Fact { return s.facts[id] }

// Month is the year-month of an incident's date as written: no time zone is
// ever applied to a reported date.
func Month(e *ledger.Event) string {
	if len(e.Date) < 7 {
		return ""
	}
	return e.Date[:7]
}

// Incidents returns the effective incidents of a month (YYYY-MM) in seq order.
func (s *State) Incidents(month string) []*Fact {
	var out []*Fact
	for _, f := range s.order {
		if !f.Retracted && f.Event.Type.IsIncident() && Month(&f.Event) == month {
			out = append(out, f)
		}
	}
	return out
}

// Cell is one figure: how many events, how many persons, and how sure the sum is.
type Cell struct {
	Events    int
	Persons   int64
	Qualifier string
}

// Add folds one incident into the cell, combining qualifiers by the rule of
// DESIGN.md: exact if every part is exact, at_least if all are exact or
// at_least, at_most if all are exact or at_most, else approx.
func (c *Cell) Add(e *ledger.Event) {
	c.Events++
	c.Persons += e.Persons()
	c.Qualifier = CombineQualifiers(c.Qualifier, e.CountQualifier)
}

// CombineQualifiers combines the qualifier of a partial sum with one more part.
// "" stands for the empty sum.
func CombineQualifiers(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case a == "exact":
		return b
	case b == "exact":
		return a
	}
	return "approx" // at_least with at_most, or anything with approx
}

// Qual returns the cell's qualifier, exact for an empty cell (a sure zero).
func (c Cell) Qual() string {
	if c.Qualifier == "" {
		return "exact"
	}
	return c.Qualifier
}

// Summary is a month's figures per incident type, in ledger.IncidentTypes order.
type Summary map[ledger.Type]Cell

// MonthSummary computes the Summary table of a month.
func (s *State) MonthSummary(month string) Summary {
	out := Summary{}
	for _, t := range ledger.IncidentTypes {
		out[t] = Cell{}
	}
	for _, f := range s.Incidents(month) {
		c := out[f.Event.Type]
		c.Add(&f.Event)
		out[f.Event.Type] = c
	}
	return out
}

// Breakdown is persons by a key (a country code) and incident type.
type Breakdown map[string]map[ledger.Type]Cell

// Keys returns the breakdown's keys, sorted.
func (b Breakdown) Keys() []string {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ByNationality and ByCountry break a month down.
func (s *State) ByNationality(month string) Breakdown {
	return s.breakdown(month, func(e *ledger.Event) string { return e.Nationality })
}

func (s *State) ByCountry(month string) Breakdown {
	return s.breakdown(month, func(e *ledger.Event) string { return e.Country })
}

func (s *State) breakdown(month string, key func(*ledger.Event) string) Breakdown {
	out := Breakdown{}
	for _, f := range s.Incidents(month) {
		k := key(&f.Event)
		if out[k] == nil {
			out[k] = map[ledger.Type]Cell{}
		}
		c := out[k][f.Event.Type]
		c.Add(&f.Event)
		out[k][f.Event.Type] = c
	}
	return out
}

// Series is persons per month and type over a span of months.
type Series struct {
	Months []string
	Cells  map[string]map[ledger.Type]Cell
}

// Trend computes persons per type for each month from..to inclusive (YYYY-MM).
func (s *State) Trend(from, to string) Series {
	months := MonthRange(from, to)
	out := Series{Months: months, Cells: map[string]map[ledger.Type]Cell{}}
	for _, m := range months {
		out.Cells[m] = map[ledger.Type]Cell{}
	}
	for _, f := range s.order {
		if f.Retracted || !f.Event.Type.IsIncident() {
			continue
		}
		m := Month(&f.Event)
		if row, ok := out.Cells[m]; ok {
			c := row[f.Event.Type]
			c.Add(&f.Event)
			row[f.Event.Type] = c
		}
	}
	return out
}

// MonthRange lists the months from..to inclusive; empty if either is malformed.
func MonthRange(from, to string) []string {
	a, err1 := time.Parse("2006-01", from)
	b, err2 := time.Parse("2006-01", to)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for t := a; !t.After(b); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}

// AddMonths shifts a YYYY-MM month.
func AddMonths(month string, n int) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// Taskforce is the registry entry of one task force.
type Taskforce struct {
	Slug        string
	Name        string
	Members     []string
	Purpose     string
	Status      string // announced, established or dissolved
	Announced   string // dates, as reported
	Established string
	Dissolved   string
	LastSeq     uint64
}

// Taskforces returns the registry, by slug. A task force's status is that of
// its latest effective event in ledger order; its other fields are the latest
// non-empty ones.
func (s *State) Taskforces() []Taskforce {
	bySlug := map[string]*Taskforce{}
	var slugs []string
	for _, f := range s.order {
		e := &f.Event
		if f.Retracted || !e.Type.IsTaskforce() {
			continue
		}
		tf := bySlug[e.Taskforce]
		if tf == nil {
			tf = &Taskforce{Slug: e.Taskforce}
			bySlug[e.Taskforce] = tf
			slugs = append(slugs, e.Taskforce)
		}
		tf.Status = string(e.Type)[len("taskforce_"):]
		tf.LastSeq = max(tf.LastSeq, f.LastChange)
		if e.Name != "" {
			tf.Name = e.Name
		}
		if len(e.Members) > 0 {
			tf.Members = slices.Clone(e.Members)
		}
		if e.Purpose != "" {
			tf.Purpose = e.Purpose
		}
		switch e.Type {
		case ledger.TaskforceAnnounced:
			tf.Announced = e.Date
		case ledger.TaskforceEstablished:
			tf.Established = e.Date
		case ledger.TaskforceDissolved:
			tf.Dissolved = e.Date
		}
	}
	sort.Strings(slugs)
	out := make([]Taskforce, len(slugs))
	for i, slug := range slugs {
		out[i] = *bySlug[slug]
	}
	return out
}

// LatestPublication returns the latest publication of a monthly report for a period.
func (s *State) LatestPublication(period string) (Publication, bool) {
	for i := len(s.Publications) - 1; i >= 0; i-- {
		p := s.Publications[i]
		if p.Event.Report == "monthly" && p.Event.Period == period {
			return p, true
		}
	}
	return Publication{}, false
}
