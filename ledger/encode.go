package ledger

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSVWriter streams events as CSV rows under the header DecodeCSV reads.
// Cells a spreadsheet would run as a formula are neutralised (see Neutralize).
type CSVWriter struct {
	cw     *csv.Writer
	header bool
	row    []string
}

func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{cw: csv.NewWriter(w), row: make([]string, len(CSVColumns))}
}

func (ew *CSVWriter) Write(e *Event) error {
	if !ew.header {
		ew.header = true
		if err := ew.cw.Write(CSVColumns); err != nil {
			return err
		}
	}
	for j, col := range CSVColumns {
		ew.row[j] = Neutralize(csvCell(e, col))
	}
	return ew.cw.Write(ew.row)
}

func (ew *CSVWriter) Flush() error {
	if !ew.header {
		ew.header = true
		ew.cw.Write(CSVColumns)
	}
	ew.cw.Flush()
	return ew.cw.Error()
}

// Neutralize keeps a spreadsheet from reading a cell as a formula: OWASP's
// rule for CSV injection, a leading ' before =, +, -, @, tab or CR. A text
// that already starts with ' before such a character gets one more, so
// that Unneutralize can tell the two apart: statledger's own export imports
// back to the very same events.
func Neutralize(v string) string {
	if neutralized(v) || (v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0]))) {
		return "'" + v
	}
	return v
}

// neutralized reports whether v is what Neutralize makes of some text.
func neutralized(v string) bool {
	return len(v) >= 2 && v[0] == '\'' && (strings.ContainsRune("=+-@\t\r", rune(v[1])) || neutralized(v[1:]))
}

// Unneutralize undoes Neutralize.
func Unneutralize(v string) string {
	if neutralized(v) {
		return v[1:]
	}
	return v
}
