package charts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/statledger/statledger/internal/clienttest"
	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// TestPageInBrowser loads the offline page from file:// in headless Chromium,
// as an analyst would open it on a network without internet, and checks that
// every chart drew, nothing logged an error, and no hostile text ran.
func TestPageInBrowser(t *testing.T) {
	lib := echartsJS(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "charts.html")
	// With a threshold of 5, August's one death is withheld: the page draws
	// no bar for it and the tooltip says x.
	in := input(hostileState(t), lib)
	in.SuppressBelow = 5
	if err := os.WriteFile(path, page(t, in), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := headless(t, dir)

	// Collect every console message, exception and browser-log entry (a CSP
	// violation lands there) while the page loads and is checked.
	var mu sync.Mutex
	var problems []string
	lctx, stopListening := context.WithCancel(ctx)
	messages := chromedp.Console(lctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()

	var report struct {
		Charts []struct {
			ID       string   `json:"id"`
			Series   int      `json:"series"`
			Inked    int      `json:"inked"`
			AxisText []string `json:"axisText"`
		} `json:"charts"`
		Pwned        bool   `json:"pwned"`
		Tooltip      string `json:"tooltip"`
		QualifierTip string `json:"qualifierTip"`
		WithheldTip  string `json:"withheldTip"`
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+path),
		chromedp.WaitVisible(`body[data-charts-rendered]`),
		chromedp.Sleep(500*time.Millisecond), // let the first animation frame paint
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](checkScript))
	if err != nil {
		t.Fatalf("page check: %v", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.getAttribute('data-charts-rendered')`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "charts.png")
	os.WriteFile(shot, png, 0o644)
	t.Logf("screenshot: %s", shot)
	time.Sleep(200 * time.Millisecond) // messages arrive asynchronously
	stopListening()
	<-done
	if err := json.Unmarshal([]byte(raw), &report); err != nil {
		t.Fatalf("page check returned %q: %v", raw, err)
	}
	if rendered != "4" || len(report.Charts) != 4 {
		t.Fatalf("%s charts rendered, report %+v", rendered, report)
	}
	for _, c := range report.Charts {
		if c.Series == 0 || c.Inked < 500 {
			t.Errorf("chart %s: %d series, %d non-white pixels: not drawn", c.ID, c.Series, c.Inked)
		}
	}
	if title != "statledger charts: statledger.local/test, 2025-08 to 2025-10" || report.Pwned {
		t.Errorf("hostile text executed: title %q, pwned %v", title, report.Pwned)
	}
	// The hostile task-force names are the timeline's axis labels, as text.
	labels := strings.Join(report.Charts[3].AxisText, "\n")
	for _, h := range Hostile {
		if !strings.Contains(labels, h) {
			t.Errorf("task force name %q is not shown as text; axis labels: %q", h, labels)
		}
	}
	// The tooltip is HTML: the hostile name must appear in it as text.
	if !strings.Contains(report.Tooltip, Hostile[0]) {
		t.Errorf("tooltip text = %q, want it to hold %q as text", report.Tooltip, Hostile[0])
	}
	// "more than 60" was recorded as at_least 61: the reader must see that.
	if !strings.Contains(report.QualifierTip, "Repatriations: ≥61 (at least)") || !strings.Contains(report.QualifierTip, "Arrests: ~60 (approximately)") {
		t.Errorf("bar tooltip = %q, want the qualifiers marked", report.QualifierTip)
	}
	if !strings.Contains(report.WithheldTip, "Deaths: x (withheld)") || strings.Contains(report.WithheldTip, "Deaths: 1") {
		t.Errorf("tooltip over August = %q, want the death withheld", report.WithheldTip)
	}
	if len(problems) > 0 {
		t.Errorf("the browser reported problems:\n%s", strings.Join(problems, "\n"))
	}
}

// checkScript runs in the page after rendering and reports what a person
// would see: each chart's series, how much of its canvas is drawn, the
// timeline's axis labels and a tooltip shown over a hostile name.
const checkScript = `(function () {
  var out = {charts: [], pwned: document.title.indexOf('pwned') >= 0};
  var ids = ['persons-by-type', 'persons-by-nationality', 'cumulative', 'taskforces'];
  ids.forEach(function (id) {
    var inst = echarts.getInstanceByDom(document.getElementById(id));
    var opt = inst.getOption();
    var canvas = document.getElementById(id).querySelector('canvas');
    var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    var inked = 0;
    for (var i = 0; i < px.length; i += 4) { if (px[i+3] > 0 && (px[i] < 240 || px[i+1] < 240 || px[i+2] < 240)) inked++; }
    out.charts.push({id: id, series: opt.series.length, inked: inked, axisText: (opt.yAxis && opt.yAxis[0].data) || []});
  });
  function tip(id, series, index) {
    echarts.getInstanceByDom(document.getElementById(id)).dispatchAction({type: 'showTip', seriesIndex: series, dataIndex: index});
    var el = document.querySelector('#' + id + ' div[style*="z-index"]');
    return el ? el.innerText : '';
  }
  out.tooltip = tip('taskforces', 0, 0);
  out.qualifierTip = tip('persons-by-type', 1, 2); // repatriations, 2025-10
  out.withheldTip = tip('persons-by-type', 0, 0); // 2025-08, where the death is withheld
  out.pwned = out.pwned || document.title.indexOf('pwned') >= 0;
  return JSON.stringify(out);
})()`

// TestPageWithoutECharts loads a page that could not inline ECharts, with no
// network: the notice says what happened and the figures are there as open
// tables, not a blank area.
func TestPageWithoutECharts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "charts.html")
	if err := os.WriteFile(path, page(t, input(hostileState(t), nil)), 0o644); err != nil {
		t.Fatal(err)
	}
	// No network at all: the public host is unreachable, as offline.
	ctx := headless(t, dir, chromedp.ProxyServer("127.0.0.1:9"), chromedp.Flag("proxy-bypass-list", "<-loopback>"))
	var report struct {
		Rendered     string `json:"rendered"`
		Notice       bool   `json:"notice"`
		OpenTables   int    `json:"openTables"`
		ChartsHidden bool   `json:"chartsHidden"`
		Text         string `json:"text"`
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+path),
		chromedp.WaitVisible(`body[data-charts-rendered]`),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		rendered: document.body.getAttribute('data-charts-rendered'),
		notice: document.getElementById('no-charts').offsetParent !== null,
		openTables: document.querySelectorAll('details.figures[open]').length,
		chartsHidden: document.getElementById('persons-by-type').offsetParent === null,
		text: document.body.innerText})`))
	if err != nil {
		t.Fatal(err)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
		os.WriteFile(filepath.Join(dir, "offline.png"), png, 0o644)
	}
	if err := json.Unmarshal([]byte(raw), &report); err != nil {
		t.Fatal(err)
	}
	if report.Rendered != "0" || !report.Notice || report.OpenTables != 4 || !report.ChartsHidden {
		t.Fatalf("offline page: %+v", report)
	}
	for _, want := range []string{"need the ECharts library", "≥61", "~60", "Repatriations"} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("the offline page does not show %q", want)
		}
	}
}

// headless starts Chromium as the project's browser tests run it (headless,
// no sandbox, no background networking, a profile of its own in dir) and
// returns a context for chromedp, ended with the test, within 60 s.
func headless(t *testing.T, dir string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		clienttest.Missing(t, "the chart page in a browser", "apt-get install -y chromium")
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.WindowSize(1200, 2400),
	}, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestMarksOverTenYearsDoNotOverlap draws ten years of figures that are all
// approximate, as the analyst of a long ledger sees them: the marks on the
// bars ("~81630") that are shown do not cover one another, some are shown,
// and zooming in on a year shows them all.
func TestMarksOverTenYearsDoNotOverlap(t *testing.T) {
	lib := echartsJS(t)
	s := projections.New()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for y := 2016; y <= 2025; y++ {
		for m := 1; m <= 12; m++ {
			for i, typ := range ledger.IncidentTypes {
				e := ledger.Event{Type: typ, Date: fmt.Sprintf("%d-%02d-15", y, m), Count: n(int64(80000 + 997*((y-2016)*12+m) + 13*i)), CountQualifier: "approx",
					Nationality: "KR", Country: "KH", Source: &ledger.Source{Publisher: "p"}}
				ledger.Normalize(&e)
				s.Apply(ledger.NewRecorded(s.Size, at, "t", e))
			}
		}
	}
	in := input(s, lib)
	in.From, in.To = "2016-01", "2025-12"
	dir := t.TempDir()
	path := filepath.Join(dir, "charts.html")
	if err := os.WriteFile(path, page(t, in), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := headless(t, dir)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(`body[data-charts-rendered]`)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	var views []struct {
		Shown, Marks, Overlaps int
		First                  string
	}
	for _, zoom := range []string{"", `inst.dispatchAction({type: 'dataZoom', startValue: '2025-01', endValue: '2025-12'});`} {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise(function (done) {
  var inst = echarts.getInstanceByDom(document.getElementById('persons-by-type'));
  inst.setOption({animation: false});
  `+zoom+`
  setTimeout(function () {
    var shown = [], marks = 0;
    inst.getModel().eachSeries(function (series) {
      var data = series.getData();
      data.each(function (i) {
        var bar = data.getItemGraphicEl(i), text = bar && bar.getTextContent();
        if (!text || !text.style || !text.style.text) return;
        marks++;
        if (text.ignore || text.invisible || bar.ignore) return;
        var r = text.getBoundingRect().clone();
        r.applyTransform(text.getComputedTransform());
        shown.push({r: r, text: text.style.text});
      });
    });
    var overlaps = 0;
    for (var i = 0; i < shown.length; i++)
      for (var j = i + 1; j < shown.length; j++)
        if (shown[i].r.intersect(shown[j].r)) overlaps++;
    done(JSON.stringify({Shown: shown.length, Marks: marks, Overlaps: overlaps, First: shown.length ? shown[0].text : ''}));
  }, 300);
})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("page check: %v", err)
		}
		var v struct {
			Shown, Marks, Overlaps int
			First                  string
		}
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatalf("page check returned %q: %v", raw, err)
		}
		views = append(views, v)
	}
	whole, year := views[0], views[1]
	if whole.Marks != 600 || whole.Overlaps > 0 || whole.Shown < 30 || !strings.HasPrefix(whole.First, "~") {
		t.Errorf("ten years: %d of %d marks shown, %d overlapping (first %q)", whole.Shown, whole.Marks, whole.Overlaps, whole.First)
	}
	if year.Overlaps > 0 || year.Shown != 60 {
		t.Errorf("one year zoomed in: %d marks shown, want all 60; %d overlapping", year.Shown, year.Overlaps)
	}
}
