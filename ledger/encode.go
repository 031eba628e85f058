package ledger

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
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
	src := e.Source
	if src == nil {
		src = &Source{}
	}
	count := ""
	if e.Count != nil {
		count = strconv.FormatInt(*e.Count, 10)
	}
	changes := ""
	if e.Changes != nil {
		b, _ := json.Marshal(e.Changes)
		changes = string(b)
	}
	for j, col := range CSVColumns {
		var v string
		switch col {
		case "id":
			v = e.ID
		case "type":
			v = string(e.Type)
		case "date":
			v = e.Date
		case "date_precision":
			v = e.DatePrecision
		case "count":
			v = count
		case "count_qualifier":
			v = e.CountQualifier
		case "nationality":
			v = e.Nationality
		case "country":
			v = e.Country
		case "location":
			v = e.Location
		case "agencies":
			v = strings.Join(e.Agencies, ";")
		case "crime":
			v = e.Crime
		case "taskforce":
			v = e.Taskforce
		case "name":
			v = e.Name
		case "members":
			v = strings.Join(e.Members, ";")
		case "purpose":
			v = e.Purpose
		case "source_publisher":
			v = src.Publisher
		case "source_url":
			v = src.URL
		case "source_published":
			v = src.Published
		case "source_title":
			v = src.Title
		case "notes":
			v = e.Notes
		case "corrects":
			v = e.Corrects
		case "retracts":
			v = e.Retracts
		case "reason":
			v = e.Reason
		case "changes":
			v = changes
		}
		ew.row[j] = Neutralize(v)
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
