package monthly

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/xlsx"
)

// Summary is a month's Summary table as of one tree size: the figures of
// the workbook's Summary sheet, for a terminal or a script.
type Summary struct {
	Period        string
	Size          uint64
	Root          string // hex
	SuppressBelow int    // 0: nothing withheld
	Figures       projections.Summary
	Disclosure    projections.Disclosure
}

// NewSummary is the Summary table of month in st, whose tree root it reads
// from s, with figures of 1 to below-1 persons withheld.
func NewSummary(ctx context.Context, s ledger.Store, st *projections.State, month string, below int) (Summary, error) {
	root, err := ledger.TreeRoot(ctx, s, st.Size)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Period: month, Size: st.Size, Root: ledger.HashHex(root), SuppressBelow: below,
		Figures: st.MonthSummary(month), Disclosure: st.MonthDisclosure(month, below)}, nil
}

// WriteJSON writes the table with the format's codes for types. A withheld
// figure has no value (null) and says why ("primary", "secondary").
func (t Summary) WriteJSON(w io.Writer) error {
	type row struct {
		Type       ledger.Type `json:"type"`
		Events     *int        `json:"events"`
		Persons    *int64      `json:"persons"`
		Qualifier  string      `json:"qualifier,omitempty"`
		Suppressed string      `json:"suppressed,omitempty"`
	}
	out := struct {
		Period        string `json:"period"`
		TreeSize      uint64 `json:"tree_size"`
		RootHash      string `json:"root_hash"`
		SuppressBelow int    `json:"suppress_below,omitempty"`
		Rows          []row  `json:"rows"`
	}{t.Period, t.Size, t.Root, t.SuppressBelow, nil}
	for _, typ := range ledger.IncidentTypes {
		c := t.Figures[typ]
		switch t.Disclosure.Type(typ) {
		case projections.Primary:
			out.Rows = append(out.Rows, row{Type: typ, Suppressed: "primary"})
		case projections.Secondary:
			out.Rows = append(out.Rows, row{Type: typ, Suppressed: "secondary"})
		default:
			out.Rows = append(out.Rows, row{Type: typ, Events: &c.Events, Persons: &c.Persons, Qualifier: c.Qual()})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteText writes the table as aligned text with the workbook's words for
// types, a withheld figure as x.
func (t Summary) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%s as of tree size %d, root %s\n\n", t.Period, t.Size, t.Root)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Type\tEvents\tPersons\tQualifier\t")
	for _, typ := range ledger.IncidentTypes {
		if t.Disclosure.Type(typ).Suppressed() {
			fmt.Fprintf(tw, "%s\tx\tx\tx\t\n", xlsx.TypeLabel(typ))
			continue
		}
		c := t.Figures[typ]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", xlsx.TypeLabel(typ), c.Events, c.Persons, c.Qual())
	}
	return tw.Flush()
}
