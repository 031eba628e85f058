package monthly

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/lang"
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

// WriteText writes the table as the workbook's Summary sheet has it, in
// its language: its title and the tree it is of, then for each type the
// incidents and the persons in words ("about 60"), a withheld figure as x,
// and, if there is one, what x means. Columns are aligned by the width a terminal gives each
// character (lang.Width): a Hangul syllable takes two.
func (t Summary) WriteText(w io.Writer, l lang.Lang) error {
	head := [][]string{
		{l.S("As of tree size"), strconv.FormatUint(t.Size, 10)},
		{l.S("Root hash"), t.Root},
	}
	rows := [][]string{{l.S("Type"), l.S("Incidents"), l.S("Persons")}}
	withheld := false
	for _, typ := range ledger.IncidentTypes {
		if t.Disclosure.Type(typ).Suppressed() {
			rows = append(rows, []string{l.Type(typ), "x", "x"})
			withheld = true
			continue
		}
		c := t.Figures[typ]
		rows = append(rows, []string{l.Type(typ), l.Number(int64(c.Events)), l.Persons(c.Persons, c.Qual())})
	}
	var b strings.Builder
	b.WriteString(l.S("Monthly statistics, %s", l.Month(t.Period)) + "\n")
	table(&b, head, false)
	b.WriteString("\n")
	table(&b, rows, true)
	if withheld {
		b.WriteString("\n" + l.S("x: withheld, a count of 1 to %[1]s persons, or a figure from which one could be worked out (disclosure control, threshold %[2]s).", t.SuppressBelow-1, t.SuppressBelow) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// table writes rows in columns two spaces apart; with figures, every
// column but the first is aligned to the right.
func table(b *strings.Builder, rows [][]string, figures bool) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], lang.Width(cell))
		}
	}
	for _, r := range rows {
		line := ""
		for i, cell := range r {
			pad := strings.Repeat(" ", widths[i]-lang.Width(cell))
			switch {
			case i == 0:
				line += cell + pad
			case figures:
				line += "  " + pad + cell
			default:
				line += "  " + cell + pad
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}
