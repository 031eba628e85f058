package xlsx

import (
	"bytes"

	"github.com/xuri/excelize/v2"
)

// ReadAudit reads back the Audit sheet of a workbook this package wrote:
// its values by label (AuditTreeSize, AuditSigned, …). An auditor's check
// starts here: the tree size and period to rebuild the workbook at, and the
// signed checkpoint it claims.
func ReadAudit(workbook []byte) (map[string]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(workbook))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := f.GetRows(SheetAudit)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			meta[r[0]] = r[1]
		}
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
	for _, sheet := range Sheets {
		ra, _ := fa.GetRows(sheet)
		rb, _ := fb.GetRows(sheet)
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
