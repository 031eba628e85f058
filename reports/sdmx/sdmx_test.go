package sdmx_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/sdmx"
)

func incident(t ledger.Type, date string, n int64, nat, country string) ledger.Event {
	e := ledger.Event{Type: t, Date: date, Count: &n, CountQualifier: "exact", Nationality: nat, Country: country,
		Source: &ledger.Source{Publisher: "p"}, Notes: fmt.Sprint(t, date, n)}
	ledger.Normalize(&e)
	return e
}

// The file spans the incidents' months unless told otherwise, one row per
// measure of each type's total, nationality and country, each carrying the
// tree size and root; a small figure is withheld with its status, and a
// span that ends before it starts is refused.
func TestWrite(t *testing.T) {
	st := projections.New()
	at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, e := range []ledger.Event{
		incident(ledger.Arrest, "2025-08-20", 3, "KR", "KH"),
		incident(ledger.Rescue, "2025-10-02", 12, "KR", "KH"),
		incident(ledger.Rescue, "2025-10-09", 40, "CN", "KH"),
	} {
		st.Apply(ledger.NewRecorded(uint64(i), at, "t", e))
	}
	rows := func(in sdmx.Input) [][]string {
		t.Helper()
		in.State, in.Root = st, "ab12"
		var b bytes.Buffer
		if err := sdmx.Write(&b, in); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil || !slices.Equal(recs[0], sdmx.Header) {
			t.Fatalf("%v %v", err, recs[:1])
		}
		return recs[1:]
	}
	col := func(name string) int { return slices.Index(sdmx.Header, name) }
	find := func(recs [][]string, month, area, nat string, typ ledger.Type, measure string) []string {
		t.Helper()
		for _, r := range recs {
			if r[col("TIME_PERIOD")] == month && r[col("REF_AREA")] == area && r[col("NATIONALITY")] == nat &&
				r[col("INCIDENT_TYPE")] == sdmx.IncidentType(typ) && r[col("MEASURE")] == measure {
				return r
			}
		}
		t.Fatalf("no row %s %s %s %s %s", month, area, nat, typ, measure)
		return nil
	}
	all := rows(sdmx.Input{})
	var months []string
	for _, r := range all {
		if m := r[col("TIME_PERIOD")]; !slices.Contains(months, m) {
			months = append(months, m)
		}
		if r[col("TREE_SIZE")] != "3" || r[col("ROOT_HASH")] != "ab12" || r[col("STRUCTURE_ID")] != sdmx.StructureID {
			t.Fatalf("row %v", r)
		}
	}
	if !slices.Equal(months, []string{"2025-08", "2025-09", "2025-10"}) {
		t.Fatalf("months %v", months)
	}
	if r := find(all, "2025-10", sdmx.Total, sdmx.Total, ledger.Rescue, "PERSONS"); r[col("OBS_VALUE")] != "52" || r[col("OBS_STATUS")] != "A" {
		t.Errorf("October's rescues: %v", r)
	}
	if r := find(all, "2025-10", sdmx.Total, "CN", ledger.Rescue, "EVENTS"); r[col("OBS_VALUE")] != "1" {
		t.Errorf("October's rescues of CN nationals: %v", r)
	}
	if r := find(all, "2025-10", "KH", sdmx.Total, ledger.Rescue, "PERSONS"); r[col("OBS_VALUE")] != "52" {
		t.Errorf("October's rescues in KH: %v", r)
	}
	sup := rows(sdmx.Input{From: "2025-08", To: "2025-08", SuppressBelow: 5})
	r := find(sup, "2025-08", sdmx.Total, "KR", ledger.Arrest, "PERSONS")
	if r[col("OBS_VALUE")] != "" || r[col("OBS_STATUS")] != "" || r[col("CONF_STATUS")] != string(projections.Primary) {
		t.Errorf("3 persons with --suppress-below 5: %v", r)
	}
	for _, r := range sup {
		if r[col("TIME_PERIOD")] != "2025-08" {
			t.Fatalf("a row outside 2025-08: %v", r)
		}
	}
	if err := sdmx.Write(&bytes.Buffer{}, sdmx.Input{State: st, From: "2025-10", To: "2025-08"}); ledger.CodeOf(err) != ledger.CodeInput {
		t.Errorf("a span backwards: %v", err)
	}
}
