package ledger

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
	"pgregory.net/rapid"
)

func TestDecodeSeedFile(t *testing.T) {
	f, err := os.Open("../testdata/seed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := DecodeJSONL("seed.jsonl", f)
	if err != nil || len(d.Errors) > 0 {
		t.Fatalf("seed does not decode: %v %v", err, d.Errors)
	}
	var kinds []string
	for _, e := range d.Events {
		kinds = append(kinds, string(e.Type)+"/"+e.CountQualifier)
	}
	want := "death/exact taskforce_announced/ repatriation/at_least arrest/approx"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("seed events = %v, want %s", kinds, want)
	}
}

func TestDecodeJSONLReportsEveryBadLine(t *testing.T) {
	in := "\ufeff" + `{"type":"arrest","date":"2025-10-01","count":5,"nationality":"KR","country":"KH","source":{"publisher":"p"}}` + "\r\n" +
		"\n" +
		`{"type":"arrest","date":"2025-02-30","count":5,"nationality":"KR","country":"KH","source":{"publisher":"p"}}` + "\n" +
		`{"type":"arrest","date":"2025-10-01","count":5,"nationality":"KOR","country":"KH","source":{"publisher":"p"}}` + "\n" +
		strings.Repeat("x", MaxLineBytes+10) + "\n" +
		`{"type":"rescue","date":"2025-10-01","count":2,"nationality":"kr","country":"kh","source":{"url":"https://example.org"}}`
	d, err := DecodeJSONL("in.jsonl", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range d.Errors {
		got = append(got, e.File+":"+strconv.Itoa(e.Line)+": "+e.Field)
	}
	if strings.Join(got, " ") != "in.jsonl:3: date in.jsonl:4: nationality in.jsonl:5: (line)" {
		t.Fatalf("errors = %v", d.Errors)
	}
	if len(d.Events) != 2 || d.Lines[0] != 1 || d.Lines[1] != 6 || d.Events[1].Country != "KH" {
		t.Fatalf("events = %+v, lines %v", d.Events, d.Lines)
	}
}

// A sheet with a title or blank rows above its column names is told on
// which line they are; a header of no known column, with none below it, is
// told its own names (not the next row's).
func TestColumnNamesBelowATitle(t *testing.T) {
	for in, want := range map[string]string{
		"October 2025 arrests,,,,,\n,,,,,\ntype,date,count,nationality,country,source_publisher\narrest,2025-10-01,3,KR,KH,p\n": "the column names are on line 3, not the first: remove the 2 rows above them",
		"Report\r\ntype,date,count,nationality,country,source_publisher\r\n":                                                    "the column names are on line 2, not the first: remove the 1 row above them",
		"foo,bar\n1,2\n": "in.csv:1: foo: is not a column of the format",
	} {
		d, err := ScanCSV("in.csv", strings.NewReader(in), func(int, Event) {})
		if err != nil || len(d.Errors) == 0 || !strings.Contains(d.Errors[0].Error(), want) {
			t.Errorf("%q: %v %v\n  want %s", in, d.Errors, err, want)
		}
	}
}

// A column named as sheets often name it is told the format's name.
func TestColumnsByOtherNames(t *testing.T) {
	in := "type,date,Persons,nationality,country,source,qualifier\narrest,2025-10-01,3,KR,KH,Yonhap,exact\n"
	d, err := ScanCSV("in.csv", strings.NewReader(in), func(int, Event) {})
	var got []string
	for _, e := range d.Errors {
		got = append(got, e.Error())
	}
	want := []string{
		"in.csv:1: Persons: is not a column of the format; did you mean count?",
		"in.csv:1: source: is not a column of the format; did you mean source_publisher?",
		"in.csv:1: qualifier: is not a column of the format; did you mean count_qualifier?",
	}
	if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%v\n%s", err, strings.Join(got, "\n"))
	}
}

// A correction's changes written as pairs in a CSV cell are told the JSON
// they were meant as, and how the CSV text holds it.
func TestChangesAsPairs(t *testing.T) {
	id := "54675ac0-de63-5203-9e64-4d3c3401440f"
	for cell, want := range map[string]string{
		"{count: 64}":                       `changes: "{count: 64}" is not a JSON object of the fields to change: write {"count":64} (in the CSV text: "{""count"":64}")`,
		`"count=64; count_qualifier=exact"`: `write {"count":64,"count_qualifier":"exact"}`,
		"64":                                `changes: "64" is not a JSON object of the fields to change`,
	} {
		in := "type,corrects,changes,reason\ncorrection," + id + "," + cell + ",x\n"
		d, err := ScanCSV("in.csv", strings.NewReader(in), func(int, Event) {})
		if err != nil || len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Error(), want) || (cell == "64" && strings.Contains(d.Errors[0].Error(), "write")) {
			t.Errorf("%s: %v %v\n  want %s", cell, d.Errors, err, want)
		}
	}
}

// A JSONL count written with decimals is told the whole number.
func TestJSONCountWithDecimals(t *testing.T) {
	line := `{"type":"arrest","date":"2025-10-01","count":60.0,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`
	d, err := DecodeJSONL("in.jsonl", strings.NewReader(line))
	if err != nil || len(d.Errors) != 1 || d.Errors[0].Msg != "is a JSON number 60.0; it must be a whole number: write 60" {
		t.Fatalf("%v %v", d.Errors, err)
	}
}

// JSON that is no JSONL (an array of events, or one object over several
// lines, as tools export .json) is told so once, not line by line.
func TestJSONThatIsNoJSONL(t *testing.T) {
	event := `{"type":"arrest","date":"2025-10-01","count":5,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`
	for name, in := range map[string]string{
		"an array":         "[" + event + ",\n" + event + "]\n",
		"an array, spread": "[\n  " + event + ",\n  " + event + "\n]\n",
		"one object":       "\ufeff{\n  \"type\": \"arrest\",\n  \"count\": 5\n}\n",
	} {
		d, err := DecodeJSONL("in.json", strings.NewReader(in))
		if err != nil || len(d.Errors) != 1 || d.Errors[0].Line != 1 || !strings.Contains(d.Errors[0].Msg, "not JSONL: JSONL has one event per line") || len(d.Events) != 0 {
			t.Errorf("%s: %v %v", name, d.Errors, err)
		}
	}
	// Each format given for the other is told which it is, once.
	csvText := "type,date,count,nationality,country,source_publisher\narrest,2025-10-01,5,KR,KH,p\n"
	if d, err := DecodeJSONL("in.csv", strings.NewReader(csvText)); err != nil || len(d.Errors) != 1 || d.Errors[0].Msg != "this is CSV (its first line names the format's columns), not JSONL: read it as CSV" {
		t.Errorf("CSV read as JSONL: %v %v", d.Errors, err)
	}
	if d, err := ScanCSV("in.jsonl", strings.NewReader("\ufeff"+event+"\n"), func(int, Event) {}); err != nil || len(d.Errors) != 1 || d.Errors[0].Msg != "this is JSONL (a JSON object on each line), not CSV: read it as JSONL" {
		t.Errorf("JSONL read as CSV: %v %v", d.Errors, err)
	}
}

func TestDecodeCSV(t *testing.T) {
	in := "\ufeffnotes,type,date,count,count_qualifier,nationality,country,agencies,source_publisher\n" +
		"\"multi\nline\",arrest,2025-10-20,60,approx,KR,KH,Police; Immigration ,Khmer Times\n" +
		",,,,,,,,\n" +
		"x,death,2025-08-01,1,,KR,KH,,Yonhap\n"
	d, err := DecodeCSV("in.csv", strings.NewReader(in))
	if err != nil || len(d.Errors) > 0 {
		t.Fatalf("%v %v", err, d.Errors)
	}
	if len(d.Events) != 2 || d.Lines[1] != 5 {
		t.Fatalf("events = %+v, lines %v", d.Events, d.Lines)
	}
	e := d.Events[0]
	if e.Notes != "multi\nline" || len(e.Agencies) != 2 || e.Agencies[1] != "Immigration" || e.Source.Publisher != "Khmer Times" {
		t.Fatalf("event = %+v", e)
	}
}

// checkDecoded is the property both fuzz targets hold: whatever the input,
// every accepted event is valid, and its canonical bytes decode to itself.
func checkDecoded(t *testing.T, d Decoded) {
	for _, e := range d.Events {
		if errs := Validate(&e); len(errs) > 0 {
			t.Fatalf("accepted an invalid event: %v", errs)
		}
		again, err := DecodeJSONL("again", bytes.NewReader(e.Canonical()))
		if err != nil || len(again.Errors) > 0 || len(again.Events) != 1 {
			t.Fatalf("canonical form does not decode: %v %v", err, again.Errors)
		}
		if !again.Events[0].Equal(&e) {
			t.Fatalf("canonical round trip changed the event:\n%s\n%s", e.Canonical(), again.Events[0].Canonical())
		}
	}
	for _, e := range d.Errors {
		if e.Line < 0 || e.Field == "" || e.Msg == "" {
			t.Fatalf("error without a place: %+v", e)
		}
	}
}

func addCorpus(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzDecodeJSONL(f *testing.F) {
	addCorpus(f, "../testdata/seed.jsonl")
	addCorpus(f, "../testdata/bad/*.jsonl")
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeJSONL("fuzz", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, d)
	})
}

func FuzzDecodeCSV(f *testing.F) {
	addCorpus(f, "../testdata/bad/*.csv")
	f.Add([]byte("type,date,count,nationality,country,source_publisher\narrest,2025-10-01,5,KR,KH,p\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeCSV("fuzz", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, d)
	})
}

// FuzzJSONLineDecoders: the json/v2 fast path may only say yes where
// encoding/json says yes, with the very same event; everything else goes to
// encoding/json, which names the problem.
func FuzzJSONLineDecoders(f *testing.F) {
	for _, pattern := range []string{"../testdata/seed.jsonl", "../testdata/bad/*.jsonl"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			b, _ := os.ReadFile(p)
			for _, line := range bytes.Split(b, []byte("\n")) {
				f.Add(line)
			}
		}
	}
	f.Add([]byte(`{"type":"arrest","count":1e2,"notes":"\ud800","agencies":[{"x":1}],"source":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return // refused before either decoder
		}
		fast, ok := decodeEventFast(b)
		if !ok {
			return
		}
		slow, field, msg := decodeEventSlow(b)
		if msg != "" {
			t.Fatalf("json/v2 accepts %q, encoding/json says %s: %s", b, field, msg)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("the decoders disagree on %q:\n%+v\n%+v", b, fast, slow)
		}
	})
}

// Neutralize makes no cell a spreadsheet formula, and Unneutralize gives the
// text back: statledger's own CSV export imports back to the same events.
func TestNeutralizeRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		v := rapid.StringOf(rapid.SampledFrom([]rune("'=+-@\t\rab"))).Draw(rt, "v")
		n := Neutralize(v)
		if n != "" && strings.ContainsRune("=+-@\t\r", rune(n[0])) {
			rt.Fatalf("Neutralize(%q) = %q starts a formula", v, n)
		}
		if got := Unneutralize(n); got != v {
			rt.Fatalf("Unneutralize(Neutralize(%q)) = %q", v, got)
		}
	})
}

// A CSV with every column in the export's order is statledger's own export:
// its neutralising ' is taken off. Any other CSV keeps its text as written.
func TestOwnExportIsUnneutralized(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	n := int64(3)
	e := Event{Type: Rescue, Date: "2025-10-05", Count: &n, Nationality: "CN", Country: "KH", Location: "=HYPERLINK(1)", Notes: "'=already quoted", Source: &Source{Publisher: "@SUM(A1)"}}
	if err := w.Write(&e); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	d, err := DecodeCSV("own.csv", &b)
	if err != nil || len(d.Errors) > 0 || len(d.Events) != 1 {
		t.Fatalf("%v %v", err, d.Errors)
	}
	got := d.Events[0]
	if got.Location != e.Location || got.Notes != e.Notes || got.Source.Publisher != e.Source.Publisher {
		t.Fatalf("round trip: %q %q %q", got.Location, got.Notes, got.Source.Publisher)
	}
	other := "type,date,count,nationality,country,location,source_publisher\nrescue,2025-10-05,3,CN,KH,'=kept,p\n"
	d, _ = DecodeCSV("hand.csv", strings.NewReader(other))
	if len(d.Events) != 1 || d.Events[0].Location != "'=kept" {
		t.Fatalf("a hand-made CSV lost its text: %+v %v", d.Events, d.Errors)
	}
}

// A CSV saved with semicolons or tabs, or with the column names as a person
// would type them, is told what is wrong with its header in one line each.
func TestCSVHeaderAsSpreadsheetsWriteIt(t *testing.T) {
	problems := func(header string) []string {
		d, err := ScanCSV("in.csv", strings.NewReader(header+"\n"), func(int, Event) {})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range d.Errors {
			out = append(out, e.Field+": "+e.Msg)
		}
		return out
	}
	for header, want := range map[string]string{
		"type;date;count;nationality;country;source_publisher": "(header): the columns are separated by semicolons, not commas: save the sheet as CSV UTF-8 (comma-separated), and import that",
		"\uFEFFtype\tdate\tcount":                              "(header): the columns are separated by tabs, not commas: save the sheet as CSV UTF-8 (comma-separated), and import that",
		"type,date,Source Publisher":                           "Source Publisher: is not a column of the format; did you mean source_publisher? (names are lower case, words joined by _)",
		"type,Date-Precision":                                  "Date-Precision: is not a column of the format; did you mean date_precision? (names are lower case, words joined by _)",
		"type,date,when;where":                                 "when;where: is not a column of the format (allowed: " + strings.Join(CSVColumns, ",") + ")",
	} {
		if got := problems(header); len(got) != 1 || got[0] != want {
			t.Errorf("%q: %q, want %q", header, got, want)
		}
	}
	if got := problems("type,foo,bar"); len(got) != 2 || !strings.Contains(got[0], "(allowed: ") || got[1] != "bar: is not a column of the format" {
		t.Errorf("two unknown columns: %q; the allowed ones are listed once", got)
	}
}

// Columns a spreadsheet saved with neither a name nor a value are nothing;
// a value in one is named on its row, never dropped.
func TestCSVUnnamedEmptyColumns(t *testing.T) {
	input := "\uFEFFtype,date,count,nationality,country,source_publisher,,\r\n" +
		"arrest,2025-10-20,60,KR,KH,Yonhap,,\r\n" +
		"arrest,2025-10-21,61,KR,KH,Yonhap,,oops\r\n" +
		",,,,,,,\r\n"
	var lines []int
	d, err := ScanCSV("in.csv", strings.NewReader(input), func(line int, e Event) { lines = append(lines, line) })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lines, []int{2}) || len(d.Errors) != 1 {
		t.Fatalf("events on lines %v; errors %v", lines, d.Errors)
	}
	if e := d.Errors[0]; e.Line != 3 || e.Field != "(column 8)" || e.Msg != `"oops" is in a column the header row gives no name` {
		t.Fatalf("the value in an unnamed column: %v", e)
	}
}

// A row with more cells than the header has columns (a comma in a cell
// not in quotes) or fewer says which; a row of empty cells is nothing,
// whatever its length; the rows after are read on.
func TestCSVRowsOfAnotherLength(t *testing.T) {
	input := "type,date,count,nationality,country,source_publisher,notes\n" +
		"arrest,2025-10-20,60,KR,KH,Yonhap,raid, 60 people\n" +
		"arrest,2025-10-21,61,KR\n" +
		",,\n" +
		"arrest,2025-10-22,62,KR,KH,Yonhap,\"raid, 62 people\"\n"
	var lines []int
	d, err := ScanCSV("in.csv", strings.NewReader(input), func(line int, e Event) { lines = append(lines, line) })
	if err != nil {
		t.Fatal(err)
	}
	want := []LineError{
		{File: "in.csv", Line: 2, Field: "(row)", Msg: `has 8 cells, and the header 7 columns: is a comma inside a cell that is not in quotes? (put a cell with a comma in double quotes; past the header's columns: " 60 people")`},
		{File: "in.csv", Line: 3, Field: "(row)", Msg: "has 4 cells, and the header 7 columns: it has no cell for country, source_publisher, notes"},
	}
	if !reflect.DeepEqual(lines, []int{5}) || !reflect.DeepEqual(d.Errors, want) {
		t.Fatalf("events on lines %v; errors:\n%v", lines, d.Errors)
	}
}

// Text that Korean Excel saved as "CSV" (EUC-KR, code page 949) is told so;
// other text that is not UTF-8 is told only that.
func TestNotUTF8ThatReadsAsKorean(t *testing.T) {
	euckr := func(s string) string {
		b, err := korean.EUCKR.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for input, want := range map[string]string{
		"type,date,count,nationality,country,source_publisher\narrest,2025-10-20,1,KR,KH," + euckr("연합뉴스") + "\n": `source_publisher: is not valid UTF-8 (it reads as Korean in EUC-KR, as Korean Excel saves "CSV"); save the file as CSV UTF-8`,
		"type,date,count,nationality,country,source_publisher\narrest,2025-10-20,1,KR,KH,caf\xe9\n":               "source_publisher: is not valid UTF-8; save the file as CSV UTF-8",
	} {
		d, err := ScanCSV("in.csv", strings.NewReader(input), func(int, Event) {})
		if err != nil || len(d.Errors) != 1 || d.Errors[0].Field+": "+d.Errors[0].Msg != want {
			t.Errorf("%q: %v %v, want %q", input, d.Errors, err, want)
		}
	}
	d, err := DecodeJSONL("in.jsonl", strings.NewReader(`{"type":"arrest","notes":"`+euckr("범죄 단지")+`"}`+"\n"))
	if err != nil || len(d.Errors) != 1 || !strings.HasSuffix(d.Errors[0].Msg, "; it reads as Korean in EUC-KR); save the file as UTF-8") {
		t.Errorf("JSONL in EUC-KR: %v %v", d.Errors, err)
	}
}

// A header longer than a row may be is reported on line 1 and counted as
// the bad line it is (it was "line 0" and "0 bad lines").
func TestCSVHeaderTooLong(t *testing.T) {
	d, err := ScanCSV("in.csv", strings.NewReader("type,"+strings.Repeat("x", 2*MaxLineBytes)+"\n"), func(int, Event) {})
	if err != nil || len(d.Errors) != 1 || d.BadLines != 1 {
		t.Fatalf("%v %v, %d bad lines", d.Errors, err, d.BadLines)
	}
	if e := d.Errors[0]; e.Line != 1 || e.Field != "(header)" || !strings.HasPrefix(e.Msg, "is more than") {
		t.Fatalf("%v", e)
	}
}

// A misspelled field or column is told the one it was meant as; a name
// nothing like one gets no guess. A count in quotes is told how to write it.
func TestMisspelledNamesAreToldTheirs(t *testing.T) {
	for line, want := range map[string]string{
		`{"type":"arrest","cuont":3}`:                                `cuont: is not a field of the format; did you mean count?`,
		`{"type":"arrest","source":{"publsher":"p"}}`:                `source.publsher: is not a field of the format; did you mean publisher?`,
		`{"type":"arrest","Nationality":"KR"}`:                       `Nationality: is not a field of the format; did you mean nationality?`,
		`{"type":"arrest","zzzzzz":1}`:                               `zzzzzz: is not a field of the format (check its spelling)`,
		`{"type":"arrest","count":"60"}`:                             `count: is a JSON string; it must be a whole number: write 60, without quotes`,
		`{"type":"arrest","count":"60+"}`:                            `count: is a JSON string; it must be a whole number: write the number in count and how it was reported in count_qualifier (count 60, count_qualifier at_least)`,
		`{"type":"correction","changes":{"conut":3},"corrects":"x"}`: `changes.conut: is not a field of the format; did you mean count?`,
	} {
		d, err := DecodeJSONL("in.jsonl", strings.NewReader(line+"\n"))
		if err != nil || len(d.Errors) == 0 || d.Errors[0].Error() != "in.jsonl:1: "+want {
			t.Errorf("%s: %v %v\n  want in.jsonl:1: %s", line, d.Errors, err, want)
		}
	}
	d, err := DecodeCSV("in.csv", strings.NewReader("type,date,cuont,nationality,country,source_publisher\n"))
	if err != nil || len(d.Errors) == 0 || d.Errors[0].Error() != "in.csv:1: cuont: is not a column of the format; did you mean count?" {
		t.Errorf("a CSV header with cuont: %v %v", d.Errors, err)
	}
}
