package projections

import (
	"testing"

	"github.com/statledger/statledger/ledger"
)

// A new incident of the same day, nationality, country, place and source as
// an earlier one is found with it; one of another day, or an earlier
// incident corrected away from that day, or retracted, is not; nor are two
// new ones with each other. Past the limit nothing is compared.
func TestResent(t *testing.T) {
	old := incident(ledger.Arrest, "2025-10-20", 60, "approx")
	other := incident(ledger.Arrest, "2025-10-21", 5, "exact")
	moved := incident(ledger.Rescue, "2025-10-05", 12, "exact")
	gone := incident(ledger.Death, "2025-10-07", 1, "exact")
	newDay := "2025-10-06"
	move := ledger.Event{Type: ledger.Correction, Corrects: moved.ID, Changes: &ledger.Changes{Date: &newDay}, Reason: "r"}
	ledger.Normalize(&move)
	retract := ledger.Event{Type: ledger.Retraction, Retracts: gone.ID, Reason: "r"}
	ledger.Normalize(&retract)

	resent := incident(ledger.Arrest, "2025-10-20", 64, "exact")    // old, its figure changed
	elsewhere := incident(ledger.Arrest, "2025-10-22", 64, "exact") // no earlier one that day
	again := incident(ledger.Rescue, "2025-10-05", 13, "exact")     // the day moved's correction left
	alsoGone := incident(ledger.Death, "2025-10-07", 2, "exact")    // of a retracted one
	twin := incident(ledger.Arrest, "2025-10-22", 65, "exact")      // elsewhere's twin, both new
	s := fold(old, other, moved, gone, move, retract, resent, elsewhere, again, alsoGone, twin)
	var news []string
	for _, e := range []ledger.Event{resent, elsewhere, again, alsoGone, twin} {
		news = append(news, e.ID)
	}

	found, compared, err := s.Resent(news, 1000)
	if err != nil || !compared || len(found) != 1 || found[0].New.ID != resent.ID || found[0].Old.Event.ID != old.ID {
		t.Fatalf("Resent = %+v, compared %v, %v", found, compared, err)
	}
	if found, compared, err := s.Resent(news, 5); err != nil || compared || found != nil {
		t.Fatalf("past the limit: %+v, compared %v, %v", found, compared, err)
	}
}
