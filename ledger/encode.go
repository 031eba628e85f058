package ledger

import (
	"bufio"
	"context"
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

// An EventWriter writes events in the interchange format, JSONL or CSV
// (for spreadsheets: it starts with a UTF-8 byte-order mark), buffered:
// Flush at the end.
type EventWriter struct {
	buf *bufio.Writer
	csv *CSVWriter
	N   int // events written
}

// NewEventWriter writes format ("jsonl" or "csv") to w.
func NewEventWriter(w io.Writer, format string) (*EventWriter, error) {
	ew := &EventWriter{buf: bufio.NewWriterSize(w, 256<<10)}
	switch format {
	case "csv":
		// Excel reads a CSV file without a byte-order mark in the
		// computer's own code page (CP949 on a Korean Windows), and
		// Korean and Khmer come out garbled; its own "CSV UTF-8" starts
		// with one, and every decoder here skips it.
		ew.buf.WriteString("\uFEFF")
		ew.csv = NewCSVWriter(ew.buf)
	case "jsonl":
	default:
		return nil, KindErrorf(CodeInput, ErrInputFormat, "format %q: use jsonl or csv", format)
	}
	return ew, nil
}

func (ew *EventWriter) Write(e *Event) error {
	ew.N++
	if ew.csv != nil {
		return ew.csv.Write(e)
	}
	ew.buf.Write(e.Canonical())
	return ew.buf.WriteByte('\n')
}

func (ew *EventWriter) Flush() error {
	if ew.csv != nil {
		if err := ew.csv.Flush(); err != nil {
			return err
		}
	}
	return ew.buf.Flush()
}

// Export writes every event of the prefix of s that a selects, as recorded
// and in ledger order, but publications (report_published), which belong
// to this ledger only: imported into an empty ledger, the export gives the
// same ids and figures. Events are written as they are read, so an export
// of any ledger runs in constant memory. progress, when set, is told how
// far it has come every 16k events.
func Export(ctx context.Context, s Store, a AsOf, w *EventWriter, progress func(done, total uint64)) error {
	head, err := s.Head(ctx)
	if err != nil {
		return err
	}
	total := head.Size
	if a.Size != nil {
		total = min(total, *a.Size)
	}
	_, err = ReadAsOf(ctx, s, a, 0, func(r Recorded) error {
		if progress != nil && (r.Seq+1)%(16<<10) == 0 {
			progress(r.Seq+1, total)
		}
		if r.Event.Type == ReportPublished {
			return nil
		}
		return w.Write(&r.Event)
	})
	if err == nil && progress != nil && total > 16<<10 {
		progress(total, total)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}
