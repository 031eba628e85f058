package spelling

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"import", "export", "init", "key", "verify", "verify-proof", "count", "country", "id"}
	for typed, want := range map[string]string{
		"improt": "import", // a swap is one edit
		"imprt":  "import",
		"verfy":  "verify",
		"cout":   "count", // nearer than country
		"Count":  "count",
		"xyzzy":  "",
		"ix":     "", // short names are not suggested
		"expotr": "export",
		"":       "",
	} {
		if got := Closest(typed, names); got != want {
			t.Errorf("Closest(%q) = %q, want %q", typed, got, want)
		}
	}
	if Edits("ab", "ba") != 1 || Edits("kitten", "sitting") != 3 || Edits("", "abc") != 3 {
		t.Error("Edits")
	}
}
