package ledger

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func i64(n int64) *int64 { return &n }

func validArrest() Event {
	return Event{Type: Arrest, Date: "2025-10-20", DatePrecision: "week", Count: i64(60), CountQualifier: "approx",
		Nationality: "KR", Country: "KH", Source: &Source{Publisher: "Phnom Penh news report"}}
}

func validTaskforce() Event {
	return Event{Type: TaskforceAnnounced, Taskforce: "kh-kr-joint-working-group", Members: []string{"KH", "KR"}, Date: "2025-10-27"}
}

// TestValidateRules names every field's rule: each case breaks exactly one rule
// of an otherwise valid event and expects exactly that field to be reported.
func TestValidateRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name  string
		base  func() Event
		edit  func(*Event)
		field string // "" means the event must be valid
	}{
		{"valid arrest", validArrest, func(e *Event) {}, ""},
		{"valid taskforce", validTaskforce, func(e *Event) {}, ""},
		{"id not a uuid", validArrest, func(e *Event) { e.ID = "42" }, "id"},
		{"id upper case normalised", validArrest, func(e *Event) { e.ID = "0B9C6F0E-8A8E-4C1F-9A4E-2F1F3B5B6C7D" }, ""},
		{"type missing", validArrest, func(e *Event) { e.Type = "" }, "type"},
		{"type unknown", validArrest, func(e *Event) { e.Type = "kidnapping" }, "type"},
		{"date missing", validArrest, func(e *Event) { e.Date = "" }, "date"},
		{"date not calendar", validArrest, func(e *Event) { e.Date = "2025-02-30" }, "date"},
		{"date leap day ok", validArrest, func(e *Event) { e.Date = "2024-02-29" }, ""},
		{"date leap day bad", validArrest, func(e *Event) { e.Date = "2025-02-29" }, "date"},
		{"date wrong form", validArrest, func(e *Event) { e.Date = "20/10/2025" }, "date"},
		{"date with time", validArrest, func(e *Event) { e.Date = "2025-10-20T00:00:00Z" }, "date"},
		{"date year 0025", validArrest, func(e *Event) { e.Date = "0025-10-20" }, "date"},
		{"precision unknown", validArrest, func(e *Event) { e.DatePrecision = "year" }, "date_precision"},
		{"precision default", validArrest, func(e *Event) { e.DatePrecision = "" }, ""},
		{"count missing", validArrest, func(e *Event) { e.Count = nil }, "count"},
		{"count negative", validArrest, func(e *Event) { e.Count = i64(-1) }, "count"},
		{"count too large", validArrest, func(e *Event) { e.Count = i64(MaxCount + 1) }, "count"},
		{"count zero ok", validArrest, func(e *Event) { e.Count = i64(0) }, ""},
		{"count max ok", validArrest, func(e *Event) { e.Count = i64(MaxCount) }, ""},
		{"qualifier unknown", validArrest, func(e *Event) { e.CountQualifier = "about" }, "count_qualifier"},
		{"nationality missing", validArrest, func(e *Event) { e.Nationality = "" }, "nationality"},
		{"nationality alpha-3", validArrest, func(e *Event) { e.Nationality = "KOR" }, "nationality"},
		{"nationality private use", validArrest, func(e *Event) { e.Nationality = "QQ" }, "nationality"},
		{"nationality unknown ZZ", validArrest, func(e *Event) { e.Nationality = "ZZ" }, "nationality"},
		{"nationality continent", validArrest, func(e *Event) { e.Nationality = "EU" }, "nationality"},
		{"nationality numeric", validArrest, func(e *Event) { e.Nationality = "41" }, "nationality"},
		{"nationality lower case ok", validArrest, func(e *Event) { e.Nationality = "kr" }, ""},
		{"country missing", validArrest, func(e *Event) { e.Country = "" }, "country"},
		{"country deprecated UK", validArrest, func(e *Event) { e.Country = "UK" }, "country"},
		{"country withdrawn DD", validArrest, func(e *Event) { e.Country = "DD" }, "country"},
		{"nationality withdrawn YU", validArrest, func(e *Event) { e.Nationality = "YU" }, "nationality"},
		{"nationality withdrawn BU", validArrest, func(e *Event) { e.Nationality = "BU" }, "nationality"},
		{"country withdrawn TP", validArrest, func(e *Event) { e.Country = "TP" }, "country"},
		{"country withdrawn CS", validArrest, func(e *Event) { e.Country = "CS" }, "country"},
		{"country withdrawn AN", validArrest, func(e *Event) { e.Country = "AN" }, "country"},
		{"location too long", validArrest, func(e *Event) { e.Location = long(501) }, "location"},
		{"location newline", validArrest, func(e *Event) { e.Location = "a\nb" }, "location"},
		{"location bidi ok as text", validArrest, func(e *Event) { e.Location = "ភ្នំពេញ 프놈펜" }, ""},
		{"location invalid utf8", validArrest, func(e *Event) { e.Location = "a\xffb" }, "location"},
		{"agency empty", validArrest, func(e *Event) { e.Agencies = []string{""} }, "agencies[0]"},
		{"agencies too many", validArrest, func(e *Event) { e.Agencies = make([]string, 101) }, "agencies"},
		{"crime too long", validArrest, func(e *Event) { e.Crime = long(101) }, "crime"},
		{"source missing", validArrest, func(e *Event) { e.Source = nil }, "source"},
		{"source empty", validArrest, func(e *Event) { e.Source = &Source{Title: "t"} }, "source"},
		{"source url only ok", validArrest, func(e *Event) { e.Source = &Source{URL: "https://example.org/a"} }, ""},
		{"source url javascript", validArrest, func(e *Event) { e.Source = &Source{URL: "javascript:alert(1)"} }, "source.url"},
		{"source url relative", validArrest, func(e *Event) { e.Source = &Source{URL: "/news/1"} }, "source.url"},
		{"source published bad", validArrest, func(e *Event) { e.Source.Published = "2025-10" }, "source.published"},
		{"source title too long", validArrest, func(e *Event) { e.Source.Title = long(501) }, "source.title"},
		{"notes max ok", validArrest, func(e *Event) { e.Notes = long(MaxNotes) }, ""},
		{"notes too long", validArrest, func(e *Event) { e.Notes = long(MaxNotes + 1) }, "notes"},
		{"notes multi-line ok", validArrest, func(e *Event) { e.Notes = "line 1\nline 2\tend" }, ""},
		{"notes NUL", validArrest, func(e *Event) { e.Notes = "a\x00b" }, "notes"},
		{"notes escape sequence", validArrest, func(e *Event) { e.Notes = "\x1b[31mred" }, "notes"},
		{"incident with taskforce field", validArrest, func(e *Event) { e.Taskforce = "x" }, "taskforce"},
		{"incident with reason", validArrest, func(e *Event) { e.Reason = "x" }, "reason"},
		{"taskforce slug missing", validTaskforce, func(e *Event) { e.Taskforce = "" }, "taskforce"},
		{"taskforce slug upper", validTaskforce, func(e *Event) { e.Taskforce = "KH-KR" }, "taskforce"},
		{"taskforce member bad", validTaskforce, func(e *Event) { e.Members = []string{"KH", "XX"} }, "members[1]"},
		{"taskforce member twice", validTaskforce, func(e *Event) { e.Members = []string{"KH", "KH"} }, "members[1]"},
		{"taskforce without date ok", validTaskforce, func(e *Event) { e.Date = "" }, ""},
		{"taskforce with count", validTaskforce, func(e *Event) { e.Count = i64(1) }, "count"},
		{"taskforce purpose too long", validTaskforce, func(e *Event) { e.Purpose = long(2001) }, "purpose"},
		{"correction ok", func() Event {
			return Event{Type: Correction, Corrects: "0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d", Changes: &Changes{Count: i64(61)}, Reason: "typo"}
		}, func(e *Event) {}, ""},
		{"correction no target", func() Event {
			return Event{Type: Correction, Changes: &Changes{Count: i64(61)}, Reason: "typo"}
		}, func(e *Event) {}, "corrects"},
		{"correction empty changes", func() Event {
			return Event{Type: Correction, Corrects: "0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d", Changes: &Changes{}, Reason: "typo"}
		}, func(e *Event) {}, "changes"},
		{"correction bad change", func() Event {
			return Event{Type: Correction, Corrects: "0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d", Changes: &Changes{Count: i64(-5)}, Reason: "typo"}
		}, func(e *Event) {}, "changes.count"},
		{"correction no reason", func() Event {
			return Event{Type: Correction, Corrects: "0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d", Changes: &Changes{Count: i64(61)}}
		}, func(e *Event) {}, "reason"},
		{"retraction no reason", func() Event {
			return Event{Type: Retraction, Retracts: "0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d"}
		}, func(e *Event) {}, "reason"},
		{"retraction bad id", func() Event { return Event{Type: Retraction, Retracts: "nope", Reason: "x"} }, func(e *Event) {}, "retracts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.base()
			c.edit(&e)
			Normalize(&e)
			errs := Validate(&e)
			if c.field == "" {
				if len(errs) > 0 {
					t.Fatalf("valid event rejected: %v", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("want an error on %s, got none", c.field)
			}
			if errs[0].Field != c.field {
				t.Fatalf("want the error on %s, got %v", c.field, errs)
			}
		})
	}
}

func TestNormalizeDerivesStableIDs(t *testing.T) {
	a, b := validArrest(), validArrest()
	b.Nationality = "kr" // the same fact spelled differently
	Normalize(&a)
	Normalize(&b)
	if a.ID == "" || a.ID != b.ID {
		t.Fatalf("derived ids differ for the same fact: %q %q", a.ID, b.ID)
	}
	c := validArrest()
	c.Count = i64(61)
	Normalize(&c)
	if c.ID == a.ID {
		t.Fatal("different facts got the same derived id")
	}
}

func TestCanonicalFieldOrderIsFixed(t *testing.T) {
	e := validArrest()
	Normalize(&e)
	got := string(e.Canonical())
	want := `{"id":"` + e.ID + `","type":"arrest","date":"2025-10-20","date_precision":"week","count":60,"count_qualifier":"approx","nationality":"KR","country":"KH","source":{"publisher":"Phnom Penh news report"}}`
	if got != want {
		t.Fatalf("canonical bytes changed; every leaf hash would change:\n got %s\nwant %s", got, want)
	}
}

func TestVerifierKeyDerivedFromSigningKey(t *testing.T) {
	for range 20 { // base64 key data often holds '+': derive must not split on it
		skey, vkey, err := GenerateKey("statledger.local/t")
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifierKey(skey)
		if err != nil || got != vkey {
			t.Fatalf("VerifierKey(%q) = %q, %v; want %q", skey, got, err, vkey)
		}
	}
}

// dateShaped replaced a regexp on the hot path; it must accept exactly what
// the regexp did.
func TestDateShapedIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	rapid.Check(t, func(t *rapid.T) {
		// A date's shape with up to two characters changed, added or removed.
		s := []rune(fmt.Sprintf("%04d-%02d-%02d", rapid.IntRange(0, 9999).Draw(t, "y"), rapid.IntRange(0, 99).Draw(t, "m"), rapid.IntRange(0, 99).Draw(t, "d")))
		for range rapid.IntRange(0, 2).Draw(t, "edits") {
			i := rapid.IntRange(0, len(s)-1).Draw(t, "at")
			c := rapid.SampledFrom([]rune("05-x\n٣ ")).Draw(t, "char")
			switch rapid.IntRange(0, 2).Draw(t, "edit") {
			case 0:
				s[i] = c
			case 1:
				s = append(s[:i], append([]rune{c}, s[i:]...)...)
			default:
				s = append(s[:i], s[i+1:]...)
			}
		}
		if got, want := dateShaped(string(s)), re.MatchString(string(s)); got != want {
			t.Fatalf("dateShaped(%q) = %v, the regexp says %v", string(s), got, want)
		}
	})
}

// A withdrawn code is refused naming what replaced it: x/text parses DD as
// Germany, and a DD row would sit beside DE's.
func TestWithdrawnCodesNameTheirSuccessors(t *testing.T) {
	for code, want := range map[string]string{"DD": "DE", "BU": "MM", "TP": "TL", "YU": "RS or ME", "CS": "RS or ME", "AN": "BQ, CW or SX", "ZR": "CD"} {
		if msg := CheckCountry(code); !strings.Contains(msg, "withdrawn") || !strings.Contains(msg, "use "+want) {
			t.Errorf("CheckCountry(%s) = %q, want it withdrawn in favour of %s", code, msg, want)
		}
	}
	for _, code := range []string{"DE", "MM", "TL", "RS", "ME", "CD", "KH", "KR"} {
		if msg := CheckCountry(code); msg != "" {
			t.Errorf("CheckCountry(%s) = %q", code, msg)
		}
	}
}

// A country given by its English name or its three-letter code is told its
// code; one that names no country, or several, is not given one.
func TestCountryByNameIsToldItsCode(t *testing.T) {
	for given, code := range map[string]string{"CAMBODIA": "KH", "SOUTH KOREA": "KR", "KHM": "KH", "KOR": "KR", "VIETNAM": "VN", "LAOS": "LA", "THAILAND": "TH", "MYANMAR": "MM",
		"캄보디아": "KH", "대한민국": "KR", "베트남": "VN", "កម្ពុជា": "KH", "កូរ៉េខាងត្បូង": "KR", "កូរ៉េ\u200bខាង\u200bត្បូង": "KR", "ថៃ": "TH"} {
		if msg := CheckCountry(given); !strings.HasSuffix(msg, "the format takes its two-letter ISO 3166-1 code: "+code) {
			t.Errorf("CheckCountry(%s) = %q, want it told %s", given, msg, code)
		}
	}
	for given, want := range map[string]string{
		"KR, CN":                   `"KR, CN" names 2 countries; a row is of one: give the persons of each (KR, CN) a row of their own`,
		"KR;VIETNAM":               "(KR, VN) a row of their own",
		"CAMBODIA (SIHANOUKVILLE)": `"CAMBODIA (SIHANOUKVILLE)" is Cambodia and a place: write KH, and the place in location`,
		"POIPET (KH)":              "is Cambodia and a place: write KH",
		"KR, ATLANTIS":             `"KR, ATLANTIS" is not a two-letter ISO 3166-1 country code`,
		"KOREAN":                   `"KOREAN": the format takes the two-letter ISO 3166-1 code of the country, South Korea: KR`,
		"한국인":                      "code of the country, South Korea: KR",
		"CAMBODIAN":                "Cambodia: KH",
		// A name two countries share is told both, and given neither.
		"KOREA": `"KOREA" may be South Korea (KR) or North Korea (KP): the format takes the two-letter ISO 3166-1 code of the one meant`,
		"CONGO": "(CG) or ",
	} {
		if msg := CheckCountry(given); !strings.Contains(msg, want) {
			t.Errorf("CheckCountry(%s) = %q, want %q", given, msg, want)
		}
	}
	for _, given := range []string{"ATLANTIS", "EUR", "K"} {
		if msg := CheckCountry(given); msg != fmt.Sprintf("%q is not a two-letter ISO 3166-1 country code (like KR or KH)", given) {
			t.Errorf("CheckCountry(%s) = %q", given, msg)
		}
	}
}

// What a spreadsheet or a news report puts in a cell is told the form the
// format takes, through the whole CSV path; what cannot be read without
// doubt gets no guess.
func TestCellsAsReportsWriteThem(t *testing.T) {
	cases := []struct{ col, given, want string }{
		{"count", "60+", "(count 60, count_qualifier at_least)"},
		{"count", "more than 60", "(count 61, count_qualifier at_least)"},
		{"count", "over 1,000", "(count 1001, count_qualifier at_least)"},
		{"count", "60명 이상", "(count 60, count_qualifier at_least)"},
		{"count", "약 60명", "(count 60, count_qualifier approx)"},
		{"count", "about 60", "(count 60, count_qualifier approx)"},
		{"count", "~60", "(count 60, count_qualifier approx)"},
		{"count", "fewer than 10", "(count 9, count_qualifier at_most)"},
		{"count", "up to 10", "(count 10, count_qualifier at_most)"},
		{"count", "1,234", "write it without separators (1234)"},
		{"count", "60 people", "write the number alone (60)"},
		{"count", "６０", "write it in the digits 0 to 9 (60)"},
		{"count", "៦០", "write it in the digits 0 to 9 (60)"},
		{"count", "약 ６０명", "write the number in count and how it was reported in count_qualifier (count 60, count_qualifier approx)"},
		{"date", "២០២៥-១០-២០", "write it in the digits 0 to 9 (2025-10-20)"},
		{"date", "２０２５/１０/２０", "write 2025-10-20"},
		{"count", "60 (approx)", "(count 60, count_qualifier approx)"},
		{"count", "60 (exact)", "(count 60, count_qualifier exact)"},
		{"count", "60 (persons)", "write the number alone (60)"},
		{"count", "sixty", `"sixty" is not a whole number`},
		{"count", "1.5", `"1.5" is not a whole number`}, // not 15
		{"count", "60.0", "is not a whole number: write 60"},
		{"count", "about 1.5", `"about 1.5" is not a whole number`},
		{"date", "2025/10/20", "write 2025-10-20"},
		{"date", "2025. 10. 20.", "write 2025-10-20"},
		{"date", "Oct 20, 2025", "write 2025-10-20"},
		{"date", "20/10/2025", "write 2025-10-20"},
		{"date", "10/20/2025", "write 2025-10-20"},
		{"date", "03/10/2025", "is it 2025-10-03 or 2025-03-10? write YYYY-MM-DD"},
		{"date", "2025-10", "for a month write 2025-10-01 and date_precision month"},
		{"date", "45950", "a spreadsheet's day number (2025-10-20)"},
		{"date", "2025년 10월 20일", "write 2025-10-20"},
		{"date", "2025년 10월", "for a month write 2025-10-01 and date_precision month"},
		{"date", "10/20/2025 0:00", "write 2025-10-20"},
		{"date", "2025년 2월 30일", `"2025년 2월 30일" is not a date in the form YYYY-MM-DD`},
		{"date", "yesterday", `"yesterday" is not a date in the form YYYY-MM-DD`},
		{"source.url", "www.yna.co.kr/view/AKR2025", "write https://www.yna.co.kr/view/AKR2025"},
		{"source.url", "Yonhap", "a publisher's name has a field of its own"},
		{"type", "Arrest", "did you mean arrest?"},
		{"type", "rescues", "did you mean rescue?"},
		{"type", "Task force established", "did you mean taskforce_established?"},
		{"type", "kidnapping", `"kidnapping" is not a known type (arrest, repatriation`},
	}
	for _, c := range cases {
		row := map[string]string{"type": "arrest", "date": "2025-10-02", "count": "3"}
		row[c.col] = c.given
		body := fmt.Sprintf("type,date,count,nationality,country,source_publisher,source_url\n%q,%q,%q,KR,KH,p,%q\n", row["type"], row["date"], row["count"], row["source.url"])
		d, err := ScanCSV("in.csv", strings.NewReader(body), func(int, Event) {})
		if err != nil || len(d.Errors) != 1 {
			t.Errorf("%s %q: %v %v", c.col, c.given, d.Errors, err)
			continue
		}
		if got := d.Errors[0].Error(); !strings.HasPrefix(got, "in.csv:2: "+c.col+": ") || !strings.Contains(got, c.want) {
			t.Errorf("%s %q: %s\n  want it to say %s", c.col, c.given, got, c.want)
		}
		if c.want[0] == '"' && strings.Count(d.Errors[0].Error(), ":") > 3 {
			t.Errorf("%s %q was given a guess: %s", c.col, c.given, d.Errors[0].Error())
		}
	}
	for _, c := range []struct{ qual, prec, want string }{
		{"About", "day", `count_qualifier: "About" must be one of exact, at_least, approx, at_most; did you mean approx?`},
		{"at least", "day", "did you mean at_least?"},
		{"up to", "day", "did you mean at_most?"},
		{"exact", "Weekly", `date_precision: "Weekly" must be one of day, week, month; did you mean week?`},
		{"exact", "days", "did you mean day?"},
		{"zzz", "day", `count_qualifier: "zzz" must be one of exact, at_least, approx, at_most`},
	} {
		body := fmt.Sprintf("type,date,count,count_qualifier,date_precision,nationality,country,source_publisher\narrest,2025-10-02,3,%s,%s,KR,KH,p\n", c.qual, c.prec)
		d, err := ScanCSV("in.csv", strings.NewReader(body), func(int, Event) {})
		if err != nil || len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Error(), c.want) || (c.qual == "zzz" && strings.Contains(d.Errors[0].Error(), "did you mean")) {
			t.Errorf("%s, %s: %v %v\n  want %s", c.qual, c.prec, d.Errors, err, c.want)
		}
	}
}

// --as-of given a day is told the instants it could mean, not given one.
func TestAsOfADay(t *testing.T) {
	if _, err := ParseAsOf("2025-10-31"); !errors.Is(err, ErrAsOf) || !strings.Contains(err.Error(), "give 2025-10-31T23:59:59Z, by its start 2025-10-31T00:00:00Z") {
		t.Errorf("ParseAsOf of a day: %v", err)
	}
	if a, err := ParseAsOf("2025-10-31T23:59:59Z"); err != nil || a.Time == nil {
		t.Errorf("ParseAsOf of an instant: %+v %v", a, err)
	}
	if _, err := ParseAsOf("yesterday"); !errors.Is(err, ErrAsOf) || !strings.Contains(err.Error(), "is neither a tree size") {
		t.Errorf("ParseAsOf of a word: %v", err)
	}
}
