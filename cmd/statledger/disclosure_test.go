package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statledger/statledger/internal/clienttest"
)

// pandasPython is a python3 that can import pandas (Debian's python3-pandas
// is under /usr/bin, which a pyenv on PATH may hide), or "".
func pandasPython() string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import pandas").Run() == nil {
			return p
		}
	}
	return ""
}

// A statistics office's month: the figures published with disclosure
// control, the same pattern in the summary, the workbook and the SDMX file;
// the publication records the threshold, so the auditor's rebuild is
// byte-identical; and a real SDMX consumer (pandas) reads the national
// totals that summary prints.
func TestSuppressionAndSDMX(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	dir := t.TempDir()
	must(t, sl(t, store, "import", seed), "import")
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-09", "--count", "3", "--nationality", "VN", "--country", "KH", "--source-publisher", "disclosure test"), "record")

	type row struct {
		Type       string `json:"type"`
		Persons    *int64 `json:"persons"`
		Suppressed string `json:"suppressed"`
	}
	summary := func(args ...string) map[string]row {
		r := must(t, sl(t, store, append([]string{"summary", "--month", "2025-10", "--format", "json"}, args...)...), "summary")
		var out struct {
			Rows []row `json:"rows"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("summary --format json: %v\n%s", err, r.stdout)
		}
		m := map[string]row{}
		for _, x := range out.Rows {
			m[x.Type] = x
		}
		return m
	}
	plain, sup := summary(), summary("--suppress-below", "5")
	if sup["rescue"].Persons != nil || sup["rescue"].Suppressed == "" || *plain["rescue"].Persons != 3 {
		t.Fatalf("VN's 3 rescued: plain %+v, suppressed %+v", plain["rescue"], sup["rescue"])
	}
	if *sup["repatriation"].Persons != 61 {
		t.Fatalf("the 61 repatriated are withheld too: %+v", sup["repatriation"])
	}
	r := must(t, slIn(t, "", store, nil, "summary", "--month", "2025-10"), "summary as a table")
	if strings.Contains(r.stdout, " x ") {
		t.Fatalf("summary without a threshold withholds:\n%s", r.stdout)
	}
	if r := sl(t, store, "summary", "--month", "2025-10", "--suppress-below", "1"); r.code != 2 {
		t.Fatalf("--suppress-below 1: exit %d", r.code)
	}
	if r := runBinEnv(t, bin, "", store, nil, []string{"STATLEDGER_SUPPRESS_BELOW=5"}, "summary", "--month", "2025-10"); r.code != 0 || !strings.Contains(r.stdout, "x: withheld") {
		t.Fatalf("$STATLEDGER_SUPPRESS_BELOW: exit %d\n%s", r.code, r.stdout)
	}

	// Publish with the threshold; the auditor rebuilds it byte for byte.
	oct := filepath.Join(dir, "oct.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "--suppress-below", "5", "-o", oct, "--publish"), "publish")
	if r := must(t, sl(t, store, "replay", "--format", "jsonl"), "replay"); !strings.Contains(r.stdout, `"suppress_below":5`) {
		t.Fatalf("the publication does not record the threshold:\n%s", r.stdout)
	}
	if r := must(t, sl(t, store, "verify", "--report", oct), "verify --report"); !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("verify --report: %s", r.stdout)
	}
	must(t, sl(t, store, "chart", "--suppress-below", "5", "-o", filepath.Join(dir, "charts.html")), "chart")

	// SDMX-CSV, twice the same bytes, read back by pandas.
	for _, below := range []string{"0", "5"} {
		csvPath := filepath.Join(dir, "figures-"+below+".csv")
		must(t, sl(t, store, "export", "--format", "sdmx-csv", "--suppress-below", below, "-o", csvPath), "export sdmx-csv")
		again := must(t, sl(t, store, "export", "--format", "sdmx-csv", "--suppress-below", below), "export sdmx-csv to stdout").stdout
		if b, _ := os.ReadFile(csvPath); !bytes.Equal(b, []byte(again)) {
			t.Fatal("two SDMX exports of the same ledger differ")
		}
		py := pandasPython()
		if py == "" {
			clienttest.Missing(t, "the SDMX file read by pandas", "apt-get install -y python3-pandas")
		}
		out, err := exec.Command(py, "-c", `
import json, sys, pandas as pd
df = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=[""], dtype={"OBS_VALUE": "Int64"})
assert list(df.columns[:3]) == ["STRUCTURE", "STRUCTURE_ID", "ACTION"], df.columns
t = df[(df.TIME_PERIOD == "2025-10") & (df.REF_AREA == "_T") & (df.NATIONALITY == "_T") & (df.MEASURE == "PERSONS")]
print(json.dumps({r.INCIDENT_TYPE.lower(): (None if pd.isna(r.OBS_VALUE) else int(r.OBS_VALUE)) for r in t.itertuples()}))
`, csvPath).CombinedOutput()
		if err != nil {
			t.Fatalf("pandas could not read the SDMX file: %v\n%s", err, out)
		}
		var got map[string]*int64
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("pandas printed %s", out)
		}
		want := plain
		if below == "5" {
			want = sup
		}
		for typ, w := range want {
			g := got[typ]
			if (g == nil) != (w.Persons == nil) || (g != nil && *g != *w.Persons) {
				t.Errorf("threshold %s, %s: pandas reads %v, summary says %v", below, typ, deref(g), deref(w.Persons))
			}
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return "withheld"
	}
	return *p
}
