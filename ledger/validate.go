package ledger

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Limits of the format. Text limits are in characters and stay far below
// Excel's 32,767 per cell, so every accepted value fits in a workbook.
const (
	MaxCount      = 1_000_000
	MaxNotes      = 4000
	maxShortText  = 500
	maxLongText   = 2000
	maxURL        = 2048
	maxListItems  = 100
	maxSlug       = 64
	MaxLineBytes  = 1 << 20 // one event never needs more; longer lines are refused before parsing
	minYear       = 1900
	maxYear       = 2999
	datePrecDay   = "day"
	qualifierExct = "exact"
)

var (
	DatePrecisions  = []string{"day", "week", "month"}
	CountQualifiers = []string{"exact", "at_least", "approx", "at_most"}

	periodRe   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)
	slugRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	hex64Re    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	languageRe = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// idNamespace is the UUIDv5 namespace of derived event ids. Changing it changes
// every derived id, so it is fixed for ever.
var idNamespace = uuid.MustParse("6f1c5a0e-3d0b-5b8e-9a57-5e9d2f0c7a41")

// DeriveID returns the UUIDv5 of e's canonical content without its id, so the
// same fact imported twice gets the same id.
func DeriveID(e Event) string {
	e.ID = ""
	return uuid.NewSHA1(idNamespace, e.Canonical()).String()
}

// Normalize fills defaults and canonical spellings in place (upper-case country
// codes, lower-case UUIDs, default precision and qualifier) and derives a missing
// id. Call Validate after it.
func Normalize(e *Event) {
	e.ID = strings.ToLower(strings.TrimSpace(e.ID))
	e.Nationality = strings.ToUpper(e.Nationality)
	e.Country = strings.ToUpper(e.Country)
	for i := range e.Members {
		e.Members[i] = strings.ToUpper(e.Members[i])
	}
	e.Corrects = strings.ToLower(strings.TrimSpace(e.Corrects))
	e.Retracts = strings.ToLower(strings.TrimSpace(e.Retracts))
	if e.Type.IsIncident() {
		if e.DatePrecision == "" {
			e.DatePrecision = datePrecDay
		}
		if e.CountQualifier == "" {
			e.CountQualifier = qualifierExct
		}
	}
	if e.Type.IsTaskforce() && e.Date != "" && e.DatePrecision == "" {
		e.DatePrecision = datePrecDay
	}
	if c := e.Changes; c != nil {
		if c.Nationality != nil {
			*c.Nationality = strings.ToUpper(*c.Nationality)
		}
		if c.Country != nil {
			*c.Country = strings.ToUpper(*c.Country)
		}
		if c.Members != nil {
			for i := range *c.Members {
				(*c.Members)[i] = strings.ToUpper((*c.Members)[i])
			}
		}
	}
	if e.ID == "" && e.Type != "" {
		e.ID = DeriveID(*e)
	}
}

// Validate checks e against the interchange format on its own (no ledger
// context) and returns every problem found, in field order.
func Validate(e *Event) []LineError {
	v := &validator{}
	v.event(e)
	return v.errs
}

type validator struct{ errs []LineError }

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, LineError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) event(e *Event) {
	if e.ID != "" {
		if u, err := uuid.Parse(e.ID); err != nil || u.String() != e.ID {
			v.add("id", "%q is not a UUID (like 0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d)", e.ID)
		}
	}
	switch {
	case e.Type == "":
		v.add("type", "is required")
		return
	case !e.Type.Known():
		if hint := typeHint(string(e.Type)); hint != "" {
			v.add("type", "%q is not a known type%s", clip(string(e.Type)), hint)
			return
		}
		v.add("type", "%q is not a known type (%s)", string(e.Type), knownTypes())
		return
	}
	for i := range Fields {
		if f := &Fields[i]; f.Set(e) && !f.On(e.Type) {
			v.add(f.Name, "is not a field of %s events", e.Type)
		}
	}
	switch {
	case e.Type.IsIncident():
		for _, f := range Fields {
			if f.check != nil && f.On(e.Type) {
				f.check(v, f.Name, e)
			}
		}
	case e.Type.IsTaskforce():
		v.slug("taskforce", e.Taskforce)
		v.text("name", e.Name, maxShortText, false)
		v.countries("members", e.Members)
		v.text("purpose", e.Purpose, maxLongText, true)
		v.date("date", e.Date, false)
		if e.Date != "" {
			v.oneOf("date_precision", e.DatePrecision, DatePrecisions, true)
		}
		v.source("source", e.Source, false)
		v.text("notes", e.Notes, MaxNotes, true)
	case e.Type == Correction:
		v.ref("corrects", e.Corrects)
		if len(e.Changes.Fields()) == 0 {
			v.add("changes", "is required and must change at least one field")
		} else {
			v.changes(e.Changes)
		}
		v.required("reason", e.Reason)
		v.text("reason", e.Reason, maxLongText, true)
	case e.Type == Retraction:
		v.ref("retracts", e.Retracts)
		v.required("reason", e.Reason)
		v.text("reason", e.Reason, maxLongText, true)
	case e.Type == ReportPublished:
		v.oneOf("report", e.Report, []string{"monthly"}, true)
		v.period("period", e.Period)
		if e.TreeSize == nil {
			v.add("tree_size", "is required")
		}
		if !hex64Re.MatchString(e.RootHash) {
			v.add("root_hash", "must be 64 lower-case hex digits")
		}
		v.required("file_name", e.FileName)
		v.text("file_name", e.FileName, maxShortText, false)
		if !hex64Re.MatchString(e.FileSHA256) {
			v.add("file_sha256", "must be 64 lower-case hex digits")
		}
		if e.SuppressBelow != nil && (*e.SuppressBelow < 2 || *e.SuppressBelow > MaxSuppressBelow) {
			v.add("suppress_below", "must be from 2 to %d", MaxSuppressBelow)
		}
		if e.Language != "" && !languageRe.MatchString(e.Language) {
			v.add("language", "%q is not a language code like ko or km", clip(e.Language))
		}
	}
}

// MaxSuppressBelow bounds a disclosure-control threshold: above it, a
// threshold would withhold nearly every figure of a month.
const MaxSuppressBelow = 1000

// changes checks each value a correction gives as an incident's value of
// that field is checked.
func (v *validator) changes(c *Changes) {
	for _, f := range Fields {
		if f.Changeable && f.changed(c) {
			f.check(v, "changes."+f.Name, f.changedValue(c))
		}
	}
}

func (v *validator) required(field, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(field, "is required")
	}
}

func (v *validator) date(field, s string, required bool) {
	if s == "" {
		if required {
			v.add(field, "is required (YYYY-MM-DD)")
		}
		return
	}
	if !dateShaped(s) {
		v.add(field, "%q is not a date in the form YYYY-MM-DD%s", clip(s), dateHint(s))
		return
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.add(field, "%q is not a calendar date", s)
		return
	}
	if t.Year() < minYear || t.Year() > maxYear {
		v.add(field, "%q: year must be between %d and %d", s, minYear, maxYear)
	}
}

// dateShaped says whether s is YYYY-MM-DD in digits: by hand, because a
// regexp here was a tenth of an import's validation.
func dateShaped(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := range len(s) {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func (v *validator) period(field, s string) {
	if !periodRe.MatchString(s) {
		v.add(field, "%q is not a month in the form YYYY-MM", clip(s))
		return
	}
	if _, err := time.Parse("2006-01", s); err != nil {
		v.add(field, "%q is not a calendar month", s)
	}
}

func (v *validator) oneOf(field, s string, allowed []string, required bool) {
	if s == "" {
		if required {
			v.add(field, "is required (%s)", strings.Join(allowed, ", "))
		}
		return
	}
	if !contains(allowed, s) {
		if like := oneLike(s, allowed); like != "" {
			v.add(field, "%q must be one of %s; did you mean %s?", clip(s), strings.Join(allowed, ", "), like)
			return
		}
		v.add(field, "%q must be one of %s", clip(s), strings.Join(allowed, ", "))
	}
}

func (v *validator) count(field string, n *int64, required bool) {
	if n == nil {
		if required {
			v.add(field, "is required (a whole number from 0 to %d)", MaxCount)
		}
		return
	}
	if *n < 0 || *n > MaxCount {
		v.add(field, "%d is out of range: a count is a whole number from 0 to %d", *n, MaxCount)
	}
}

// CheckCountry reports what is wrong with an ISO 3166-1 alpha-2 code, or "" if
// it is an assigned country code. It expects the upper-case form.
func CheckCountry(s string) string {
	if len(s) != 2 || !isUpperASCII(s) {
		if code := countryCodes()[nameKey(s)]; code != "" {
			return fmt.Sprintf("%q is %s; the format takes its two-letter ISO 3166-1 code: %s", clip(s), CountryName(code), code)
		}
		// "KOREAN": a nationality written as people write it.
		if code := demonyms[nameKey(s)]; code != "" {
			return fmt.Sprintf("%q: the format takes the two-letter ISO 3166-1 code of the country, %s: %s", clip(s), CountryName(code), code)
		}
		// "KOREA": a name two countries share.
		if codes := ambiguous[nameKey(s)]; codes != nil {
			var names []string
			for _, code := range codes {
				names = append(names, fmt.Sprintf("%s (%s)", CountryName(code), code))
			}
			return fmt.Sprintf("%q may be %s: the format takes the two-letter ISO 3166-1 code of the one meant", clip(s), strings.Join(names, " or "))
		}
		// "CAMBODIA (SIHANOUKVILLE)": a country with its place.
		if name, place, ok := strings.Cut(strings.TrimSuffix(s, ")"), "("); ok && strings.HasSuffix(s, ")") {
			if code := CountryCode(name); code != "" {
				return fmt.Sprintf("%q is %s and a place: write %s, and the place in location", clip(s), CountryName(code), code)
			} else if code := CountryCode(place); code != "" {
				return fmt.Sprintf("%q is %s and a place: write %s, and the place in location", clip(s), CountryName(code), code)
			}
		}
		// "KR, CN": persons of several nationalities.
		if parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",;/&+", r) }); len(parts) > 1 {
			var codes []string
			for _, p := range parts {
				if code := CountryCode(p); code != "" {
					codes = append(codes, code)
				}
			}
			if len(codes) == len(parts) {
				return fmt.Sprintf("%q names %d countries; a row is of one: give the persons of each (%s) a row of their own", clip(s), len(codes), strings.Join(codes, ", "))
			}
		}
		return fmt.Sprintf("%q is not a two-letter ISO 3166-1 country code (like KR or KH)", clip(s))
	}
	return checkAssigned(s)
}

// CountryCode is the assigned code s is or names (KH, "Cambodia", KHM,
// 캄보디아), in any case, or "".
func CountryCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 2 && isUpperASCII(s) && checkAssigned(s) == "" {
		return s
	}
	return countryCodes()[nameKey(s)]
}

// checkAssigned is CheckCountry for two upper-case letters.
func checkAssigned(s string) string {
	r, err := language.ParseRegion(s)
	// ParseRegion also maps deprecated codes onto their successors and accepts
	// private-use codes; only an assigned code that is its own canonical form passes.
	if now, ok := withdrawn[s]; ok {
		return fmt.Sprintf("%q is a withdrawn ISO 3166-1 code (ISO 3166-3); use %s", s, now)
	}
	if err != nil || !r.IsCountry() || r.IsPrivateUse() || r.String() != s || exceptionallyReserved[s] {
		return fmt.Sprintf("%q is not an assigned ISO 3166-1 country code", s)
	}
	return ""
}

// countryCodes finds the code of a country given instead by its name in
// English, Korean or Khmer (CLDR's, as the reports write them) or its
// three-letter code, by nameKey: CAMBODIA, 캄보디아, កម្ពុជា and KHM are
// KH; MYANMAR is MM (CLDR: "Myanmar (Burma)").
var countryCodes = sync.OnceValue(func() map[string]string {
	codes := map[string]string{}
	namers := []display.Namer{display.English.Regions(), display.Regions(language.Korean), display.Regions(language.Khmer)}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if checkAssigned(code) != "" {
				continue
			}
			r := language.MustParseRegion(code)
			for _, n := range namers {
				name := n.Name(r)
				codes[nameKey(name)] = code
				if short, _, ok := strings.Cut(name, " ("); ok {
					codes[nameKey(short)] = code
				}
			}
			if r.ISO3() != "" {
				codes[r.ISO3()] = code
			}
		}
	}
	return codes
})

// nameKey is a country's name as countryCodes keys it: in upper case,
// without spaces, and without the zero-width spaces that Khmer writes
// between words and a person typing leaves out.
func nameKey(s string) string { return strings.ToUpper(wordKey(s)) }

// withdrawn are the codes ISO 3166-3 lists as formerly used, with what
// replaced them. x/text still parses them as the regions that succeeded
// them (DD shows as Germany), so a DD row would sit beside DE's, splitting
// one country's figures in two.
var withdrawn = map[string]string{
	"AN": "BQ, CW or SX (the Netherlands Antilles were divided in 2010)",
	"BU": "MM (Myanmar)",
	"CS": "RS or ME (Serbia and Montenegro; CZ or SK for Czechoslovakia)",
	"CT": "KI (Kiribati)",
	"DD": "DE (Germany)",
	"DY": "BJ (Benin)",
	"FQ": "AQ or TF",
	"HV": "BF (Burkina Faso)",
	"JT": "UM (U.S. Outlying Islands)",
	"MI": "UM (U.S. Outlying Islands)",
	"NH": "VU (Vanuatu)",
	"NQ": "AQ (Antarctica)",
	"NT": "IQ or SA (the Neutral Zone was divided)",
	"PC": "FM, MH, MP or PW",
	"PU": "UM (U.S. Outlying Islands)",
	"PZ": "PA (Panama)",
	"RH": "ZW (Zimbabwe)",
	"TP": "TL (Timor-Leste)",
	"VD": "VN (Viet Nam)",
	"WK": "UM (U.S. Outlying Islands)",
	"YD": "YE (Yemen)",
	"YU": "RS or ME (Yugoslavia's successors today; see ISO 3166-3)",
	"ZR": "CD (Democratic Republic of the Congo)",
}

// exceptionallyReserved are ISO 3166-1 codes reserved on request (UK for GB,
// EU, UN, …) rather than assigned to a country. x/text knows them as CLDR
// regions and calls some of them countries, so they are refused here.
var exceptionallyReserved = map[string]bool{
	"AC": true, "CP": true, "CQ": true, "DG": true, "EA": true, "EU": true, "EZ": true,
	"FX": true, "IC": true, "SU": true, "TA": true, "UK": true, "UN": true,
}

// CountryName is the English name of an ISO alpha-2 code, from CLDR.
func CountryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return ""
	}
	return display.English.Regions().Name(r)
}

func (v *validator) country(field, s string, required bool) {
	if s == "" {
		if required {
			v.add(field, "is required (a two-letter ISO 3166-1 code like KR)")
		}
		return
	}
	if msg := CheckCountry(s); msg != "" {
		v.add(field, "%s", msg)
	}
}

func (v *validator) countries(field string, list []string) {
	if len(list) > maxListItems {
		v.add(field, "has %d items; at most %d", len(list), maxListItems)
		return
	}
	seen := map[string]bool{}
	for i, s := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if msg := CheckCountry(s); msg != "" {
			v.add(f, "%s", msg)
		} else if seen[s] {
			v.add(f, "%s is listed twice", s)
		}
		seen[s] = true
	}
}

func (v *validator) list(field string, list []string, max int) {
	if len(list) > maxListItems {
		v.add(field, "has %d items; at most %d", len(list), maxListItems)
		return
	}
	for i, s := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		v.required(f, s)
		v.text(f, s, max, false)
	}
}

// text checks that s is valid UTF-8 without control characters (multi-line
// fields may hold newlines and tabs) and at most max characters.
func (v *validator) text(field, s string, max int, multiline bool) {
	if !utf8.ValidString(s) {
		v.add(field, "is not valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.add(field, "is %d characters long; at most %d", n, max)
		return
	}
	for i, r := range s {
		if r == '\n' || r == '\t' {
			if multiline {
				continue
			}
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFFFE' || r == '\uFFFF' {
			v.add(field, "has control character U+%04X at byte %d; remove it", r, i)
			return
		}
	}
}

func (v *validator) slug(field, s string) {
	switch {
	case s == "":
		v.add(field, "is required (a slug like kh-kr-joint-working-group)")
	case len(s) > maxSlug || !slugRe.MatchString(s):
		if like := slugLike(s); like != "" {
			v.add(field, "%q must be lower-case letters, digits, '-' or '_', at most %d characters: write %s", clip(s), maxSlug, like)
			return
		}
		v.add(field, "%q must be lower-case letters, digits, '-' or '_', at most %d characters", clip(s), maxSlug)
	}
}

func (v *validator) ref(field, s string) {
	if s == "" {
		v.add(field, "is required (the id of the event)")
		return
	}
	if u, err := uuid.Parse(s); err != nil || u.String() != s {
		v.add(field, "%q is not an event id (a UUID)", clip(s))
	}
}

var sourceFields = [4]string{"source.publisher", "source.title", "source.published", "source.url"}

func (v *validator) source(field string, s *Source, required bool) {
	if s == nil || (s.Publisher == "" && s.URL == "") {
		if required || s != nil {
			v.add(field, "needs a publisher or a url")
		}
		if s == nil {
			return
		}
	}
	// Nearly every event has a source: its field names are made once.
	names := sourceFields
	if field != "source" {
		names = [4]string{field + ".publisher", field + ".title", field + ".published", field + ".url"}
	}
	v.text(names[0], s.Publisher, maxShortText, false)
	v.text(names[1], s.Title, maxShortText, false)
	v.date(names[2], s.Published, false)
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		switch {
		case len(s.URL) > maxURL:
			v.add(names[3], "is %d bytes long; at most %d", len(s.URL), maxURL)
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			v.add(names[3], "%q is not an http or https URL%s", clip(s.URL), urlHint(s.URL))
		default:
			v.text(names[3], s.URL, maxURL, false)
		}
	}
}

// inputTypes are the types an input may give (report_published is the
// ledger's own).
var inputTypes = append(append(append([]Type{}, IncidentTypes...), TaskforceTypes...), Correction, Retraction)

func knownTypes() string {
	var names []string
	for _, t := range inputTypes {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// clip shortens a value quoted in an error message, so a 10 MB field does not
// become a 10 MB error.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
