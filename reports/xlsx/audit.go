package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/xuri/excelize/v2"
)

// A workbook read back comes from whoever handed it to the auditor, so it is
// opened within bounds: about five times the largest statledger writes (a
// month of 74k incidents, in a 10M-event bench ledger: 13 MB, 95 MB
// unzipped, its Events sheet 90 MB). excelize's own default lets 16 GB
// unzip; a 17 MB file of repeated rows took 63 s and 450 MB to be refused.
const (
	// MaxWorkbook is the largest workbook file read back, in bytes.
	MaxWorkbook = 64 << 20
	// maxUnzipped bounds all parts unzipped. excelize spills a sheet or the
	// shared strings past 16 MB to a temporary file and reads it as a stream.
	maxUnzipped = 512 << 20
	// maxPart bounds any other part, which excelize holds in memory.
	maxPart = 16 << 20
	// maxAuditRows: the Audit sheet has about a dozen.
	maxAuditRows = 200
	// MaxDiffsListed is how many differing cells Diff lists; it counts all.
	MaxDiffsListed = 100
)

// ErrTooLarge is the error of a workbook past the bounds above.
var ErrTooLarge = errors.New("it is larger than any workbook statledger writes")

func open(workbook []byte) (*excelize.File, error) {
	if len(workbook) > MaxWorkbook {
		return nil, fmt.Errorf("%w (more than %d MB)", ErrTooLarge, MaxWorkbook>>20)
	}
	z, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		return nil, fmt.Errorf("it is not a workbook (%v)", err)
	}
	var total uint64
	for _, p := range z.File {
		total += p.UncompressedSize64
		name := strings.ToLower(p.Name)
		streamed := strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml"
		if total > maxUnzipped || (!streamed && p.UncompressedSize64 > maxPart) {
			return nil, fmt.Errorf("%w (its part %s unzips to %d MB)", ErrTooLarge, ledger.Printable(p.Name, 60), p.UncompressedSize64>>20)
		}
	}
	return excelize.OpenReader(bytes.NewReader(workbook), excelize.Options{UnzipSizeLimit: maxUnzipped})
}

// eachRow calls fn with the number and cells of each row of the sheet that
// has a cell, in order, until fn returns false. It reads the sheet as a
// stream, as GetRows does but without holding its rows, and without
// dropping the error of a row it cannot read.
func eachRow(f *excelize.File, sheet string, fn func(n int, cells []string) bool) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return err
		}
		if len(cells) > 0 && !fn(n, cells) {
			return nil
		}
	}
	return rows.Error()
}

// ReadAudit reads back the Audit sheet of a workbook this package wrote
// (the last sheet, whatever its language calls it): its values by key
// (AuditTreeSize, AuditSigned, …; column C, or in a layout 1 workbook the
// label in column A). An auditor's check starts here: the tree size,
// period, layout and language to rebuild the workbook with, and the signed
// checkpoint it claims.
func ReadAudit(workbook []byte) (map[string]string, error) {
	f, err := open(workbook)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("no sheets")
	}
	meta := map[string]string{}
	long := false
	err = eachRow(f, sheets[len(sheets)-1], func(n int, r []string) bool {
		if n > maxAuditRows {
			long = true
			return false
		}
		switch {
		case len(r) >= 3 && r[2] != "":
			meta[r[2]] = r[1]
		case len(r) >= 2:
			meta[r[0]] = r[1]
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if long || meta[AuditTreeSize] == "" {
		return nil, fmt.Errorf("its last sheet is not a statledger Audit sheet")
	}
	return meta, nil
}

// CellDiff is one cell that differs between two workbooks.
type CellDiff struct {
	Sheet, Cell string // "Summary", "C9"
	A, B        string // the cell's text in each
}

// Diff compares two workbooks cell by cell, sheet by sheet in workbook
// order. It lists the first MaxDiffsListed cells that differ and counts
// them all. The sheets are read as streams, side by side, so a workbook of
// a month of 74k incidents is compared within a few MB.
func Diff(a, b []byte) (first []CellDiff, count int, err error) {
	fa, err := open(a)
	if err != nil {
		return nil, 0, err
	}
	defer fa.Close()
	fb, err := open(b)
	if err != nil {
		return nil, 0, err
	}
	defer fb.Close()
	differ := func(d CellDiff) {
		if count++; len(first) < MaxDiffsListed {
			first = append(first, d)
		}
	}
	la, lb := fa.GetSheetList(), fb.GetSheetList()
	for i := range max(len(la), len(lb)) {
		sa, sb := at(la, i), at(lb, i)
		if sa != sb {
			differ(CellDiff{Sheet: sa, Cell: "(sheet name)", A: sa, B: sb})
		}
		ra, rb := rowsOf(fa, sa), rowsOf(fb, sb)
		for {
			x, y := ra.n, rb.n
			if x == 0 && y == 0 {
				break
			}
			n := x
			if n == 0 || (y != 0 && y < n) {
				n = y
			}
			var u, v []string
			if x == n {
				u = ra.cells
				ra.next()
			}
			if y == n {
				v = rb.cells
				rb.next()
			}
			for col := range max(len(u), len(v)) {
				if p, q := at(u, col), at(v, col); p != q {
					differ(CellDiff{Sheet: sa, Cell: cell(col+1, n), A: p, B: q})
				}
			}
		}
		if err := errors.Join(ra.close(), rb.close()); err != nil {
			return first, count, fmt.Errorf("sheet %s: %w", ledger.Printable(sa, 60), err)
		}
	}
	return first, count, nil
}

// sheetRows steps through a sheet's rows that have a cell; n is 0 at its
// end (or for a sheet the workbook does not have).
type sheetRows struct {
	rows  *excelize.Rows
	n     int // the current row's number
	seen  int // rows stepped over, empty ones included
	cells []string
	err   error
}

func rowsOf(f *excelize.File, sheet string) *sheetRows {
	s := &sheetRows{}
	if sheet != "" {
		s.rows, s.err = f.Rows(sheet)
	}
	s.next()
	return s
}

func (s *sheetRows) next() {
	s.n, s.cells = 0, nil
	for s.rows != nil && s.err == nil && s.rows.Next() {
		s.seen++
		cells, err := s.rows.Columns()
		if err != nil {
			s.err = err
			return
		}
		if len(cells) > 0 {
			s.n, s.cells = s.seen, cells
			return
		}
	}
}

func (s *sheetRows) close() error {
	if s.rows == nil {
		return s.err
	}
	return errors.Join(s.err, s.rows.Close())
}

func at[T any](s []T, i int) T {
	var zero T
	if i < len(s) {
		return s[i]
	}
	return zero
}
