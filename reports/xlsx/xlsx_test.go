package xlsx

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/lang"

	"github.com/statledger/statledger/internal/clienttest"
)

var hostile = []string{
	`=HYPERLINK("http://evil.example/x","click")`,
	`+1+1`, `-2+3`, `@SUM(A1:A2)`,
	`</t><script>alert(1)</script>`,
	`ភ្នំពេញ 프놈펜 "quoted" 'single'`,
}

func state(t testing.TB) *projections.State {
	t.Helper()
	at := time.Date(2025, 10, 30, 8, 0, 0, 0, time.UTC)
	s := projections.New()
	add := func(e ledger.Event) {
		ledger.Normalize(&e)
		if errs := ledger.Validate(&e); len(errs) > 0 {
			t.Fatalf("test event invalid: %v", errs)
		}
		s.Apply(ledger.NewRecorded(s.Size, at, "t", e))
	}
	n := func(v int64) *int64 { return &v }
	add(ledger.Event{Type: ledger.Arrest, Date: "2025-10-20", DatePrecision: "week", Count: n(60), CountQualifier: "approx", Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "p"}})
	add(ledger.Event{Type: ledger.Repatriation, Date: "2025-10-01", Count: n(61), CountQualifier: "at_least", Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "p"}})
	for i, h := range hostile {
		add(ledger.Event{Type: ledger.Rescue, Date: "2025-10-05", Count: n(int64(i + 1)), Nationality: "CN", Country: "KH", Location: h, Notes: h + "\nline two", Source: &ledger.Source{Publisher: h}})
	}
	add(ledger.Event{Type: ledger.TaskforceAnnounced, Taskforce: "kh-kr-jwg", Name: "Cambodia–Korea joint ad-hoc working group", Members: []string{"KH", "KR"}, Date: "2025-10-27"})
	return s
}

func build(t testing.TB, in Input) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func input(s *projections.State) Input {
	return Input{State: s, Month: "2025-10", Origin: "statledger.local/test", Root: strings.Repeat("ab", 32),
		Checkpoint: "statledger.local/test\n9\nq83vq83vq83vq83vq83vq83vq83vq83vq83vq83vq80=\n", VerifierKey: "statledger.local/test+1234abcd+AQ", Version: "test", AsOf: "latest"}
}

func TestWorkbookReopens(t *testing.T) {
	data := build(t, input(state(t)))
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != strings.Join(Sheets, "|") {
		t.Fatalf("sheets = %s", got)
	}
	rows, _ := f.GetRows(SheetSummary)
	if got := strings.Join(rows[SummaryHeaderRow-1], " | "); got != "Type | Incidents | Persons" {
		t.Fatalf("summary header = %q", got)
	}
	// Figures as a person writes them; the cells stay numbers.
	want := [][]string{{"Arrests", "1", "about 60"}, {"Repatriations", "1", "at least 61"},
		{"Rescues", "6", "21"}, {"Deaths", "0", "0"}, {"Deportations", "0", "0"}}
	for i, w := range want {
		if got := strings.Join(rows[SummaryHeaderRow+i], "|"); got != strings.Join(w, "|") {
			t.Errorf("summary row %d = %s, want %s", i, got, strings.Join(w, "|"))
		}
	}
	if typ, _ := f.GetCellType(SheetSummary, "C9"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("persons cell type = %v", typ)
	}
	if raw, _ := f.GetCellValue(SheetSummary, "C9", excelize.Options{RawCellValue: true}); raw != "60" {
		t.Errorf("the persons cell holds %q, want the number 60", raw)
	}
	// No column is sized by a hash: the title block shows a short root.
	if root, _ := f.GetCellValue(SheetSummary, "B5"); len(root) > 20 {
		t.Errorf("the Summary shows the root %q in full", root)
	}
	// Every hostile string is text, exactly as recorded, never a formula.
	events, _ := f.GetRows(SheetEvents)
	if got := strings.Join(events[0][:4], "|"); got != "Type|Date|Persons|Nationality" {
		t.Errorf("the Events sheet starts with %q: the human columns come first", got)
	}
	found := 0
	for r, row := range events {
		if len(row) > 7 && row[0] == "Rescues" {
			cellName, _ := excelize.CoordinatesToCellName(8, r+1)
			if formula, _ := f.GetCellFormula(SheetEvents, cellName); formula != "" {
				t.Errorf("%s became a formula %q", cellName, formula)
			}
			for _, h := range hostile {
				if row[7] == h {
					found++
				}
			}
		}
		if len(row) > 1 && row[0] == "Arrests" && row[1] != "week of 20 October 2025" {
			t.Errorf("the arrest's date reads %q", row[1])
		}
	}
	if found != len(hostile) {
		t.Errorf("found %d of %d hostile locations intact as text", found, len(hostile))
	}
	nat, _ := f.GetRows(SheetNationality)
	if nat[8][0] != "China" || nat[8][1] != "CN" || nat[9][0] != "South Korea" || len(nat[7]) != 7 {
		t.Errorf("by nationality rows = %v (header %v: no total of different types)", nat[8:], nat[7])
	}
	tf, _ := f.GetRows(SheetTaskforces)
	if tf[8][0] != "Cambodia–Korea joint ad-hoc working group" || tf[8][3] != "announced" || tf[8][1] != "Cambodia; South Korea" {
		t.Errorf("task forces = %v", tf[8])
	}
	trend, _ := f.GetRows(SheetTrend)
	if len(trend) != 8+12 || trend[8+11][0] != "October 2025" || trend[8][0] != "November 2024" {
		t.Errorf("trend months = %d rows, %v … %v", len(trend), trend[8], trend[len(trend)-1])
	}
	props, _ := f.GetDocProps()
	if props.Created != "2025-10-30T08:00:00Z" {
		t.Errorf("document date %q is not the ledger's last recorded_at", props.Created)
	}
}

func TestWorkbookIsDeterministic(t *testing.T) {
	a := build(t, input(state(t)))
	b := build(t, input(state(t)))
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same ledger prefix differ")
	}
}

// revised is the test workbook after a publication and a correction of the
// Korean arrests from about 60 to 64.
func revised(t *testing.T, l lang.Lang) []byte {
	pub := state(t)
	now := state(t)
	arrest := now.Incidents("2025-10")[0]
	n := int64(64)
	exact := "exact"
	now.Apply(ledger.NewRecorded(now.Size, now.LastRecordedAt, "t", ledger.Event{ID: "6f1c5a0e-3d0b-5b8e-9a57-5e9d2f0c7a42", Type: ledger.Correction, Corrects: arrest.Event.ID, Changes: &ledger.Changes{Count: &n, CountQualifier: &exact}, Reason: "ministry list"}))
	in := input(now)
	in.Lang = l
	in.Published = pub
	sz := pub.Size
	in.Publication = projections.Publication{Seq: 99, RecordedAt: time.Date(2025, 10, 31, 9, 0, 0, 0, time.UTC), Event: ledger.Event{Type: ledger.ReportPublished, Report: "monthly", Period: "2025-10", TreeSize: &sz, RootHash: strings.Repeat("0", 64), FileName: "oct.xlsx", FileSHA256: strings.Repeat("1", 64)}}
	return build(t, in)
}

// After a publication and a correction, every figure that differs from it
// is flagged r, on every sheet that shows it, with a comment that names the
// old value, the publication and the correction; the Revisions sheet says
// field: old → new in words.
func TestRevisedFiguresAreMarkedEverywhere(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(revised(t, lang.English)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct{ sheet, cell, shows string }{
		{SheetSummary, "C9", "64 r"},
		{SheetNationality, "C10", "64 r"}, // KR's arrests (CN comes first)
		{SheetCountry, "C9", "64 r"},      // KH's arrests
		{SheetTrend, "B20", "64 r"},       // October's arrests
		{SheetEvents, "C2", "64 r"},       // the arrest itself
	} {
		if got, _ := f.GetCellValue(tc.sheet, tc.cell); got != tc.shows {
			t.Errorf("%s!%s shows %q, want %q", tc.sheet, tc.cell, got, tc.shows)
		}
		comments, _ := f.GetComments(tc.sheet)
		var text string
		for _, c := range comments {
			if c.Cell == tc.cell {
				for _, p := range c.Paragraph {
					text += p.Text
				}
			}
		}
		for _, want := range []string{"was about 60 in the report published at tree size 9 on 31 October 2025, now 64", "correction 6f1c5a0e", "count: about 60 → 64", "ministry list"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s!%s's comment %q lacks %q", tc.sheet, tc.cell, text, want)
			}
		}
	}
	ev, _ := f.GetRows(SheetEvents)
	if !strings.Contains(ev[1][15], "count: about 60 → 64") || !strings.Contains(ev[1][15], "ministry list") {
		t.Errorf("the Events sheet's corrections read %q: they give the old value", ev[1][15])
	}
	rev, _ := f.GetRows(SheetRevisions)
	if len(rev) < 9 || rev[8][0] != "Summary" || rev[8][2] != "about 60" || rev[8][3] != "64" || !strings.Contains(rev[8][4], "count: about 60 → 64") {
		t.Fatalf("revisions sheet = %q", rev)
	}
	if strings.Contains(fmt.Sprint(rev), "[count") {
		t.Error("the Revisions sheet speaks Go")
	}
}

// TestLibreOfficeReadsEverySheet converts the workbook with LibreOffice, as a
// person's spreadsheet program would open it, and checks the Summary figures.
func TestLibreOfficeReadsEverySheet(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		clienttest.Missing(t, "the workbook reopened by LibreOffice", "apt-get install -y libreoffice-calc-nogui")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	os.WriteFile(path, build(t, input(state(t))), 0o644)
	// Filter options: comma, quote, UTF-8, from line 1, …, cells as shown, …,
	// sheet -1 = every sheet to its own file.
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1`, "--outdir", dir, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, s := range Sheets {
		if _, err := os.Stat(filepath.Join(dir, "report-"+s+".csv")); err != nil {
			t.Errorf("LibreOffice did not produce sheet %s: %v", s, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report-Summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[SummaryHeaderRow][:3], "|"); got != "Arrests|1|about 60" {
		t.Fatalf("LibreOffice reads the first Summary row as %q", got)
	}
}

// With a threshold, every sheet that shows a figure the pattern withholds
// reads "x" there, the figures it publishes are those of the workbook
// without a threshold, the incident list is withheld whole, and the Audit
// sheet records the threshold.
func TestSuppressedWorkbook(t *testing.T) {
	s := state(t)
	plain := input(s)
	sup := input(s)
	sup.SuppressBelow = 25 // CN's 21 rescued are withheld, and what would reveal them
	open := func(data []byte) *excelize.File {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(build(t, plain)), open(build(t, sup))
	d := s.MonthDisclosure("2025-10", 25)
	if d.Nationality("CN", ledger.Rescue) != projections.Primary {
		t.Fatal("the test month has no primary suppression")
	}
	withheld := 0
	for _, sheet := range []string{SheetSummary, SheetNationality, SheetCountry, SheetTrend} {
		ra, _ := a.GetRows(sheet)
		rb, _ := b.GetRows(sheet)
		for r := range min(len(ra), len(rb)) {
			for c := range min(len(ra[r]), len(rb[r])) {
				x, y := ra[r][c], rb[r][c]
				switch {
				case y == "x":
					withheld++
				case r < 8: // title rows and notes
				case x != y:
					t.Errorf("%s row %d col %d: %q without a threshold, %q with one", sheet, r+1, c+1, x, y)
				}
			}
		}
	}
	rows, _ := b.GetRows(SheetNationality)
	for _, row := range rows[8:] {
		if len(row) < 7 {
			continue // a note
		}
		if row[1] == "CN" && row[4] != "x" {
			t.Errorf("CN's rescues are not withheld: %q", row)
		}
		for _, v := range row[2:] {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 && n < 25 {
				t.Errorf("a figure of %d persons published under threshold 25: %q", n, row)
			}
		}
	}
	sum, _ := b.GetRows(SheetSummary)
	if got := strings.Join(sum[SummaryHeaderRow+2], "|"); got != "Rescues|x|x" {
		t.Errorf("the Summary's rescues: %s", got)
	}
	if !strings.Contains(sum[5][0], "x: withheld, a count of 1 to 24 persons") {
		t.Errorf("the Summary has no note on x: %q", sum[5])
	}
	ev, _ := b.GetRows(SheetEvents)
	if len(ev) != 2 || !strings.Contains(ev[1][0], "not listed") {
		t.Errorf("the Events sheet of a month with withheld figures lists %d rows", len(ev)-1)
	}
	audit, _ := b.GetRows(SheetAudit)
	found := false
	for _, r := range audit {
		found = found || (len(r) == 3 && r[2] == AuditSuppress && r[1] == "25")
	}
	if !found || withheld < 6 {
		t.Errorf("threshold on the Audit sheet: %v; %d cells withheld", found, withheld)
	}
	// Without a threshold the workbook is the one made before thresholds.
	if rows, _ := a.GetRows(SheetAudit); strings.Contains(fmt.Sprint(rows), AuditSuppress) {
		t.Error("a workbook without a threshold has a threshold row")
	}
}

// ReadAudit gives back what the Audit sheet says; Diff names the cells two
// workbooks differ in, and finds none between a workbook and itself.
func TestReadAuditAndDiff(t *testing.T) {
	s := state(t)
	a := build(t, input(s))
	meta, err := ReadAudit(a)
	if err != nil || meta[AuditTreeSize] != fmt.Sprint(s.Size) || meta["Period"] != "2025-10" || !strings.HasPrefix(meta[AuditSigned], "statledger.local/test\n") {
		t.Fatalf("ReadAudit = %v, %v", meta, err)
	}
	if d, n, err := Diff(a, a); err != nil || len(d) != 0 || n != 0 {
		t.Fatalf("a workbook differs from itself: %v %d %v", d, n, err)
	}
	in := input(s)
	in.SuppressBelow = 25
	d, n, err := Diff(a, build(t, in))
	if err != nil || n == 0 || len(d) != min(n, MaxDiffsListed) {
		t.Fatalf("Diff found nothing between a workbook and its suppressed twin: %v", err)
	}
	found := false
	for _, c := range d {
		found = found || (c.Sheet == SheetSummary && c.B == "x")
	}
	if !found {
		t.Fatalf("no Summary cell reads x in the diff: %+v", d[:min(5, len(d))])
	}
	if _, err := ReadAudit([]byte("not a workbook")); err == nil {
		t.Fatal("ReadAudit of a text file")
	}
}

// Nationalities published then and gone now are listed on the Revisions
// sheet in key order: a rebuild gives the same bytes.
func TestGoneKeysAreRevisedInOrder(t *testing.T) {
	pub := state(t)
	n := int64(3)
	for _, nat := range []string{"JP", "TH", "VN", "LA", "MM"} {
		e := ledger.Event{Type: ledger.Rescue, Date: "2025-10-05", Count: &n, Nationality: nat, Country: "KH", Source: &ledger.Source{Publisher: "p"}}
		ledger.Normalize(&e)
		pub.Apply(ledger.NewRecorded(pub.Size, pub.LastRecordedAt, "t", e))
	}
	in := input(state(t))
	in.Published = pub
	sz := pub.Size
	in.Publication = projections.Publication{Seq: 99, Event: ledger.Event{Type: ledger.ReportPublished, Report: "monthly", Period: "2025-10", TreeSize: &sz, RootHash: strings.Repeat("0", 64), FileName: "oct.xlsx", FileSHA256: strings.Repeat("1", 64)}}
	first := build(t, in)
	for range 5 {
		if !bytes.Equal(first, build(t, in)) {
			t.Fatal("two builds with nationalities gone since the publication differ")
		}
	}
	f, _ := excelize.OpenReader(bytes.NewReader(first))
	defer f.Close()
	rev, _ := f.GetRows(SheetRevisions)
	var gone []string
	for _, r := range rev[8:] {
		if len(r) > 3 && r[3] == "0" {
			gone = append(gone, r[1])
		}
	}
	if len(gone) < 5 || !strings.HasPrefix(gone[0], "Japan") {
		t.Fatalf("gone nationalities on the Revisions sheet: %q", gone)
	}
}
