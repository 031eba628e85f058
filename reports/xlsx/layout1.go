package xlsx

// Layout 1 is the workbook of statledger 0.1 (before the page setup, the
// words and the languages of layout 2). It is kept as it was, byte for
// byte, so that every workbook published with it still verifies: an
// auditor's 'verify --report' rebuilds a workbook with the layout its Audit
// sheet names. Do not change this file; change layout 2.

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// Sheet names of layout 1, in workbook order.
var sheets1 = []string{"Summary", "By nationality", "By country", "Events", "Task forces", "Trend", "Revisions", "Audit"}

const summaryHeaderRow1 = 8

var typeLabel1 = map[ledger.Type]string{
	ledger.Arrest: "Arrests", ledger.Repatriation: "Repatriations", ledger.Rescue: "Rescues",
	ledger.Death: "Deaths", ledger.Deportation: "Deportations",
}

type book1 struct {
	f      *excelize.File
	in     Input
	styles struct{ title, header, int, intRevised, wrap, checkpoint int }
	revs   []projections.Revision // nil when nothing of this period was published
	disc   projections.Disclosure // the month's suppression pattern
	err    error
}

// withheld is what a suppressed figure reads, as statistics offices print it.

// suppressionNote says, on every sheet that shows figures, what "x" means.
func (b *book1) suppressionNote() string {
	return fmt.Sprintf("x: withheld, a count of 1 to %d persons, or a figure from which one could be worked out (disclosure control, threshold %d).", b.in.SuppressBelow-1, b.in.SuppressBelow)
}

// write1 builds a layout 1 workbook and writes it to w.
func write1(w io.Writer, in Input) error {
	b := &book1{f: excelize.NewFile(), in: in}
	b.f.SetZipWriter(newZipWriter)
	defer b.f.Close()
	if in.Published != nil {
		b.revs = projections.Revisions(in.State, in.Published, in.Month)
	}
	b.disc = in.State.MonthDisclosure(in.Month, in.SuppressBelow)
	b.setup()
	b.summary()
	b.breakdown("By nationality", "Nationality", in.State.ByNationality(in.Month), b.disc.Nationality, b.disc.NationalityTotal)
	b.breakdown("By country", "Country", in.State.ByCountry(in.Month), b.disc.Country, b.disc.CountryTotal)
	b.events()
	b.taskforces()
	b.trend()
	b.revisions()
	b.audit()
	if b.err != nil {
		return b.err
	}
	_, err := b.f.WriteTo(w)
	return err
}

func (b *book1) check(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

func (b *book1) setup() {
	f := b.f
	b.check(f.SetSheetName("Sheet1", "Summary"))
	for _, s := range sheets1[1:] {
		_, err := f.NewSheet(s)
		b.check(err)
	}
	// Set now, not at the end: SetActiveSheet reads every sheet back, and
	// after the Events sheet is streamed that means parsing and re-writing
	// all its rows (half of the build at 100k rows).
	f.SetActiveSheet(0)
	// Document dates come from the ledger, never the clock: the same ledger
	// prefix must give the same bytes.
	at := b.in.State.LastRecordedAt.UTC().Format("2006-01-02T15:04:05Z")
	if b.in.State.LastRecordedAt.IsZero() {
		at = "2000-01-01T00:00:00Z"
	}
	b.check(f.SetDocProps(&excelize.DocProperties{
		Title:          "statledger monthly report " + b.in.Month,
		Subject:        "Law-enforcement statistics, " + b.in.Month,
		Creator:        "statledger " + b.in.Version,
		LastModifiedBy: "statledger " + b.in.Version,
		Description:    fmt.Sprintf("Ledger %s as of tree size %d, root %s", b.in.Origin, b.in.State.Size, b.in.Root),
		Keywords:       "statledger; " + b.in.Month,
		Created:        at,
		Modified:       at,
		Language:       "en",
		Revision:       "1",
	}))
	b.check(f.SetAppProps(&excelize.AppProperties{Application: "statledger", AppVersion: "1.0000"}))
	var err error
	b.styles.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	b.check(err)
	b.styles.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5F0"}},
		Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}})
	b.check(err)
	numFmt := "#,##0"
	b.styles.int, err = f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	b.check(err)
	// A revised figure stays a number; the format shows the statistical "r".
	revFmt := `#,##0" r"`
	b.styles.intRevised, err = f.NewStyle(&excelize.Style{CustomNumFmt: &revFmt, Font: &excelize.Font{Bold: true}})
	b.check(err)
	b.styles.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.check(err)
	// The signed checkpoint is line-oriented text an auditor may retype: keep
	// its line breaks and a fixed-width font.
	b.styles.checkpoint, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Courier New"},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.check(err)
}

// row writes values from column 1 of a row. Strings are always written as
// text (inline strings), so "=HYPERLINK(…)" can never become a formula.
func (b *book1) row(sheet string, r int, values ...any) {
	for i, v := range values {
		b.check(b.f.SetCellValue(sheet, cell(i+1, r), v))
	}
}

func (b *book1) header(sheet string, r int, names ...string) {
	vals := make([]any, len(names))
	for i, n := range names {
		vals[i] = n
	}
	b.row(sheet, r, vals...)
	b.check(b.f.SetCellStyle(sheet, cell(1, r), cell(len(names), r), b.styles.header))
}

func (b *book1) freeze(sheet string, row int) {
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell(1, row+1), ActivePane: "bottomLeft"}))
}

func (b *book1) filter(sheet string, fromRow, cols, toRow int) {
	if toRow <= fromRow {
		toRow = fromRow + 1 // a filter needs at least one data row in its range
	}
	b.check(b.f.AutoFilter(sheet, cell(1, fromRow)+":"+cell(cols, toRow), nil))
}

func (b *book1) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.check(b.f.SetColWidth(sheet, col, col, w))
	}
}

func (b *book1) titleBlock(sheet, title string) {
	b.row(sheet, 1, title)
	b.check(b.f.SetCellStyle(sheet, "A1", "A1", b.styles.title))
	b.row(sheet, 2, "Ledger", b.in.Origin)
	b.row(sheet, 3, "Period", b.in.Month)
	b.row(sheet, 4, "As of tree size", b.in.State.Size)
	b.row(sheet, 5, "Root hash", b.in.Root)
}

func (b *book1) summary() {
	s := "Summary"
	b.titleBlock(s, "Monthly statistics, "+b.in.Month)
	b.row(s, 6, "Figures marked r differ from the report published for this period; see Revisions.")
	if b.in.SuppressBelow > 0 {
		b.row(s, 7, b.suppressionNote())
	}
	h := summaryHeaderRow1
	b.header(s, h, "Type", "Events", "Persons", "Qualifier")
	sum := b.in.State.MonthSummary(b.in.Month)
	revised := map[string]projections.Revision{}
	for _, r := range b.revs {
		revised[string(r.Type)+"/"+r.Figure] = r
	}
	for i, t := range ledger.IncidentTypes {
		r := h + 1 + i
		c := sum[t]
		if b.disc.Type(t).Suppressed() {
			// Nothing of a withheld figure is shown, its revision included.
			b.row(s, r, typeLabel1[t], withheld, withheld, withheld)
			continue
		}
		b.row(s, r, typeLabel1[t], c.Events, c.Persons, c.Qual())
		b.check(b.f.SetCellStyle(s, cell(2, r), cell(3, r), b.styles.int))
		for i, fig := range []string{"Events", "Persons", "Qualifier"} {
			col := i + 2
			rev, ok := revised[string(t)+"/"+fig]
			if !ok {
				continue
			}
			if col < 4 {
				b.check(b.f.SetCellStyle(s, cell(col, r), cell(col, r), b.styles.intRevised))
			} else {
				b.check(b.f.SetCellValue(s, cell(col, r), c.Qual()+" r"))
			}
			text := fmt.Sprintf("Revised from %s to %s since the report published at tree size %d.", rev.Old, rev.New, b.in.Published.Size)
			if len(rev.Causes) > 0 {
				text += " " + strings.Join(rev.Causes, "; ")
			}
			b.check(b.f.AddComment(s, excelize.Comment{Cell: cell(col, r), Author: "statledger", Paragraph: []excelize.RichTextRun{{Text: clip(text, 2000)}}}))
		}
	}
	b.freeze(s, h)
	b.filter(s, h, 4, h+len(ledger.IncidentTypes))
	b.widths(s, 18, 12, 12, 14)
	b.check(b.f.SetColWidth(s, "B", "B", 66)) // root hash of the title block
}

func (b *book1) breakdown(sheet, what string, bd projections.Breakdown, status func(string, ledger.Type) projections.Status, rowStatus func(string) projections.Status) {
	b.titleBlock(sheet, "Persons by "+strings.ToLower(what)+", "+b.in.Month)
	if b.in.SuppressBelow > 0 {
		b.row(sheet, 6, b.suppressionNote())
	}
	h := 7
	names := []string{what + " code", what}
	for _, t := range ledger.IncidentTypes {
		names = append(names, typeLabel1[t])
	}
	names = append(names, "Total")
	b.header(sheet, h, names...)
	keys := bd.Keys()
	for i, k := range keys {
		r := h + 1 + i
		vals := []any{k, ledger.CountryName(k)}
		var total int64
		for _, t := range ledger.IncidentTypes {
			if status(k, t).Suppressed() {
				vals = append(vals, withheld)
			} else {
				vals = append(vals, bd[k][t].Persons)
			}
			total += bd[k][t].Persons
		}
		if rowStatus(k).Suppressed() {
			vals = append(vals, withheld)
		} else {
			vals = append(vals, total)
		}
		b.row(sheet, r, vals...)
		b.check(b.f.SetCellStyle(sheet, cell(3, r), cell(len(names), r), b.styles.int))
	}
	b.freeze(sheet, h)
	b.filter(sheet, h, len(names), h+len(keys))
	b.widths(sheet, 14, 28, 12, 14, 12, 12, 14, 12)
}

var eventColumns1 = []string{"ID", "Seq", "Last change seq", "Type", "Date", "Date precision", "Count", "Qualifier",
	"Nationality", "Country", "Location", "Agencies", "Crime", "Source publisher", "Source URL", "Source published",
	"Source title", "Notes", "Corrected", "Corrections"}

// events streams the month's incidents: the one sheet that can hold 100k rows.
func (b *book1) events() {
	sw, err := b.f.NewStreamWriter("Events")
	if err != nil {
		b.check(err)
		return
	}
	widths := []float64{38, 8, 10, 14, 11, 10, 9, 10, 8, 8, 24, 28, 14, 24, 32, 11, 28, 48, 10, 48}
	for i, w := range widths {
		b.check(sw.SetColWidth(i+1, i+1, w))
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	hdr := make([]any, len(eventColumns1))
	for i, n := range eventColumns1 {
		hdr[i] = excelize.Cell{Value: n, StyleID: b.styles.header}
	}
	b.check(sw.SetRow("A1", hdr))
	// Rows are decoded one at a time from the projection as they are written:
	// the month's incidents are never all in memory.
	row := make([]any, len(eventColumns1))
	n := 0
	if b.disc.Any() {
		// Each incident's count and nationality would undo the suppression
		// of the other sheets; the list is withheld whole.
		b.check(sw.SetRow("A2", []any{"The incidents of " + b.in.Month + " are not listed: some figures of the month are withheld, and the list would show them. " + b.suppressionNote()}))
		n = 1
	}
	each := b.in.State.EachIncident
	if b.disc.Any() {
		each = func(string, func(*projections.Fact) error) error { return nil }
	}
	err = each(b.in.Month, func(f *projections.Fact) error {
		e := &f.Event
		src := e.Source
		if src == nil {
			src = &ledger.Source{}
		}
		corrected, reasons := "no", ""
		if len(f.Changes) > 0 {
			corrected = "yes"
			var rs []string
			for _, c := range f.Changes {
				rs = append(rs, fmt.Sprintf("seq %d (%s): %s", c.Seq, strings.Join(c.Fields, ", "), c.Reason))
			}
			reasons = strings.Join(rs, "; ")
		}
		row[0], row[1], row[2], row[3] = e.ID, f.Seq, f.LastChange, string(e.Type)
		row[4], row[5], row[6], row[7] = e.Date, e.DatePrecision, excelize.Cell{Value: e.Persons(), StyleID: b.styles.int}, e.CountQualifier
		row[8], row[9], row[10], row[11] = e.Nationality, e.Country, e.Location, strings.Join(e.Agencies, "; ")
		row[12], row[13], row[14], row[15] = e.Crime, src.Publisher, src.URL, src.Published
		row[16], row[17], row[18], row[19] = src.Title, e.Notes, corrected, clip(reasons, 32000)
		n++
		return sw.SetRow(cell(1, n+1), row)
	})
	b.check(err)
	// Tables and filters on a streamed sheet must be added before Flush, or
	// excelize silently drops them.
	last := n + 1
	if last < 2 {
		last = 2
	}
	b.check(sw.AddTable(&excelize.Table{Range: "A1:" + cell(len(eventColumns1), last), Name: "Events", StyleName: "TableStyleLight1", ShowRowStripes: ptr(true)}))
	b.check(sw.Flush())
}

func (b *book1) taskforces() {
	s := "Task forces"
	b.titleBlock(s, "Task forces as of the report")
	h := 7
	b.header(s, h, "Task force", "Name", "Members", "Member names", "Purpose", "Status", "Announced", "Established", "Dissolved", "Last change seq")
	tfs := b.in.State.Taskforces()
	for i, tf := range tfs {
		var names []string
		for _, m := range tf.Members {
			names = append(names, ledger.CountryName(m))
		}
		b.row(s, h+1+i, tf.Slug, tf.Name, strings.Join(tf.Members, "; "), strings.Join(names, "; "), tf.Purpose, tf.Status, tf.Announced, tf.Established, tf.Dissolved, tf.LastSeq)
	}
	b.freeze(s, h)
	b.filter(s, h, 10, h+len(tfs))
	b.widths(s, 28, 40, 12, 28, 60, 12, 12, 12, 12, 10)
}

func (b *book1) trend() {
	s := "Trend"
	from := projections.AddMonths(b.in.Month, -11)
	series := b.in.State.Trend(from, b.in.Month)
	b.titleBlock(s, "Persons per month, "+from+" to "+b.in.Month)
	h := 7
	names := []string{"Month"}
	for _, t := range ledger.IncidentTypes {
		names = append(names, typeLabel1[t])
	}
	b.header(s, h, names...)
	if b.in.SuppressBelow > 0 {
		b.row(s, 6, b.suppressionNote())
	}
	for i, m := range series.Months {
		vals := []any{m}
		d := b.in.State.MonthDisclosure(m, b.in.SuppressBelow)
		for _, t := range ledger.IncidentTypes {
			if d.Type(t).Suppressed() {
				vals = append(vals, withheld)
			} else {
				vals = append(vals, series.Cells[m][t].Persons)
			}
		}
		b.row(s, h+1+i, vals...)
		b.check(b.f.SetCellStyle(s, cell(2, h+1+i), cell(len(names), h+1+i), b.styles.int))
	}
	last := h + len(series.Months)
	var chartSeries []excelize.ChartSeries
	for i := range ledger.IncidentTypes {
		col, _ := excelize.ColumnNumberToName(i + 2)
		chartSeries = append(chartSeries, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$%d", s, col, h),
			Categories: fmt.Sprintf("'%s'!$A$%d:$A$%d", s, h+1, last),
			Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", s, col, h+1, col, last),
		})
	}
	b.check(b.f.AddChart(s, "H2", &excelize.Chart{
		Type:      excelize.Line,
		Series:    chartSeries,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Persons per month by type"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 360},
	}))
	b.freeze(s, h)
	b.widths(s, 10, 12, 14, 12, 12, 14)
}

func (b *book1) revisions() {
	s := "Revisions"
	b.titleBlock(s, "Figures revised since the last publication of "+b.in.Month)
	h := 7
	if b.in.Published == nil {
		b.row(s, h, "No report of this period has been published (statledger report monthly --publish), so nothing is revised.")
		return
	}
	p := b.in.Publication.Event
	b.row(s, 6, "Compared with", fmt.Sprintf("%s published at seq %d (tree size %d, root %s, SHA-256 %s)", p.FileName, b.in.Publication.Seq, *p.TreeSize, p.RootHash, p.FileSHA256))
	b.header(s, h, "Type", "Figure", "Published", "Now", "Changed by")
	revs := b.revs
	for i, r := range revs {
		if b.disc.Type(r.Type).Suppressed() {
			b.row(s, h+1+i, typeLabel1[r.Type], r.Figure, withheld, withheld, "withheld (disclosure control)")
			continue
		}
		b.row(s, h+1+i, typeLabel1[r.Type], r.Figure, r.Old, r.New, clip(strings.Join(r.Causes, "\n"), 32000))
		b.check(b.f.SetCellStyle(s, cell(5, h+1+i), cell(5, h+1+i), b.styles.wrap))
	}
	if len(revs) == 0 {
		b.row(s, h+1, "No figure differs from the publication.")
	}
	b.freeze(s, h)
	b.filter(s, h, 5, h+max(len(revs), 1))
	b.widths(s, 16, 12, 12, 12, 100)
}

func (b *book1) audit() {
	s := "Audit"
	b.row(s, 1, "Audit")
	b.check(b.f.SetCellStyle(s, "A1", "A1", b.styles.title))
	rows := [][2]any{
		{"Ledger", b.in.Origin},
		{AuditTreeSize, b.in.State.Size},
		{"Root hash", b.in.Root},
		{"Last event recorded at", b.in.State.LastRecordedAt.UTC().Format(ledger.TimeFormat)},
		{"Report", "monthly"},
		{"Period", b.in.Month},
		{"As of", b.in.AsOf},
		{AuditVersion, b.in.Version},
		{"Verifier key", b.in.VerifierKey},
		{AuditSigned, b.in.Checkpoint},
		{AuditCosigned, b.in.Cosigned},
		{AuditSuppress, b.in.SuppressBelow},
		{"How to verify", "statledger verify --report THIS-FILE (rebuilds it from the ledger and compares); statledger verify --checkpoint CHECKPOINT --key VERIFIER-KEY"},
	}
	// Workbooks made before witnesses and disclosure control have neither
	// row; without them, a workbook keeps the bytes of one made then.
	rows = slices.DeleteFunc(rows, func(r [2]any) bool {
		return (r[0] == AuditCosigned && b.in.Cosigned == "") || (r[0] == AuditSuppress && b.in.SuppressBelow == 0)
	})
	for i, r := range rows {
		b.row(s, i+3, r[0], r[1])
		if r[0] == AuditSigned || r[0] == AuditCosigned {
			b.check(b.f.SetCellStyle(s, cell(2, i+3), cell(2, i+3), b.styles.checkpoint))
		}
	}
	b.widths(s, 24, 100)
}
