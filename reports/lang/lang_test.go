package lang_test

import (
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/reports/lang"
)

// A type written in the words of a report, in any language reports speak,
// is told its name when imported (Khmer with or without the zero-width
// spaces between its words).
func TestTypeInAReportsWordsIsToldItsName(t *testing.T) {
	for _, code := range lang.Codes {
		l, err := lang.Parse(code)
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range append(append([]ledger.Type{}, ledger.IncidentTypes...), ledger.TaskforceTypes...) {
			for _, word := range []string{l.Type(typ), strings.ReplaceAll(l.Type(typ), "\u200b", "")} {
				input := "type,date,count,nationality,country,source_publisher\n" + word + ",2025-10-01,5,KR,KH,Yonhap\n"
				d, err := ledger.ScanCSV("in.csv", strings.NewReader(input), func(int, ledger.Event) {})
				if err != nil {
					t.Fatal(err)
				}
				if len(d.Errors) != 1 || d.Errors[0].Field != "type" || !strings.HasSuffix(d.Errors[0].Msg, "did you mean "+string(typ)+"?") {
					t.Errorf("%s %q: %v", code, word, d.Errors)
				}
			}
		}
	}
}

// Width is what a terminal gives: two columns for Hangul, none for a
// zero-width space or a Khmer sign stacked on its letter.
func TestWidth(t *testing.T) {
	for s, want := range map[string]int{
		"Arrests": 7, "체포": 4, "약 1,680": 8, "ក\u200bខ": 2,
		// Seven letters and two spacing vowel signs; the sign above, the
		// subscript and the vowel below take none.
		"ការចាប់ខ្លួន": 9,
	} {
		if got := lang.Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}
