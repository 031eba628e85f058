package ledger

import "testing"

// Text from an input reaches a terminal shown, never obeyed, and cut where
// asked.
func TestPrintable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain 한국어 ខ្មែរ", 0, "plain 한국어 ខ្មែរ"},
		{"red \x1b[31m", 0, `red \x1b[31m`},
		{"a\nb\u202eevil", 0, `a\nb\u202eevil`},
		{"abcdef", 3, "abc…"},
		{"캄보디아", 2, "캄보…"},
		{"ab", 2, "ab"},
	} {
		if got := Printable(tc.in, tc.max); got != tc.want {
			t.Errorf("Printable(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestSummary(t *testing.T) {
	n := int64(60)
	e := Event{Type: Arrest, Date: "2025-10-20", DatePrecision: "week", Count: &n, CountQualifier: "approx", Nationality: "KR", Country: "KH", Location: "Phnom Penh"}
	if got, want := e.Summary(), "~60 KR in KH (Phnom Penh) on 2025-10-20 (week)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	exact, agencies := "exact", []string{"Police", "Immigration"}
	c := Event{Type: Correction, Corrects: "x", Changes: &Changes{Count: &n, CountQualifier: &exact, Agencies: &agencies, Source: &Source{Publisher: "p"}}, Reason: "ministry"}
	if got, want := c.Summary(), "corrects x: count 60, count_qualifier exact, agencies Police;Immigration, source (ministry)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}
