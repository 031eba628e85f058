// Package projections folds recorded events into the figures every report
// shows. The fold is pure: the same events always give the same records, in
// memory (New, Build) or in the projection checkpoint kept beside the ledger
// (projections/checkpoint), which folds only what was appended since.
//
// Facts keep every version they had, so a State at the head of its fold also
// answers for any earlier tree size (At): reports as of an old size, and the
// figures as they were published, come from the same records.
package projections

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/statledger/statledger/ledger"
)

// Change is one correction or retraction applied to an event.
type Change struct {
	Seq     uint64
	ID      string
	Fields  []string // nil for a retraction
	Reason  string
	Retract bool
}

// Fact is an incident or task-force event as it stands after every correction.
type Fact struct {
	Event ledger.Event // effective content
	// OriginalMonth is the month of the event as first recorded: a correction
	// that moves an incident to another month revises both months.
	OriginalMonth string
	Seq           uint64 // where it was recorded
	LastChange    uint64 // seq of its latest correction or retraction, else Seq
	Changes       []Change
	Retracted     bool
}

// Publication is a report_published event.
type Publication struct {
	Seq        uint64
	RecordedAt time.Time
	Event      ledger.Event
}

// State is the fold of a ledger prefix, seen as of tree size Size.
type State struct {
	Size           uint64 // the tree size this state is "as of"
	LastRecordedAt time.Time
	Publications   []Publication
	f              *core
}

// core is what every view of one fold shares.
type core struct {
	kv     KV
	head   uint64 // events folded
	headAt time.Time
	// The times bucket holds the end of each run of events recorded at one
	// instant. The run at the head grows with every Apply, so its record is
	// written once, when the run ends or the fold is flushed or read
	// (syncTimes), not once per event: timesAt is where the latest record
	// in kv ends, timesAtTime its instant.
	timesAt     uint64
	timesAtTime time.Time
	cells       map[string]*monthCells // read through to kv; dirty until Flush
	dirty       map[string]bool
	ix          ledger.IDIndex // the ledger's id index, when the fold does not keep its own
	months      *MonthCache
	err         error
}

// New returns an empty fold in memory.
func New() *State {
	s, _ := Open(NewMemKV())
	return s
}

// Open returns the fold kept in kv, at its head.
func Open(kv KV) (*State, error) {
	f := &core{kv: kv, cells: map[string]*monthCells{}, dirty: map[string]bool{}}
	if v, err := kv.Get(bucketMeta, []byte("size")); err != nil {
		return nil, err
	} else if len(v) == 8 {
		f.head = binary.BigEndian.Uint64(v)
	}
	if v, err := kv.Get(bucketMeta, []byte("last_at")); err != nil {
		return nil, err
	} else if len(v) == 8 {
		f.headAt = time.UnixMicro(int64(binary.BigEndian.Uint64(v))).UTC()
	}
	f.timesAt, f.timesAtTime = f.head, f.headAt // Flush wrote the head's run
	s := &State{f: f}
	s.view(f.head)
	return s, f.err
}

// Build folds the prefix of the ledger that asOf selects, in memory.
func Build(ctx context.Context, st ledger.Store, asOf ledger.AsOf) (*State, error) {
	s := New()
	if ix, ok := st.(ledger.IDIndex); ok {
		s.UseIDIndex(ix)
	}
	size, err := ledger.ReadAsOf(ctx, st, asOf, 0, func(r ledger.Recorded) error {
		s.Apply(r)
		return s.Err()
	})
	if err != nil {
		return nil, err
	}
	if size != s.Size {
		return nil, fmt.Errorf("projection: folded %d events of %d", s.Size, size)
	}
	return s, nil
}

// Head is the number of events folded; Size is at most Head.
func (s *State) Head() uint64 { return s.f.head }

// Err is the first error the fold met: a store error, or a damaged record.
func (s *State) Err() error { return s.f.err }

func (s *State) fail(err error) {
	if s.f.err == nil && err != nil {
		s.f.err = err
	}
}

// UseIDIndex makes the fold find facts by id through the ledger's own index,
// keeping only a seq-ordered map of its own: a million random id inserts
// would otherwise dominate the fold. It must be set before the first Apply
// and on every later Open of the same records.
func (s *State) UseIDIndex(ix ledger.IDIndex) { s.f.ix = ix }

// UseMonthCache makes the fold take the months it changes from c, where
// an earlier fold of the same records left them, and leave them there as
// Flush writes them.
func (s *State) UseMonthCache(c *MonthCache) { s.f.months = c }

// UseKV moves the fold to another handle on the same records: a checkpoint
// commits in chunks, each in its own transaction.
func (s *State) UseKV(kv KV) { s.f.kv = kv }

// At returns a view of the same fold as of an earlier tree size.
func (s *State) At(size uint64) *State {
	v := &State{f: s.f}
	v.view(min(size, s.f.head))
	return v
}

func (s *State) view(size uint64) {
	s.Size = size
	s.LastRecordedAt = s.recordedAt(size)
	s.Publications = nil
	s.f.kv.Scan(bucketPubs, nil, func(k, v []byte) bool {
		if binary.BigEndian.Uint64(k) >= size {
			return false
		}
		var p Publication
		p.Seq = binary.BigEndian.Uint64(k)
		if len(v) < 8 || json.Unmarshal(v[8:], &p.Event) != nil {
			s.fail(ErrDamaged)
			return false
		}
		p.RecordedAt = time.UnixMicro(int64(binary.BigEndian.Uint64(v))).UTC()
		s.Publications = append(s.Publications, p)
		return true
	})
}

// recordedAt is the recorded_at of the event before size: the times bucket
// keeps the end of each run of events recorded at the same instant.
func (s *State) recordedAt(size uint64) time.Time {
	if size == 0 {
		return time.Time{}
	}
	if size == s.f.head {
		return s.f.headAt
	}
	s.syncTimes()
	var at time.Time
	s.f.kv.Scan(bucketTimes, seqKey(size), func(k, v []byte) bool {
		if len(v) == 8 {
			at = time.UnixMicro(int64(binary.BigEndian.Uint64(v))).UTC()
		}
		return false
	})
	return at
}

// SizeAt resolves an --as-of: the tree size of the prefix it selects.
func (s *State) SizeAt(a ledger.AsOf) (uint64, error) {
	switch {
	case a.Size != nil:
		if *a.Size > s.f.head {
			return 0, ledger.KindErrorf(ledger.CodeInput, ledger.ErrAsOf, "as of tree size %d: the ledger holds only %d events", *a.Size, s.f.head)
		}
		return *a.Size, nil
	case a.Time != nil:
		var size uint64
		t := a.Time.UnixMicro()
		s.syncTimes()
		s.f.kv.Scan(bucketTimes, nil, func(k, v []byte) bool {
			if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) > t {
				return false
			}
			size = binary.BigEndian.Uint64(k)
			return true
		})
		return size, nil
	}
	return s.f.head, nil
}

// Apply folds the next recorded event. Events must come in seq order, and
// only to the head of the fold.
func (s *State) Apply(r ledger.Recorded) {
	f := s.f
	if f.err != nil {
		return
	}
	if r.Seq != f.head || s.Size != f.head {
		s.fail(fmt.Errorf("projection: seq %d folded into a state of size %d", r.Seq, f.head))
		return
	}
	kv := f.kv
	e := &r.Event
	key := seqKey(r.Seq)
	switch {
	case e.Type.IsIncident() || e.Type.IsTaskforce():
		content := appendEvent(nil, e)
		// Facts are kept by group (an incident's month, or all task forces)
		// then seq: a month's report reads one run of neighbouring pages,
		// not one page per incident scattered over the whole history.
		group := taskforceGroup
		if e.Type.IsIncident() {
			group = Month(e)
		}
		fk := append([]byte(group), key...)
		rec := newFactRec(fk, version{seq: r.Seq, kind: kindRecorded, event: content})
		s.fail(kv.Put(bucketFacts, fk, rec.encode()))
		if f.ix != nil {
			s.fail(kv.Put(bucketSeqs, key, fk))
		} else {
			s.fail(kv.Put(bucketIDs, []byte(e.ID), fk))
		}
		if e.Type.IsIncident() {
			// The month it is recorded in is its key's: bucketMonths only
			// holds the months a correction moved it to.
			h := hotOf(e)
			s.cellsOf(h.month).add(&h, 1)
			f.dirty[h.month] = true
		}
	case e.Type == ledger.Correction || e.Type == ledger.Retraction:
		target := e.Corrects
		if e.Type == ledger.Retraction {
			target = e.Retracts
		}
		fk, rec, ok := s.factByID(target)
		if !ok { // refused at append; nothing to fold
			break
		}
		content, retracted, _ := rec.atHead(f.head)
		old, err := decodeEvent(content)
		s.fail(err)
		v := version{seq: r.Seq, id: e.ID, reason: e.Reason, kind: kindRetracted}
		var next ledger.Event
		if e.Type == ledger.Correction {
			next = e.Changes.Apply(old)
			v.kind, v.fields, v.event = kindCorrected, e.Changes.Fields(), appendEvent(nil, &next)
		}
		s.fail(kv.Put(bucketVersions, versionKey(fk, rec.n), encodeVersion(&v)))
		rec.add(v)
		s.fail(kv.Put(bucketFacts, fk, rec.encode()))
		if old.Type.IsIncident() {
			old := hotOf(&old)
			if !retracted {
				s.cellsOf(old.month).add(&old, -1)
				f.dirty[old.month] = true
			}
			if v.kind == kindCorrected {
				h := hotOf(&next)
				if h.month != old.month && h.month != string(fk[:len(fk)-8]) {
					s.fail(kv.Put(bucketMonths, append([]byte(h.month), seqKey(rec.first.seq)...), fk))
				}
				if !retracted {
					s.cellsOf(h.month).add(&h, 1)
					f.dirty[h.month] = true
				}
			}
		}
	case e.Type == ledger.ReportPublished:
		v := binary.BigEndian.AppendUint64(nil, uint64(r.RecordedAt.UnixMicro()))
		s.fail(kv.Put(bucketPubs, key, append(v, e.Canonical()...)))
		s.Publications = append(s.Publications, Publication{Seq: r.Seq, RecordedAt: r.RecordedAt, Event: *e})
	}
	if f.head > 0 && !r.RecordedAt.Equal(f.headAt) {
		s.syncTimes() // the run at the head ends here
	}
	f.head, f.headAt = r.Seq+1, r.RecordedAt
	s.Size, s.LastRecordedAt = f.head, f.headAt
}

// syncTimes writes the record of the run at the head, if kv lacks it.
func (s *State) syncTimes() {
	f := s.f
	if f.head == 0 || f.timesAt == f.head {
		return
	}
	if f.timesAt > 0 && f.timesAtTime.Equal(f.headAt) { // the run grew past its record
		s.fail(f.kv.Delete(bucketTimes, seqKey(f.timesAt)))
	}
	s.fail(f.kv.Put(bucketTimes, seqKey(f.head), binary.BigEndian.AppendUint64(nil, uint64(f.headAt.UnixMicro()))))
	f.timesAt, f.timesAtTime = f.head, f.headAt
}

// Flush writes the aggregates and the fold's size into its KV.
func (s *State) Flush() error {
	f := s.f
	s.syncTimes()
	for _, m := range sortedKeys(f.dirty) {
		rec := f.cells[m].encode()
		s.fail(f.kv.Put(bucketCells, []byte(m), rec))
		if f.months != nil {
			// Handed over: a later Apply takes it back through kv's record,
			// so what the cache holds is always what rec says.
			f.months.keep(m, rec, f.cells[m])
			delete(f.cells, m)
		}
	}
	clear(f.dirty)
	s.fail(f.kv.Put(bucketMeta, []byte("size"), seqKey(f.head)))
	if f.head > 0 {
		s.fail(f.kv.Put(bucketMeta, []byte("last_at"), binary.BigEndian.AppendUint64(nil, uint64(f.headAt.UnixMicro()))))
	}
	return f.err
}

func (s *State) cellsOf(month string) *monthCells {
	f := s.f
	if c := f.cells[month]; c != nil {
		return c
	}
	c := newMonthCells()
	if v, err := f.kv.Get(bucketCells, []byte(month)); err != nil {
		s.fail(err)
	} else if kept := f.months.take(month, v); kept != nil {
		c = kept
	} else if v != nil {
		dc, err := decodeCells(v)
		s.fail(err)
		if dc != nil {
			c = dc
		}
	}
	f.cells[month] = c
	return c
}

// taskforceGroup is the key prefix of task-force facts; incidents' is their month.
const taskforceGroup = "taskforce"

func (s *State) factByKey(fk []byte) (factRec, bool) {
	v, err := s.f.kv.Get(bucketFacts, fk)
	if err != nil || v == nil {
		s.fail(err)
		if err == nil {
			s.fail(fmt.Errorf("%w: no fact at key %x", ErrDamaged, fk))
		}
		return factRec{}, false
	}
	rec, err := decodeFact(fk, v)
	if err != nil {
		s.fail(fmt.Errorf("%w: fact at key %x", err, fk))
		return factRec{}, false
	}
	return rec, true
}

func (s *State) factByID(id string) ([]byte, factRec, bool) {
	var v []byte
	var err error
	if s.f.ix != nil {
		seq, found, serr := ledger.SeqOf(context.Background(), s.f.ix, id)
		if serr != nil || !found || seq >= s.f.head {
			s.fail(serr)
			return nil, factRec{}, false
		}
		v, err = s.f.kv.Get(bucketSeqs, seqKey(seq))
	} else {
		v, err = s.f.kv.Get(bucketIDs, []byte(id))
	}
	if err != nil || v == nil {
		s.fail(err)
		return nil, factRec{}, false
	}
	fk := bytes.Clone(v)
	rec, ok := s.factByKey(fk)
	return fk, rec, ok
}

// versionsOf loads every version of a fact, from its head and the versions
// bucket. A version missing, out of place or one too many is damage.
func (s *State) versionsOf(rec *factRec) bool {
	if rec.versions != nil {
		return true
	}
	vs := make([]version, 1, rec.n)
	vs[0] = rec.first
	prefix := append(bytes.Clone(rec.key), '/')
	bad := false
	s.fail(s.f.kv.Scan(bucketVersions, prefix, func(k, b []byte) bool {
		if !bytes.HasPrefix(k, prefix) {
			return false
		}
		v, err := decodeVersion(b)
		if err != nil || len(vs) >= rec.n || !bytes.Equal(k, versionKey(rec.key, len(vs))) || v.seq <= vs[len(vs)-1].seq {
			bad = true
			return false
		}
		vs = append(vs, cloneVersion(v))
		return true
	}))
	if bad || len(vs) != rec.n || vs[len(vs)-1].seq != rec.lastSeq {
		s.fail(fmt.Errorf("%w: the versions of fact %x", ErrDamaged, rec.key))
		return false
	}
	rec.versions = vs
	return true
}

// cloneVersion copies what a version holds of a KV's memory, which is only
// valid until the next write.
func cloneVersion(v version) version {
	v.event = bytes.Clone(v.event)
	v.fields = slices.Clone(v.fields)
	return v
}

// at is factRec.at, from the head alone when size is past the fact's
// latest version (at the head of a fold, always).
func (s *State) at(rec *factRec, size uint64) (content []byte, retracted bool, last int, ok bool) {
	if size > rec.lastSeq {
		content, retracted, ok = rec.atHead(size)
		return content, retracted, rec.n - 1, ok
	}
	if !s.versionsOf(rec) {
		return nil, false, 0, false
	}
	return rec.at(size)
}

// fact builds the Fact of a record as of the view's size.
func (s *State) fact(rec *factRec) *Fact {
	content, retracted, last, ok := s.at(rec, s.Size)
	if !ok {
		return nil
	}
	ev, err := decodeEvent(content)
	if err != nil {
		s.fail(err)
		return nil
	}
	f := &Fact{Event: ev, OriginalMonth: string(monthOf(rec.first.event)), Seq: rec.first.seq, LastChange: rec.first.seq, Retracted: retracted}
	if last > 0 {
		if !s.versionsOf(rec) {
			return nil
		}
		f.LastChange = rec.versions[last].seq
		for _, v := range rec.versions[1 : last+1] {
			f.Changes = append(f.Changes, Change{Seq: v.seq, ID: v.id, Fields: v.fields, Reason: v.reason, Retract: v.kind == kindRetracted})
		}
	}
	return f
}

// Fact returns the fact with an id, retracted or not; nil if the view does
// not hold it.
func (s *State) Fact(id string) *Fact {
	_, rec, ok := s.factByID(id)
	if !ok {
		return nil
	}
	return s.fact(&rec)
}

// CheckTarget refuses a correction or a retraction (t) of the event id if
// that event was retracted: a retracted event counts in no figure, so either
// would change nothing a report shows while looking like it did. An id the
// view does not hold passes: the append's own check refuses unknown ids.
func (s *State) CheckTarget(t ledger.Type, id string) error {
	f := s.Fact(strings.ToLower(id))
	if err := s.Err(); err != nil || f == nil || !f.Retracted {
		return err
	}
	for _, ch := range f.Changes {
		if ch.Retract {
			verb := map[ledger.Type]string{ledger.Correction: "corrected", ledger.Retraction: "retracted again"}[t]
			return ledger.Errorf(ledger.CodeInput, "%s was retracted at seq %d (%s): it cannot be %s; record a new event instead", f.Event.ID, ch.Seq, ch.Reason, verb)
		}
	}
	return nil
}

// Month is the year-month of an incident's date as written: no time zone is
// ever applied to a reported date.
func Month(e *ledger.Event) string {
	if len(e.Date) < 7 {
		return ""
	}
	return e.Date[:7]
}

// eachInMonth calls fn for every incident record that was ever in month and
// that the view holds, in seq order, until fn returns false.
func (s *State) eachInMonth(month string, fn func(rec *factRec) bool) {
	prefix := []byte(month)
	if len(prefix) != 7 {
		return
	}
	// Facts recorded in the month are its own run of the facts bucket; those
	// a correction moved into it are few, and listed in bucketMonths. The
	// two are merged in seq order.
	type moved struct {
		seq uint64
		fk  []byte
	}
	var in []moved
	s.fail(s.f.kv.Scan(bucketMonths, prefix, func(k, fk []byte) bool {
		if len(k) != 15 || string(k[:7]) != month {
			return false
		}
		if seq := binary.BigEndian.Uint64(k[7:]); seq < s.Size {
			in = append(in, moved{seq, bytes.Clone(fk)})
		}
		return true
	}))
	more := true
	emitMoved := func(before uint64) {
		for more && len(in) > 0 && in[0].seq < before {
			rec, ok := s.factByKey(in[0].fk)
			in = in[1:]
			more = ok && fn(&rec)
		}
	}
	s.fail(s.f.kv.Scan(bucketFacts, prefix, func(k, v []byte) bool {
		if len(k) != 15 || string(k[:7]) != month {
			return false
		}
		seq := binary.BigEndian.Uint64(k[7:])
		if seq >= s.Size {
			return false // keys run in seq order within the month
		}
		if emitMoved(seq); !more {
			return false
		}
		rec, err := decodeFact(bytes.Clone(k), v)
		if err != nil {
			s.fail(fmt.Errorf("%w: fact at key %x", err, k))
			more = false
			return false
		}
		more = fn(&rec)
		return more
	}))
	emitMoved(s.Size)
}

// EachIncident calls fn with each effective incident of a month (YYYY-MM), in
// seq order, decoding one at a time: a month of 100k incidents is never all
// in memory at once.
func (s *State) EachIncident(month string, fn func(*Fact) error) error {
	var err error
	s.eachInMonth(month, func(rec *factRec) bool {
		content, retracted, _, ok := s.at(rec, s.Size)
		if !ok || retracted {
			return true
		}
		if string(monthOf(content)) != month {
			return true
		}
		if f := s.fact(rec); f != nil {
			err = fn(f)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	return s.Err()
}

// Incidents returns the effective incidents of a month in seq order.
func (s *State) Incidents(month string) []*Fact {
	var out []*Fact
	s.EachIncident(month, func(f *Fact) error {
		out = append(out, f)
		return nil
	})
	return out
}

// cellsAt computes a month's aggregates as of the view from its facts; at the
// head they are kept up to date and read directly.
func (s *State) cellsAt(month string) *monthCells {
	if s.Size == s.f.head {
		return s.cellsOf(month)
	}
	c := newMonthCells()
	s.eachInMonth(month, func(rec *factRec) bool {
		content, retracted, _, ok := s.at(rec, s.Size)
		if !ok || retracted {
			return true
		}
		h, err := decodeHot(content)
		if err != nil {
			s.fail(err)
			return false
		}
		if h.month == month {
			c.add(&h, 1)
		}
		return true
	})
	return c
}

// Cell is one figure: how many events, how many persons, and how sure the sum is.
type Cell struct {
	Events    int
	Persons   int64
	Qualifier string
}

// Add folds one incident into the cell, combining qualifiers by the rule of
// DESIGN.md: exact if every part is exact, at_least if all are exact or
// at_least, at_most if all are exact or at_most, else approx.
func (c *Cell) Add(e *ledger.Event) {
	c.Events++
	c.Persons += e.Persons()
	c.Qualifier = CombineQualifiers(c.Qualifier, e.CountQualifier)
}

// CombineQualifiers combines the qualifier of a partial sum with one more part.
// "" stands for the empty sum.
func CombineQualifiers(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case a == "exact":
		return b
	case b == "exact":
		return a
	}
	return "approx" // at_least with at_most, or anything with approx
}

// Qual returns the cell's qualifier, exact for an empty cell (a sure zero).
func (c Cell) Qual() string {
	if c.Qualifier == "" {
		return "exact"
	}
	return c.Qualifier
}

// Summary is a month's figures per incident type, in ledger.IncidentTypes order.
type Summary map[ledger.Type]Cell

func summaryOf(row *[5]qcell) Summary {
	out := Summary{}
	for i, t := range ledger.IncidentTypes {
		out[t] = row[i].cell()
	}
	return out
}

// MonthSummary computes the Summary table of a month.
func (s *State) MonthSummary(month string) Summary {
	return summaryOf(&s.cellsAt(month).types)
}

// Breakdown is persons by a key (a country code) and incident type.
type Breakdown map[string]map[ledger.Type]Cell

// Keys returns the breakdown's keys, sorted.
func (b Breakdown) Keys() []string { return sortedKeys(b) }

// ByNationality and ByCountry break a month down.
func (s *State) ByNationality(month string) Breakdown {
	return breakdown(s.cellsAt(month).byNat)
}

func (s *State) ByCountry(month string) Breakdown {
	return breakdown(s.cellsAt(month).byCountry)
}

func breakdown(m map[string]*[5]qcell) Breakdown {
	out := Breakdown{}
	for k, row := range m {
		out[k] = map[ledger.Type]Cell{}
		for i, t := range ledger.IncidentTypes {
			if !row[i].zero() {
				out[k][t] = row[i].cell()
			}
		}
	}
	return out
}

// Series is persons per month and type over a span of months.
type Series struct {
	Months []string
	Cells  map[string]map[ledger.Type]Cell
}

// Trend computes persons per type for each month from..to inclusive (YYYY-MM).
func (s *State) Trend(from, to string) Series {
	months := MonthRange(from, to)
	out := Series{Months: months, Cells: map[string]map[ledger.Type]Cell{}}
	for _, m := range months {
		out.Cells[m] = s.MonthSummary(m)
	}
	return out
}

// IncidentSpan is the first and last month with an effective incident, or
// two empty strings when there is none.
func (s *State) IncidentSpan() (first, last string) {
	months := s.Months()
	if len(months) == 0 {
		return "", ""
	}
	return months[0], months[len(months)-1]
}

// Span is the months from..to of a report: each end as given or, left
// empty, the month of the first or last effective incident (or the other
// end's, when only that one is known); two empty strings when neither is
// given and there is no incident. A span that ends before it starts is
// refused. Months given must be YYYY-MM: the caller checks them.
func (s *State) Span(from, to string) (string, string, error) {
	first, last := s.IncidentSpan()
	from, to = cmp.Or(from, first), cmp.Or(to, last)
	from, to = cmp.Or(from, to), cmp.Or(to, from)
	if from != "" && len(MonthRange(from, to)) == 0 {
		return "", "", ledger.Errorf(ledger.CodeInput, "the first month, %s, is after the last, %s", from, to)
	}
	return from, to, nil
}

// Months lists, in order, the months with at least one effective incident.
func (s *State) Months() []string {
	var candidates []string
	if s.Size == s.f.head {
		s.fail(s.f.kv.Scan(bucketCells, nil, func(k, _ []byte) bool {
			candidates = append(candidates, string(k))
			return true
		}))
		for m := range s.f.dirty {
			candidates = append(candidates, m)
		}
	} else {
		// One step per group of facts (a month, or the task forces), then
		// the months corrections moved facts to.
		for from := []byte{}; from != nil; {
			next := from
			from = nil
			s.fail(s.f.kv.Scan(bucketFacts, next, func(k, _ []byte) bool {
				if len(k) > 8 {
					group := k[:len(k)-8]
					if len(group) == 7 {
						candidates = append(candidates, string(group))
					}
					from = append(bytes.Clone(group), 0xff)
				}
				return false
			}))
		}
		s.fail(s.f.kv.Scan(bucketMonths, nil, func(k, _ []byte) bool {
			candidates = append(candidates, string(k[:min(7, len(k))]))
			return true
		}))
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	var out []string
	for _, m := range candidates {
		for _, c := range s.cellsAt(m).types {
			if c.events > 0 {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// MonthRange lists the months from..to inclusive; empty if either is malformed.
func MonthRange(from, to string) []string {
	a, err1 := time.Parse("2006-01", from)
	b, err2 := time.Parse("2006-01", to)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for t := a; !t.After(b); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}

// AddMonths shifts a YYYY-MM month.
func AddMonths(month string, n int) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// Taskforce is the registry entry of one task force.
type Taskforce struct {
	Slug        string
	Name        string
	Members     []string
	Purpose     string
	Status      string // announced, established or dissolved
	Announced   string // dates, as reported
	Established string
	Dissolved   string
	LastSeq     uint64
}

// Taskforces returns the registry, by slug. A task force's status is that of
// its latest effective event in ledger order; its other fields are the latest
// non-empty ones.
func (s *State) Taskforces() []Taskforce {
	bySlug := map[string]*Taskforce{}
	s.fail(s.f.kv.Scan(bucketFacts, []byte(taskforceGroup), func(k, v []byte) bool {
		if !bytes.HasPrefix(k, []byte(taskforceGroup)) || len(k) != len(taskforceGroup)+8 {
			return false
		}
		if binary.BigEndian.Uint64(k[len(taskforceGroup):]) >= s.Size {
			return false
		}
		rec, err := decodeFact(bytes.Clone(k), v)
		if err != nil {
			s.fail(fmt.Errorf("%w: fact at key %x", err, k))
			return false
		}
		f := s.fact(&rec)
		if f == nil || f.Retracted {
			return true
		}
		e := &f.Event
		tf := bySlug[e.Taskforce]
		if tf == nil {
			tf = &Taskforce{Slug: e.Taskforce}
			bySlug[e.Taskforce] = tf
		}
		tf.Status = string(e.Type)[len("taskforce_"):]
		tf.LastSeq = max(tf.LastSeq, f.LastChange)
		if e.Name != "" {
			tf.Name = e.Name
		}
		if len(e.Members) > 0 {
			tf.Members = slices.Clone(e.Members)
		}
		if e.Purpose != "" {
			tf.Purpose = e.Purpose
		}
		switch e.Type {
		case ledger.TaskforceAnnounced:
			tf.Announced = e.Date
		case ledger.TaskforceEstablished:
			tf.Established = e.Date
		case ledger.TaskforceDissolved:
			tf.Dissolved = e.Date
		}
		return true
	}))
	out := make([]Taskforce, 0, len(bySlug))
	for _, slug := range sortedKeys(bySlug) {
		out = append(out, *bySlug[slug])
	}
	return out
}

// LatestPublication returns the latest publication of a monthly report for a period.
func (s *State) LatestPublication(period string) (Publication, bool) {
	for i := len(s.Publications) - 1; i >= 0; i-- {
		p := s.Publications[i]
		if p.Event.Report == "monthly" && p.Event.Period == period {
			return p, true
		}
	}
	return Publication{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
