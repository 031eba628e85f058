package charts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/lang"

	"github.com/statledger/statledger/internal/clienttest"
)

// Hostile is event text meant to break out of the page, run script or confuse
// a reader; it must show as text and never execute.
var Hostile = []string{
	`</script><script>document.title='pwned'</script>`,
	`__f__function(){document.title='pwned-f'}__f__`,
	`"quoted" 'single' <b>bold</b> & ampersand`,
	`ក្រុមការងារ កម្ពុជា–កូរ៉េ`,
	`캄보디아-한국 합동 실무단`,
}

func n(v int64) *int64 { return &v }

func hostileState(t testing.TB) *projections.State {
	t.Helper()
	s := projections.New()
	at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	add := func(e ledger.Event) {
		ledger.Normalize(&e)
		if errs := ledger.Validate(&e); len(errs) > 0 {
			t.Fatalf("test event invalid: %v", errs)
		}
		s.Apply(ledger.NewRecorded(s.Size, at, "t", e))
	}
	add(ledger.Event{Type: ledger.Arrest, Date: "2025-10-20", Count: n(60), CountQualifier: "approx", Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: Hostile[0]}})
	add(ledger.Event{Type: ledger.Repatriation, Date: "2025-10-01", Count: n(61), CountQualifier: "at_least", Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "p"}})
	add(ledger.Event{Type: ledger.Death, Date: "2025-08-01", DatePrecision: "month", Count: n(1), Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "p"}})
	for i, h := range Hostile {
		add(ledger.Event{Type: ledger.TaskforceAnnounced, Taskforce: fmt.Sprintf("tf-%d", i), Name: h, Members: []string{"KH", "KR"}, Date: fmt.Sprintf("2025-%02d-10", 8+i%3)})
	}
	return s
}

func page(t testing.TB, in Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func input(s *projections.State, lib []byte) Input {
	return Input{State: s, From: "2025-08", To: "2025-10", Origin: "statledger.local/test", Root: strings.Repeat("ab", 32), Version: "test", ECharts: lib}
}

func TestPageIsDeterministic(t *testing.T) {
	a := page(t, input(hostileState(t), nil))
	b := page(t, input(hostileState(t), nil))
	if !bytes.Equal(a, b) {
		t.Fatal("two pages of the same ledger prefix differ")
	}
}

func TestHostileTextCannotLeaveItsString(t *testing.T) {
	p := string(page(t, input(hostileState(t), nil)))
	for _, bad := range []string{"<script>document.title", "</script><script>", "<b>bold</b>"} {
		if strings.Contains(p, bad) {
			t.Errorf("page contains %q verbatim", bad)
		}
	}
	// Exactly three script elements open: the library, the data, our code.
	if got := strings.Count(p, "<script"); got != 3 {
		t.Errorf("page has %d <script tags, want 3", got)
	}
	// "__f__" stays inside a JSON string; go-echarts' renderer, which would
	// turn it into code, is never used.
	if !strings.Contains(p, `"__f__function(){document.title='pwned-f'}__f__"`) {
		t.Error("the __f__ text is not kept as a JSON string")
	}
}

// namespaceURI are the only http: strings the ECharts library holds outside
// comments: XML namespace names it compares against, never fetched.
var namespaceURI = regexp.MustCompile(`^http://www\.w3\.org/(2000/svg|1999/xlink|2000/xmlns/|XML/1998/namespace)$`)

func echartsJS(t testing.TB) []byte {
	path := os.Getenv("STATLEDGER_ECHARTS_JS")
	if path == "" {
		path = filepath.Join("..", "..", "node_modules", "echarts", "dist", "echarts.min.js")
	}
	lib, err := os.ReadFile(path)
	if err != nil {
		clienttest.Missing(t, "the offline page with ECharts inlined", fmt.Sprintf("npm install echarts, for %s, or set STATLEDGER_ECHARTS_JS (%v)", path, err))
	}
	return lib
}

var (
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	urlRe        = regexp.MustCompile(`https?://[^\s"'<>)\\]*`)
)

func TestOfflinePageHasNoExternalReference(t *testing.T) {
	lib := echartsJS(t)
	p := string(page(t, input(hostileState(t), lib)))
	for _, u := range urlRe.FindAllString(blockComment.ReplaceAllString(p, ""), -1) {
		if !namespaceURI.MatchString(u) {
			t.Errorf("offline page refers to %s", u)
		}
	}
	// Our own part of the page, without the inlined library, names no URL and
	// loads nothing by attribute.
	own := strings.Replace(p, string(lib), "", 1)
	if len(own) == len(p) {
		t.Fatal("the library is not inlined verbatim")
	}
	if urlRe.MatchString(own) || strings.Contains(own, " src=") || strings.Contains(own, " href=") {
		t.Error("the page outside the library refers to something external")
	}
	if !strings.Contains(p, "default-src 'none'") || strings.Contains(p, "cdn.jsdelivr.net") {
		t.Error("offline page's CSP does not forbid every external load")
	}
	online := string(page(t, input(hostileState(t), nil)))
	if !strings.Contains(online, `<script src="`+PublicECharts+`"></script>`) {
		t.Error("online page does not load ECharts from the public host")
	}
}

// BenchmarkPage10Years is the yardstick: 10 years × 5 types × 12
// nationalities, without the library.
func BenchmarkPage10Years(b *testing.B) {
	s := projections.New()
	at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	nats := []string{"KR", "CN", "VN", "TH", "ID", "MY", "PH", "MM", "LA", "JP", "TW", "IN"}
	for y := 2016; y <= 2025; y++ {
		for m := 1; m <= 12; m++ {
			for ti, typ := range ledger.IncidentTypes {
				for ni, nat := range nats {
					e := ledger.Event{Type: typ, Date: fmt.Sprintf("%d-%02d-15", y, m), Count: n(int64(ti*13 + ni)), CountQualifier: ledger.CountQualifiers[(ti+ni)%4],
						Nationality: nat, Country: "KH", Source: &ledger.Source{Publisher: "p"}}
					ledger.Normalize(&e)
					s.Apply(ledger.NewRecorded(s.Size, at, "b", e))
				}
			}
		}
	}
	in := Input{State: s, From: "2016-01", To: "2025-12", Origin: "o", Root: strings.Repeat("0", 64), Version: "b"}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Write(&buf, in); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB/page")
}

// A timeline of more task forces than it has rows scrolls, showing the last
// timelineRows; a short one has no slider.
func TestTaskforceTimelineScrollsWhenLong(t *testing.T) {
	type dataZoom struct {
		YAxisIndex *int    `json:"yAxisIndex"`
		Start      float64 `json:"start"`
		End        float64 `json:"end"`
	}
	// As the page carries it: the option's JSON.
	zoomOf := func(n int) []dataZoom {
		tfs := make([]projections.Taskforce, n)
		for i := range tfs {
			tfs[i] = projections.Taskforce{Slug: fmt.Sprintf("tf-%d", i), Announced: "2025-10-01"}
		}
		b, err := json.Marshal((&pageOf{l: lang.English}).taskforceTimeline(tfs, "2025-01", "2025-12").Option)
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			DataZoom []dataZoom `json:"dataZoom"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		return o.DataZoom
	}
	if z := zoomOf(timelineRows); len(z) != 0 {
		t.Fatalf("%d task forces got a slider: %+v", timelineRows, z)
	}
	z := zoomOf(200)
	if len(z) != 1 || z[0].YAxisIndex == nil || *z[0].YAxisIndex != 0 || z[0].End != 100 || int((z[0].End-z[0].Start)*200/100+0.5) != timelineRows {
		t.Fatalf("200 task forces: dataZoom %+v, want the last %d rows of the y axis shown", z, timelineRows)
	}
}

// A withheld figure is not in the page's data at all: no value for the
// chart to draw, an "x" for the tooltip, and the running total after it
// withheld too; published figures are those of the page without a threshold.
func TestSuppressedFiguresCarryNoValue(t *testing.T) {
	in := input(hostileState(t), nil)
	plain := Build(in)
	in.SuppressBelow = 5
	sup := Build(in)
	type option struct {
		Series []struct {
			Name string `json:"name"`
			Data []struct {
				Value any `json:"value"`
			} `json:"data"`
		} `json:"series"`
	}
	decode := func(c chartData) (option, []byte) {
		b, _ := json.Marshal(c.Option)
		var o option
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		return o, b
	}
	opt, raw := decode(sup[0])
	deaths := opt.Series[3]
	if deaths.Name != "Deaths" || deaths.Data[0].Value != "-" || sup[0].Marks[3][0] != "x" {
		t.Fatalf("August's death: %+v, mark %q", deaths.Data[0], sup[0].Marks[3][0])
	}
	if bytes.Contains(raw, []byte(`"value":1}`)) {
		t.Fatalf("the withheld death is in the page's data: %s", raw)
	}
	withheld := 0
	for i := range plain[:3] {
		a, _ := decode(plain[i])
		b, _ := decode(sup[i])
		for s := range sup[i].Marks {
			for j, m := range sup[i].Marks[s] {
				if m == "x" {
					withheld++
					continue
				}
				if x, y := a.Series[s].Data[j].Value, b.Series[s].Data[j].Value; x != y {
					t.Errorf("chart %s series %d point %d: %v without a threshold, %v with one", plain[i].ID, s, j, x, y)
				}
			}
		}
	}
	if withheld < 2 { // the death, and KR's total of August
		t.Errorf("only %d points withheld", withheld)
	}
}

// Under every chart, its figures as an HTML table: open, with a notice, for
// a reader without ECharts; the qualifiers and withheld figures marked as
// the tooltip marks them; every text escaped.
func TestEveryChartHasItsTable(t *testing.T) {
	in := input(hostileState(t), nil)
	in.SuppressBelow = 5
	page := string(page(t, in))
	if !strings.Contains(page, `<p id="no-charts" class="notice">`) || strings.Count(page, `<details class="figures" open>`) != 4 {
		t.Fatal("the page lacks its notice or its four tables")
	}
	for _, want := range []string{
		"<tr><th scope=\"row\">2025-10</th><td>~60</td><td>≥61</td><td>0</td><td>0</td><td>0</td></tr>", // by type, October
		"<tr><th scope=\"row\">2025-08</th><td>0</td><td>0</td><td>0</td><td>x</td><td>0</td></tr>",     // August's withheld death
		"<th scope=\"col\">Announced</th>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the tables lack %s", want)
		}
	}
	for _, h := range Hostile {
		if !strings.Contains(page, "<th scope=\"row\">"+html.EscapeString(h)+"</th>") {
			t.Errorf("task-force name %q is not in the table as escaped text", h)
		}
	}
}

// A figure that is not exact is marked on its bar, not only in the tooltip.
func TestQualifiedBarsAreLabelled(t *testing.T) {
	b, _ := json.Marshal(Build(input(hostileState(t), nil))[0].Option)
	for _, want := range []string{`"formatter":"~60"`, `"formatter":"≥61"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the bar chart has no label %s", want)
		}
	}
	if bytes.Contains(b, []byte(`"formatter":"1"`)) {
		t.Error("an exact figure is labelled")
	}
}

// In Korean and Khmer the page speaks their script, says so (lang), and
// shows the English page's figures.
func TestPageLanguages(t *testing.T) {
	s := hostileState(t)
	en := string(page(t, input(s, nil)))
	figures := regexp.MustCompile(`<td>[^<]*</td>`)
	for _, tc := range []struct {
		code   string
		script *regexp.Regexp
	}{{"ko", regexp.MustCompile(`\p{Hangul}`)}, {"km", regexp.MustCompile(`\p{Khmer}`)}} {
		l, _ := lang.Parse(tc.code)
		in := input(s, nil)
		in.Lang = l
		got := string(page(t, in))
		h1 := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(got)
		if !strings.Contains(got, `<html lang="`+tc.code+`">`) || h1 == nil || !tc.script.MatchString(h1[1]) {
			t.Errorf("%s: the page is not in its language: %v", tc.code, h1)
		}
		if a, b := strings.Join(figures.FindAllString(en, -1), ""), strings.Join(figures.FindAllString(got, -1), ""); a != b {
			t.Errorf("%s: the tables' figures differ from the English page's", tc.code)
		}
	}
}
