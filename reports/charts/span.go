package charts

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// MaxMonths bounds a page: 20 years of months still draws quickly.
const MaxMonths = 240

// Span is the months a page of st shows: from and to as given, a missing
// one from the span of st's incidents, and a ledger without incidents the
// month of its last event. Without from, a span longer than MaxMonths is
// cut to its last MaxMonths; a span given that long is refused.
func Span(st *projections.State, from, to string) (string, string, error) {
	given := from != ""
	for _, m := range []string{from, to} {
		if _, err := time.Parse("2006-01", m); m != "" && err != nil {
			return "", "", ledger.Errorf(ledger.CodeInput, "month %q: give a month as YYYY-MM", m)
		}
	}
	from, to, err := st.Span(from, to)
	if err != nil {
		return "", "", err
	}
	if from == "" { // no incidents at all: an empty current page of one month
		from = "2000-01"
		if !st.LastRecordedAt.IsZero() {
			from = st.LastRecordedAt.UTC().Format("2006-01")
		}
		to = from
	}
	months := projections.MonthRange(from, to)
	switch {
	case len(months) > MaxMonths && !given:
		from = projections.AddMonths(to, -(MaxMonths - 1))
	case len(months) > MaxMonths:
		return "", "", ledger.Errorf(ledger.CodeInput, "%s to %s is %d months; a page shows at most %d", from, to, len(months), MaxMonths)
	}
	return from, to, nil
}

// ECharts is where npm puts ECharts: 'npm install echarts' in a folder.
const ECharts = "node_modules/echarts/dist/echarts.min.js"

// FindECharts is the ECharts that npm installed in the working folder, or
// beside the running binary or in one of the three folders above it (go run
// builds it elsewhere, go install puts it in GOBIN); "" when there is none.
func FindECharts() string {
	dirs := []string{"."}
	if exe, err := os.Executable(); err == nil {
		for d := filepath.Dir(exe); len(dirs) <= 4; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if d == filepath.Dir(d) {
				break
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, ECharts)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// LoadECharts reads the ECharts library to inline from path.
func LoadECharts(path string) ([]byte, error) {
	// echarts.min.js is about 1 MB; a larger file is not it, and is not
	// read whole to say so.
	lib, err := ledger.ReadFileAtMost(path, 16<<20)
	if errors.As(err, new(ledger.TooLarge)) {
		return nil, ledger.Errorf(ledger.CodeInput, "%s does not look like echarts.min.js: %v", path, err)
	}
	if err != nil {
		return nil, ledger.Wrap(ledger.CodeInput, err, "%s: cannot read ECharts (install it with 'npm install echarts')", path)
	}
	if !bytes.Contains(lib, []byte("echarts")) || len(lib) < 100_000 {
		return nil, ledger.Errorf(ledger.CodeInput, "%s does not look like echarts.min.js", path)
	}
	return lib, nil
}
