package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rezip gives the workbook back with its parts changed by edit: a part
// for which edit returns false is copied as it was.
func rezip(t *testing.T, book []byte, edit func(name string, w *zip.Writer) bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range zr.File {
		if edit(p.Name, zw) {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := p.Open()
		io.Copy(w, r)
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// sheetPath is where the workbook keeps the sheet.
func sheetPath(t *testing.T, book []byte, sheet string) string {
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, name := range f.GetSheetList() {
		if name == sheet {
			return fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		}
	}
	t.Fatalf("no sheet %s", sheet)
	return ""
}

// withRows gives the workbook with n rows of junk after the sheet's own.
func withRows(t *testing.T, book []byte, sheet string, n int) []byte {
	path := sheetPath(t, book, sheet)
	f, _ := excelize.OpenReader(bytes.NewReader(book))
	rows, _ := f.GetRows(sheet)
	f.Close()
	return rezip(t, book, func(name string, zw *zip.Writer) bool {
		if name != path {
			return false
		}
		w, _ := zw.Create(name)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		for r, cells := range rows {
			fmt.Fprintf(w, `<row r="%d">`, r+1)
			for c, v := range cells {
				var b strings.Builder
				xmlEscape(&b, v)
				fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, cell(c+1, r+1), b.String())
			}
			io.WriteString(w, `</row>`)
		}
		for r := len(rows) + 1; r <= len(rows)+n; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>junk %d</t></is></c></row>`, r, r, r)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
		return true
	})
}

func xmlEscape(b *strings.Builder, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	b.WriteString(r.Replace(s))
}

// allocated is what fn allocates, in bytes.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A workbook handed to an auditor may be built to exhaust the machine that
// checks it: it is read within bounds, and refused past them, before much
// is unzipped or held.
func TestHostileWorkbooksAreReadWithinBounds(t *testing.T) {
	book := build(t, input(state(t)))
	if _, err := ReadAudit(book); err != nil {
		t.Fatal(err)
	}

	// 150k rows after a genuine Audit sheet's: the sheet is not one
	// statledger writes, and is not read to its end to say so.
	long := withRows(t, book, SheetAudit, 150_000)
	var err error
	if n := allocated(func() { _, err = ReadAudit(long) }); err == nil || !strings.Contains(err.Error(), "not a statledger Audit sheet") || n > 40<<20 {
		t.Fatalf("ReadAudit of an Audit sheet with 150k more rows: allocated %d MB, %v", n>>20, err)
	}

	// A part that says it unzips to 1 GB, and one that is not a sheet but
	// unzips to 17 MB: refused from the zip's directory.
	for _, p := range []struct {
		name string
		size uint64
	}{{"xl/worksheets/sheet9.xml", 1 << 30}, {"xl/styles.xml", 17 << 20}} {
		big := rezip(t, book, func(name string, zw *zip.Writer) bool {
			// The sheet is added beside the content types; styles.xml replaced.
			if name != p.name && name != "[Content_Types].xml" {
				return false
			}
			w, _ := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, UncompressedSize64: p.size, CompressedSize64: 2})
			w.Write([]byte{3, 0}) // an empty deflate stream: the size is a lie
			return name == p.name
		})
		if _, err := ReadAudit(big); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), p.name) {
			t.Errorf("ReadAudit of a workbook whose %s unzips to %d MB: %v", p.name, p.size>>20, err)
		}
		if _, _, err := Diff(big, book); !errors.Is(err, ErrTooLarge) {
			t.Errorf("Diff of a workbook whose %s unzips to %d MB: %v", p.name, p.size>>20, err)
		}
	}
	if _, err := ReadAudit(make([]byte, MaxWorkbook+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAudit of %d bytes: %v", MaxWorkbook+1, err)
	}
}

// Diff reads both workbooks as streams: 150k differing rows are counted
// and the first MaxDiffsListed listed, and it finds what a comparison of
// every row in memory finds. (Measured with a sampler of HeapAlloc, too slow
// for a test: at 300k more rows its heap peaked 3 MB above where it began,
// the comparison in memory's 68 MB.)
func TestDiffIsBoundedAndExact(t *testing.T) {
	s := state(t)
	book := build(t, input(s))
	long := withRows(t, book, SheetEvents, 150_000)
	first, count, err := Diff(long, book)
	if err != nil || count < 150_000 || len(first) != MaxDiffsListed {
		t.Fatalf("Diff of 150k more rows: %d listed of %d, %v", len(first), count, err)
	}
	if d := first[0]; d.Sheet != SheetEvents || d.A == "" || d.B != "" {
		t.Fatalf("the first difference is %+v", d)
	}

	in := input(s)
	in.SuppressBelow = 25
	twin := build(t, in)
	for _, pair := range [][2][]byte{{book, twin}, {twin, book}, {long, twin}} {
		first, count, err := Diff(pair[0], pair[1])
		want := diffByGetRows(t, pair[0], pair[1])
		if err != nil || count != len(want) || fmt.Sprint(first) != fmt.Sprint(want[:min(len(want), MaxDiffsListed)]) {
			t.Fatalf("Diff found %d (%v), GetRows %d:\n%v\n%v", count, err, len(want), first[:min(5, len(first))], want[:min(5, len(want))])
		}
	}
}

// diffByGetRows is the comparison Diff made before it read sheets as
// streams: every row of both in memory.
func diffByGetRows(t *testing.T, a, b []byte) []CellDiff {
	fa, _ := excelize.OpenReader(bytes.NewReader(a))
	fb, _ := excelize.OpenReader(bytes.NewReader(b))
	defer fa.Close()
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
		for r := range max(len(ra), len(rb)) {
			x, y := at(ra, r), at(rb, r)
			for col := range max(len(x), len(y)) {
				if u, v := at(x, col), at(y, col); u != v {
					out = append(out, CellDiff{Sheet: sa, Cell: cell(col+1, r+1), A: u, B: v})
				}
			}
		}
	}
	return out
}

// Whatever bytes are handed over as a workbook, reading them back gives a
// workbook's audit or an error, never a panic. (Its seed is a whole
// workbook, and the engine minimizes each new input it finds, for minutes
// at no visible progress: -fuzzminimizetime 0 fuzzed 458k inputs in 90 s.)
func FuzzReadAudit(f *testing.F) {
	book := build(f, input(state(f)))
	f.Add(book)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if meta, err := ReadAudit(b); err == nil && meta[AuditTreeSize] == "" {
			t.Fatal("an audit without a tree size")
		}
		Diff(b, book)
	})
}
