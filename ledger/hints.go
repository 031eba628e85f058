package ledger

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/statledger/statledger/internal/spelling"
)

// The hints below turn what a spreadsheet or a news report puts in a cell
// into what the format takes, so that an official can fix a file from its
// messages alone. Each only suggests: nothing is read as the suggestion.

// countWords are the words reports put before (or, after: true, behind) a
// count, the qualifier each means, and what it does to the figure: "more
// than 60" is at least 61. The regexp that reads a count, the count's hint
// and the qualifier column's hint all read them here.
var countWords = []struct {
	word, qual string
	shift      int64
	after      bool
}{
	{"more than", "at_least", 1, false}, {"over", "at_least", 1, false}, {"above", "at_least", 1, false}, {">", "at_least", 1, false},
	{"at least", "at_least", 0, false}, {">=", "at_least", 0, false}, {"≥", "at_least", 0, false}, {"minimum", "at_least", 0, false},
	{"+", "at_least", 0, true}, {"이상", "at_least", 0, true}, {"or more", "at_least", 0, true},
	{"fewer than", "at_most", -1, false}, {"less than", "at_most", -1, false}, {"under", "at_most", -1, false}, {"<", "at_most", -1, false},
	{"up to", "at_most", 0, false}, {"at most", "at_most", 0, false}, {"<=", "at_most", 0, false}, {"≤", "at_most", 0, false}, {"maximum", "at_most", 0, false},
	{"이하", "at_most", 0, true}, {"or fewer", "at_most", 0, true}, {"or less", "at_most", 0, true},
	{"about", "approx", 0, false}, {"around", "approx", 0, false}, {"approximately", "approx", 0, false}, {"approx.", "approx", 0, false}, {"approx", "approx", 0, false},
	{"nearly", "approx", 0, false}, {"almost", "approx", 0, false}, {"some", "approx", 0, false}, {"roughly", "approx", 0, false}, {"estimated", "approx", 0, false},
	{"c.", "approx", 0, false}, {"ca.", "approx", 0, false}, {"약", "approx", 0, false}, {"~", "approx", 0, false},
	{"여명", "approx", 0, true}, {"여 명", "approx", 0, true},
	// After it, as a sheet notes how a figure was reported: "60 (approx.)".
	{"approx", "approx", 0, true}, {"approx.", "approx", 0, true}, {"approximately", "approx", 0, true}, {"estimated", "approx", 0, true}, {"est.", "approx", 0, true},
	{"exactly", "exact", 0, false}, {"exact", "exact", 0, true},
}

// countWord is the entry of countWords for w, as written (any case).
func countWord(w string, after bool) (qual string, shift int64, ok bool) {
	for _, c := range countWords {
		if c.after == after && strings.EqualFold(c.word, w) {
			return c.qual, c.shift, true
		}
	}
	return "", 0, false
}

var (
	// a whole number written with thousands separators: 1,234 or 1.234 or 1 234
	grouped = regexp.MustCompile(`^\d{1,3}([,. ]\d{3})+$`)
	// ungrouped takes those separators out
	ungrouped = strings.NewReplacer(",", "", ".", "", " ", "")
	// a count as reports give it: "more than 60", "60+", "약 60", "60명 이상"
	qualified = regexp.MustCompile(`^(?i)(` + alternatives(false) + `)?\s*(\d{1,3}(?:[,.]\d{3})+|\d+)\s*(` + alternatives(true) + `)?\s*(명|名|people|persons)?\s*(` + alternatives(true) + `)?$`)
)

// alternatives is countWords' words before (or after) a count, as a
// regexp's alternatives, longest first so that "approx." wins over "approx".
func alternatives(after bool) string {
	var words []string
	for _, c := range countWords {
		if c.after == after {
			words = append(words, regexp.QuoteMeta(c.word))
		}
	}
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	return strings.Join(words, "|")
}

// countHint says how to write a count that is not a whole number ("60+",
// "about 60", "1,234"), or "".
func countHint(text string) string {
	s := strings.TrimSpace(text)
	if a, ok := asciiDigits(s); ok {
		if _, err := strconv.ParseUint(a, 10, 64); err == nil {
			return fmt.Sprintf(": write it in the digits 0 to 9 (%s)", a)
		}
		s = a // and what else there is to say
	}
	// "60 (approx)": a qualifier in brackets is a qualifier.
	s = strings.Join(strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(s)), " ")
	if grouped.MatchString(s) {
		return fmt.Sprintf(": write it without separators (%s)", ungrouped.Replace(s))
	}
	// "60.0": a number column saved as decimals (pandas, a float cell).
	if whole, frac, ok := strings.Cut(s, "."); ok && whole != "" && strings.Trim(frac, "0") == "" && frac != "" {
		if _, err := strconv.ParseUint(whole, 10, 64); err == nil {
			return fmt.Sprintf(": write %s", whole)
		}
	}
	m := qualified.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	n, err := strconv.ParseInt(ungrouped.Replace(m[2]), 10, 64)
	if err != nil {
		return ""
	}
	qual, shift, ok := countWord(m[1], false)
	if !ok {
		if qual, shift, ok = countWord(m[3], true); !ok {
			qual, shift, ok = countWord(m[5], true)
		}
	}
	if !ok {
		return fmt.Sprintf(": write the number alone (%d)", n)
	}
	return fmt.Sprintf(": write the number in count and how it was reported in count_qualifier (count %d, count_qualifier %s)", n+shift, qual)
}

// dateLayouts are the other ways a date is written that can be read
// without doubt.
var dateLayouts = []string{"2006/1/2", "2006.1.2", "2006. 1. 2.", "2006. 1. 2", "20060102", "Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "2006-1-2", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// koreanDate is a date as Korean documents write it: 2025년 10월 20일, or a
// month, 2025년 10월.
var koreanDate = regexp.MustCompile(`^(\d{4})\s*년\s*(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일)?$`)

// dateHint says how to write a date that is not YYYY-MM-DD, or "".
func dateHint(s string) string {
	s = strings.TrimSpace(s)
	if m := koreanDate.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if m[3] == "" {
			return dateHint(fmt.Sprintf("%d-%02d", y, mo))
		}
		d, _ := strconv.Atoi(m[3])
		if t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC); int(t.Month()) == mo && t.Day() == d {
			return ": write " + t.Format(time.DateOnly)
		}
		return ""
	}
	// A date cell that also holds a time ("10/20/2025 0:00"): the date
	// part is told, if it can be.
	if date, clock, ok := strings.Cut(s, " "); ok && strings.Contains(clock, ":") {
		if h := dateHint(date); h != "" {
			return h
		}
	}
	if a, ok := asciiDigits(s); ok {
		if dateShaped(a) {
			return fmt.Sprintf(": write it in the digits 0 to 9 (%s)", a)
		}
		return dateHint(a)
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return fmt.Sprintf(": write %s", t.Format(time.DateOnly))
		}
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return fmt.Sprintf(": a date has a day; for a month write %s and date_precision month", t.Format(time.DateOnly))
	}
	// Day and month in either order: told only where they cannot be mixed up.
	for _, sep := range []string{"/", ".", "-"} {
		p := strings.Split(s, sep)
		if len(p) != 3 || len(p[2]) != 4 {
			continue
		}
		a, err1 := strconv.Atoi(p[0])
		b, err2 := strconv.Atoi(p[1])
		y, err3 := strconv.Atoi(p[2])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		day := func(d, m int) string {
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if t.Day() != d || int(t.Month()) != m {
				return ""
			}
			return t.Format(time.DateOnly)
		}
		dm, md := day(a, b), day(b, a)
		switch {
		case dm != "" && md != "" && dm != md:
			return fmt.Sprintf(": is it %s or %s? write YYYY-MM-DD", dm, md)
		case dm != "":
			return ": write " + dm
		case md != "":
			return ": write " + md
		}
	}
	// A date cell saved as a number: a spreadsheet counts days from 1899-12-30.
	if n, err := strconv.Atoi(s); err == nil && n > 20000 && n < 80000 {
		return fmt.Sprintf(": it looks like a spreadsheet's day number (%s); format the column as YYYY-MM-DD text before saving",
			time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly))
	}
	return ""
}

// ownSheets are the header rows of the sheets statledger's own workbooks
// list events on, one set of words per language and layout: reports/xlsx
// adds them (AddOwnSheet), as ledger knows no workbook.
var ownSheets []map[string]bool

// AddOwnSheet makes a CSV input with this header row, or most of it, be
// told that it is a workbook's sheet. For package initialisation only.
func AddOwnSheet(header []string) {
	set := map[string]bool{}
	for _, h := range header {
		set[h] = true
	}
	ownSheets = append(ownSheets, set)
}

// ownSheet reports whether header is mostly that of a workbook's sheet of
// events: an official who saves it as CSV to import it back would be told
// a column name at a time, and then every cell, without being told why.
func ownSheet(header []string) bool {
	for _, set := range ownSheets {
		in, named := 0, 0
		for _, h := range header {
			if h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")); h != "" {
				named++
				if set[h] {
					in++
				}
			}
		}
		// Most of the sheet's headers: a sheet of one's own may well have
		// taken a few of them (AddColumnWord tells those their columns).
		if 3*in >= 2*len(set) && 2*in >= named {
			return true
		}
	}
	return false
}

// columnWords are other names a sheet gives the format's columns, by
// columnKey: a workbook's own headers in each language (reports/xlsx adds
// them, AddColumnWord) and the usual English ones.
var columnWords = map[string]string{
	"persons": "count", "people": "count", "number": "count", "total": "count", "victims": "count",
	"qualifier": "count_qualifier", "precision": "date_precision",
	"source": "source_publisher", "publisher": "source_publisher", "url": "source_url", "link": "source_url",
	"agency": "agencies", "member": "members", "place": "location", "city": "location", "province": "location",
	"note": "notes", "remarks": "notes", "comment": "notes", "comments": "notes",
	"nationality_code": "nationality", "country_code": "country", "event_type": "type", "incident_type": "type",
}

// AddColumnWord makes a CSV column named word be told the format's column
// it was meant as. For package initialisation only.
func AddColumnWord(word, column string) { columnWords[columnKey(word)] = column }

// columnKey is a name as the format writes names, and columnWords keys
// them: lower case, words joined by _ ("Source Publisher", "at-least").
func columnKey(h string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
}

// typeWords are what reports call each type in the languages they speak
// besides English (체포 is arrest), keyed by wordKey: an official who keeps
// a sheet in Korean or Khmer writes a type so. ledger knows no language;
// reports/lang, which does, adds them (AddTypeWord).
var typeWords = map[string]Type{}

// AddTypeWord makes typeHint tell a type written as word its name. For
// package initialisation only: it is not safe for concurrent use.
func AddTypeWord(word string, t Type) { typeWords[wordKey(word)] = t }

// wordKey is a word without spaces and the zero-width spaces that Khmer
// writes between words, and a person typing leaves out.
func wordKey(s string) string { return strings.NewReplacer(" ", "", "\u200b", "").Replace(s) }

// typeHint names the known type an unknown one was meant as, or "".
func typeHint(t string) string {
	if k, ok := MeantType(t); ok {
		return fmt.Sprintf(": did you mean %s?", k)
	}
	return ""
}

// MeantType is the type an input may give that t was meant as: "Arrest",
// "arrests", "Task force established", or a report's word for it ("체포").
func MeantType(t string) (Type, bool) {
	if k, ok := typeWords[wordKey(t)]; ok {
		return k, true
	}
	s := columnKey(t)
	s = strings.ReplaceAll(s, "task_force", "taskforce")
	for _, k := range inputTypes {
		if k := string(k); s == k || s == k+"s" || s == k+"es" || strings.TrimSuffix(s, "ed") == strings.TrimSuffix(k, "e") {
			return Type(k), true
		}
	}
	return "", false
}

// slugLike is the slug a task force's name written as a name was meant as
// ("KH KR group": kh-kr-group), or "".
func slugLike(s string) string {
	slug := strings.Trim(strings.NewReplacer(" ", "-", ".", "-", "/", "-").Replace(strings.ToLower(strings.TrimSpace(s))), "-")
	for strings.Contains(slug, "--") {
		slug = strings.ReplaceAll(slug, "--", "-")
	}
	if slug == "" || len(slug) > maxSlug || !slugRe.MatchString(slug) {
		return ""
	}
	return slug
}

// listWords are the words reports use for the values of the format's
// other lists; the qualifier's are countWords'.
var listWords = map[string]string{"daily": "day", "weekly": "week", "monthly": "month", "exactly": "exact"}

// oneLike is the value of allowed that s was meant as ("at least",
// "Weekly", "approximately"), or "".
func oneLike(s string, allowed []string) string {
	words := strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSpace(s)) // up-to, more_than
	for _, after := range []bool{false, true} {
		if qual, _, ok := countWord(words, after); ok && slices.Contains(allowed, qual) {
			return qual
		}
	}
	n := columnKey(s)
	if w, ok := listWords[n]; ok {
		n = w
	}
	for _, a := range allowed {
		if n == a || n == a+"s" {
			return a
		}
	}
	return spelling.Closest(n, allowed)
}

// digitZeros are the zeros of the other digits a sheet from Korea or
// Cambodia may hold: full-width (an East Asian input method's), Khmer, and
// the neighbours' (Thai, Lao, Myanmar).
var digitZeros = []rune{'\uFF10', '\u17E0', '\u0E50', '\u0ED0', '\u1040'}

// asciiDigits is s with those digits as 0 to 9, and whether it had any.
func asciiDigits(s string) (string, bool) {
	found := false
	a := strings.Map(func(r rune) rune {
		for _, z := range digitZeros {
			if r >= z && r <= z+9 {
				found = true
				return '0' + (r - z)
			}
		}
		return r
	}, s)
	return a, found
}

// urlHint is what a source's address given without its scheme, as a
// browser's address bar shows it, is written as ("www.yna.co.kr/view/…":
// https://www.yna.co.kr/view/…), or what a name given for one is; or "".
func urlHint(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t") || strings.Contains(s, "://") {
		return ""
	}
	host, _, _ := strings.Cut(s, "/")
	if strings.Contains(host, ".") && !strings.HasPrefix(host, ".") && !strings.HasSuffix(host, ".") {
		if u, err := url.Parse("https://" + s); err == nil && u.Host != "" {
			return ": write https://" + s
		}
	}
	if !strings.ContainsAny(s, "./:") {
		return ": a publisher's name has a field of its own"
	}
	return ""
}

// changesHint is the JSON a correction's changes cell (in CSV) written as
// pairs was meant as ("{count: 64}", "count=64; count_qualifier=exact":
// {"count":64,"count_qualifier":"exact"}), or "".
func changesHint(v string) string {
	inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "{"), "}")
	out := map[string]any{}
	for _, pair := range strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, ok := strings.Cut(pair, ":")
		if !ok {
			if k, val, ok = strings.Cut(pair, "="); !ok {
				return ""
			}
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		if !slices.Contains(CSVColumns, k) || val == "" {
			return ""
		}
		if n, err := strconv.ParseInt(val, 10, 64); err == nil && FieldNamed(k).Kind == Whole {
			out[k] = n
		} else {
			out[k] = val
		}
	}
	if len(out) == 0 {
		return ""
	}
	b, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	// A spreadsheet quotes the cell when it saves; in the CSV text itself
	// the quotes are doubled inside quotes.
	return fmt.Sprintf(": write %s (in the CSV text: \"%s\")", b, strings.ReplaceAll(string(b), `"`, `""`))
}

// ambiguous are names that two countries share, by nameKey: CLDR names
// neither "Korea" nor "Congo" alone, and a guess would be a wrong figure.
var ambiguous = map[string][]string{
	"KOREA": {"KR", "KP"}, "CONGO": {"CG", "CD"},
}

// demonyms are the nationalities a sheet of this work most often writes as
// words, and 한국 (Korea, as Koreans call it), by nameKey. CLDR, whose
// country names the hints read, has none. "Korean" is South Korea's: a
// North Korean is written KP.
var demonyms = map[string]string{
	"KOREAN": "KR", "SOUTHKOREAN": "KR", "한국인": "KR", "한국": "KR", "NORTHKOREAN": "KP",
	"CAMBODIAN": "KH", "KHMER": "KH", "캄보디아인": "KH", "ខ្មែរ": "KH",
	"CHINESE": "CN", "중국인": "CN", "VIETNAMESE": "VN", "베트남인": "VN", "THAI": "TH", "태국인": "TH",
	"LAO": "LA", "LAOTIAN": "LA", "BURMESE": "MM", "MALAYSIAN": "MY", "INDONESIAN": "ID",
	"FILIPINO": "PH", "JAPANESE": "JP", "일본인": "JP", "TAIWANESE": "TW", "INDIAN": "IN", "BANGLADESHI": "BD",
	"NEPALI": "NP", "PAKISTANI": "PK", "SRILANKAN": "LK", "UGANDAN": "UG", "KENYAN": "KE", "ETHIOPIAN": "ET",
}
