package projections

import (
	"fmt"

	"github.com/statledger/statledger/ledger"
)

// Revision is one Summary figure that differs from the latest publication.
type Revision struct {
	Type     ledger.Type
	Figure   string // "Events", "Persons" or "Qualifier"
	Old, New string
	Causes   []string // the events since the publication that changed it
}

// Revisions compares a month's Summary now with the Summary as published
// (pub, the state as of the publication's tree size).
func Revisions(now, pub *State, month string) []Revision {
	a, b := pub.MonthSummary(month), now.MonthSummary(month)
	var out []Revision
	for _, t := range ledger.IncidentTypes {
		old, cur := a[t], b[t]
		var causes []string
		if old != cur {
			causes = now.causes(t, month, pub.Size)
		}
		if old.Events != cur.Events {
			out = append(out, Revision{t, "Events", fmt.Sprint(old.Events), fmt.Sprint(cur.Events), causes})
		}
		if old.Persons != cur.Persons {
			out = append(out, Revision{t, "Persons", fmt.Sprint(old.Persons), fmt.Sprint(cur.Persons), causes})
		}
		if old.Qual() != cur.Qual() {
			out = append(out, Revision{t, "Qualifier", old.Qual(), cur.Qual(), causes})
		}
	}
	return out
}

// CauseKind is what changed a figure since a publication.
type CauseKind int

const (
	NewEvent        CauseKind = iota // an incident recorded after the publication
	CorrectionCause                  // a correction of an incident
	RetractionCause                  // a retraction of an incident
)

// A Cause is one event since a publication that changed figures of a month.
type Cause struct {
	Kind   CauseKind
	Seq    uint64
	ID     string   // the correction's or retraction's id; the new event's for NewEvent
	Of     string   // the incident it is about
	Fields []string // what a correction changed
	Reason string
	Event  ledger.Event // the incident as it stands now
}

// Causes lists what, since tree size since, touched incidents of type t
// that are or were in month: corrections, retractions and late-recorded
// events.
func (s *State) Causes(t ledger.Type, month string, since uint64) []Cause {
	var out []Cause
	s.eachInMonth(month, func(rec *factRec) bool {
		f := s.fact(rec)
		if f == nil || f.Event.Type != t || (Month(&f.Event) != month && f.OriginalMonth != month) {
			return true
		}
		if f.Seq >= since {
			out = append(out, Cause{Kind: NewEvent, Seq: f.Seq, ID: f.Event.ID, Of: f.Event.ID, Event: f.Event})
		}
		for _, c := range f.Changes {
			if c.Seq < since {
				continue
			}
			kind := CorrectionCause
			if c.Retract {
				kind = RetractionCause
			}
			out = append(out, Cause{Kind: kind, Seq: c.Seq, ID: c.ID, Of: f.Event.ID, Fields: c.Fields, Reason: c.Reason, Event: f.Event})
		}
		return true
	})
	return out
}

// causes is Causes in words, for the revisions of layout 1.
func (s *State) causes(t ledger.Type, month string, since uint64) []string {
	var out []string
	for _, c := range s.Causes(t, month, since) {
		switch c.Kind {
		case NewEvent:
			out = append(out, fmt.Sprintf("seq %d: new %s %s recorded after the publication", c.Seq, t, c.Of))
		case RetractionCause:
			out = append(out, fmt.Sprintf("seq %d: retraction %s of %s: %s", c.Seq, c.ID, c.Of, c.Reason))
		default:
			out = append(out, fmt.Sprintf("seq %d: correction %s of %s (%v): %s", c.Seq, c.ID, c.Of, c.Fields, c.Reason))
		}
	}
	return out
}
