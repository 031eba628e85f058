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

// causes lists what, since tree size since, touched incidents of type t that
// are or were in month: corrections, retractions and late-recorded events.
func (s *State) causes(t ledger.Type, month string, since uint64) []string {
	var out []string
	s.eachInMonth(month, func(rec *factRec) bool {
		f := s.fact(rec)
		if f == nil || f.Event.Type != t || (Month(&f.Event) != month && f.OriginalMonth != month) {
			return true
		}
		if f.Seq >= since {
			out = append(out, fmt.Sprintf("seq %d: new %s %s recorded after the publication", f.Seq, t, f.Event.ID))
		}
		for _, c := range f.Changes {
			if c.Seq < since {
				continue
			}
			if c.Retract {
				out = append(out, fmt.Sprintf("seq %d: retraction %s of %s: %s", c.Seq, c.ID, f.Event.ID, c.Reason))
			} else {
				out = append(out, fmt.Sprintf("seq %d: correction %s of %s (%v): %s", c.Seq, c.ID, f.Event.ID, c.Fields, c.Reason))
			}
		}
		return true
	})
	return out
}
