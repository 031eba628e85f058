package xlsx

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// ReadAudit reads back the Audit sheet of a workbook this package wrote
// (the last sheet, whatever its language calls it): its values by key
// (AuditTreeSize, AuditSigned, …; column C, or in a layout 1 workbook the
// label in column A). An auditor's check starts here: the tree size,
// period, layout and language to rebuild the workbook with, and the signed
// checkpoint it claims.
func ReadAudit(workbook []byte) (map[string]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(workbook))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("no sheets")
	}
	rows, err := f.GetRows(sheets[len(sheets)-1])
	if err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for _, r := range rows {
		switch {
		case len(r) >= 3 && r[2] != "":
			meta[r[2]] = r[1]
		case len(r) >= 2:
			meta[r[0]] = r[1]
		}
	}
	if meta[AuditTreeSize] == "" {
		return nil, fmt.Errorf("its last sheet is not a statledger Audit sheet")
	}
	return meta, nil
}

// CellDiff is one cell that differs between two workbooks.
type CellDiff struct {
	Sheet, Cell string // "Summary", "C9"
	A, B        string // the cell's text in each
}

// Diff compares two workbooks cell by cell, sheet by sheet in workbook order.
func Diff(a, b []byte) ([]CellDiff, error) {
	fa, err := excelize.OpenReader(bytes.NewReader(a))
	if err != nil {
		return nil, err
	}
	defer fa.Close()
	fb, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer fb.Close()
	var out []CellDiff
	la, lb := fa.GetSheetList(), fb.GetSheetList()
	for i := range max(len(la), len(lb)) {
		sa, sb := at(la, i), at(lb, i)
		if sa != sb {
			out = append(out, CellDiff{Sheet: sa, Cell: "(sheet name)", A: sa, B: sb})
		}
		ra, _ := fa.GetRows(sa)
		rb, _ := fb.GetRows(sb)
		sheet := sa
		for r := range max(len(ra), len(rb)) {
			x, y := at(ra, r), at(rb, r)
			for col := range max(len(x), len(y)) {
				if u, v := at(x, col), at(y, col); u != v {
					out = append(out, CellDiff{Sheet: sheet, Cell: cell(col+1, r+1), A: u, B: v})
				}
			}
		}
	}
	return out, nil
}

func at[T any](s []T, i int) T {
	var zero T
	if i < len(s) {
		return s[i]
	}
	return zero
}
