package ledger

import (
	"strconv"
	"unicode/utf8"
)

// Stored events are read back by hand for the same reason they are written
// by hand (canonical.go): every read of the ledger decodes each event it
// reads, and json/v2 took 11 s of a 1M-event verify's 44. Like the writer,
// it knows the fields from the field table (Fields). parseEnvelope
// reads only the one shape appendCanonical and sealer.seal write: fixed
// member order, no whitespace, the escapes Go's encoder uses. Anything else
// it declines (ok false) and ParseRecorded falls back on json/v2, which
// names what is wrong. Whatever it reads is encoded again and compared with
// the stored bytes, as before, so no reading of it can reach a figure
// unless those bytes are the canonical encoding of what it read.
// TestParseIsJSONv2 checks that ParseRecorded answers as with json/v2 alone.

// parser reads canonical JSON from b; bad records that it declined. b is
// the envelope copied once into a string: the strings read from it, most
// with no escapes, are pieces of it, not an allocation each.
type parser struct {
	b   string
	bad bool
}

func (p *parser) lit(s string) {
	if p.bad || len(p.b) < len(s) || p.b[:len(s)] != s {
		p.bad = true
		return
	}
	p.b = p.b[len(s):]
}

// peek reports whether b starts with c.
func (p *parser) peek(c byte) bool { return !p.bad && len(p.b) > 0 && p.b[0] == c }

// digits reads an optional '-' and at least one digit, as the encoder
// writes numbers.
func (p *parser) digits() string {
	if p.bad {
		return ""
	}
	i := 0
	if i < len(p.b) && p.b[i] == '-' {
		i++
	}
	start := i
	for i < len(p.b) && p.b[i] >= '0' && p.b[i] <= '9' {
		i++
	}
	if i == start {
		p.bad = true
		return ""
	}
	s := p.b[:i]
	p.b = p.b[i:]
	return s
}

func (p *parser) int() int64 {
	n, err := strconv.ParseInt(p.digits(), 10, 64)
	p.bad = p.bad || err != nil
	return n
}

func (p *parser) uint() uint64 {
	n, err := strconv.ParseUint(p.digits(), 10, 64)
	p.bad = p.bad || err != nil
	return n
}

// str reads a string. Raw bytes are taken as they are: bytes that are not
// UTF-8 come back as \ufffd when encoded again, and so fail the comparison.
func (p *parser) str() string {
	p.lit(`"`)
	if p.bad {
		return ""
	}
	i := 0
	for i < len(p.b) && p.b[i] != '"' && p.b[i] != '\\' && p.b[i] >= 0x20 {
		i++
	}
	if i < len(p.b) && p.b[i] == '"' { // no escapes: the common case
		s := p.b[:i]
		p.b = p.b[i+1:]
		return s
	}
	out := append([]byte(nil), p.b[:i]...)
	for i < len(p.b) {
		c := p.b[i]
		switch {
		case c == '"':
			p.b = p.b[i+1:]
			return string(out)
		case c < 0x20:
			p.bad = true
			return ""
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(p.b) {
			break
		}
		switch e := p.b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(p.b) {
				p.bad = true
				return ""
			}
			r, err := strconv.ParseUint(p.b[i+2:i+6], 16, 16)
			// The encoder writes no surrogate pairs: leave those to json/v2.
			if err != nil || utf8.RuneLen(rune(r)) < 0 {
				p.bad = true
				return ""
			}
			out = utf8.AppendRune(out, rune(r))
			i += 6
			continue
		default:
			p.bad = true
			return ""
		}
		i += 2
	}
	p.bad = true
	return ""
}

func (p *parser) strs() []string {
	p.lit("[")
	if p.peek(']') {
		p.lit("]")
		return []string{}
	}
	var l []string
	for !p.bad {
		l = append(l, p.str())
		if !p.peek(',') {
			break
		}
		p.lit(",")
	}
	p.lit("]")
	return l
}

// object reads {"name":value,...}, calling member for each name; member
// reads the value.
func (p *parser) object(member func(name string)) {
	p.lit("{")
	if p.peek('}') {
		p.lit("}")
		return
	}
	for !p.bad {
		name := p.str()
		p.lit(":")
		if p.bad {
			return
		}
		member(name)
		if !p.peek(',') {
			break
		}
		p.lit(",")
	}
	p.lit("}")
}

func (p *parser) source() *Source {
	s := &Source{}
	p.object(func(name string) {
		switch name {
		case "publisher":
			s.Publisher = p.str()
		case "url":
			s.URL = p.str()
		case "published":
			s.Published = p.str()
		case "title":
			s.Title = p.str()
		default:
			p.bad = true
		}
	})
	return s
}

func (p *parser) changes() *Changes {
	c := &Changes{}
	p.object(func(name string) {
		f := FieldNamed(name)
		switch {
		case f == nil || !f.Changeable:
			p.bad = true
		case f.ctext != nil:
			s := p.str()
			*f.ctext(c) = &s
		case f.cwhole != nil:
			n := p.int()
			*f.cwhole(c) = &n
		case f.clist != nil:
			l := p.strs()
			*f.clist(c) = &l
		case name == "source":
			c.Source = p.source()
		default:
			p.bad = true
		}
	})
	return c
}

func (p *parser) event(e *Event) {
	p.object(func(name string) {
		switch name {
		case "id":
			e.ID = p.str()
			return
		case "type":
			e.Type = Type(p.str())
			return
		}
		f := FieldNamed(name)
		switch {
		case f == nil:
			p.bad = true
		case f.text != nil:
			*f.text(e) = p.str()
		case f.whole != nil:
			n := p.int()
			*f.whole(e) = &n
		case f.list != nil:
			*f.list(e) = p.strs()
		case name == "source":
			e.Source = p.source()
		case name == "changes":
			e.Changes = p.changes()
		case name == "tree_size":
			n := p.uint()
			e.TreeSize = &n
		case name == "suppress_below":
			n := p.int()
			i := int(n)
			p.bad = p.bad || int64(i) != n // a 32-bit int
			e.SuppressBelow = &i
		default:
			p.bad = true
		}
	})
}

// parseEnvelope reads an envelope as sealer.seal writes it; ok is false for
// anything else.
func parseEnvelope(raw []byte) (env envelope, ok bool) {
	p := parser{b: string(raw)}
	p.lit(`{"seq":`)
	env.Seq = p.uint()
	p.lit(`,"recorded_at":`)
	env.RecordedAt = p.str()
	p.lit(`,"recorded_by":`)
	env.RecordedBy = p.str()
	p.lit(`,"event":`)
	p.event(&env.Event)
	p.lit("}")
	return env, !p.bad && len(p.b) == 0
}
