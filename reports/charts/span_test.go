package charts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
)

// A page spans its incidents unless told otherwise, one month when there
// are none, and never more than MaxMonths.
func TestSpan(t *testing.T) {
	st := hostileState(t) // incidents in 2025-08 and 2025-10
	for _, tc := range []struct{ from, to, wantFrom, wantTo, err string }{
		{"", "", "2025-08", "2025-10", ""},
		{"2025-09", "", "2025-09", "2025-10", ""},
		{"", "2025-09", "2025-08", "2025-09", ""},
		{"2025-11", "2025-10", "", "", "after the last"},
		{"2025-13", "", "", "", "give a month as YYYY-MM"},
		{"1990-01", "2025-10", "", "", "a page shows at most 240"},
	} {
		from, to, err := Span(st, tc.from, tc.to)
		if tc.err != "" {
			if ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q..%q: %v, want %q", tc.from, tc.to, err, tc.err)
			}
			continue
		}
		if err != nil || from != tc.wantFrom || to != tc.wantTo {
			t.Errorf("%q..%q: %s..%s %v", tc.from, tc.to, from, to, err)
		}
	}
	// From the first incident to 2045 is more than a page: its last months.
	if from, to, err := Span(st, "", "2045-10"); err != nil || to != "2045-10" || len(projections.MonthRange(from, to)) != MaxMonths {
		t.Errorf("..2045-10: %s..%s %v, want the last %d months", from, to, err, MaxMonths)
	}
	empty := projections.New()
	if from, to, err := Span(empty, "", ""); err != nil || from != to || from != "2000-01" {
		t.Errorf("no incidents: %s..%s %v", from, to, err)
	}
}

// ECharts installed with npm in the working folder is found, and nothing
// where npm put nothing (the test binary's folders hold no node_modules).
func TestFindECharts(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if p := FindECharts(); p != "" {
		t.Fatalf("found %s where nothing is installed", p)
	}
	os.MkdirAll(filepath.Dir(ECharts), 0o755)
	os.WriteFile(ECharts, []byte("echarts"), 0o644)
	if p := FindECharts(); p != ECharts {
		t.Fatalf("found %q, want %s", p, ECharts)
	}
}
