package ledger

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/statledger/statledger/internal/spelling"
	"golang.org/x/text/encoding/korean"
)

// LineError is one problem with one field of an input, the one shape every
// such problem has: found by Validate (which knows no place), by Prepare
// (Line is the event's ordinal) or in a file (FILE:LINE). It is an input
// error (CodeOf gives CodeInput); a refused input as a whole is an *Error.
type LineError struct {
	File  string // empty when the event came from no file
	Line  int    // from 1; 0 when not known
	Field string
	Msg   string
	// Clash, when the line's id is held with other content, is how the
	// held event differs from the line.
	Clash *Clash
}

// Error is one line of text, FILE:LINE: field: problem, as much of it as is
// known: a file name, a field or a message that quotes the input never
// brings a control character (a NUL, an escape sequence, a line break) or a
// bidi override to the terminal; those are shown escaped.
func (e LineError) Error() string {
	s := e.Field + ": " + e.Msg
	switch {
	case e.File != "":
		s = fmt.Sprintf("%s:%d: %s", e.File, e.Line, s)
	case e.Line > 0:
		s = fmt.Sprintf("event %d: %s", e.Line, s)
	}
	return printable(s)
}

func printable(s string) string { return Printable(s, 0) }

// Printable is s as a terminal may show it: what a terminal would act on
// rather than show (control characters, escape sequences, line breaks, bidi
// overrides that reorder what an auditor reads) is escaped, and with max >
// 0, s is cut to max characters.
func Printable(s string, max int) string {
	if !strings.ContainsFunc(s, unsafeRune) && (max <= 0 || utf8.RuneCountInString(s) <= max) {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if max > 0 && n >= max {
			b.WriteString("…")
			break
		}
		if unsafeRune(r) {
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		} else {
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == utf8.RuneError
}

// MaxListed bounds how many problems one input reports; past it the rest of
// the file is still read (to count lines) but not reported: a million bad
// lines are counted, not held.
const MaxListed = 100

// Decoded is a whole input: its events (normalised and validated on their own)
// and every problem found.
type Decoded struct {
	Events  []Event
	Lines   []int // Lines[i] is the line Events[i] started on
	Errors  []LineError
	Dropped int // problems not listed because there were more than maxErrors
	// BadLines counts the lines with any problem, listed or not: a line
	// may have several.
	BadLines int
	lastBad  int

	emit func(line int, e Event) // set by Scan*: events go here instead of Events
}

// fail records a problem of a line; a file's problems come in line order.
func (d *Decoded) fail(e LineError) {
	if d.BadLines == 0 || e.Line != d.lastBad {
		d.BadLines++
		d.lastBad = e.Line
	}
	d.list(e)
}

// list lists a problem, or counts it past MaxListed.
func (d *Decoded) list(e LineError) {
	if len(d.Errors) >= MaxListed {
		d.Dropped++
		return
	}
	d.Errors = append(d.Errors, e)
}

// accept normalises and validates ev and records it or its problems.
func (d *Decoded) accept(file string, line int, ev Event) {
	Normalize(&ev)
	errs := Validate(&ev)
	if ev.Type == ReportPublished {
		errs = append(errs, LineError{Field: "type", Msg: "report_published events are written when a report is published, never imported"})
	}
	for _, fe := range errs {
		d.fail(LineError{File: file, Line: line, Field: fe.Field, Msg: fe.Msg})
	}
	if len(errs) == 0 {
		d.take(line, ev)
	}
}

// take keeps a good event, or hands it to emit.
func (d *Decoded) take(line int, ev Event) {
	if d.emit != nil {
		d.emit(line, ev)
		return
	}
	d.Events = append(d.Events, ev)
	d.Lines = append(d.Lines, line)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeJSONL reads one JSON object per line. Blank lines are skipped, CRLF line
// ends and a leading BOM are accepted; every bad line is reported.
func DecodeJSONL(file string, r io.Reader) (Decoded, error) {
	var d Decoded
	err := decodeJSONL(&d, file, r)
	return d, err
}

// ScanJSONL is DecodeJSONL calling fn with each good event instead of keeping
// them: an input of any size is read in constant memory.
func ScanJSONL(file string, r io.Reader, fn func(line int, e Event)) (Decoded, error) {
	d := Decoded{emit: fn}
	err := decodeJSONL(&d, file, r)
	return d, err
}

func decodeJSONL(d *Decoded, file string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	pool := newRowPool(d)
	defer pool.close()
	for line := 1; ; line++ {
		buf = buf[:0]
		tooLong, n := false, 0
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			n += len(chunk)
			if n > MaxLineBytes {
				tooLong = true // keep reading to the line's end, but keep nothing
			} else {
				buf = append(buf, chunk...)
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && err != io.EOF {
			return readError(file, err)
		}
		switch {
		case tooLong:
			e := LineError{File: file, Line: line, Field: "(line)", Msg: fmt.Sprintf("is %d bytes long; an event line may be at most %d", n, MaxLineBytes)}
			pool.row(func(d *Decoded) { d.fail(e) })
		case n > 0:
			b := bytes.TrimRight(buf, "\r\n")
			if line == 1 {
				b = bytes.TrimPrefix(b, utf8BOM)
				// JSON that is no JSONL: every line after would be told
				// wrong, one by one.
				if why := notJSONL(bytes.TrimSpace(b)); why != "" {
					e := LineError{File: file, Line: 1, Field: "(file)", Msg: why}
					pool.row(func(d *Decoded) { d.fail(e) })
					return nil
				}
			}
			if len(bytes.TrimSpace(b)) > 0 {
				if !pool.serial {
					b = bytes.Clone(b) // buf is read into again
				}
				pool.row(func(d *Decoded) { decodeJSONLine(d, file, line, b) })
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// notJSONL says why a file whose first line is first is no JSONL, or "":
// an array of events (what most tools export as .json), one object written
// over several lines, or CSV given as JSONL.
func notJSONL(first []byte) string {
	const form = "JSONL has one event per line, each a whole {…} object, with nothing between them"
	switch {
	case len(first) > 0 && first[0] == '[':
		return "this is a JSON array, not JSONL: " + form
	case bytes.Equal(first, []byte("{")):
		return "this is JSON written over several lines, not JSONL: " + form
	case len(first) > 0 && first[0] != '{' && knownColumns(strings.Split(string(first), ",")) >= 2:
		return "this is CSV (its first line names the format's columns), not JSONL: read it as CSV"
	}
	return ""
}

// knownColumns counts the cells of a header that name the format's columns.
func knownColumns(header []string) int {
	n := 0
	for _, h := range header {
		if contains(CSVColumns, strings.TrimSpace(strings.Trim(strings.TrimPrefix(h, "\uFEFF"), `"`))) {
			n++
		}
	}
	return n
}

func decodeJSONLine(d *Decoded, file string, line int, b []byte) {
	if !utf8.Valid(b) {
		hint := ""
		if legacyKorean(b) {
			hint = "; it reads as Korean in EUC-KR"
		}
		d.fail(LineError{File: file, Line: line, Field: "(line)", Msg: fmt.Sprintf("is not valid UTF-8 (first bad byte at column %d%s); save the file as UTF-8", invalidUTF8At(b)+1, hint)})
		return
	}
	ev, ok := decodeEventFast(b)
	if !ok {
		var field, msg string
		if ev, field, msg = decodeEventSlow(b); msg != "" {
			d.fail(LineError{File: file, Line: line, Field: field, Msg: msg})
			return
		}
	}
	d.accept(file, line, ev)
}

// decodeEventFast decodes a line with json/v2, about 4× faster than
// encoding/json with the token walk of checkJSONShape (pprof: that walk was
// most of a JSONL import's decoding). json/v2 refuses by itself what the walk
// looks for: a repeated name, an unknown member, anything after the object;
// and an event's types nest no deeper than maxDepth. It says only yes or no:
// on no, decodeEventSlow, with encoding/json, decides, and writes the
// message. FuzzJSONLineDecoders checks that every yes is encoding/json's
// yes, with the same event.
func decodeEventFast(b []byte) (Event, bool) {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return Event{}, false // null decodes to an empty event in json/v2
	}
	var ev Event
	if jsonv2.Unmarshal(b, &ev, jsonv2.RejectUnknownMembers(true)) != nil {
		return Event{}, false
	}
	return ev, true
}

// decodeEventSlow decodes a line with encoding/json and names what is wrong.
func decodeEventSlow(b []byte) (Event, string, string) {
	if field, msg := checkJSONShape(b); msg != "" {
		return Event{}, field, msg
	}
	// checkJSONShape has refused unknown fields, so the fast json.Unmarshal
	// (no Decoder, no DisallowUnknownFields) is safe here.
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		field, msg := describeJSONError(err)
		if field == "count" {
			msg += jsonCountHint(b)
		}
		return Event{}, field, msg
	}
	return ev, "", ""
}

// jsonCountHint says how to write a count given as a JSON string ("60",
// "60+"), or "": encoding/json's error does not carry the value.
func jsonCountHint(b []byte) string {
	var m map[string]json.RawMessage
	var s string
	if json.Unmarshal(b, &m) != nil || json.Unmarshal(m["count"], &s) != nil {
		return ""
	}
	if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return fmt.Sprintf(": write %s, without quotes", strings.TrimSpace(s))
	}
	return countHint(s)
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// maxDepth bounds nesting: the deepest valid event is an event holding changes
// holding a source (three levels).
const maxDepth = 4

// checkJSONShape walks the tokens of one line and reports what encoding/json
// would silently accept: a duplicate key (last one wins there), nesting deeper
// than any event needs, anything but one object, and trailing data.
func checkJSONShape(b []byte) (field, msg string) { return checkJSONShapeAt(b, "") }

func checkJSONShapeAt(b []byte, prefix string) (field, msg string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return describeJSONError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return "(line)", "must be one JSON object ({…})"
	}
	if field, msg := walkObject(dec, prefix, 1); msg != "" {
		return field, msg
	}
	if _, err := dec.Token(); err != io.EOF {
		return "(line)", "has more after the JSON object; put one event per line"
	}
	return "", ""
}

func walkObject(dec *json.Decoder, prefix string, depth int) (string, string) {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return describeJSONError(err)
		}
		key := tok.(string)
		name := prefix + key
		if key == "" {
			name = prefix + `""`
		}
		if seen[key] {
			return name, "appears twice in one object"
		}
		if allowed, ok := knownKeys[prefix]; ok && !allowed[key] {
			return name, notAField(key, allowed)
		}
		seen[key] = true
		if f, m := walkValue(dec, name, depth); m != "" {
			return f, m
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return describeJSONError(err)
	}
	return "", ""
}

func walkValue(dec *json.Decoder, name string, depth int) (string, string) {
	tok, err := dec.Token()
	if err != nil {
		return describeJSONError(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return "", ""
	}
	if depth+1 > maxDepth {
		return name, fmt.Sprintf("is nested more than %d levels deep; no event field is", maxDepth)
	}
	if d == '{' {
		return walkObject(dec, name+".", depth+1)
	}
	for i := 0; dec.More(); i++ {
		if f, m := walkValue(dec, fmt.Sprintf("%s[%d]", name, i), depth+1); m != "" {
			return f, m
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return describeJSONError(err)
	}
	return "", ""
}

// knownKeys are the field names allowed in each object of an event, by path.
var knownKeys = map[string]map[string]bool{
	"":                jsonNames(Event{}),
	"source.":         jsonNames(Source{}),
	"changes.":        jsonNames(Changes{}),
	"changes.source.": jsonNames(Source{}),
}

// notAField says that key is no field of an object whose fields are
// allowed, naming the one it was meant as where there is one.
func notAField(key string, allowed map[string]bool) string {
	names := make([]string, 0, len(allowed))
	for n := range allowed {
		names = append(names, n)
	}
	slices.Sort(names) // the first of equally near names, whatever the map's order
	if n := spelling.Closest(key, names); n != "" {
		return "is not a field of the format; did you mean " + n + "?"
	}
	return "is not a field of the format (check its spelling)"
}

func jsonNames(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out[name] = true
	}
	return out
}

// describeJSONError turns encoding/json's errors into field and problem.
func describeJSONError(err error) (field, msg string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "(line)", fmt.Sprintf("is not valid JSON at column %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		f := te.Field
		if f == "" {
			f = "(line)"
		}
		want := te.Type.Kind().String()
		switch want {
		case "int64", "uint64":
			want = "a whole number"
		case "slice":
			want = "a list"
		case "ptr", "struct":
			want = "an object or number as the format says"
		}
		hint := ""
		if n, ok := strings.CutPrefix(te.Value, "number "); ok && want == "a whole number" {
			hint = countHint(n) // 60.0: write 60
		}
		return f, fmt.Sprintf("is a JSON %s; it must be %s%s", te.Value, want, hint)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "(line)", "is not valid JSON: it ends too early"
	}
	s := err.Error()
	if rest, ok := strings.CutPrefix(s, `json: unknown field "`); ok {
		name := strings.TrimSuffix(rest, `"`)
		if name == "" {
			name = `""`
		}
		return name, notAField(name, knownKeys[""])
	}
	return "(line)", strings.TrimPrefix(s, "json: ")
}

// DecodeCSV reads a header row and one event per row.
func DecodeCSV(file string, r io.Reader) (Decoded, error) {
	var d Decoded
	err := decodeCSV(&d, file, r)
	return d, err
}

// ScanCSV is DecodeCSV calling fn with each good event instead of keeping them.
// readError is the error of an input that could not be read: an
// interruption (Files.Scan reads through its context) is passed on as it is.
func readError(file string, err error) error {
	if interruption(err) {
		return err
	}
	return Wrap(CodeRuntime, err, "%s: cannot read", file)
}

func ScanCSV(file string, r io.Reader, fn func(line int, e Event)) (Decoded, error) {
	d := Decoded{emit: fn}
	err := decodeCSV(&d, file, r)
	return d, err
}

// errRecordTooLong stops a CSV record that grew past MaxLineBytes: the CSV
// reader holds a whole record in memory, and a file with no line breaks at
// all (a binary file given by mistake) would be one record.
var errRecordTooLong = errors.New("record too long")

// boundedRecords is the CSV reader's input, failing once the record being
// read has taken more than MaxLineBytes (start is where it began, as
// csv.Reader.InputOffset tells after each record; the reader reads ahead at
// most a buffer's worth).
type boundedRecords struct {
	r     io.Reader
	read  int64
	start int64
}

func (b *boundedRecords) Read(p []byte) (int, error) {
	if b.read-b.start > MaxLineBytes+64<<10 {
		return 0, errRecordTooLong
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// otherSeparator names the separator of a header that is one cell holding
// the format's column names joined by a semicolon or a tab, as spreadsheets
// save "CSV" where a comma is the decimal mark, or "".
func otherSeparator(header []string) string {
	if len(header) != 1 {
		return ""
	}
	for _, sep := range []struct{ sep, name string }{{";", "semicolons"}, {"\t", "tabs"}} {
		names := strings.Split(strings.TrimPrefix(header[0], "\uFEFF"), sep.sep)
		if len(names) > 1 && slices.ContainsFunc(names, func(n string) bool { return contains(CSVColumns, n) || columnLike(n) != "" }) {
			return sep.name
		}
	}
	return ""
}

// columnLike is the column that h names in another case or with spaces or
// hyphens between its words ("Source Publisher"), or "".
func columnLike(h string) string {
	n := columnKey(h)
	if contains(CSVColumns, n) {
		return n
	}
	return ""
}

func decodeCSV(d *Decoded, file string, r io.Reader) error {
	// JSONL given as CSV: its first line would be told a bare quote.
	br := bufio.NewReader(r)
	if head, _ := br.Peek(8); bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t"), []byte("{")) {
		d.fail(LineError{File: file, Line: 1, Field: "(file)", Msg: "this is JSONL (a JSON object on each line), not CSV: read it as JSONL"})
		return nil
	}
	bounded := &boundedRecords{r: br}
	cr := csv.NewReader(bounded)
	cr.ReuseRecord = true
	// A row of another length than the header is told by decodeCSVRow,
	// which can say which cells are missing or extra.
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		d.fail(LineError{File: file, Line: 1, Field: "(header)", Msg: "the file is empty; a CSV input starts with a header row"})
		return nil
	}
	if errors.Is(err, errRecordTooLong) {
		d.fail(LineError{File: file, Line: 1, Field: "(header)", Msg: fmt.Sprintf("is more than %d bytes long (a CSV row may be at most that); the rest of the file is not read", MaxLineBytes)})
		return nil
	}
	if pe := (*csv.ParseError)(nil); err != nil && !errors.As(err, &pe) {
		return readError(file, err)
	}
	if err != nil {
		e := csvLineError(file, err)
		e.Line = max(e.Line, 1)
		d.fail(e)
		return nil
	}
	if sep := otherSeparator(header); sep != "" {
		d.fail(LineError{File: file, Line: 1, Field: "(header)", Msg: "the columns are separated by " + sep + ", not commas: save the sheet as CSV UTF-8 (comma-separated), and import that"})
		return nil
	}
	if knownColumns(header) == 0 {
		if ownSheet(header) {
			d.fail(LineError{File: file, Line: 1, Field: "(header)", Msg: "this is the Events sheet of a statledger workbook: its events are in the ledger already, each with its ID, and a figure of one is changed by a correction of that ID, not by importing the sheet again"})
			return nil
		}
		// A sheet with a title, or blank rows, above its column names.
		header = slices.Clone(header) // the reader reuses its record
		for i := 0; i < 10; i++ {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if knownColumns(rec) >= 2 {
				line, _ := cr.FieldPos(0)
				d.fail(LineError{File: file, Line: 1, Field: "(header)", Msg: fmt.Sprintf("the column names are on line %d, not the first: remove the %d %s above them (a title, a blank row), so that they are the file's first line", line, line-1, Plural(line-1, "row", "rows"))})
				return nil
			}
		}
		// No row further down names columns either: the header's own
		// errors follow, and no row is decoded after them.
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	listed := false
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = strings.TrimSpace(h)
		cols[i] = h
		switch {
		case h == "":
			// Spreadsheets save columns that were once touched: with no
			// name and no values they are nothing. A value in one is
			// reported on its row.
		case !utf8.ValidString(h):
			d.fail(LineError{File: file, Line: 1, Field: "(header)", Msg: fmt.Sprintf("column %d is not valid UTF-8", i+1)})
		case !contains(CSVColumns, h):
			msg := "is not a column of the format"
			if like := columnLike(h); like != "" {
				msg += "; did you mean " + like + "? (names are lower case, words joined by _)"
			} else if like := columnWords[columnKey(h)]; like != "" {
				msg += "; did you mean " + like + "?"
			} else if like := spelling.Closest(h, CSVColumns); like != "" {
				msg += "; did you mean " + like + "?"
			} else if !listed {
				msg += " (allowed: " + strings.Join(CSVColumns, ",") + ")"
				listed = true
			}
			d.fail(LineError{File: file, Line: 1, Field: clip(h), Msg: msg})
		case seen[h]:
			d.fail(LineError{File: file, Line: 1, Field: h, Msg: "is a column twice"})
		}
		seen[h] = true
	}
	if !seen["type"] {
		d.fail(LineError{File: file, Line: 1, Field: "type", Msg: "column is required"})
	}
	// statledger's own export (every column, in the order CSVWriter writes
	// them) neutralised formula-like text with a leading '; it is taken
	// off again, so an export imports back to the same ids and figures.
	own := slices.Equal(cols, CSVColumns)
	if len(d.Errors) > 0 {
		return nil
	}
	bounded.start = cr.InputOffset()
	lastLine := 1
	pool := newRowPool(d)
	defer pool.close()
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, errRecordTooLong) {
			e := LineError{File: file, Line: lastLine + 1, Field: "(row)", Msg: fmt.Sprintf("is more than %d bytes long (a CSV row may be at most that); the rest of the file is not read", MaxLineBytes)}
			pool.row(func(d *Decoded) { d.fail(e) })
			return nil
		}
		bounded.start = cr.InputOffset()
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return readError(file, err)
			}
			e := csvLineError(file, err)
			pool.row(func(d *Decoded) { d.fail(e) })
			return nil // the reader cannot find the next row after a quoting error
		}
		line, _ := cr.FieldPos(0)
		lastLine = line
		if !pool.serial {
			rec = slices.Clone(rec) // the reader reuses the slice
		}
		pool.row(func(d *Decoded) {
			if own {
				for i, v := range rec {
					rec[i] = Unneutralize(v)
				}
			}
			decodeCSVRow(d, file, line, cols, rec)
		})
	}
}

// legacyKorean reports whether text that is not UTF-8 reads as Hangul in
// EUC-KR (code page 949), which Korean Windows and its Excel write by
// default when asked for "CSV": a file this tool's first users will have.
func legacyKorean(b []byte) bool {
	text, err := korean.EUCKR.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		return false
	}
	return strings.ContainsFunc(string(text), func(r rune) bool { return unicode.Is(unicode.Hangul, r) })
}

func csvLineError(file string, err error) LineError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return LineError{File: file, Line: pe.Line, Field: "(row)", Msg: fmt.Sprintf("%s (column %d)", pe.Err, pe.Column)}
	}
	return LineError{File: file, Line: 0, Field: "(row)", Msg: err.Error()}
}

// cellCount says how a row with another number of cells than the header
// has columns differs from it. A spreadsheet saved as CSV gives every row a
// cell for every column: this is a file written or edited by hand, most
// often with a comma in a cell that is not in quotes.
func cellCount(cols, rec []string) string {
	msg := fmt.Sprintf("has %d cells, and the header %d columns", len(rec), len(cols))
	if len(rec) > len(cols) {
		return fmt.Sprintf("%s: is a comma inside a cell that is not in quotes? (put a cell with a comma in double quotes; past the header's columns: %q)", msg, clip(strings.Join(rec[len(cols):], ",")))
	}
	var none []string
	for i := len(rec); i < len(cols); i++ {
		if cols[i] == "" {
			none = append(none, fmt.Sprintf("column %d", i+1))
		} else {
			none = append(none, cols[i])
		}
	}
	return fmt.Sprintf("%s: it has no cell for %s", msg, strings.Join(none, ", "))
}

func decodeCSVRow(d *Decoded, file string, line int, cols, rec []string) {
	if len(rec) != len(cols) {
		// A row of empty cells is nothing, whatever its length.
		if slices.ContainsFunc(rec, func(v string) bool { return v != "" }) {
			d.fail(LineError{File: file, Line: line, Field: "(row)", Msg: cellCount(cols, rec)})
		}
		return
	}
	var ev Event
	var src Source
	bad := false
	fail := func(field, msg string) {
		d.fail(LineError{File: file, Line: line, Field: field, Msg: msg})
		bad = true
	}
	empty := true
	for i, v := range rec {
		name := cols[i]
		if name == "" {
			name = fmt.Sprintf("(column %d)", i+1)
		}
		if !utf8.ValidString(v) {
			msg := "is not valid UTF-8; save the file as CSV UTF-8"
			if legacyKorean([]byte(v)) {
				msg = `is not valid UTF-8 (it reads as Korean in EUC-KR, as Korean Excel saves "CSV"); save the file as CSV UTF-8`
			}
			fail(name, msg)
			continue
		}
		if v != "" {
			empty = false
		}
		if v == "" {
			continue
		}
		switch col := cols[i]; {
		case col == "":
			fail(name, fmt.Sprintf("%q is in a column the header row gives no name", clip(v)))
		case col == "id":
			ev.ID = v
		case col == "type":
			ev.Type = Type(v)
		case col == "changes":
			if f, m := checkJSONShapeAt([]byte(v), "changes."); m != "" {
				if f == "(line)" { // the cell is no JSON object at all
					f, m = "changes", fmt.Sprintf("%q is not a JSON object of the fields to change%s", clip(v), changesHint(v))
				}
				fail(f, m)
				continue
			}
			var c Changes
			if err := json.Unmarshal([]byte(v), &c); err != nil {
				f, m := describeJSONError(err)
				fail("changes."+f, m)
				continue
			}
			ev.Changes = &c
		case strings.HasPrefix(col, "source_"):
			*sourcePart(&src, strings.TrimPrefix(col, "source_")) = v
		default:
			if m := FieldNamed(col).SetText(&ev, v); m != "" {
				fail(col, m)
			}
		}
	}
	if empty || bad {
		return // a row of empty cells is a blank line, as spreadsheets write them
	}
	if src != (Source{}) {
		ev.Source = &src
	}
	d.accept(file, line, ev)
}

// SplitList splits a ';'-separated CSV list cell.
func SplitList(s string) []string {
	parts := strings.Split(s, ";")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
