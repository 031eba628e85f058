package ledger

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FieldKind is how a field's value is written.
type FieldKind int

const (
	Text   FieldKind = iota
	Whole            // a whole number (count)
	List             // a list of texts; in CSV one cell, ';'-separated
	Object           // a JSON object (source: in CSV, one column per part; changes)
	Number           // a number a report_published event records
)

// A Field is one field of the interchange format. Fields lists every one,
// in canonical order: CSV columns, decoding and encoding, which fields an
// event of each type may set, what a correction may change and how its
// changes are checked and applied, and the CLI's flags, all come from here.
type Field struct {
	Name string
	Kind FieldKind
	Help string // what the field holds, in a few words
	// On says which types carry it.
	On func(Type) bool
	// Changeable fields are those a correction may replace; identity
	// fields (id, type, taskforce) never change.
	Changeable bool

	text  func(*Event) *string
	whole func(*Event) **int64
	list  func(*Event) *[]string
	set   func(*Event) bool // for the fields of other kinds
	// the same field in a correction's changes
	ctext  func(*Changes) **string
	cwhole func(*Changes) **int64
	clist  func(*Changes) **[]string
	// check checks a value of the field, as an incident or a change has it.
	check func(v *validator, name string, e *Event)
}

func incident(t Type) bool  { return t.IsIncident() }
func taskforce(t Type) bool { return t.IsTaskforce() }
func fact(t Type) bool      { return t.IsIncident() || t.IsTaskforce() }
func isType(ts ...Type) func(Type) bool {
	return func(t Type) bool { return slices.Contains(ts, t) }
}

// Fields of the format, in canonical order (id and type, which every event
// has, are not among them).
var Fields = []Field{
	{Name: "date", Help: "when it happened, as reported (YYYY-MM-DD; for a week or month, its first day)", On: fact, Changeable: true,
		text: func(e *Event) *string { return &e.Date }, ctext: func(c *Changes) **string { return &c.Date },
		check: func(v *validator, n string, e *Event) { v.date(n, e.Date, true) }},
	{Name: "date_precision", Help: "day, week or month (default day)", On: fact, Changeable: true,
		text: func(e *Event) *string { return &e.DatePrecision }, ctext: func(c *Changes) **string { return &c.DatePrecision },
		check: func(v *validator, n string, e *Event) { v.oneOf(n, e.DatePrecision, DatePrecisions, true) }},
	{Name: "count", Kind: Whole, Help: "how many persons (0…1,000,000); for \"more than 60\" give 61, qualified at_least", On: incident, Changeable: true,
		whole: func(e *Event) **int64 { return &e.Count }, cwhole: func(c *Changes) **int64 { return &c.Count },
		check: func(v *validator, n string, e *Event) { v.count(n, e.Count, true) }},
	{Name: "count_qualifier", Help: "exact, at_least, approx or at_most (default exact)", On: incident, Changeable: true,
		text: func(e *Event) *string { return &e.CountQualifier }, ctext: func(c *Changes) **string { return &c.CountQualifier },
		check: func(v *validator, n string, e *Event) { v.oneOf(n, e.CountQualifier, CountQualifiers, true) }},
	{Name: "nationality", Help: "ISO 3166-1 alpha-2 code of the persons (e.g. KR)", On: incident, Changeable: true,
		text: func(e *Event) *string { return &e.Nationality }, ctext: func(c *Changes) **string { return &c.Nationality },
		check: func(v *validator, n string, e *Event) { v.country(n, e.Nationality, true) }},
	{Name: "country", Help: "ISO 3166-1 alpha-2 code of where it happened (e.g. KH)", On: incident, Changeable: true,
		text: func(e *Event) *string { return &e.Country }, ctext: func(c *Changes) **string { return &c.Country },
		check: func(v *validator, n string, e *Event) { v.country(n, e.Country, true) }},
	{Name: "location", Help: "place, as reported", On: incident, Changeable: true,
		text: func(e *Event) *string { return &e.Location }, ctext: func(c *Changes) **string { return &c.Location },
		check: func(v *validator, n string, e *Event) { v.text(n, e.Location, maxShortText, false) }},
	{Name: "agencies", Kind: List, Help: "an agency involved", On: incident, Changeable: true,
		list: func(e *Event) *[]string { return &e.Agencies }, clist: func(c *Changes) **[]string { return &c.Agencies },
		check: func(v *validator, n string, e *Event) { v.list(n, e.Agencies, maxShortText) }},
	{Name: "crime", Help: "the crime, e.g. online_scam", On: incident, Changeable: true,
		text: func(e *Event) *string { return &e.Crime }, ctext: func(c *Changes) **string { return &c.Crime },
		check: func(v *validator, n string, e *Event) { v.text(n, e.Crime, 100, false) }},
	{Name: "taskforce", Help: "the task force's id, a slug like kh-kr-joint-working-group", On: taskforce,
		text: func(e *Event) *string { return &e.Taskforce }},
	{Name: "name", Help: "the task force's name", On: taskforce, Changeable: true,
		text: func(e *Event) *string { return &e.Name }, ctext: func(c *Changes) **string { return &c.Name },
		check: func(v *validator, n string, e *Event) { v.text(n, e.Name, maxShortText, false) }},
	{Name: "members", Kind: List, Help: "a member country, ISO alpha-2", On: taskforce, Changeable: true,
		list: func(e *Event) *[]string { return &e.Members }, clist: func(c *Changes) **[]string { return &c.Members },
		check: func(v *validator, n string, e *Event) { v.countries(n, e.Members) }},
	{Name: "purpose", Help: "what the task force is for", On: taskforce, Changeable: true,
		text: func(e *Event) *string { return &e.Purpose }, ctext: func(c *Changes) **string { return &c.Purpose },
		check: func(v *validator, n string, e *Event) { v.text(n, e.Purpose, maxLongText, true) }},
	{Name: "source", Kind: Object, Help: "where it was reported: publisher, url, published (YYYY-MM-DD), title", On: fact, Changeable: true,
		set:   func(e *Event) bool { return e.Source != nil },
		check: func(v *validator, n string, e *Event) { v.source(n, e.Source, true) }},
	{Name: "notes", Help: "free text, at most 4,000 characters", On: fact, Changeable: true,
		text: func(e *Event) *string { return &e.Notes }, ctext: func(c *Changes) **string { return &c.Notes },
		check: func(v *validator, n string, e *Event) { v.text(n, e.Notes, MaxNotes, true) }},
	{Name: "corrects", Help: "the id of the event corrected", On: isType(Correction),
		text: func(e *Event) *string { return &e.Corrects }},
	{Name: "changes", Kind: Object, Help: "the fields a correction replaces", On: isType(Correction),
		set: func(e *Event) bool { return e.Changes != nil }},
	{Name: "retracts", Help: "the id of the event retracted", On: isType(Retraction),
		text: func(e *Event) *string { return &e.Retracts }},
	{Name: "reason", Help: "why a correction or retraction is made", On: isType(Correction, Retraction),
		text: func(e *Event) *string { return &e.Reason }},
	{Name: "report", On: isType(ReportPublished), text: func(e *Event) *string { return &e.Report }},
	{Name: "period", On: isType(ReportPublished), text: func(e *Event) *string { return &e.Period }},
	{Name: "tree_size", Kind: Number, On: isType(ReportPublished), set: func(e *Event) bool { return e.TreeSize != nil }},
	{Name: "root_hash", On: isType(ReportPublished), text: func(e *Event) *string { return &e.RootHash }},
	{Name: "file_name", On: isType(ReportPublished), text: func(e *Event) *string { return &e.FileName }},
	{Name: "file_sha256", On: isType(ReportPublished), text: func(e *Event) *string { return &e.FileSHA256 }},
	{Name: "suppress_below", Kind: Number, On: isType(ReportPublished), set: func(e *Event) bool { return e.SuppressBelow != nil }},
	{Name: "language", On: isType(ReportPublished), text: func(e *Event) *string { return &e.Language }},
}

// FieldNamed is the field of that name, or nil. The parser of stored
// events asks it for every member it reads: a map, not a search.
func FieldNamed(name string) *Field { return fieldsByName[name] }

var fieldsByName = func() map[string]*Field {
	m := make(map[string]*Field, len(Fields))
	for i := range Fields {
		m[Fields[i].Name] = &Fields[i]
	}
	return m
}()

// Set says whether e sets the field.
func (f *Field) Set(e *Event) bool {
	switch {
	case f.text != nil:
		return *f.text(e) != ""
	case f.whole != nil:
		return *f.whole(e) != nil
	case f.list != nil:
		return *f.list(e) != nil
	}
	return f.set(e)
}

// SetText sets a Text, Whole or List field from text (a List's items
// ';'-separated), as CSV and the command line give it; it returns what is
// wrong with text, or "".
func (f *Field) SetText(e *Event, text string) string {
	switch f.Kind {
	case Text:
		*f.text(e) = text
	case Whole:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Sprintf("%q is not a whole number%s", clip(text), countHint(text))
		}
		*f.whole(e) = &n
	case List:
		*f.list(e) = SplitList(text)
	default:
		return "cannot be given as text"
	}
	return ""
}

// Texts is the field's value in e as CSV and the command line write it:
// one text for a Text or Whole field ("" when unset), the items of a List;
// nothing for a source, whose parts are Source's. Only for a field CSV
// carries (every field a correction may change is one), as csvCell is.
func (f *Field) Texts(e *Event) []string {
	switch f.Kind {
	case List:
		return slices.Clone(*f.list(e))
	case Object:
		return nil
	}
	return []string{csvCell(e, f.Name)}
}

// Change sets the field in c to its value in e, so that a correction
// replaces it with that.
func (f *Field) Change(c *Changes, e *Event) {
	switch {
	case f.ctext != nil:
		v := *f.text(e)
		*f.ctext(c) = &v
	case f.cwhole != nil:
		*f.cwhole(c) = *f.whole(e)
	case f.clist != nil:
		v := slices.Clone(*f.list(e))
		if v == nil {
			v = []string{}
		}
		*f.clist(c) = &v
	case f.Name == "source":
		c.Source = e.Source
	}
}

// equal says whether x and y hold the same value of the field.
func (f *Field) equal(x, y *Event) bool {
	switch {
	case f.text != nil:
		return *f.text(x) == *f.text(y)
	case f.whole != nil:
		a, b := *f.whole(x), *f.whole(y)
		return a == b || a != nil && b != nil && *a == *b
	case f.list != nil:
		return slices.Equal(*f.list(x), *f.list(y))
	case f.Name == "source":
		return x.Source == y.Source || x.Source != nil && y.Source != nil && *x.Source == *y.Source
	}
	return true
}

// Clash is an event the ledger holds under the id of an input's event,
// with other content: most often a row exported, edited and imported
// again, which cannot change what is recorded.
type Clash struct {
	ID   string
	Seq  uint64 // where the ledger holds it
	Type Type   // the held event's
	// Changes is what a correction of the held event would replace to give
	// it the input's content, when a correction can (Correctable): the
	// types agree, and only fields a correction may replace differ.
	Changes     *Changes
	Correctable bool
	held        *Event // as recorded
}

// ClashOf is how held differs from given: what a correction of held would
// change to give it given's content (their ids aside).
func ClashOf(held, given *Event) *Clash {
	c := &Clash{ID: held.ID, Type: held.Type, Changes: &Changes{}, held: held, Correctable: held.Type == given.Type && (held.Type.IsIncident() || held.Type.IsTaskforce())}
	for i := range Fields {
		f := &Fields[i]
		if f.equal(held, given) {
			continue
		}
		if f.Changeable && f.On(held.Type) {
			f.Change(c.Changes, given)
		} else {
			c.Correctable = false
		}
	}
	c.Correctable = c.Correctable && len(c.Changes.Fields()) > 0
	return c
}

// changed says whether c replaces the field.
func (f *Field) changed(c *Changes) bool {
	switch {
	case f.ctext != nil:
		return *f.ctext(c) != nil
	case f.cwhole != nil:
		return *f.cwhole(c) != nil
	case f.clist != nil:
		return *f.clist(c) != nil
	case f.Name == "source":
		return c.Source != nil
	}
	return false
}

// apply copies c's value of the field, if it replaces it, into e.
func (f *Field) apply(c *Changes, e *Event) {
	if !f.changed(c) {
		return
	}
	switch {
	case f.ctext != nil:
		*f.text(e) = **f.ctext(c)
	case f.cwhole != nil:
		n := **f.cwhole(c)
		*f.whole(e) = &n
	case f.clist != nil:
		*f.list(e) = slices.Clone(**f.clist(c))
	case f.Name == "source":
		s := *c.Source
		e.Source = &s
	}
}

// changedValue is the event that holds c's value of the field (and nothing
// else), for checking it as an incident's.
func (f *Field) changedValue(c *Changes) *Event {
	var e Event
	f.apply(c, &e)
	return &e
}

// Fields lists the names of the fields c sets, in canonical order.
func (c *Changes) Fields() []string {
	if c == nil {
		return nil
	}
	var out []string
	for i := range Fields {
		if Fields[i].changed(c) {
			out = append(out, Fields[i].Name)
		}
	}
	return out
}

// Apply returns a copy of e with c's fields replaced. It does not validate.
func (c *Changes) Apply(e Event) Event {
	if c == nil {
		return e
	}
	for i := range Fields {
		Fields[i].apply(c, &e)
	}
	return e
}

// ChangeableFields lists the fields a correction may replace on an event of
// type t, in canonical order.
func ChangeableFields(t Type) []string {
	var out []string
	for _, f := range Fields {
		if f.Changeable && f.On(t) {
			out = append(out, f.Name)
		}
	}
	return out
}

// CSVColumns are the columns a CSV input may have, in the order exports
// write them: the fields of Fields that CSV carries, a source as its four
// parts, and changes (a JSON object) last, so that corrections and
// retractions travel in CSV too.
var CSVColumns = csvColumns()

func csvColumns() []string {
	cols := []string{"id", "type"}
	for _, f := range Fields {
		switch {
		case f.Name == "source":
			cols = append(cols, "source_publisher", "source_url", "source_published", "source_title")
		case f.Kind == Text || f.Kind == Whole || f.Kind == List:
			if !f.On(ReportPublished) {
				cols = append(cols, f.Name)
			}
		}
	}
	return append(cols, "changes")
}

// csvCell is the CSV text of column col of e.
func csvCell(e *Event, col string) string {
	switch col {
	case "id":
		return e.ID
	case "type":
		return string(e.Type)
	case "changes":
		if e.Changes == nil {
			return ""
		}
		b, _ := json.Marshal(e.Changes)
		return string(b)
	}
	if part, ok := strings.CutPrefix(col, "source_"); ok {
		if e.Source == nil {
			return ""
		}
		return *sourcePart(e.Source, part)
	}
	f := FieldNamed(col)
	switch f.Kind {
	case Whole:
		if n := *f.whole(e); n != nil {
			return strconv.FormatInt(*n, 10)
		}
		return ""
	case List:
		return strings.Join(*f.list(e), ";")
	}
	return *f.text(e)
}

// sourcePart is the part of a source a source_PART column holds.
func sourcePart(s *Source, part string) *string {
	switch part {
	case "publisher":
		return &s.Publisher
	case "url":
		return &s.URL
	case "published":
		return &s.Published
	}
	return &s.Title
}
