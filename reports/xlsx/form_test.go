package xlsx

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/statledger/statledger"
	"github.com/statledger/statledger/internal/clienttest"
	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/lang"
)

var update = flag.Bool("update", false, "rewrite the golden cell values of the demo workbook")

// demo is the workbook of the demo: the seed events (the 2025-10-28 Phnom
// Penh report) in October 2025, in language l.
func demo(t *testing.T, l lang.Lang) []byte {
	t.Helper()
	d, err := ledger.DecodeJSONL("seed.jsonl", bytes.NewReader(statledger.Seed))
	if err != nil || len(d.Errors) > 0 {
		t.Fatal(err, d.Errors)
	}
	s := projections.New()
	at := time.Date(2025, 10, 28, 9, 0, 0, 0, time.UTC)
	for _, e := range d.Events {
		s.Apply(ledger.NewRecorded(s.Size, at, "demo", e))
	}
	in := input(s)
	in.Origin = "statledger.local/demo"
	in.Lang = l
	return build(t, in)
}

// cells is every cell of a workbook as a person reads it, sheet by sheet.
func cells(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, s := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", s)
		rows, _ := f.GetRows(s)
		for i, r := range rows {
			if len(r) > 0 {
				fmt.Fprintf(&b, "%d: %s\n", i+1, strings.Join(r, " | "))
			}
		}
	}
	return b.String()
}

// The demo workbook's cells, in every language, are those of its golden
// file: a change of words or layout shows in the diff of a review.
func TestDemoWorkbookGolden(t *testing.T) {
	for _, code := range lang.Codes {
		l, _ := lang.Parse(code)
		got := cells(t, demo(t, l))
		path := filepath.Join("testdata", "demo-"+code+".txt")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./reports/xlsx -run Golden -update writes it)", err)
		}
		if got != string(want) {
			t.Errorf("the %s demo workbook differs from %s (go test ./reports/xlsx -run Golden -update rewrites it):\n%s", code, path, firstDiff(string(want), got))
		}
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		if at(la, i) != at(lb, i) {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, at(la, i), at(lb, i))
		}
	}
	return ""
}

// In Korean and Khmer the sheets and headers are in Hangul and Khmer
// script, and every figure is the English workbook's: the same numbers in
// the same cells.
func TestLanguagesHaveTheSameFigures(t *testing.T) {
	en := demo(t, lang.English)
	script := map[string]*regexp.Regexp{"ko": regexp.MustCompile(`\p{Hangul}`), "km": regexp.MustCompile(`\p{Khmer}`)}
	for _, code := range []string{"ko", "km"} {
		l, _ := lang.Parse(code)
		data := demo(t, l)
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range f.GetSheetList() {
			if !script[code].MatchString(s) {
				t.Errorf("%s: sheet %q is not in its script", code, s)
			}
		}
		sheets := f.GetSheetList()
		header, _ := f.GetRows(sheets[0])
		if !script[code].MatchString(strings.Join(header[SummaryHeaderRow-1], "")) {
			t.Errorf("%s: Summary header %q", code, header[SummaryHeaderRow-1])
		}
		if a, b := numbers(t, en), numbers(t, data); a != b {
			t.Errorf("%s: the figures differ from the English workbook's:\n%s", code, firstDiff(a, b))
		}
		f.Close()
	}
}

// numbers lists every numeric cell by sheet position and cell, with its
// value as stored.
func numbers(t *testing.T, data []byte) string {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for i, s := range f.GetSheetList() {
		rows, _ := f.GetRows(s, excelize.Options{RawCellValue: true})
		for r, row := range rows {
			for c, v := range row {
				at, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if typ, _ := f.GetCellType(s, at); typ == excelize.CellTypeNumber || (typ == excelize.CellTypeUnset && isNumber(v)) {
					fmt.Fprintf(&b, "%d!%s=%s\n", i, at, v)
				}
			}
		}
	}
	return b.String()
}

func isNumber(v string) bool { _, err := strconv.ParseFloat(v, 64); return err == nil }

// The demo workbook as LibreOffice prints it: at most 8 A4 pages, and its
// figures in words ("at least 61", "about 60"). Its Summary and Trend pages
// are rendered to PNG in the test's folder for a person to look at
// (STATLEDGER_KEEP=DIR keeps them there).
func TestDemoWorkbookPrints(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		clienttest.Missing(t, "the workbook printed by LibreOffice", "apt-get install -y libreoffice-calc-nogui")
	}
	pdfinfo, err := exec.LookPath("pdfinfo")
	if err != nil {
		clienttest.Missing(t, "the printed workbook's pages", "apt-get install -y poppler-utils")
	}
	if fonts, _ := exec.Command("fc-list").Output(); !bytes.Contains(fonts, []byte("Noto Sans CJK KR")) || !bytes.Contains(fonts, []byte("Khmer OS Siemreap")) {
		clienttest.Missing(t, "the workbook printed in the fonts the README names", "apt-get install -y fontconfig fonts-noto-cjk fonts-khmeros")
	}
	for _, code := range lang.Codes {
		l, _ := lang.Parse(code)
		dir := t.TempDir()
		if keep := os.Getenv("STATLEDGER_KEEP"); keep != "" {
			dir = keep
		}
		path := filepath.Join(dir, "demo-"+code+".xlsx")
		os.WriteFile(path, demo(t, l), 0o644)
		cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(t.TempDir(), "profile"), "--headless",
			"--convert-to", "pdf", "--outdir", dir, path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		pdf := strings.TrimSuffix(path, ".xlsx") + ".pdf"
		info, err := exec.Command(pdfinfo, pdf).Output()
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
		if m == nil {
			t.Fatalf("pdfinfo: %s", info)
		}
		pages, _ := strconv.Atoi(string(m[1]))
		if pages > 8 {
			t.Errorf("%s: the demo workbook prints on %d pages, want at most 8", code, pages)
		}
		if code == "km" {
			// pdftotext gives shaped Khmer back out of order (a subscript
			// before its base): the script is checked by its font instead.
			fonts, _ := exec.Command("pdffonts", pdf).Output()
			if !strings.Contains(string(fonts), "KhmerOS") {
				t.Errorf("km: the printed workbook embeds no Khmer font:\n%s", fonts)
			}
			continue
		}
		text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		footer := strings.NewReplacer("&P", "1", "&N", strconv.Itoa(pages)).Replace(l.S("page &P of &N"))
		for _, want := range []string{l.Persons(61, "at_least"), l.Persons(60, "approx"), footer} {
			if !strings.Contains(strings.ReplaceAll(string(text), " ", ""), strings.ReplaceAll(want, " ", "")) {
				t.Errorf("%s: the printed workbook has no %q", code, want)
			}
		}
		if os.Getenv("STATLEDGER_KEEP") != "" {
			exec.Command("pdftoppm", "-png", "-r", "60", pdf, strings.TrimSuffix(pdf, ".pdf")).Run()
		}
	}
}

// A sheet of one's own with some of the workbook's headers, in its
// language, is told the format's name of each; it is no Events sheet.
func TestWorkbookHeadersAreToldTheirColumns(t *testing.T) {
	ko, _ := lang.Parse("ko")
	var header []string
	for _, k := range []string{"Type", "Date", "Persons", "Nationality code", "Country code", "Source"} {
		header = append(header, ko.S(k))
	}
	in := strings.Join(header, ",") + "\narrest,2025-10-01,3,KR,KH,Yonhap\n"
	d, err := ledger.ScanCSV("mine.csv", strings.NewReader(in), func(int, ledger.Event) {})
	if err != nil || len(d.Errors) < 6 {
		t.Fatalf("%v %v", d.Errors, err)
	}
	for i, col := range []string{"type", "date", "count", "nationality", "country", "source_publisher"} {
		if e := d.Errors[i]; e.Field != header[i] || !strings.HasSuffix(e.Msg, "did you mean "+col+"?") {
			t.Errorf("%s: %v", header[i], e)
		}
	}
}

// The Events sheet of a workbook, saved as CSV and imported back (an
// official's way to change a figure), is told what it is in one line, in
// whatever language the workbook speaks, not a column name at a time.
func TestEventsSheetImportedBackIsToldWhatItIs(t *testing.T) {
	for _, code := range lang.Codes {
		l, _ := lang.Parse(code)
		f, err := excelize.OpenReader(bytes.NewReader(demo(t, l)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetList()[3])
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: the Events sheet: %v %v", code, rows, err)
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.WriteAll(rows)
		d, err := ledger.ScanCSV("events.csv", &b, func(int, ledger.Event) {})
		if err != nil || len(d.Errors) != 1 || d.Errors[0].Line != 1 || !strings.Contains(d.Errors[0].Msg, "this is the Events sheet of a statledger workbook") {
			t.Errorf("%s: %v %v", code, d.Errors, err)
		}
	}
}
