package projections

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/statledger/statledger/ledger"
)

// The projection keeps its records in a compact binary form rather than JSON:
// a 100k-incident month is decoded row by row while the workbook streams, and
// decoding must cost less than writing the cell, not more. Every record starts
// with nothing but varints and length-prefixed strings, so a record holds no
// pointers and a fold of a million events gives the collector nothing to scan.

// ErrDamaged is wrapped by every error of a projection record that does not
// read back as it was written: the fold is then made again from the ledger.
var ErrDamaged = errors.New("damaged projection record")

type enc struct{ b []byte }

func (e *enc) uint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }
func (e *enc) int(x int64)   { e.b = binary.AppendVarint(e.b, x) }
func (e *enc) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) bytes(s []byte) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) list(l []string) {
	e.uint(uint64(len(l)))
	for _, s := range l {
		e.str(s)
	}
}

type dec struct {
	b   []byte
	bad bool
}

func (d *dec) uint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *dec) int() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *dec) raw() []byte {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.bad, d.b = true, nil
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *dec) str() string { return string(d.raw()) }

func (d *dec) list() []string {
	n := d.uint()
	if n > uint64(len(d.b)) { // each string takes at least a byte
		d.bad, d.b = true, nil
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// appendEvent encodes the fields an incident or task-force event can have.
func appendEvent(b []byte, ev *ledger.Event) []byte {
	e := enc{b}
	e.str(ev.ID)
	e.str(string(ev.Type))
	e.str(ev.Date)
	e.str(ev.DatePrecision)
	if ev.Count == nil {
		e.uint(0)
	} else {
		e.uint(1)
		e.int(*ev.Count)
	}
	e.str(ev.CountQualifier)
	e.str(ev.Nationality)
	e.str(ev.Country)
	e.str(ev.Location)
	e.list(ev.Agencies)
	e.str(ev.Crime)
	e.str(ev.Taskforce)
	e.str(ev.Name)
	e.list(ev.Members)
	e.str(ev.Purpose)
	if ev.Source == nil {
		e.uint(0)
	} else {
		e.uint(1)
		e.str(ev.Source.Publisher)
		e.str(ev.Source.URL)
		e.str(ev.Source.Published)
		e.str(ev.Source.Title)
	}
	e.str(ev.Notes)
	return e.b
}

func decodeEvent(b []byte) (ledger.Event, error) {
	d := dec{b: b}
	var ev ledger.Event
	ev.ID = d.str()
	ev.Type = ledger.Type(d.str())
	ev.Date = d.str()
	ev.DatePrecision = d.str()
	if d.uint() == 1 {
		n := d.int()
		ev.Count = &n
	}
	ev.CountQualifier = d.str()
	ev.Nationality = d.str()
	ev.Country = d.str()
	ev.Location = d.str()
	ev.Agencies = d.list()
	ev.Crime = d.str()
	ev.Taskforce = d.str()
	ev.Name = d.str()
	ev.Members = d.list()
	ev.Purpose = d.str()
	if d.uint() == 1 {
		ev.Source = &ledger.Source{Publisher: d.str(), URL: d.str(), Published: d.str(), Title: d.str()}
	}
	ev.Notes = d.str()
	if d.bad || len(d.b) != 0 {
		return ledger.Event{}, ErrDamaged
	}
	return ev, nil
}

// hot is what aggregation needs of an incident, read without decoding the
// rest of the event.
type hot struct {
	typ         ledger.Type
	month       string
	count       int64
	qualifier   string
	nationality string
	country     string
}

// monthOf returns the month of an encoded event, as bytes of the record.
func monthOf(b []byte) []byte {
	d := dec{b: b}
	d.raw() // id
	d.raw() // type
	if date := d.raw(); len(date) >= 7 {
		return date[:7]
	}
	return nil
}

// typeDateOf returns the type and date of an encoded event, as bytes of the
// record.
func typeDateOf(b []byte) (typ, date []byte) {
	d := dec{b: b}
	d.raw() // id
	return d.raw(), d.raw()
}

// hotOf is hot for an event in hand: what decodeHot reads from its record.
func hotOf(e *ledger.Event) hot {
	return hot{typ: e.Type, month: Month(e), count: e.Persons(), qualifier: e.CountQualifier,
		nationality: e.Nationality, country: e.Country}
}

func decodeHot(b []byte) (hot, error) {
	d := dec{b: b}
	d.raw() // id
	var h hot
	h.typ = ledger.Type(d.raw())
	date := d.raw()
	d.raw() // precision
	if d.uint() == 1 {
		h.count = d.int()
	}
	h.qualifier = string(d.raw())
	h.nationality = string(d.raw())
	h.country = string(d.raw())
	if len(date) >= 7 {
		h.month = string(date[:7])
	}
	if d.bad {
		return hot{}, ErrDamaged
	}
	return h, nil
}

// A fact record keeps every version of a fact: as recorded, after each
// correction, and its retraction. Any earlier tree size can be answered from
// it, so a report as of an old size, or the figures as published, need no
// second fold.
type version struct {
	seq    uint64
	kind   byte // kindRecorded, kindCorrected or kindRetracted
	id     string
	reason string
	fields []string
	event  []byte // encoded content after this version; nil for a retraction
}

const (
	kindRecorded byte = iota
	kindCorrected
	kindRetracted
)

// factRec is a fact's record. The facts bucket holds its head: the event as
// recorded, how many versions it has, the latest content and whether it was
// retracted: all a fold at the head reads. Every later version (a correction
// or a retraction) is a record of its own in the versions bucket, read only
// for a view as of an earlier size or for the fact's list of changes, so N
// corrections of one event fold in O(N), not O(N²).
type factRec struct {
	key        []byte    // its key in the facts bucket
	first      version   // the event as recorded
	cur        version   // the latest version with content (first, if never corrected)
	lastSeq    uint64    // seq of the latest version
	n          int       // how many versions: 1 + corrections + retractions
	retracted  bool      // a retraction is among the versions
	retractSeq uint64    // seq of the first retraction
	versions   []version // all n, once loaded (State.versionsOf)
}

func newFactRec(key []byte, v version) factRec {
	return factRec{key: key, first: v, cur: v, lastSeq: v.seq, n: 1}
}

// add records a later version in the head; the caller stores the version.
func (r *factRec) add(v version) {
	r.n++
	r.lastSeq = v.seq
	if v.kind == kindRetracted {
		if !r.retracted {
			r.retracted, r.retractSeq = true, v.seq
		}
	} else {
		r.cur = v
	}
	if r.versions != nil {
		r.versions = append(r.versions, v)
	}
}

func appendVersion(e *enc, v *version) {
	e.uint(v.seq)
	e.b = append(e.b, v.kind)
	e.str(v.id)
	e.str(v.reason)
	e.list(v.fields)
	e.bytes(v.event)
}

func readVersion(d *dec, v *version) bool {
	v.seq = d.uint()
	if len(d.b) == 0 {
		d.bad = true
		return false
	}
	v.kind, d.b = d.b[0], d.b[1:]
	v.id = d.str()
	v.reason = d.str()
	v.fields = d.list()
	v.event = d.raw()
	return !d.bad
}

func (r *factRec) encode() []byte {
	e := enc{make([]byte, 0, 64+2*len(r.first.event))}
	e.uint(uint64(r.n))
	appendVersion(&e, &r.first)
	e.uint(r.lastSeq)
	if r.retracted {
		e.uint(1)
		e.uint(r.retractSeq)
	} else {
		e.uint(0)
	}
	if r.cur.seq != r.first.seq {
		e.uint(1)
		appendVersion(&e, &r.cur)
	} else {
		e.uint(0)
	}
	return e.b
}

func decodeFact(key, b []byte) (factRec, error) {
	d := dec{b: b}
	r := factRec{key: key}
	n := d.uint()
	if n == 0 || n > 1<<40 || !readVersion(&d, &r.first) {
		return factRec{}, ErrDamaged
	}
	r.n = int(n)
	r.lastSeq = d.uint()
	if d.uint() == 1 {
		r.retracted, r.retractSeq = true, d.uint()
	}
	r.cur = r.first
	if d.uint() == 1 && !readVersion(&d, &r.cur) {
		return factRec{}, ErrDamaged
	}
	if d.bad || len(d.b) != 0 || r.first.kind != kindRecorded || len(r.first.event) == 0 || r.lastSeq < r.first.seq {
		return factRec{}, ErrDamaged
	}
	return r, nil
}

func encodeVersion(v *version) []byte {
	e := enc{}
	appendVersion(&e, v)
	return e.b
}

func decodeVersion(b []byte) (version, error) {
	d := dec{b: b}
	var v version
	if !readVersion(&d, &v) || len(d.b) != 0 || v.kind == kindRecorded {
		return v, ErrDamaged
	}
	return v, nil
}

// versionKey is where the i-th version (from 1) of the fact at fk is kept.
func versionKey(fk []byte, i int) []byte {
	return binary.BigEndian.AppendUint32(append(append([]byte(nil), fk...), '/'), uint32(i))
}

// atHead answers at for a size past the fact's latest version, from the
// head alone.
func (r *factRec) atHead(size uint64) (content []byte, retracted bool, ok bool) {
	if r.first.seq >= size {
		return nil, false, false
	}
	return r.cur.event, r.retracted, true
}

// at returns the content and retraction of the fact as of a tree size, and the
// index of the last version it includes; ok is false if the fact was recorded
// at or after size. It needs every version (State.versionsOf).
func (r *factRec) at(size uint64) (content []byte, retracted bool, last int, ok bool) {
	if r.first.seq >= size {
		return nil, false, 0, false
	}
	for i, v := range r.versions {
		if v.seq >= size {
			break
		}
		last = i
		switch v.kind {
		case kindRetracted:
			retracted = true
		default:
			content = v.event
		}
	}
	return content, retracted, last, true
}

// qcell is an aggregate that can take a part away again: it counts the parts
// of each qualifier, where a qualifier string alone could not be un-combined.
type qcell struct {
	events, persons int64
	quals           [4]int64 // exact, at_least, at_most, approx
}

var qualIndex = map[string]int{"exact": 0, "at_least": 1, "at_most": 2, "approx": 3}

func (c *qcell) add(h *hot, sign int64) {
	c.events += sign
	c.persons += sign * h.count
	c.quals[qualIndex[h.qualifier]] += sign
}

func (c *qcell) cell() Cell {
	out := Cell{Events: int(c.events), Persons: c.persons}
	q := c.quals
	switch {
	case q[3] > 0 || (q[1] > 0 && q[2] > 0):
		out.Qualifier = "approx"
	case q[1] > 0:
		out.Qualifier = "at_least"
	case q[2] > 0:
		out.Qualifier = "at_most"
	case q[0] > 0:
		out.Qualifier = "exact"
	}
	return out
}

func (c *qcell) zero() bool { return *c == qcell{} }

// typeIndex maps an incident type to its place in ledger.IncidentTypes.
func typeIndex(t ledger.Type) int {
	for i, x := range ledger.IncidentTypes {
		if x == t {
			return i
		}
	}
	return -1
}

// MonthCache keeps the month aggregates that folds of one set of records
// decoded and wrote, each with the bytes of its record: a fold run once a
// batch (checkpoint.Folder) then decodes a month once, not once a batch
// (1.7 s of a 1M import's appending core, go tool pprof). A record that is
// not byte for byte the one kept is decoded and checked as ever. Folds that
// share one must not run at once.
type MonthCache struct{ m map[string]keptMonth }

type keptMonth struct {
	rec   []byte
	cells *monthCells
}

func NewMonthCache() *MonthCache { return &MonthCache{m: map[string]keptMonth{}} }

// take returns the aggregates kept for month if rec is their record, and
// forgets them either way: the fold changes them in place.
func (c *MonthCache) take(month string, rec []byte) *monthCells {
	if c == nil {
		return nil
	}
	k, ok := c.m[month]
	delete(c.m, month)
	if ok && rec != nil && bytes.Equal(k.rec, rec) {
		return k.cells
	}
	return nil
}

func (c *MonthCache) keep(month string, rec []byte, cells *monthCells) {
	c.m[month] = keptMonth{rec, cells}
}

// monthCells are a month's aggregates at the head of the fold.
type monthCells struct {
	types     [5]qcell
	byNat     map[string]*[5]qcell
	byCountry map[string]*[5]qcell
}

func newMonthCells() *monthCells {
	return &monthCells{byNat: map[string]*[5]qcell{}, byCountry: map[string]*[5]qcell{}}
}

func (m *monthCells) add(h *hot, sign int64) {
	i := typeIndex(h.typ)
	m.types[i].add(h, sign)
	for _, kv := range []struct {
		m   map[string]*[5]qcell
		key string
	}{{m.byNat, h.nationality}, {m.byCountry, h.country}} {
		row := kv.m[kv.key]
		if row == nil {
			row = &[5]qcell{}
			kv.m[kv.key] = row
		}
		row[i].add(h, sign)
		if *row == ([5]qcell{}) {
			delete(kv.m, kv.key)
		}
	}
}

func appendCells(e *enc, c *[5]qcell) {
	for _, q := range c {
		e.int(q.events)
		e.int(q.persons)
		for _, n := range q.quals {
			e.int(n)
		}
	}
}

func (m *monthCells) encode() []byte {
	e := enc{}
	appendCells(&e, &m.types)
	for _, mm := range []map[string]*[5]qcell{m.byNat, m.byCountry} {
		e.uint(uint64(len(mm)))
		for _, k := range sortedKeys(mm) {
			e.str(k)
			appendCells(&e, mm[k])
		}
	}
	return e.b
}

func readCells(d *dec, c *[5]qcell) {
	for i := range c {
		c[i].events = d.int()
		c[i].persons = d.int()
		for j := range c[i].quals {
			c[i].quals[j] = d.int()
		}
	}
}

func decodeCells(b []byte) (*monthCells, error) {
	d := dec{b: b}
	m := newMonthCells()
	readCells(&d, &m.types)
	for _, mm := range []map[string]*[5]qcell{m.byNat, m.byCountry} {
		n := d.uint()
		if n > uint64(len(d.b)) {
			return nil, ErrDamaged
		}
		for range n {
			k := d.str()
			row := &[5]qcell{}
			readCells(&d, row)
			mm[k] = row
		}
	}
	if d.bad || len(d.b) != 0 {
		return nil, ErrDamaged
	}
	return m, nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }
