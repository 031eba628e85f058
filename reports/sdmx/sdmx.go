// Package sdmx writes a ledger's monthly figures as SDMX-CSV 2.0, the
// plain-text form of SDMX that statistics offices exchange. One row is one
// observation; the data structure is described in README.md beside this
// file. Like the other reports it reads only projections, and the same
// ledger prefix gives the same bytes.
package sdmx

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// StructureID names the dataflow every row belongs to: agency STATLEDGER,
// dataflow DF_ENFORCEMENT, version 1.0.
const StructureID = "STATLEDGER:DF_ENFORCEMENT(1.0)"

// Total is SDMX's code for "all" in a dimension.
const Total = "_T"

// Header is the file's first row: the SDMX-CSV 2.0 columns, the dimensions,
// the measure, the observation attributes, then the dataset attributes.
var Header = []string{"STRUCTURE", "STRUCTURE_ID", "ACTION",
	"FREQ", "TIME_PERIOD", "REF_AREA", "NATIONALITY", "INCIDENT_TYPE", "MEASURE",
	"OBS_VALUE", "OBS_STATUS", "COUNT_QUALIFIER", "CONF_STATUS",
	"TREE_SIZE", "ROOT_HASH"}

// Input is what the file holds: the months From..To of State (either left
// empty: the month of its earliest or latest incident), with the
// suppression threshold SuppressBelow (0: none), and the tree size and
// root the state is of.
type Input struct {
	State         *projections.State
	From, To      string // YYYY-MM
	SuppressBelow int
	Root          string // hex
}

// IncidentType is the code of an incident type.
func IncidentType(t ledger.Type) string { return strings.ToUpper(string(t)) }

// obsStatus codes a qualifier: A (normal) for an exact count, E (estimated)
// for any other, whose kind COUNT_QUALIFIER gives: SDMX's CL_OBS_STATUS has
// no code for a lower or an upper bound.
func obsStatus(q string) string {
	if q == "exact" {
		return "A"
	}
	return "E"
}

// Write writes the file.
func Write(w io.Writer, in Input) error {
	from, to, err := in.State.Span(in.From, in.To)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	size := fmt.Sprint(in.State.Size)
	row := func(month, area, nat string, t ledger.Type, c projections.Cell, st projections.Status) error {
		for _, m := range []struct {
			measure, value, status, qual string
		}{
			{"PERSONS", fmt.Sprint(c.Persons), obsStatus(c.Qual()), strings.ToUpper(c.Qual())},
			{"EVENTS", fmt.Sprint(c.Events), "A", "EXACT"},
		} {
			if st.Suppressed() {
				m.value, m.status, m.qual = "", "", ""
			}
			if err := cw.Write([]string{"dataflow", StructureID, "I", "M", month, area, nat, IncidentType(t), m.measure,
				m.value, m.status, m.qual, string(st), size, in.Root}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, month := range projections.MonthRange(from, to) {
		d := in.State.MonthDisclosure(month, in.SuppressBelow)
		sum := in.State.MonthSummary(month)
		for _, t := range ledger.IncidentTypes {
			if err := row(month, Total, Total, t, sum[t], d.Type(t)); err != nil {
				return err
			}
		}
		byNat := in.State.ByNationality(month)
		for _, k := range byNat.Keys() {
			for _, t := range ledger.IncidentTypes {
				if err := row(month, Total, k, t, byNat[k][t], d.Nationality(k, t)); err != nil {
					return err
				}
			}
		}
		byCountry := in.State.ByCountry(month)
		for _, k := range byCountry.Keys() {
			for _, t := range ledger.IncidentTypes {
				if err := row(month, k, Total, t, byCountry[k][t], d.Country(k, t)); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
