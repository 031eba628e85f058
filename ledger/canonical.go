package ledger

import (
	"strconv"
	"unicode/utf8"
)

// The canonical bytes of an event are written here, from the field table
// (Fields), not by encoding/json: they are computed at least twice for
// every event an import appends (the checker's content sum, the leaf) and
// once for every event a read decodes (ParseRecorded compares them with
// what is stored), and json.Marshal took 2.2 µs of reflection for each
// (this, about 1.0). They are still, byte for byte, encoding/json's encoding
// of the Event struct with its tags (Go 1.26, HTML escaping on):
// TestCanonicalIsJSONMarshal checks that over events drawn from the
// struct's own fields, so a field added to Event and not to Fields, or of a
// kind written by name below, fails it. Writing them ourselves also means
// that a change to the standard library's encoder (encoding/json/v2 behind
// it) cannot change a leaf hash.

// appendCanonical appends e's canonical JSON to b: id and type, then the
// format's fields (Fields) in their order, which is the struct's.
func appendCanonical(b []byte, e *Event) []byte {
	o := object{b: append(b, '{')}
	o.str("id", e.ID)
	o.key("type")
	o.b = appendJSONString(o.b, string(e.Type))
	for i := range Fields {
		f := &Fields[i]
		switch {
		case f.text != nil:
			o.str(f.Name, *f.text(e))
		case f.whole != nil:
			o.intp(f.Name, *f.whole(e))
		case f.list != nil:
			o.list(f.Name, *f.list(e))
		case f.Name == "source":
			o.source(f.Name, e.Source)
		case f.Name == "changes":
			o.changes(f.Name, e.Changes)
		case f.Name == "tree_size":
			if e.TreeSize != nil {
				o.key(f.Name)
				o.b = strconv.AppendUint(o.b, *e.TreeSize, 10)
			}
		case f.Name == "suppress_below":
			if e.SuppressBelow != nil {
				o.key(f.Name)
				o.b = strconv.AppendInt(o.b, int64(*e.SuppressBelow), 10)
			}
		}
	}
	return append(o.b, '}')
}

// object writes the members of one JSON object, with omitempty's rules.
type object struct {
	b    []byte
	more bool // a member is written: the next one needs a comma
}

// key writes a member's name, which is plain ASCII: no escaping.
func (o *object) key(k string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *object) str(k, v string) {
	if v != "" {
		o.key(k)
		o.b = appendJSONString(o.b, v)
	}
}

// strp is a *string: absent when nil, "" when it points at one.
func (o *object) strp(k string, v *string) {
	if v != nil {
		o.key(k)
		o.b = appendJSONString(o.b, *v)
	}
}

// list is a []string: absent when empty, nil or not.
func (o *object) list(k string, v []string) {
	if len(v) > 0 {
		o.key(k)
		o.b = appendStrings(o.b, v)
	}
}

// listp is a *[]string: absent when nil; pointing at a nil list it is null.
func (o *object) listp(k string, v *[]string) {
	if v == nil {
		return
	}
	o.key(k)
	if *v == nil {
		o.b = append(o.b, "null"...)
	} else {
		o.b = appendStrings(o.b, *v)
	}
}

// intp is a *int64: absent when nil.
func (o *object) intp(k string, n *int64) {
	if n != nil {
		o.key(k)
		o.b = strconv.AppendInt(o.b, *n, 10)
	}
}

// changes writes a correction's changes: the changeable fields, each
// present when its pointer is set.
func (o *object) changes(k string, c *Changes) {
	if c == nil {
		return
	}
	o.key(k)
	in := object{b: append(o.b, '{')}
	for i := range Fields {
		f := &Fields[i]
		switch {
		case f.ctext != nil:
			in.strp(f.Name, *f.ctext(c))
		case f.cwhole != nil:
			in.intp(f.Name, *f.cwhole(c))
		case f.clist != nil:
			in.listp(f.Name, *f.clist(c))
		case f.Changeable && f.Name == "source":
			in.source(f.Name, c.Source)
		}
	}
	o.b = append(in.b, '}')
}

func (o *object) source(k string, s *Source) {
	if s == nil {
		return
	}
	o.key(k)
	in := object{b: append(o.b, '{')}
	in.str("publisher", s.Publisher)
	in.str("url", s.URL)
	in.str("published", s.Published)
	in.str("title", s.Title)
	o.b = append(in.b, '}')
}

func appendStrings(b []byte, v []string) []byte {
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// plain are the ASCII bytes a JSON string holds as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString writes s as encoding/json does with HTML escaping on:
// '"' and '\\' and the control characters escaped (\b \f \n \r \t short,
// the rest \u00XX), '<' '>' '&' as \u003c \u003e \u0026, U+2028 and U+2029
// as \u2028 and \u2029, and each byte that is not UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
