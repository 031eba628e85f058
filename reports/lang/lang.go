// Package lang is the words of statledger's reports in each language they
// speak. Our own strings come from one message catalog
// (golang.org/x/text/message), English being the key, with one file per
// language (ko.go, km.go): a new language is one more such file and an
// entry in Codes. Country names come from CLDR through
// golang.org/x/text/language/display. Month names are in the catalog too:
// golang.org/x/text exposes no calendar data; ours are CLDR's.
package lang

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/width"

	"github.com/statledger/statledger/ledger"
)

// Codes are the languages reports speak, English first.
var Codes = []string{"en", "ko", "km"}

var cat = catalog.NewBuilder(catalog.Fallback(language.English))

// set adds a language's translations of our strings, keyed by the English.
func set(tag language.Tag, msgs map[string]string) {
	for k, v := range msgs {
		if err := cat.SetString(tag, k, v); err != nil {
			panic(fmt.Sprintf("lang: %s %q: %v", tag, k, err))
		}
	}
}

// fonts is the one typeface family a report uses in each language, chosen
// so its script renders; a viewer without it falls back per character.
var fonts = map[string]string{"en": "Noto Sans CJK KR", "ko": "Noto Sans CJK KR", "km": "Khmer OS Siemreap"}

// A Lang speaks one language.
type Lang struct {
	Code    string // "en", "ko" or "km"
	tag     language.Tag
	p       *message.Printer
	regions display.Namer
	// words keeps what S gave for a key without arguments: a month's
	// workbook asks for the same few words in every row (pprof: the
	// catalog's lookups were an eighth of a warm report).
	words *sync.Map
}

// ErrUnknown is the kind of error of a language reports do not speak.
var ErrUnknown = fmt.Errorf("a language reports do not speak")

// Parse is the language of code ("" is English).
func Parse(code string) (Lang, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		code = "en"
	}
	for _, c := range Codes {
		if c == code {
			tag := language.Make(code)
			return Lang{Code: code, tag: tag, p: message.NewPrinter(tag, message.Catalog(cat)), regions: display.Regions(tag), words: new(sync.Map)}, nil
		}
	}
	return Lang{}, ledger.KindErrorf(ledger.CodeInput, ErrUnknown, "language %q: reports speak %s", code, strings.Join(Codes, ", "))
}

// English is the language of reports made without one.
var English, _ = Parse("en")

// S is key (a format, in English) in the language, formatted with args.
// Whole numbers are given as they are written in the ledger, digits only:
// a year, a seq or a tree size is compared by eye with the command line's.
func (l Lang) S(key string, args ...any) string {
	if len(args) == 0 && l.words != nil {
		if w, ok := l.words.Load(key); ok {
			return w.(string)
		}
		w := l.p.Sprintf(key)
		l.words.Store(key, w)
		return w
	}
	for i, a := range args {
		switch n := a.(type) {
		case int:
			args[i] = strconv.Itoa(n)
		case int64:
			args[i] = strconv.FormatInt(n, 10)
		case uint64:
			args[i] = strconv.FormatUint(n, 10)
		}
	}
	return l.p.Sprintf(key, args...)
}

// Font is the report's typeface family.
func (l Lang) Font() string { return fonts[l.Code] }

// Country is the name of an ISO 3166-1 alpha-2 code in the language, or
// the code when CLDR has none.
func (l Lang) Country(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := l.regions.Name(r); n != "" {
		return n
	}
	return code
}

var monthKeys = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// MonthName is month m (1…12) in the language.
func (l Lang) MonthName(m int) string { return l.S(monthKeys[m-1]) }

// Month is a YYYY-MM period in words: "October 2025".
func (l Lang) Month(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return l.S("%[1]s %[2]s", l.MonthName(int(t.Month())), t.Year())
}

// Date is a reported date in words at its precision: "20 Oct 2025", "week
// of 20 Oct 2025", "October 2025".
func (l Lang) Date(date, precision string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	day := l.S("%[1]s %[2]s %[3]s", t.Day(), l.MonthName(int(t.Month())), t.Year())
	switch precision {
	case "week":
		return l.S("week of %s", day)
	case "month":
		return l.Month(t.Format("2006-01"))
	}
	return day
}

var typeKeys = map[ledger.Type]string{
	ledger.Arrest: "Arrests", ledger.Repatriation: "Repatriations", ledger.Rescue: "Rescues",
	ledger.Death: "Deaths", ledger.Deportation: "Deportations",
	ledger.TaskforceAnnounced: "Task force announced", ledger.TaskforceEstablished: "Task force established",
	ledger.TaskforceDissolved: "Task force dissolved", ledger.Correction: "Correction", ledger.Retraction: "Retraction",
}

// An import tells a type written in a report's words what the format
// calls it (체포: did you mean arrest?).
func init() {
	for _, code := range Codes[1:] {
		l, _ := Parse(code)
		for t, k := range typeKeys {
			ledger.AddTypeWord(l.S(k), t)
		}
	}
}

// Type is an event type in words: "Arrests".
func (l Lang) Type(t ledger.Type) string {
	if k, ok := typeKeys[t]; ok {
		return l.S(k)
	}
	return string(t)
}

var qualKeys = map[string]string{"at_least": "at least %s", "approx": "about %s", "at_most": "at most %s"}

// Persons is a count with its qualifier in words: "at least 61".
func (l Lang) Persons(n int64, qualifier string) string {
	num := l.Number(n)
	if k, ok := qualKeys[qualifier]; ok {
		return l.S(k, num)
	}
	return num
}

// NumFormat is the spreadsheet number format that shows a count with its
// qualifier in words ("at least "#,##0) and, when revised, the statistical
// mark r; the cell stays a number.
func (l Lang) NumFormat(qualifier string, revised bool) string {
	f := "#,##0"
	if k, ok := qualKeys[qualifier]; ok {
		before, after, _ := strings.Cut(l.S(k, "\x00"), "\x00")
		f = quote(before) + f + quote(after)
	}
	if revised {
		f += `" r"`
	}
	return f
}

func quote(s string) string {
	if s == "" {
		return ""
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// Width is how many columns of a terminal s takes: two for a character of
// East Asian width (Hangul, Han), none for one that stacks on the one
// before it (Khmer's vowel signs and subscripts) or a zero-width space.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case r == '\u200b':
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

// Number is n with thousands separated: "1,234".
func (l Lang) Number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Words is a code of the format in words: "online_scam" → "online scam".
func (l Lang) Words(code string) string {
	if code == "" {
		return ""
	}
	return l.S(strings.ReplaceAll(code, "_", " "))
}
