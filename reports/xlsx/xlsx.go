// Package xlsx writes the official's monthly workbook with excelize. It reads
// only projections: never the store.
//
// The workbook is made to be sent: every sheet prints on A4, one page wide,
// its title rows repeated, with the ledger, period, tree size, a short root
// and "page X of Y" in the footer; figures read as a person writes them
// ("at least 61") while their cells stay numbers; every figure that differs
// from the report published for the period is flagged r with a comment
// saying what it was and what changed it; and it speaks English, Korean or
// Khmer (reports/lang). Workbooks of the earlier layout are rebuilt by
// layout1.go, so that they verify for ever.
package xlsx

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/lang"
)

// Layout is the layout this package writes. The Audit sheet names it; a
// workbook of layout 1 (statledger 0.1) has no such row.
const Layout = 2

// Input is everything the workbook shows. Nothing in it depends on where the
// ledger is stored, so a copy of the ledger gives the same workbook.
type Input struct {
	State       *projections.State // as of the report's tree size
	Published   *projections.State // as of the latest publication of this period, or nil
	Publication projections.Publication
	Month       string // YYYY-MM
	Origin      string
	Root        string // hex
	Checkpoint  string // signed checkpoint text at the report's tree size
	Cosigned    string // the ledger's latest checkpoint cosigned by witnesses, or ""
	VerifierKey string
	Version     string // statledger version
	AsOf        string // the --as-of option as given ("latest" when absent)
	// SuppressBelow withholds every breakdown figure of 1 to SuppressBelow-1
	// persons, and the figures that would reveal one (projections.Suppress);
	// 0 publishes everything.
	SuppressBelow int
	Lang          lang.Lang // zero: English
	// Layout is the layout to write: 0 for this package's, 1 to rebuild a
	// workbook of statledger 0.1 (which has no languages).
	Layout int
}

// Sheets, by their English names, in workbook order; the workbook names
// them in its language.
const (
	SheetSummary     = "Summary"
	SheetNationality = "By nationality"
	SheetCountry     = "By country"
	SheetEvents      = "Events"
	SheetTaskforces  = "Task forces"
	SheetTrend       = "Trend"
	SheetRevisions   = "Revisions"
	SheetAudit       = "Audit"
)

var Sheets = []string{SheetSummary, SheetNationality, SheetCountry, SheetEvents, SheetTaskforces, SheetTrend, SheetRevisions, SheetAudit}

// SummaryHeaderRow is the row of the Summary table's header (1-based).
const SummaryHeaderRow = 8

// TypeLabel is an incident type as the English workbook names it ("Arrests").
func TypeLabel(t ledger.Type) string { return lang.English.Type(t) }

// withheld is what a suppressed figure reads, as statistics offices print it.
const withheld = "x"

type book struct {
	f      *excelize.File
	in     Input
	l      lang.Lang
	font   string
	styles struct{ title, header, text, wrap, mono, note int }
	nums   map[string]int         // number styles by format
	disc   projections.Disclosure // the month's suppression pattern
	since  uint64                 // the published tree size, when there is a publication
	// revised lists every flagged figure, for the Revisions sheet.
	revised []revisedFigure
	// found holds what changed each type in each month since the
	// publication (State.Causes scans the month): found once, asked for
	// by every flagged figure of that type and month.
	found map[string][]projections.Cause
	err   error
}

type revisedFigure struct {
	sheet, figure, was, now, by string
}

// Write builds the workbook and writes it to w.
func Write(w io.Writer, in Input) error {
	if in.Layout == 1 {
		return write1(w, in)
	}
	l := in.Lang
	if l.Code == "" {
		l = lang.English
	}
	b := &book{f: excelize.NewFile(), in: in, l: l, font: l.Font(), nums: map[string]int{}, found: map[string][]projections.Cause{}}
	b.f.SetZipWriter(newZipWriter)
	defer b.f.Close()
	if in.Published != nil {
		b.since = in.Published.Size
	}
	b.disc = in.State.MonthDisclosure(in.Month, in.SuppressBelow)
	b.setup()
	// Before any sheet is filled: the streamed Events sheet takes its page
	// setup from what its sheet holds when the stream starts.
	for _, s := range Sheets {
		b.pageSetup(s)
	}
	b.summary()
	b.breakdown(SheetNationality, "Nationality", in.State.ByNationality(in.Month), b.published(func(s *projections.State) projections.Breakdown { return s.ByNationality(in.Month) }), b.disc.Nationality, func(e *ledger.Event) string { return e.Nationality })
	b.breakdown(SheetCountry, "Country", in.State.ByCountry(in.Month), b.published(func(s *projections.State) projections.Breakdown { return s.ByCountry(in.Month) }), b.disc.Country, func(e *ledger.Event) string { return e.Country })
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

func (b *book) published(fn func(*projections.State) projections.Breakdown) projections.Breakdown {
	if b.in.Published == nil {
		return nil
	}
	return fn(b.in.Published)
}

func (b *book) check(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// name is a sheet's name in the workbook's language.
func (b *book) name(sheet string) string { return b.l.S(sheet) }

func (b *book) setup() {
	f := b.f
	b.check(f.SetSheetName("Sheet1", b.name(SheetSummary)))
	for _, s := range Sheets[1:] {
		_, err := f.NewSheet(b.name(s))
		b.check(err)
	}
	// Set now, not at the end: SetActiveSheet reads every sheet back, and
	// after the Events sheet is streamed that means parsing and re-writing
	// all its rows (half of the build at 100k rows).
	f.SetActiveSheet(0)
	b.check(f.SetDefaultFont(b.font))
	// Document dates come from the ledger, never the clock: the same ledger
	// prefix must give the same bytes.
	at := b.in.State.LastRecordedAt.UTC().Format("2006-01-02T15:04:05Z")
	if b.in.State.LastRecordedAt.IsZero() {
		at = "2000-01-01T00:00:00Z"
	}
	b.check(f.SetDocProps(&excelize.DocProperties{
		Title:          b.l.S("Monthly statistics, %s", b.l.Month(b.in.Month)),
		Subject:        b.l.S("Law-enforcement statistics"),
		Creator:        "statledger " + b.in.Version,
		LastModifiedBy: "statledger " + b.in.Version,
		Description:    fmt.Sprintf("Ledger %s as of tree size %d, root %s", b.in.Origin, b.in.State.Size, b.in.Root),
		Keywords:       "statledger; " + b.in.Month,
		Created:        at,
		Modified:       at,
		Language:       b.l.Code,
		Revision:       "1",
	}))
	b.check(f.SetAppProps(&excelize.AppProperties{Application: "statledger", AppVersion: "1.0000"}))
	// One family on every style, named: a style without one would fall back
	// to whatever the viewer's default is, and mix typefaces.
	font := func(bold bool, size float64, color string) *excelize.Font {
		return &excelize.Font{Family: b.font, Bold: bold, Size: size, Color: color}
	}
	b.styles.title = b.style(&excelize.Style{Font: font(true, 14, "000000")})
	b.styles.header = b.style(&excelize.Style{Font: font(true, 10, "000000"),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5F0"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	b.styles.text = b.style(&excelize.Style{Font: font(false, 10, "000000"), Alignment: &excelize.Alignment{Vertical: "top"}})
	b.styles.wrap = b.style(&excelize.Style{Font: font(false, 10, "000000"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.styles.note = b.style(&excelize.Style{Font: font(false, 9, "404040"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	// The signed checkpoint is line-oriented text an auditor may retype: its
	// line breaks kept, in the family's monospaced cut.
	b.styles.mono = b.style(&excelize.Style{Font: &excelize.Font{Family: "Noto Sans Mono CJK KR", Size: 9},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

func (b *book) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.check(err)
	return id
}

// num is the style of a count with its qualifier in words, revised or not.
func (b *book) num(qualifier string, revised bool) int {
	format := b.l.NumFormat(qualifier, revised)
	if id, ok := b.nums[format]; ok {
		return id
	}
	id := b.style(&excelize.Style{Font: &excelize.Font{Family: b.font, Size: 10, Bold: revised}, CustomNumFmt: &format,
		Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}})
	b.nums[format] = id
	return id
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// row writes values from column 1 of a row. Strings are always written as
// text (inline strings), so "=HYPERLINK(…)" can never become a formula.
func (b *book) row(sheet string, r int, values ...any) {
	for i, v := range values {
		b.check(b.f.SetCellValue(b.name(sheet), cell(i+1, r), v))
	}
	if len(values) > 0 {
		b.check(b.f.SetCellStyle(b.name(sheet), cell(1, r), cell(len(values), r), b.styles.text))
	}
}

func (b *book) header(sheet string, r int, names ...string) {
	vals := make([]any, len(names))
	for i, n := range names {
		vals[i] = b.l.S(n)
	}
	b.row(sheet, r, vals...)
	b.check(b.f.SetCellStyle(b.name(sheet), cell(1, r), cell(len(names), r), b.styles.header))
}

// note writes a note across the width of the sheet's table, wrapped: a
// long line left to overflow would make the printed page as wide as it.
func (b *book) note(sheet string, r int, text string) {
	s, cols := b.name(sheet), noteCols[sheet]
	b.check(b.f.SetCellValue(s, cell(1, r), text))
	b.check(b.f.MergeCell(s, cell(1, r), cell(cols, r)))
	b.check(b.f.SetCellStyle(s, cell(1, r), cell(cols, r), b.styles.note))
	width := 0.0
	for c := 1; c <= cols; c++ {
		col, _ := excelize.ColumnNumberToName(c)
		w, _ := b.f.GetColWidth(s, col)
		width += w
	}
	b.check(b.f.SetRowHeight(s, r, float64(13*lines(text, width))))
}

// lines is about how many lines text takes wrapped in a cell width
// characters wide, at a note's 9 points: a Hangul or Han character is as
// wide as two Latin ones, a Khmer one (with what stacks on it) about 1.3.
func lines(text string, width float64) int {
	w := 0.0
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Hangul, unicode.Han):
			w += 2
		case unicode.Is(unicode.Khmer, r):
			w += 1.3
		default:
			w++
		}
	}
	return int(w/(width*1.15)) + 1
}

// noteCols is how many columns a sheet's notes span: its table's.
var noteCols = map[string]int{SheetSummary: 4, SheetNationality: 7, SheetCountry: 7, SheetTaskforces: 6, SheetTrend: 6, SheetRevisions: 5}

// figure writes a count: a number shown with its qualifier in words, or x
// when withheld; flagged r, with a comment, when it differs from what was
// published (was is then its published cell). causes is asked only then.
func (b *book) figure(sheet string, col, r int, c projections.Cell, suppressed bool, was *projections.Cell, what string, causes func() []string) {
	s, at := b.name(sheet), cell(col, r)
	if suppressed {
		// Nothing of a withheld figure is shown, its revision included.
		b.check(b.f.SetCellValue(s, at, withheld))
		b.check(b.f.SetCellStyle(s, at, at, b.num("", false)))
		return
	}
	revised := was != nil && (was.Persons != c.Persons || was.Qual() != c.Qual())
	b.check(b.f.SetCellValue(s, at, c.Persons))
	b.check(b.f.SetCellStyle(s, at, at, b.num(c.Qualifier, revised)))
	if revised {
		b.flag(sheet, at, what, b.l.Persons(was.Persons, was.Qualifier), b.l.Persons(c.Persons, c.Qualifier), causes())
	}
}

// flag comments a revised figure, and lists it for the Revisions sheet.
func (b *book) flag(sheet, at, what, was, now string, causes []string) {
	p := b.in.Publication
	date := ""
	if !p.RecordedAt.IsZero() {
		date = b.l.Date(p.RecordedAt.UTC().Format("2006-01-02"), "day")
	}
	text := b.l.S("r: was %[1]s in the report published at tree size %[2]s on %[3]s, now %[4]s.", was, b.since, date, now)
	by := strings.Join(causes, "\n")
	if by != "" {
		text += "\n" + b.l.S("Changed by:") + "\n" + by
	}
	b.check(b.f.AddComment(b.name(sheet), excelize.Comment{Cell: at, Author: "statledger", Paragraph: []excelize.RichTextRun{{Text: clip(text, 2000), Font: &excelize.Font{Family: b.font, Size: 9}}}}))
	b.revised = append(b.revised, revisedFigure{sheet: b.name(sheet), figure: what, was: was, now: now, by: by})
}

// short is a root hash as a person compares it by eye; the Audit sheet
// holds it whole.
func short(root string) string {
	if len(root) > 16 {
		return root[:16] + "…"
	}
	return root
}

func (b *book) titleBlock(sheet, title string) {
	s := b.name(sheet)
	b.check(b.f.SetCellValue(s, "A1", title))
	b.check(b.f.SetCellStyle(s, "A1", "A1", b.styles.title))
	b.row(sheet, 2, b.l.S("Ledger"), b.in.Origin)
	b.row(sheet, 3, b.l.S("Period"), b.l.Month(b.in.Month))
	b.row(sheet, 4, b.l.S("As of tree size"), b.in.State.Size)
	b.row(sheet, 5, b.l.S("Root hash"), short(b.in.Root))
}

// notes writes the sheet's notes from row 6: what r means, and x.
func (b *book) notes(sheet string, revisions bool) {
	r := 6
	if revisions && b.in.Published != nil {
		b.note(sheet, r, b.l.S("Figures marked r differ from the report published for this period; each has a comment, and the Revisions sheet lists them."))
		r++
	}
	if b.in.SuppressBelow > 0 {
		b.note(sheet, r, b.suppressionNote())
	}
}

// suppressionNote says, on every sheet that shows figures, what "x" means.
func (b *book) suppressionNote() string {
	return b.l.S("x: withheld, a count of 1 to %[1]s persons, or a figure from which one could be worked out (disclosure control, threshold %[2]s).", b.in.SuppressBelow-1, b.in.SuppressBelow)
}

// pageSetup makes a sheet print on A4, one page wide, its title rows
// repeated, with the ledger, period, tree size, short root and page number
// in the footer.
func (b *book) pageSetup(sheet string) {
	s := b.name(sheet)
	a4, landscape, portrait, wide, tall := 9, "landscape", "portrait", 1, 0
	orientation := &landscape
	if sheet == SheetSummary || sheet == SheetAudit {
		orientation = &portrait
	}
	// The sheets of a fixed number of rows print whole on one page; the
	// others one page wide and as many tall as they need.
	if sheet == SheetSummary || sheet == SheetTrend || sheet == SheetAudit {
		tall = 1
	}
	b.check(b.f.SetPageLayout(s, &excelize.PageLayoutOptions{Size: &a4, Orientation: orientation, FitToWidth: &wide, FitToHeight: &tall}))
	props := &excelize.SheetPropsOptions{FitToPage: ptr(true)}
	if b.l.Code == "km" {
		// Khmer stacks consonants below the line: its rows need more room.
		props.DefaultRowHeight, props.CustomHeight = ptr(19.0), ptr(true)
	}
	b.check(b.f.SetSheetProps(s, props))
	m := 0.5
	b.check(b.f.SetPageMargins(s, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: ptr(0.7), Footer: ptr(0.3)}))
	// Header-and-footer codes: & starts one, so text from the ledger has
	// its & doubled.
	esc := func(t string) string { return strings.ReplaceAll(t, "&", "&&") }
	footer := fmt.Sprintf("&L&8%s · %s · %s&R&8%s", esc(b.in.Origin), esc(b.l.Month(b.in.Month)),
		esc(b.l.S("tree size %[1]s, root %[2]s", b.in.State.Size, short(b.in.Root))), b.l.S("page &P of &N"))
	b.check(b.f.SetHeaderFooter(s, &excelize.HeaderFooterOptions{OddFooter: footer}))
	if rows := titleRows[sheet]; rows != "" {
		b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + s + "'!" + rows, Scope: s}))
	}
}

// titleRows are the rows each sheet repeats on every printed page: its
// table's header.
var titleRows = map[string]string{
	SheetSummary: "$8:$8", SheetNationality: "$8:$8", SheetCountry: "$8:$8", SheetEvents: "$1:$1",
	SheetTaskforces: "$8:$8", SheetTrend: "$8:$8", SheetRevisions: "$8:$8",
}

func ptr[T any](v T) *T { return &v }

func (b *book) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.check(b.f.SetColWidth(b.name(sheet), col, col, w))
	}
}

func (b *book) freeze(sheet string, row int) {
	b.check(b.f.SetPanes(b.name(sheet), &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell(1, row+1), ActivePane: "bottomLeft"}))
}

func (b *book) summary() {
	s := SheetSummary
	b.widths(s, 22, 12, 16)
	b.check(b.f.SetColWidth(b.name(s), "D", "D", 40))
	b.titleBlock(s, b.l.S("Monthly statistics, %s", b.l.Month(b.in.Month)))
	b.notes(s, true)
	h := SummaryHeaderRow
	b.header(s, h, "Type", "Incidents", "Persons")
	sum := b.in.State.MonthSummary(b.in.Month)
	var pub projections.Summary
	if b.in.Published != nil {
		pub = b.in.Published.MonthSummary(b.in.Month)
	}
	for i, t := range ledger.IncidentTypes {
		r := h + 1 + i
		c := sum[t]
		causes := func() []string { return b.causes(t, b.in.Month, nil) }
		b.row(s, r, b.l.Type(t))
		suppressed := b.disc.Type(t).Suppressed()
		if suppressed {
			b.row(s, r, b.l.Type(t), withheld)
		} else {
			b.check(b.f.SetCellValue(b.name(s), cell(2, r), c.Events))
			revised := pub != nil && pub[t].Events != c.Events
			b.check(b.f.SetCellStyle(b.name(s), cell(2, r), cell(2, r), b.num("", revised)))
			if revised {
				b.flag(s, cell(2, r), b.l.S("%s: incidents", b.l.Type(t)), b.l.Number(int64(pub[t].Events)), b.l.Number(int64(c.Events)), causes())
			}
		}
		var was *projections.Cell
		if pub != nil {
			p := pub[t]
			was = &p
		}
		b.figure(s, 3, r, c, suppressed, was, b.l.S("%s: persons", b.l.Type(t)), causes)
	}
	// What a count with a qualifier means, once.
	b.note(s, h+len(ledger.IncidentTypes)+2, b.l.S("Persons are counted as the sources report them: \"at least 61\" is a lower bound, \"about 60\" an approximation. A person may appear under more than one type (arrested, then deported), so the types are not added up."))
	b.freeze(s, h)
}

// causes are the events since the publication that changed figures of type
// t in month, in words; with key, only those of incidents that have or had
// that key (a nationality, a country, an id).
func (b *book) causes(t ledger.Type, month string, key func(*ledger.Event) bool) []string {
	if b.in.Published == nil {
		return nil
	}
	found, ok := b.found[string(t)+"/"+month]
	if !ok {
		found = b.in.State.Causes(t, month, b.since)
		b.found[string(t)+"/"+month] = found
	}
	var out []string
	for _, c := range found {
		old := b.in.Published.Fact(c.Of)
		if key != nil && !key(&c.Event) && (old == nil || !key(&old.Event)) {
			continue
		}
		switch c.Kind {
		case projections.NewEvent:
			out = append(out, b.l.S("new %[1]s %[2]s (seq %[3]s), recorded after the publication", b.l.Type(t), c.Of, c.Seq))
		case projections.RetractionCause:
			out = append(out, b.l.S("retraction %[1]s (seq %[2]s) of %[3]s: %[4]s", c.ID, c.Seq, c.Of, c.Reason))
		default:
			var changes []string
			for _, f := range shownFields(c.Fields) {
				was := ""
				if old != nil {
					was = b.value(&old.Event, f)
				}
				changes = append(changes, b.l.S("%[1]s: %[2]s → %[3]s", b.l.S(f), was, b.value(&c.Event, f)))
			}
			out = append(out, b.l.S("correction %[1]s (seq %[2]s) of %[3]s: %[4]s; reason: %[5]s", c.ID, c.Seq, c.Of, strings.Join(changes, ", "), c.Reason))
		}
	}
	return out
}

// shownFields are the fields of a correction as a person reads them: a
// count with its qualifier is one value, as is a date with its precision.
func shownFields(fields []string) []string {
	var out []string
	for _, f := range fields {
		if (f == "count_qualifier" && slices.Contains(fields, "count")) || (f == "date_precision" && slices.Contains(fields, "date")) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// value is a field of e in words.
func (b *book) value(e *ledger.Event, field string) string {
	switch field {
	case "count", "count_qualifier":
		if e.Count == nil {
			return ""
		}
		return b.l.Persons(*e.Count, e.CountQualifier)
	case "date", "date_precision":
		return b.l.Date(e.Date, e.DatePrecision)
	case "nationality":
		return b.l.Country(e.Nationality)
	case "country":
		return b.l.Country(e.Country)
	case "crime":
		return b.l.Words(e.Crime)
	case "agencies":
		return strings.Join(e.Agencies, "; ")
	case "location":
		return e.Location
	case "notes":
		return clip(e.Notes, 80)
	case "source":
		if e.Source == nil {
			return ""
		}
		return strings.TrimSpace(e.Source.Publisher + " " + e.Source.URL)
	}
	return ""
}

func (b *book) breakdown(sheet, what string, bd, pub projections.Breakdown, status func(string, ledger.Type) projections.Status, keyOf func(*ledger.Event) string) {
	b.widths(sheet, 26, 10, 14, 14, 14, 14, 14)
	title := map[string]string{"Nationality": "Persons by nationality, %s", "Country": "Persons by country where it happened, %s"}[what]
	b.titleBlock(sheet, b.l.S(title, b.l.Month(b.in.Month)))
	b.notes(sheet, true)
	h := 8
	names := []string{what, what + " code"}
	for _, t := range ledger.IncidentTypes {
		names = append(names, typeKeyOf(t))
	}
	b.header(sheet, h, names...)
	keys := bd.Keys()
	for i, k := range keys {
		r := h + 1 + i
		b.row(sheet, r, b.l.Country(k), k)
		for j, t := range ledger.IncidentTypes {
			var was *projections.Cell
			if b.in.Published != nil {
				p := pub[k][t]
				was = &p
			}
			causes := func() []string { return b.causes(t, b.in.Month, func(e *ledger.Event) bool { return keyOf(e) == k }) }
			b.figure(sheet, 3+j, r, bd[k][t], status(k, t).Suppressed(), was, b.l.S("%[1]s, %[2]s: persons", b.l.Country(k), b.l.Type(t)), causes)
		}
	}
	// A key published then, and gone now, is revised to nothing; in key
	// order, as every row of the workbook, or a rebuild would differ.
	for _, k := range pub.Keys() {
		if _, ok := bd[k]; ok {
			continue
		}
		for _, t := range ledger.IncidentTypes {
			if pub[k][t].Persons != 0 {
				key := func(e *ledger.Event) bool { return keyOf(e) == k }
				b.revised = append(b.revised, revisedFigure{sheet: b.name(sheet), figure: b.l.S("%[1]s, %[2]s: persons", b.l.Country(k), b.l.Type(t)),
					was: b.l.Persons(pub[k][t].Persons, pub[k][t].Qualifier), now: "0", by: strings.Join(b.causes(t, b.in.Month, key), "\n")})
			}
		}
	}
	if len(keys) == 0 {
		b.note(sheet, h+1, b.l.S("No incident this month."))
	}
	b.note(sheet, h+len(keys)+2, b.l.S("A person may appear under more than one type (arrested, then deported), so the types are not added up."))
	b.freeze(sheet, h)
}

// typeKeyOf is the catalog key of an incident type's word.
func typeKeyOf(t ledger.Type) string { return lang.English.Type(t) }

// eventColumns: the human ones first, the technical ones last.
var eventColumns = []string{"Type", "Date", "Persons", "Nationality", "Nationality code", "Country", "Country code",
	"Location", "Agencies", "Crime", "Source", "Source URL", "Source published", "Source title", "Notes",
	"Corrections", "ID", "Seq", "Last change seq"}

// An Events sheet saved as CSV and imported is told what it is, in any
// language and layout the sheet was written in.
func init() {
	for _, code := range lang.Codes {
		l, _ := lang.Parse(code)
		words := make([]string, len(eventColumns))
		for i, k := range eventColumns {
			words[i] = l.S(k)
			// And a sheet of one's own with some of these headers is told
			// the format's names for them.
			if col, ok := formatColumn[k]; ok {
				ledger.AddColumnWord(words[i], col)
			}
		}
		ledger.AddOwnSheet(words)
	}
	ledger.AddOwnSheet(eventColumns1)
}

// formatColumn is the format's column of each of the Events sheet's
// headers that has one.
var formatColumn = map[string]string{
	"Type": "type", "Date": "date", "Persons": "count", "Nationality code": "nationality", "Country code": "country",
	"Location": "location", "Agencies": "agencies", "Crime": "crime", "Source": "source_publisher", "Source URL": "source_url",
	"Source published": "source_published", "Source title": "source_title", "Notes": "notes", "ID": "id",
}

// events streams the month's incidents: the one sheet that can hold 100k rows.
func (b *book) events() {
	s := b.name(SheetEvents)
	sw, err := b.f.NewStreamWriter(s)
	if err != nil {
		b.check(err)
		return
	}
	widths := []float64{14, 20, 14, 16, 8, 16, 8, 20, 24, 14, 22, 28, 12, 24, 40, 48, 38, 8, 10}
	for i, w := range widths {
		b.check(sw.SetColWidth(i+1, i+1, w))
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	hdr := make([]any, len(eventColumns))
	for i, n := range eventColumns {
		hdr[i] = excelize.Cell{Value: b.l.S(n), StyleID: b.styles.header}
	}
	b.check(sw.SetRow("A1", hdr))
	// Rows are decoded one at a time from the projection as they are written:
	// the month's incidents are never all in memory.
	row := make([]any, len(eventColumns))
	n := 0
	if b.disc.Any() {
		// Each incident's count and nationality would undo the suppression
		// of the other sheets; the list is withheld whole.
		b.check(sw.SetRow("A2", []any{excelize.Cell{Value: b.l.S("The incidents of %s are not listed: some figures of the month are withheld, and the list would show them.", b.l.Month(b.in.Month)) + " " + b.suppressionNote(), StyleID: b.styles.text}}))
		n = 1
	}
	each := b.in.State.EachIncident
	if b.disc.Any() {
		each = func(string, func(*projections.Fact) error) error { return nil }
	}
	type flagged struct {
		at, what, was, now string
		causes             []string
	}
	var flags []flagged
	txt := func(v string) excelize.Cell { return excelize.Cell{Value: v, StyleID: b.styles.text} }
	// Long texts wrap in their column, rather than run over the next ones
	// and make the printed page as wide as they are long.
	long := func(v string) excelize.Cell { return excelize.Cell{Value: v, StyleID: b.styles.wrap} }
	err = each(b.in.Month, func(f *projections.Fact) error {
		e := &f.Event
		src := e.Source
		if src == nil {
			src = &ledger.Source{}
		}
		changes := b.changes(f)
		n++
		revised := false
		if b.in.Published != nil && (f.Seq >= b.since || f.LastChange >= b.since) {
			was, now := "", b.l.Persons(e.Persons(), e.CountQualifier)
			if old := b.in.Published.Fact(e.ID); old != nil && !old.Retracted {
				was = b.l.Persons(old.Event.Persons(), old.Event.CountQualifier)
			} else {
				was = b.l.S("not in the report")
			}
			if was != now {
				revised = true
				flags = append(flags, flagged{at: cell(3, n+1), what: b.l.S("%[1]s %[2]s: persons", b.l.Type(e.Type), e.ID), was: was, now: now, causes: b.factCauses(f)})
			}
		}
		row[0], row[1] = txt(b.l.Type(e.Type)), txt(b.l.Date(e.Date, e.DatePrecision))
		row[2] = excelize.Cell{Value: e.Persons(), StyleID: b.num(e.CountQualifier, revised)}
		row[3], row[4], row[5], row[6] = txt(b.l.Country(e.Nationality)), txt(e.Nationality), txt(b.l.Country(e.Country)), txt(e.Country)
		row[7], row[8], row[9] = long(e.Location), long(strings.Join(e.Agencies, "; ")), txt(b.l.Words(e.Crime))
		row[10], row[11], row[12], row[13] = long(src.Publisher), long(src.URL), txt(src.Published), long(src.Title)
		row[14], row[15] = long(e.Notes), long(clip(strings.Join(changes, "; "), 32000))
		row[16], row[17], row[18] = txt(e.ID), f.Seq, f.LastChange
		return sw.SetRow(cell(1, n+1), row)
	})
	b.check(err)
	// Comments, tables and filters on a streamed sheet must be added before
	// Flush, or excelize silently drops them from the sheet.
	for _, fl := range flags {
		b.flag(SheetEvents, fl.at, fl.what, fl.was, fl.now, fl.causes)
	}
	last := max(n+1, 2)
	b.check(sw.AddTable(&excelize.Table{Range: "A1:" + cell(len(eventColumns), last), Name: "Events", StyleName: "TableStyleLight1", ShowRowStripes: ptr(true)}))
	b.check(sw.Flush())
}

// changes are an incident's corrections in words, each with the values it
// replaced: "seq 7: count: about 60 → 64 (ministry list)". A correction is
// rare (a few in a hundred), so the values before and after each are read
// from views of the ledger at its seq.
func (b *book) changes(f *projections.Fact) []string {
	var out []string
	for _, c := range f.Changes {
		if c.Retract {
			continue // a retracted incident is in no list
		}
		before, after := b.in.State.At(c.Seq).Fact(f.Event.ID), b.in.State.At(c.Seq+1).Fact(f.Event.ID)
		var words []string
		for _, field := range shownFields(c.Fields) {
			was, now := "", ""
			if before != nil {
				was = b.value(&before.Event, field)
			}
			if after != nil {
				now = b.value(&after.Event, field)
			}
			words = append(words, b.l.S("%[1]s: %[2]s → %[3]s", b.l.S(field), was, now))
		}
		out = append(out, b.l.S("seq %[1]s: %[2]s (%[3]s)", c.Seq, strings.Join(words, ", "), c.Reason))
	}
	return out
}

// factCauses are the changes to one incident since the publication, in words.
func (b *book) factCauses(f *projections.Fact) []string {
	id := f.Event.ID
	return b.causes(f.Event.Type, b.in.Month, func(e *ledger.Event) bool { return e.ID == id })
}

func (b *book) taskforces() {
	s := SheetTaskforces
	b.widths(s, 36, 28, 48, 12, 16, 16, 16, 26, 10)
	b.titleBlock(s, b.l.S("Task forces as of the report"))
	h := 8
	b.header(s, h, "Name", "Members", "Purpose", "Status", "Announced", "Established", "Dissolved", "Task force", "Last change seq")
	tfs := b.in.State.Taskforces()
	for i, tf := range tfs {
		var names []string
		for _, m := range tf.Members {
			names = append(names, b.l.Country(m))
		}
		date := func(d string) string { return b.l.Date(d, "day") }
		b.row(s, h+1+i, tf.Name, strings.Join(names, "; "), tf.Purpose, b.l.S(tf.Status), date(tf.Announced), date(tf.Established), date(tf.Dissolved), tf.Slug, tf.LastSeq)
		b.check(b.f.SetCellStyle(b.name(s), cell(1, h+1+i), cell(3, h+1+i), b.styles.wrap))
	}
	if len(tfs) == 0 {
		b.note(s, h+1, b.l.S("No task force is recorded."))
	}
	b.freeze(s, h)
}

func (b *book) trend() {
	s := SheetTrend
	b.widths(s, 18, 14, 14, 14, 14, 14)
	from := projections.AddMonths(b.in.Month, -11)
	series := b.in.State.Trend(from, b.in.Month)
	var pub projections.Series
	if b.in.Published != nil {
		pub = b.in.Published.Trend(from, b.in.Month)
	}
	b.titleBlock(s, b.l.S("Persons per month, %[1]s to %[2]s", b.l.Month(from), b.l.Month(b.in.Month)))
	b.notes(s, true)
	h := 8
	names := []string{"Month"}
	for _, t := range ledger.IncidentTypes {
		names = append(names, typeKeyOf(t))
	}
	b.header(s, h, names...)
	for i, m := range series.Months {
		r := h + 1 + i
		b.row(s, r, b.l.Month(m))
		d := b.in.State.MonthDisclosure(m, b.in.SuppressBelow)
		for j, t := range ledger.IncidentTypes {
			var was *projections.Cell
			if b.in.Published != nil {
				p := pub.Cells[m][t]
				was = &p
			}
			causes := func() []string { return b.causes(t, m, nil) }
			b.figure(s, 2+j, r, series.Cells[m][t], d.Type(t).Suppressed(), was, b.l.S("%[1]s, %[2]s: persons", b.l.Month(m), b.l.Type(t)), causes)
		}
	}
	last := h + len(series.Months)
	var chartSeries []excelize.ChartSeries
	colors := []string{"1F4E79", "C55A11", "548235", "7030A0", "BF9000"}
	markers := []string{"circle", "square", "triangle", "diamond", "x"}
	for i := range ledger.IncidentTypes {
		col, _ := excelize.ColumnNumberToName(i + 2)
		chartSeries = append(chartSeries, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$%d", b.name(s), col, h),
			Categories: fmt.Sprintf("'%s'!$A$%d:$A$%d", b.name(s), h+1, last),
			Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", b.name(s), col, h+1, col, last),
			Line:       excelize.LineOptions{Width: 2.25, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colors[i]}}},
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colors[i]}},
			Marker:     excelize.ChartMarker{Symbol: markers[i], Size: 6, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colors[i]}}},
		})
	}
	axisFont := excelize.Font{Family: b.font, Color: "000000", Size: 9}
	b.check(b.f.AddChart(b.name(s), cell(1, last+2), &excelize.Chart{
		Type:      excelize.Line,
		Series:    chartSeries,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: b.l.S("Persons per month by type"), Font: &excelize.Font{Family: b.font, Bold: true, Size: 11, Color: "000000"}}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{Font: axisFont, MajorGridLines: true},
		Dimension: excelize.ChartDimension{Width: 900, Height: 360},
	}))
	b.freeze(s, h)
}

func (b *book) revisions() {
	s := SheetRevisions
	b.widths(s, 16, 30, 16, 16, 80)
	b.titleBlock(s, b.l.S("Figures revised since the report published for %s", b.l.Month(b.in.Month)))
	h := 8
	if b.in.Published == nil {
		b.note(s, h, b.l.S("No report of this period has been published, so nothing is revised."))
		return
	}
	p := b.in.Publication.Event
	b.row(s, 6, b.l.S("Compared with"), b.l.S("%[1]s, published at seq %[2]s (tree size %[3]s, SHA-256 %[4]s)", p.FileName, b.in.Publication.Seq, *p.TreeSize, short(p.FileSHA256)))
	b.header(s, h, "Sheet", "Figure", "Published", "Now", "Changed by")
	for i, r := range b.revised {
		b.row(s, h+1+i, r.sheet, r.figure, r.was, r.now, clip(r.by, 32000))
		b.check(b.f.SetCellStyle(b.name(s), cell(1, h+1+i), cell(5, h+1+i), b.styles.wrap))
	}
	if len(b.revised) == 0 {
		b.note(s, h+1, b.l.S("No figure differs from the publication."))
	}
	b.freeze(s, h)
}

// Audit rows, by their key (column C); verify --report reads them back
// from here. Column A names them in the workbook's language.
const (
	AuditTreeSize = "Tree size"
	AuditVersion  = "statledger version"
	AuditSigned   = "Signed checkpoint"
	AuditCosigned = "Cosigned checkpoint"
	AuditSuppress = "Suppressed below"
	AuditLayout   = "Layout"
	AuditLanguage = "Language"
)

func (b *book) audit() {
	s := SheetAudit
	b.check(b.f.SetCellValue(b.name(s), "A1", b.l.S("Audit")))
	b.check(b.f.SetCellStyle(b.name(s), "A1", "A1", b.styles.title))
	rows := [][2]any{
		{"Ledger", b.in.Origin},
		{AuditTreeSize, b.in.State.Size},
		{"Root hash", b.in.Root},
		{"Last event recorded at", b.in.State.LastRecordedAt.UTC().Format(ledger.TimeFormat)},
		{"Report", "monthly"},
		{"Period", b.in.Month},
		{"As of", b.in.AsOf},
		{AuditVersion, b.in.Version},
		{AuditLayout, Layout},
		{AuditLanguage, b.l.Code},
		{"Verifier key", b.in.VerifierKey},
		{AuditSigned, b.in.Checkpoint},
		{AuditCosigned, b.in.Cosigned},
		{AuditSuppress, b.in.SuppressBelow},
		{"How to verify", b.l.S("statledger verify --report THIS-FILE rebuilds this workbook from the ledger and compares; an auditor without the ledger's signing key adds --key VERIFIER-KEY.")},
	}
	r := 3
	for _, row := range rows {
		key := row[0].(string)
		if (key == AuditCosigned && b.in.Cosigned == "") || (key == AuditSuppress && b.in.SuppressBelow == 0) {
			continue
		}
		b.row(s, r, b.l.S(key), row[1], key)
		b.check(b.f.SetCellStyle(b.name(s), cell(3, r), cell(3, r), b.styles.note))
		text, long := row[1].(string)
		switch {
		case key == AuditSigned || key == AuditCosigned:
			// Every line of the signed checkpoint, signatures included.
			b.check(b.f.SetCellStyle(b.name(s), cell(2, r), cell(2, r), b.styles.mono))
			b.check(b.f.SetRowHeight(b.name(s), r, float64(13*(strings.Count(text, "\n")+1))))
		case long && len(text) > 60:
			b.check(b.f.SetCellStyle(b.name(s), cell(2, r), cell(2, r), b.styles.wrap))
			b.check(b.f.SetRowHeight(b.name(s), r, float64(14*(len(text)/60+1))))
		}
		r++
	}
	b.widths(s, 24, 72, 18)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
