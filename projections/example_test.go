package projections_test

import (
	"fmt"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// A projection folds recorded events into the figures a report shows, at the
// head or as of any earlier tree size: here the seed report's arrests and a
// correction of them.
func Example() {
	at := time.Date(2025, 10, 28, 9, 0, 0, 0, time.UTC)
	n := func(v int64) *int64 { return &v }
	arrest := ledger.Event{Type: ledger.Arrest, Date: "2025-10-20", DatePrecision: "week", Count: n(60), CountQualifier: "approx",
		Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "Phnom Penh news report"}}
	ledger.Normalize(&arrest)
	correction := ledger.Event{Type: ledger.Correction, Corrects: arrest.ID, Reason: "ministry list of 2025-10-30",
		Changes: &ledger.Changes{Count: n(64), CountQualifier: new("exact")}}
	ledger.Normalize(&correction)

	st := projections.New()
	st.Apply(ledger.NewRecorded(0, at, "registrar", arrest))
	st.Apply(ledger.NewRecorded(1, at, "registrar", correction))

	now, then := st.MonthSummary("2025-10")[ledger.Arrest], st.At(1).MonthSummary("2025-10")[ledger.Arrest]
	fmt.Printf("as of size 1: %d persons, %s\n", then.Persons, then.Qual())
	fmt.Printf("as of size 2: %d persons, %s\n", now.Persons, now.Qual())
	// Output:
	// as of size 1: 60 persons, approx
	// as of size 2: 64 persons, exact
}
