package monthly_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/lang"
	"github.com/statledger/statledger/reports/monthly"
)

// The Summary table says the month's figures as of its size, in the
// workbook's words as text and in the format's codes as JSON, and withholds
// a small figure in both.
func TestSummary(t *testing.T) {
	s, _, _, _ := sealed(t, 40, 40)
	st, done, err := checkpoint.View(s.KV(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	// October's arrests in storetest.Sealed: events 9, 21 and 33, of 10,
	// 22 and 34 persons.
	type row struct {
		Type       string
		Events     *int
		Persons    *int64
		Suppressed string
	}
	arrests := func(size uint64, below int) (string, row) {
		t.Helper()
		sum, err := monthly.NewSummary(ctx, s, st.At(size), "2025-10", below)
		if err != nil {
			t.Fatal(err)
		}
		var text, js bytes.Buffer
		if err := sum.WriteText(&text, lang.English); err != nil {
			t.Fatal(err)
		}
		if err := sum.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		var out struct {
			TreeSize uint64 `json:"tree_size"`
			RootHash string `json:"root_hash"`
			Rows     []row
		}
		if err := json.Unmarshal(js.Bytes(), &out); err != nil {
			t.Fatalf("%v\n%s", err, js.String())
		}
		root, err := ledger.TreeRoot(ctx, s, size)
		if err != nil {
			t.Fatal(err)
		}
		if out.TreeSize != size || out.RootHash != ledger.HashHex(root) || !strings.Contains(text.String(), ledger.HashHex(root)) {
			t.Fatalf("size %d: JSON says %d, %s; text:\n%s", size, out.TreeSize, out.RootHash, text.String())
		}
		if len(out.Rows) != len(ledger.IncidentTypes) || out.Rows[0].Type != string(ledger.Arrest) {
			t.Fatalf("rows: %+v", out.Rows)
		}
		for _, line := range strings.Split(text.String(), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Arrests") {
				return strings.Join(strings.Fields(line), " "), out.Rows[0]
			}
		}
		t.Fatalf("no Arrests line:\n%s", text.String())
		return "", row{}
	}
	if line, r := arrests(40, 0); line != "Arrests 3 66" || *r.Events != 3 || *r.Persons != 66 {
		t.Errorf("size 40: %q, %+v", line, r)
	}
	if line, r := arrests(10, 0); line != "Arrests 1 10" || *r.Persons != 10 {
		t.Errorf("size 10: %q, %+v", line, r)
	}
	if line, r := arrests(10, 11); line != "Arrests x x" || r.Events != nil || r.Persons != nil || r.Suppressed == "" {
		t.Errorf("size 10, below 11: %q, %+v", line, r)
	}
}

// In Korean and Khmer the table speaks the workbook's words, and its
// columns line up on a terminal, where a Hangul syllable takes two columns
// and a Khmer sign stacked on a letter none. A withheld figure is x, and
// what x means is said once, in the language.
func TestSummaryInItsLanguage(t *testing.T) {
	s, _, _, _ := sealed(t, 40, 40)
	st, done, err := checkpoint.View(s.KV(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	for code, want := range map[string][]string{
		"ko": {"월간 통계, 2025년 10월", "체포", "x: 비공개"},
		"km": {"ការចាប់ខ្លួន", "x: មិនផ្សាយ"},
		"en": {"Monthly statistics, October 2025", "Arrests", "x: withheld"},
	} {
		l, err := lang.Parse(code)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := monthly.NewSummary(ctx, s, st, "2025-10", 100) // the 66 arrested are withheld
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := sum.WriteText(&b, l); err != nil {
			t.Fatal(err)
		}
		text := b.String()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in\n%s", code, w, text)
			}
		}
		// The figures' column ends where its header does, on every row.
		lines := strings.Split(text, "\n")
		var table []string
		for i, line := range lines {
			if strings.HasPrefix(line, l.S("Type")) {
				table = lines[i : i+1+len(ledger.IncidentTypes)]
			}
		}
		if len(table) == 0 {
			t.Fatalf("%s: no table in\n%s", code, text)
		}
		for _, line := range table {
			if lang.Width(line) != lang.Width(table[0]) {
				t.Errorf("%s: %q is %d columns wide, its header %d", code, line, lang.Width(line), lang.Width(table[0]))
			}
		}
	}
}
