// Package charts writes the analyst's HTML chart page. Options are built with
// go-echarts but serialised here, as HTML-safe JSON inside our own page, and
// never through go-echarts' renderer: that renderer writes the option JSON
// unescaped (a "</script>" in event text would break out) and turns any
// string holding "__f__" into raw JavaScript. Event text is untrusted input.
package charts

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"sort"
	"strings"

	gocharts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/lang"
)

// PublicECharts is where a page without an inlined library loads ECharts from.
const PublicECharts = "https://cdn.jsdelivr.net/npm/echarts@6/dist/echarts.min.js"

// Input is everything the page shows.
type Input struct {
	Lang     lang.Lang // zero: English
	State    *projections.State
	From, To string // YYYY-MM, inclusive
	Origin   string
	Root     string // hex
	Version  string
	// ECharts is the library's source to inline (an offline page); nil makes a
	// page that loads it from PublicECharts.
	ECharts []byte
	// SuppressBelow withholds the figures a monthly report withholds at this
	// threshold (projections.Suppress); 0 shows everything.
	SuppressBelow int
}

// withheld is the mark of a suppressed figure: the page's data carries no
// value for it, the chart draws nothing, and the tooltip says "x".
const withheld = "x"

// noValue is ECharts' "no data here": no bar segment, a gap in a line.
const noValue = "-"

// disclosures gives each month's suppression pattern, computed once.
type disclosures struct {
	st    *projections.State
	below int
	month map[string]projections.Disclosure
}

func (d *disclosures) of(month string) projections.Disclosure {
	if x, ok := d.month[month]; ok {
		return x
	}
	x := d.st.MonthDisclosure(month, d.below)
	d.month[month] = x
	return x
}

// note is the subtitle's word on withheld figures.
func (d *disclosures) note(l lang.Lang) string {
	if d.below < 2 {
		return ""
	}
	return l.S("; x: withheld (1 to %s persons, or would reveal such a figure)", d.below-1)
}

// chartData is one chart of the page: its element id, the ECharts option, and
// the qualifier of every figure ([series][point]; "" for exact) that the
// page's tooltip marks.
type chartData struct {
	ID     string         `json:"id"`
	Option map[string]any `json:"option"`
	Marks  [][]string     `json:"marks,omitempty"`
	// Table is the chart's figures as an HTML table under it: what a reader
	// without ECharts (offline, printing, a screen reader) gets instead.
	Table table `json:"-"`
}

// table is a chart's figures as text: a header row and one row a category.
type table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

// seriesTable is the table of series over months: a row a month, a column a
// series, each figure as the tooltip writes it.
func seriesTable(l lang.Lang, caption string, months, names []string, cells [][]string) table {
	t := table{Caption: caption, Head: append([]string{l.S("Month")}, names...)}
	for i, m := range months {
		row := []string{m}
		for _, c := range cells {
			row = append(row, c[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// figure writes a figure as the page shows it: "x" when withheld, else the
// number with its qualifier's sign (≥ at least, ≤ at most, ~ approximately).
func figure(persons int64, mark string) string {
	switch mark {
	case withheld:
		return withheld
	case "at_least":
		return fmt.Sprintf("≥%d", persons)
	case "at_most":
		return fmt.Sprintf("≤%d", persons)
	case "approx":
		return fmt.Sprintf("~%d", persons)
	}
	return fmt.Sprint(persons)
}

// TopNationalities is how many nationalities get a line of their own.
const TopNationalities = 8

// pageOf is what every chart of a page shares: its language, and the
// months' suppression patterns.
type pageOf struct {
	l lang.Lang
	d *disclosures
}

func langOf(in Input) lang.Lang {
	if in.Lang.Code == "" {
		return lang.English
	}
	return in.Lang
}

// Build returns the charts of the page, in page order.
func Build(in Input) []chartData {
	series := in.State.Trend(in.From, in.To)
	p := &pageOf{l: langOf(in), d: &disclosures{st: in.State, below: in.SuppressBelow, month: map[string]projections.Disclosure{}}}
	return []chartData{
		p.personsByType(series),
		p.personsByNationality(in.State, series.Months),
		p.cumulative(series),
		p.taskforceTimeline(in.State.Taskforces(), in.From, in.To),
	}
}

func (p *pageOf) base(id, title, subtitle string) []gocharts.GlobalOpts {
	l := p.l
	return []gocharts.GlobalOpts{
		gocharts.WithInitializationOpts(opts.Initialization{ChartID: id}), // fixed ids: same ledger, same bytes
		gocharts.WithTitleOpts(opts.Title{Title: title, Subtitle: subtitle}),
		gocharts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Top: "62"}),
		gocharts.WithGridOpts(opts.Grid{Top: "100", Bottom: "70", Left: "40", Right: "40", ContainLabel: opts.Bool(true)}),
		gocharts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Right: "2%", Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: l.S("Save as image"), Name: id},
			DataView:    &opts.ToolBoxFeatureDataView{Show: opts.Bool(true), Title: l.S("Data view"), Lang: []string{l.S("Data"), l.S("Close"), l.S("Refresh")}},
		}}),
	}
}

func options(c interface {
	Validate()
	JSON() map[string]any
}) map[string]any {
	c.Validate()
	return c.JSON()
}

func (p *pageOf) personsByType(s projections.Series) chartData {
	d, l := p.d, p.l
	bar := gocharts.NewBar()
	bar.SetGlobalOptions(append(p.base("persons-by-type", l.S("Persons per month by incident type"), l.S("stacked; ≥ at least, ≤ at most, ~ approximately")+d.note(l)),
		gocharts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		gocharts.WithDataZoomOpts(opts.DataZoom{Type: "slider", Start: 0, End: 100}, opts.DataZoom{Type: "inside"}),
	)...)
	bar.SetXAxis(s.Months)
	var marks, cells [][]string
	var names []string
	for _, t := range ledger.IncidentTypes {
		data := make([]opts.BarData, len(s.Months))
		m := make([]string, len(s.Months))
		text := make([]string, len(s.Months))
		for i, month := range s.Months {
			c := s.Cells[month][t]
			data[i] = opts.BarData{Value: c.Persons}
			m[i] = mark(c)
			if d.of(month).Type(t).Suppressed() {
				data[i], m[i] = opts.BarData{Value: noValue}, withheld
			} else if m[i] != "" {
				// Marked on the bar itself, not only in the tooltip: a
				// reader of a printed or saved chart sees "~60", not 60.
				data[i].Label = &opts.Label{Show: opts.Bool(true), Position: "inside", Formatter: figure(c.Persons, m[i])}
			}
			text[i] = figure(c.Persons, m[i])
		}
		// Over ten years the marks of 120 bars overlap into a smear: a
		// mark that would overlap another is hidden, and shows again as the
		// reader zooms in (the tooltip and the figures below keep them all).
		bar.AddSeries(l.Type(t), data, gocharts.WithBarChartOpts(opts.BarChart{Stack: "persons"}),
			gocharts.WithLabelLayoutOpts(opts.LabelLayout{HideOverlap: opts.Bool(true)}))
		marks, cells, names = append(marks, m), append(cells, text), append(names, l.Type(t))
	}
	return chartData{ID: "persons-by-type", Option: options(bar), Marks: marks,
		Table: seriesTable(l, l.S("Persons per month by incident type"), s.Months, names, cells)}
}

// mark is a figure's qualifier as the tooltip shows it; exact figures carry none.
func mark(c projections.Cell) string {
	if q := c.Qual(); q != "exact" {
		return q
	}
	return ""
}

func (p *pageOf) personsByNationality(st *projections.State, months []string) chartData {
	d, l := p.d, p.l
	// Persons per nationality and month, all incident types together.
	cells := map[string]map[string]projections.Cell{}
	totals := map[string]int64{}
	withheldCells := map[string]bool{}
	for _, m := range months {
		for code, row := range st.ByNationality(m) {
			if cells[code] == nil {
				cells[code] = map[string]projections.Cell{}
			}
			var c projections.Cell
			for _, t := range ledger.IncidentTypes {
				if tc, ok := row[t]; ok && tc.Events > 0 {
					c.Events += tc.Events
					c.Persons += tc.Persons
					c.Qualifier = projections.CombineQualifiers(c.Qualifier, tc.Qual())
				}
			}
			cells[code][m] = c
			if d.of(m).NationalityTotal(code).Suppressed() {
				withheldCells[code+"|"+m] = true
				continue // the ranking shows nothing of a withheld figure either
			}
			totals[code] += c.Persons
		}
	}
	codes := make([]string, 0, len(totals))
	for k := range totals {
		codes = append(codes, k)
	}
	sort.Slice(codes, func(i, j int) bool {
		if totals[codes[i]] != totals[codes[j]] {
			return totals[codes[i]] > totals[codes[j]]
		}
		return codes[i] < codes[j]
	})
	top, rest := codes, []string(nil)
	if len(codes) > TopNationalities {
		top, rest = codes[:TopNationalities], codes[TopNationalities:]
	}
	line := gocharts.NewLine()
	line.SetGlobalOptions(append(p.base("persons-by-nationality", l.S("Persons per month by nationality"), l.S("top %s and other; all incident types", TopNationalities)+d.note(l)),
		gocharts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
	)...)
	line.SetXAxis(months)
	var marks, texts [][]string
	var names []string
	add := func(name string, codes []string) {
		data := make([]opts.LineData, len(months))
		m := make([]string, len(months))
		text := make([]string, len(months))
		for i, month := range months {
			var c projections.Cell
			hidden := false
			for _, code := range codes {
				// "Other" with one withheld nationality in it would give
				// that one away beside the month's total: it is withheld too.
				hidden = hidden || withheldCells[code+"|"+month]
				cc := cells[code][month]
				c.Persons += cc.Persons
				c.Events += cc.Events
				if cc.Events > 0 {
					c.Qualifier = projections.CombineQualifiers(c.Qualifier, cc.Qual())
				}
			}
			data[i] = opts.LineData{Value: c.Persons}
			m[i] = mark(c)
			if hidden {
				data[i], m[i] = opts.LineData{Value: noValue}, withheld
			}
			text[i] = figure(c.Persons, m[i])
		}
		line.AddSeries(name, data)
		marks, texts, names = append(marks, m), append(texts, text), append(names, name)
	}
	for _, code := range top {
		add(code+" "+l.Country(code), []string{code})
	}
	if len(rest) > 0 {
		add(l.S("Other"), rest)
	}
	return chartData{ID: "persons-by-nationality", Option: options(line), Marks: marks,
		Table: seriesTable(l, l.S("Persons per month by nationality"), months, names, texts)}
}

func (p *pageOf) cumulative(s projections.Series) chartData {
	d, l := p.d, p.l
	line := gocharts.NewLine()
	line.SetGlobalOptions(append(p.base("cumulative", l.S("Cumulative arrests and repatriations"), l.S("running total over the period")+d.note(l)),
		gocharts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
	)...)
	line.SetXAxis(s.Months)
	var marks, texts [][]string
	var names []string
	for _, t := range []ledger.Type{ledger.Arrest, ledger.Repatriation} {
		data := make([]opts.LineData, len(s.Months))
		m := make([]string, len(s.Months))
		text := make([]string, len(s.Months))
		var run projections.Cell
		hidden := false
		for i, month := range s.Months {
			c := s.Cells[month][t]
			run.Persons += c.Persons
			if c.Events > 0 {
				run.Events += c.Events
				run.Qualifier = projections.CombineQualifiers(run.Qualifier, c.Qual())
			}
			data[i] = opts.LineData{Value: run.Persons}
			m[i] = mark(run)
			// From a withheld month on, each running total minus the one
			// before it would be the withheld figure.
			if hidden = hidden || d.of(month).Type(t).Suppressed(); hidden {
				data[i], m[i] = opts.LineData{Value: noValue}, withheld
			}
			text[i] = figure(run.Persons, m[i])
		}
		line.AddSeries(l.Type(t), data)
		marks, texts, names = append(marks, m), append(texts, text), append(names, l.Type(t))
	}
	return chartData{ID: "cumulative", Option: options(line), Marks: marks,
		Table: seriesTable(l, l.S("Cumulative arrests and repatriations"), s.Months, names, texts)}
}

// timelineRows is how many task forces the timeline shows at once.
const timelineRows = 20

func (p *pageOf) taskforceTimeline(tfs []projections.Taskforce, from, to string) chartData {
	l := p.l
	sc := gocharts.NewScatter()
	names := make([]string, len(tfs))
	for i, tf := range tfs {
		names[i] = tf.Slug
		if tf.Name != "" {
			names[i] = tf.Name
		}
	}
	global := append(p.base("taskforces", l.S("Task forces"), l.S("announced → established → dissolved")),
		gocharts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		// The axis spans the page's period, so a single date is not drawn as a day.
		gocharts.WithXAxisOpts(opts.XAxis{Type: "time", Min: from + "-01", Max: projections.AddMonths(to, 1) + "-01"}),
		gocharts.WithYAxisOpts(opts.YAxis{Type: "category", Data: names}),
	)
	// More task forces than the chart has rows for would draw one blot of
	// dots with every other name hidden: show timelineRows at a time, the
	// last ones first, with a slider beside the names to scroll the rest.
	if len(tfs) > timelineRows {
		global = append(global, gocharts.WithDataZoomOpts(opts.DataZoom{Type: "slider", YAxisIndex: 0, Orient: "vertical",
			Start: 100 - 100*float32(timelineRows)/float32(len(tfs)), End: 100}))
	}
	sc.SetGlobalOptions(global...)
	for _, stage := range []string{"announced", "established", "dissolved"} {
		var data []opts.ScatterData
		for i, tf := range tfs {
			date := map[string]string{"announced": tf.Announced, "established": tf.Established, "dissolved": tf.Dissolved}[stage]
			if date != "" {
				data = append(data, opts.ScatterData{Value: []any{date, names[i]}, SymbolSize: 14})
			}
		}
		sc.AddSeries(l.S(stage), data)
	}
	t := table{Caption: l.S("Task forces"), Head: []string{l.S("Task force"), l.S("Announced"), l.S("Established"), l.S("Dissolved")}}
	for i, tf := range tfs {
		t.Rows = append(t.Rows, []string{names[i], tf.Announced, tf.Established, tf.Dissolved})
	}
	return chartData{ID: "taskforces", Option: options(sc), Table: t}
}

// Write renders the page.
func Write(w io.Writer, in Input) error {
	charts := Build(in)
	l := langOf(in)
	// The script's own words come with the data: the script stays one text,
	// whose hash the page's Content-Security-Policy allows.
	words := map[string]string{"at_least": l.S("at least"), "at_most": l.S("at most"), "approx": l.S("approximately"), "withheld": l.S("withheld")}
	data, err := json.Marshal(struct {
		Charts []chartData       `json:"charts"`
		Words  map[string]string `json:"words"`
	}{charts, words})
	if err != nil {
		return err
	}
	// json.Marshal escapes <, > and & (and U+2028/9), so no event text can close
	// the <script type="application/json"> element it is placed in.
	lib := ""
	libTag := fmt.Sprintf(`<script src="%s"></script>`, PublicECharts)
	if in.ECharts != nil {
		lib = strings.ReplaceAll(string(in.ECharts), "</script", `<\/script`)
		libTag = "<script>" + lib + "</script>"
	}
	scriptSrc := fmt.Sprintf("'%s'", hash(pageScript))
	if in.ECharts != nil {
		scriptSrc += fmt.Sprintf(" '%s'", hash(lib))
	} else {
		scriptSrc += " https://cdn.jsdelivr.net"
	}
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="%s">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src %s; style-src 'unsafe-inline'; img-src data: blob:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>%s</style>
%s
</head>
<body>
<header>
<h1>%s</h1>
<dl>
<dt>%s</dt><dd>%s</dd>
<dt>%s</dt><dd id="tree-size">%d</dd>
<dt>%s</dt><dd><code id="root-hash">%s</code></dd>
<dt>%s</dt><dd>%s</dd>
</dl>
</header>
<main>
`, l.Code, scriptSrc, esc(l.S("statledger charts: %[1]s, %[2]s to %[3]s", in.Origin, in.From, in.To)), pageStyle, libTag,
		esc(l.S("Law-enforcement statistics, %[1]s to %[2]s", in.From, in.To)), esc(l.S("Ledger")), esc(in.Origin),
		esc(l.S("As of tree size")), in.State.Size, esc(l.S("Root hash")), esc(in.Root),
		esc(l.S("Last event recorded at")), esc(lastRecorded(l, in.State)))
	// Without ECharts (offline, with no library inlined) or without
	// scripts, the notice and the open tables are what a reader sees; the
	// page's script hides the one and folds the others once charts draw.
	fmt.Fprintf(&b, "<p id=\"no-charts\" class=\"notice\">%s <code>npm install echarts</code>, <code>statledger chart</code> (<code>--echarts-js node_modules/echarts/dist/echarts.min.js</code>).</p>\n",
		esc(l.S("The interactive charts need the ECharts library, which this page could not load (it is offline, and the library was not built into it). Every figure is in the tables below. For the charts, rebuild the page where ECharts is installed:")))
	for _, c := range charts {
		fmt.Fprintf(&b, "<section><div class=\"chart\" id=\"%s\"></div>\n", esc(c.ID))
		fmt.Fprintf(&b, "<details class=\"figures\" open><summary>%s</summary><table>\n<thead><tr>", esc(l.S("%s: the figures", c.Table.Caption)))
		for _, h := range c.Table.Head {
			fmt.Fprintf(&b, "<th scope=\"col\">%s</th>", esc(h))
		}
		b.WriteString("</tr></thead>\n<tbody>\n")
		for _, r := range c.Table.Rows {
			b.WriteString("<tr>")
			for i, v := range r {
				if i == 0 {
					fmt.Fprintf(&b, "<th scope=\"row\">%s</th>", esc(v))
				} else {
					fmt.Fprintf(&b, "<td>%s</td>", esc(v))
				}
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</tbody></table></details></section>\n")
	}
	fmt.Fprintf(&b, `</main>
<footer>
<p>%s <code>%s</code>.
%s <code>statledger verify --checkpoint CHECKPOINT --key VERIFIER-KEY</code>; <code>statledger chart --as-of %d</code>: %s</p>
</footer>
<script type="application/json" id="statledger-data">%s</script>
<script>%s</script>
</body>
</html>
`, esc(l.S("Drawn by statledger %[1]s from the ledger %[2]s at tree size %[3]s, root", in.Version, in.Origin, in.State.Size)), esc(in.Root),
		esc(l.S("To check that these figures come from an unaltered history, ask the ledger's keeper for a signed checkpoint of at least this size and run")),
		in.State.Size, esc(l.S("the same ledger prefix gives a byte-identical page.")), data, pageScript)
	_, err = io.WriteString(w, b.String())
	return err
}

func lastRecorded(l lang.Lang, s *projections.State) string {
	if s.LastRecordedAt.IsZero() {
		return l.S("(empty ledger)")
	}
	return s.LastRecordedAt.UTC().Format(ledger.TimeFormat)
}

// hash is a CSP source expression allowing exactly this inline script: an
// injected script, should escaping ever fail, would still not run.
func hash(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

const pageStyle = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
header dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;font-size:.9em}
header dt{font-weight:600}code{font-size:.85em;word-break:break-all}
.chart{width:100%;height:440px;margin:1.5em 0}footer{font-size:.85em;color:#444;border-top:1px solid #ccc}
.notice{border:2px solid #b45309;background:#fffbeb;padding:.8em 1em;font-weight:600}
body.charts-drawn .notice{display:none}body:not(.charts-drawn) .chart{display:none}
.figures table{border-collapse:collapse;font-size:.9em;margin:.5em 0 1.5em}
.figures th,.figures td{border:1px solid #bbb;padding:.2em .6em;text-align:right}.figures th[scope=row]{text-align:left}`

// pageScript is the page's only code. It reads the data as JSON (never as
// script), and the tooltip it adds escapes every text it shows, because
// ECharts renders tooltips as HTML.
const pageScript = `(function () {
'use strict';
var data = JSON.parse(document.getElementById('statledger-data').textContent);
function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]; }); }
var sign = {at_least: '\u2265', at_most: '\u2264', approx: '~'};
var word = data.words;
var shown = 0;
if (typeof echarts === 'undefined') {
  // No library: the notice and the tables stay as the HTML has them.
  document.body.setAttribute('data-charts-rendered', '0');
  return;
}
document.body.classList.add('charts-drawn');
document.querySelectorAll('details.figures').forEach(function (d) { d.open = false; });
data.charts.forEach(function (c) {
  var el = document.getElementById(c.id);
  var chart = echarts.init(el, null, {renderer: 'canvas'});
  var opt = c.option;
  if (c.marks) {
    opt.tooltip = opt.tooltip || {};
    opt.tooltip.formatter = function (ps) {
      if (!Array.isArray(ps)) { ps = [ps]; }
      var out = ps.length ? esc(ps[0].axisValueLabel || ps[0].name || '') : '';
      ps.forEach(function (p) {
        var q = (c.marks[p.seriesIndex] || [])[p.dataIndex] || '';
        var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        if (q === 'x') { out += '<br>' + p.marker + esc(p.seriesName) + ': x (' + esc(word.withheld) + ')'; return; }
        out += '<br>' + p.marker + esc(p.seriesName) + ': ' + (q ? sign[q] : '') + esc(v) + (q ? ' (' + word[q] + ')' : '');
      });
      return out;
    };
  }
  chart.setOption(opt);
  window.addEventListener('resize', function () { chart.resize(); });
  shown++;
});
document.body.setAttribute('data-charts-rendered', String(shown));
})();`
