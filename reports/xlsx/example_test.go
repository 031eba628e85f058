package xlsx_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/xlsx"
)

// The monthly workbook is written from a projection; its Audit sheet says
// what it was built from, which is how verify --report rebuilds it.
func Example() {
	n := int64(61)
	e := ledger.Event{Type: ledger.Repatriation, Date: "2025-10-01", Count: &n, CountQualifier: "at_least",
		Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "Phnom Penh news report"}}
	ledger.Normalize(&e)
	st := projections.New()
	st.Apply(ledger.NewRecorded(0, time.Date(2025, 10, 28, 9, 0, 0, 0, time.UTC), "registrar", e))

	var b bytes.Buffer
	err := xlsx.Write(&b, xlsx.Input{State: st, Month: "2025-10", Origin: "example.org/ledger", Root: "…",
		Checkpoint: "example.org/ledger\n1\n…\n", VerifierKey: "example.org/ledger+…", Version: "example", AsOf: "latest"})
	if err != nil {
		panic(err)
	}
	audit, _ := xlsx.ReadAudit(b.Bytes())
	fmt.Println(audit["Period"], "as of tree size", audit[xlsx.AuditTreeSize])
	// Output: 2025-10 as of tree size 1
}
