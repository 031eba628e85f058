package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Ledger is the domain service over a Store: it checks events against what the
// ledger already holds, seals them into recorded events and appends them.
type Ledger struct {
	Store Store
	Now   func() time.Time // wall clock; replaced in tests
}

func New(s Store) *Ledger { return &Ledger{Store: s, Now: time.Now} }

// Prepared is an input checked against the ledger: which of its events are
// still to append (indexes into the input, which is shared, not copied) and
// how many were already there with the same content.
type Prepared struct {
	events     []Event
	fresh      []int
	Duplicates int
}

// Len is the number of events still to append.
func (p Prepared) Len() int { return len(p.fresh) }

// Prepare checks already validated events against the ledger and against each
// other (see Checker). Every problem is returned; with any, nothing should be
// appended.
//
// A problem's Line is the event's ordinal in events, from 1.
func (l *Ledger) Prepare(ctx context.Context, events []Event) (Prepared, []LineError, error) {
	p := Prepared{events: events}
	var errs []LineError
	c := l.NewChecker()
	defer c.Done()
	for i := range events {
		fresh, fe, err := c.Check(ctx, &events[i])
		switch {
		case err != nil:
			return p, nil, err
		case fe != nil:
			fe.Line = i + 1
			errs = append(errs, *fe)
		case fresh:
			p.fresh = append(p.fresh, i)
		}
	}
	p.Duplicates = c.Duplicates
	return p, errs, nil
}

// Checker checks a stream of events against the ledger and against the events
// before them in the same input: ids already held with other content, and
// corrections or retractions of events that exist neither in the ledger nor
// earlier in the input. It keeps 33 bytes per event, not the event, and the
// older ones in a temporary file (seenSet), so an input of millions can be
// checked before anything is appended.
type Checker struct {
	l          *Ledger
	seen       *seenSet
	Duplicates int
	today      string // the checker's today, once for a whole input (notYet)
	latest     string // the latest date it takes
	// Empty says the ledger held nothing when the check began: no id is
	// looked up in it (a first load of 1M events looked up every one, 1.7 s
	// of the check's CPU, to find nothing). Set by whoever knows.
	Empty bool
}

type seenEvent struct {
	sum [16]byte // of the canonical bytes: the same id with the same sum is the same fact
	typ typeCode // not the Type string: a CSV decoder's strings pin their whole line
}

// typeCode is a Type in one byte; 0 is none.
type typeCode uint8

var typeCodes = append(append(append([]Type{""}, IncidentTypes...), TaskforceTypes...), Correction, Retraction, ReportPublished)

func codeOf(t Type) typeCode {
	for i, x := range typeCodes {
		if x == t {
			return typeCode(i)
		}
	}
	return 0
}

func (l *Ledger) NewChecker() *Checker {
	return &Checker{l: l, seen: newSeenSet()}
}

// Done frees what the checker remembers of every event: the append pass
// that follows needs only its answers.
func (c *Checker) Done() { c.seen.close() }

func sumOf(canonical []byte) (s [16]byte) {
	h := sha256.Sum256(canonical)
	copy(s[:], h[:])
	return s
}

// Check reports whether e is new (to append), a duplicate (fresh false, no
// error), or wrong (a LineError naming the field). err is a failure to read the ledger.
func (c *Checker) Check(ctx context.Context, e *Event) (fresh bool, fe *LineError, err error) {
	id, perr := uuid.Parse(e.ID)
	if perr != nil {
		return false, &LineError{Field: "id", Msg: fmt.Sprintf("%q is not a UUID", e.ID)}, nil
	}
	canonical := e.Canonical()
	sum := sumOf(canonical)
	prev, ok, err := c.seen.get(id)
	if err != nil {
		return false, nil, err
	}
	if ok {
		if prev.sum == sum {
			c.Duplicates++
			return false, nil, nil
		}
		return false, &LineError{Field: "id", Msg: fmt.Sprintf("%s is used earlier in this input for another event", e.ID)}, nil
	}
	if c.Empty {
		return c.fresh(ctx, id, e, sum)
	}
	// Held with the very bytes this input has: a duplicate, whatever else the
	// envelope around them holds (a read that needs the envelope checks it).
	// Held with other bytes: parsed and compared below, which names a clash
	// or the damage.
	if rl, ok := c.l.Store.(RawLookup); ok {
		_, raw, found, err := rl.LookupRaw(ctx, e.ID)
		if err != nil {
			return false, nil, err
		}
		if held, ok := eventPart(raw); found && ok && bytes.Equal(held, canonical) {
			c.Duplicates++
			return false, nil, c.seen.put(id, seenEvent{sum, codeOf(e.Type)})
		}
		if !found {
			return c.fresh(ctx, id, e, sum)
		}
	}
	stored, found, err := c.l.Store.Lookup(ctx, e.ID)
	if err != nil {
		return false, nil, err
	}
	if found {
		// A store's Recorded holds its event's canonical bytes, checked as read.
		if sumOf(stored.EventBytes()) == sum {
			c.Duplicates++
			return false, nil, c.seen.put(id, seenEvent{sum, codeOf(e.Type)})
		}
		cl := ClashOf(&stored.Event, e)
		cl.Seq = stored.Seq
		return false, &LineError{Field: "id", Msg: fmt.Sprintf("%s is already in the ledger at seq %d with other content%s; give this event another id, or correct the old one", e.ID, stored.Seq, differences(&stored.Event, e)), Clash: cl}, nil
	}
	return c.fresh(ctx, id, e, sum)
}

// differences names the first columns in which given differs from held, as
// recorded (a later correction may have changed it since): a row sent again
// with a figure changed says which, so that the official can correct the
// event instead.
func differences(held, given *Event) string { return differencesFrom("as recorded", held, given) }

// differencesFrom is differences, saying of held what it is.
func differencesFrom(what string, held, given *Event) string {
	var out []string
	for _, col := range CSVColumns {
		a, b := csvCell(held, col), csvCell(given, col)
		if a == b || col == "id" {
			continue
		}
		if len(out) == 3 {
			out = append(out, "…")
			break
		}
		out = append(out, fmt.Sprintf("%s: %s → %s", col, orNone(clip(a)), orNone(clip(b))))
	}
	if len(out) == 0 {
		return ""
	}
	return " (" + what + " → here: " + strings.Join(out, ", ") + ")"
}

// Differences names the first columns in which given differs from held,
// its id aside: " (as recorded → here: count: "60" → "64")", or "".
func Differences(held, given *Event) string { return differences(held, given) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return strconv.Quote(s)
}

// fresh checks an event whose id neither the ledger nor the input before it holds.
func (c *Checker) fresh(ctx context.Context, id uuid.UUID, e *Event, sum [16]byte) (bool, *LineError, error) {
	if fe := c.notYet(e); fe != nil {
		return false, fe, nil
	}
	if fe, err := c.checkTarget(ctx, e); err != nil || fe != nil {
		return false, fe, err
	}
	return true, nil, c.seen.put(id, seenEvent{sum, codeOf(e.Type)})
}

// notYet refuses a new incident dated after today, or a source published
// after today (checkTarget, a correction that dates an incident so): a
// typed 2052 for 2025 would otherwise sit in a month no report shows for
// decades. Today is the recording machine's UTC date plus a day, as Seoul
// and Phnom Penh are ahead of UTC. It is checked as events enter, not as
// stored ones are verified: the clock of then is not known. Task-force
// events may announce what is to come, and are not checked.
func (c *Checker) notYet(e *Event) *LineError {
	if e.Type.IsIncident() {
		if fe := c.after("date", e.Date, "an incident is recorded once it has happened"); fe != nil {
			return fe
		}
	}
	if e.Source != nil {
		return c.after("source.published", e.Source.Published, "a source is cited once it is published")
	}
	return nil
}

func (c *Checker) after(field, date, why string) *LineError {
	if c.latest == "" {
		now := c.l.Now().UTC()
		c.today, c.latest = now.Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	if date > c.latest {
		return &LineError{Field: field, Msg: fmt.Sprintf("%q is after today (%s): %s", date, c.today, why)}
	}
	return nil
}

// checkTarget checks that a correction or retraction names an incident or
// task-force event that exists, and that a correction only changes fields that
// event has.
func (c *Checker) checkTarget(ctx context.Context, e *Event) (*LineError, error) {
	field, target := "", ""
	switch e.Type {
	case Correction:
		field, target = "corrects", e.Corrects
	case Retraction:
		field, target = "retracts", e.Retracts
	default:
		return nil, nil
	}
	var typ Type
	if id, err := uuid.Parse(target); err == nil {
		s, ok, err := c.seen.get(id)
		if err != nil {
			return nil, err
		}
		if ok {
			typ = typeCodes[s.typ]
		}
	}
	if typ == "" {
		r, found, err := c.l.Store.Lookup(ctx, target)
		if err != nil {
			return nil, err
		}
		if !found {
			return &LineError{Field: field, Msg: fmt.Sprintf("no event %s in the ledger or earlier in this input", target)}, nil
		}
		typ = r.Event.Type
	}
	if !typ.IsIncident() && !typ.IsTaskforce() {
		return &LineError{Field: field, Msg: fmt.Sprintf("event %s is a %s; only incidents and task-force events can be corrected or retracted", target, typ)}, nil
	}
	if e.Type == Correction {
		allowed := ChangeableFields(typ)
		for _, f := range e.Changes.Fields() {
			if !slices.Contains(allowed, f) {
				return &LineError{Field: "changes." + f, Msg: fmt.Sprintf("a %s event has no field %s to correct (it has %s)", typ, f, strings.Join(allowed, ", "))}, nil
			}
		}
		if d := e.Changes.Date; d != nil && typ.IsIncident() {
			return c.after("changes.date", *d, "an incident is recorded once it has happened"), nil
		}
	}
	return nil, nil
}

// AppendResult is what an append did.
type AppendResult struct {
	Appended   int
	Duplicates int
	Skipped    int // bad lines of an import that skipped them (ImportOptions.SkipInvalid)
	Head       Head
}

// MaxBatchBytes bounds the canonical bytes of one atomic append, well under
// EventStoreDB's default 1 MiB append limit, so a batch is never split by the
// store (which would break all-or-nothing).
const MaxBatchBytes = 512 << 10

// maxRetries bounds how often a batch is re-checked after losing a race to
// another writer before the conflict is reported to the user.
const maxRetries = 8

// Append seals prepared events in batches of batchSize and appends them, each
// batch atomically (see Appender). progress, if set, is called with the number
// of events handled after each batch.
func (l *Ledger) Append(ctx context.Context, actor string, p Prepared, batchSize int, progress func(done int)) (AppendResult, error) {
	a, err := l.NewAppender(actor, batchSize, progress)
	if err != nil {
		return AppendResult{}, err
	}
	a.res.Duplicates = p.Duplicates
	for _, i := range p.fresh {
		if err := a.Add(ctx, p.events[i]); err != nil {
			return a.res, err
		}
	}
	return a.Close(ctx)
}

// Appender appends a stream of checked events in batches of at most batchSize
// events and MaxBatchBytes, each batch atomically. When another writer wins a
// race the batch is re-checked (events it appended meanwhile become
// duplicates) and retried.
type Appender struct {
	l         *Ledger
	actor     string
	batchSize int
	progress  func(done int)
	batch     []Event
	canonical [][]byte
	bytes     int
	done      int
	res       AppendResult
	// unmarked is set while a batch appended without its mark (see
	// Marker) is the latest: Close, or Settle after a failure, marks it.
	unmarked bool
}

func (l *Ledger) NewAppender(actor string, batchSize int, progress func(done int)) (*Appender, error) {
	if err := CheckActor(actor); err != nil {
		return nil, err
	}
	if batchSize <= 0 {
		batchSize = 1000
	}
	return &Appender{l: l, actor: actor, batchSize: batchSize, progress: progress}, nil
}

// Add queues e, appending the batch first if e would not fit in it.
func (a *Appender) Add(ctx context.Context, e Event) error {
	return a.AddCanonical(ctx, e, e.Canonical())
}

// AddCanonical is Add for an event whose canonical bytes the caller computed,
// on another core: an import's appending core is the one that waits.
func (a *Appender) AddCanonical(ctx context.Context, e Event, canonical []byte) error {
	n := len(canonical) + 200 // + the envelope around it
	if len(a.batch) > 0 && (len(a.batch) >= a.batchSize || a.bytes+n > MaxBatchBytes) {
		if err := a.flush(ctx, false); err != nil {
			return err
		}
	}
	a.batch = append(a.batch, e)
	a.canonical = append(a.canonical, canonical)
	a.bytes += n
	return nil
}

// flush appends the queued batch; last says no other follows it.
func (a *Appender) flush(ctx context.Context, last bool) error {
	if len(a.batch) == 0 {
		if last {
			return a.Settle(ctx)
		}
		return nil
	}
	n, dups, err := a.l.appendBatch(ctx, a.actor, a.batch, a.canonical, last)
	if _, marks := a.l.Store.(Marker); marks && err == nil && n > 0 {
		a.unmarked = !last
	}
	if err == nil && last {
		err = a.Settle(ctx) // the last batch was all duplicates
	}
	a.res.Appended += n
	a.res.Duplicates += dups
	a.done += len(a.batch)
	a.batch, a.canonical, a.bytes = a.batch[:0], a.canonical[:0], 0
	if err == nil && a.progress != nil {
		a.progress(a.done)
	}
	return err
}

// Result is what was appended so far: after a failure, what is in the
// ledger of this appender's events.
func (a *Appender) Result() AppendResult { return a.res }

// Settle marks the latest batch as acknowledged, if it was appended
// without its mark: after a failure, what the caller reports as appended
// must be as safe as what Close returns.
func (a *Appender) Settle(ctx context.Context) error {
	if !a.unmarked {
		return nil
	}
	a.unmarked = false
	return a.l.Store.(Marker).Mark(context.WithoutCancel(ctx))
}

// Close appends what is queued and returns what was done and the new head.
func (a *Appender) Close(ctx context.Context) (AppendResult, error) {
	if err := a.flush(ctx, true); err != nil {
		return a.res, err
	}
	h, err := a.l.Store.Head(ctx)
	a.res.Head = h
	return a.res, err
}

// appendBatch appends batch, whose canonical bytes are canonical[i].
// With mark unset, a Marker appends it without its mark.
func (l *Ledger) appendBatch(ctx context.Context, actor string, batch []Event, canonical [][]byte, mark bool) (appended, dups int, err error) {
	for attempt := 0; ; attempt++ {
		if len(batch) == 0 {
			return 0, dups, nil
		}
		head, err := l.Store.Head(ctx)
		if err != nil {
			return 0, dups, err
		}
		at := l.Now().UTC()
		if at.Before(head.LastRecordedAt) {
			at = head.LastRecordedAt // recorded_at never goes backwards, whatever the clock does
		}
		recs := make([]Recorded, len(batch))
		sl := newSealer(at, actor)
		for i, e := range batch {
			recs[i] = sl.seal(head.Size+uint64(i), e, canonical[i])
		}
		if m, ok := l.Store.(Marker); ok && !mark {
			err = m.AppendUnmarked(ctx, head.Size, recs)
		} else {
			err = l.Store.Append(ctx, head.Size, recs)
		}
		if err == nil {
			return len(batch), dups, nil
		}
		if !errors.Is(err, ErrConflict) && !errors.Is(err, ErrIDExists) || attempt >= maxRetries {
			return 0, dups, err
		}
		// Lost a race: what the other writer appended may now make some of ours
		// duplicates or conflicts; check again against the new state.
		p, errs, perr := l.Prepare(ctx, batch)
		if perr != nil {
			return 0, dups, perr
		}
		if len(errs) > 0 {
			e := errs[0]
			return 0, dups, Errorf(CodeConflict, "another writer changed the ledger: event %s: %s: %s", batch[e.Line-1].ID, e.Field, e.Msg)
		}
		dups += p.Duplicates
		fresh, freshCanonical := make([]Event, 0, p.Len()), make([][]byte, 0, p.Len())
		for _, i := range p.fresh {
			fresh, freshCanonical = append(fresh, batch[i]), append(freshCanonical, canonical[i])
		}
		batch, canonical = fresh, freshCanonical
	}
}

// AsOf selects a prefix of the ledger: the first Size events, or every event
// recorded at or before Time. The zero AsOf is the whole ledger.
type AsOf struct {
	Size *uint64
	Time *time.Time
}

// ParseAsOf reads "1234" (a tree size) or an RFC 3339 instant.
func ParseAsOf(s string) (AsOf, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return AsOf{}, nil
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return AsOf{Size: &n}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// A day alone could mean its start or its end, in any time zone:
		// told both ends in UTC, not guessed.
		if d, derr := time.Parse(time.DateOnly, s); derr == nil {
			return AsOf{}, KindErrorf(CodeInput, ErrAsOf, "%q is a day, not an instant: for the events recorded by the end of it (UTC) give %sT23:59:59Z, by its start %sT00:00:00Z", s, d.Format(time.DateOnly), d.Format(time.DateOnly))
		}
		return AsOf{}, KindErrorf(CodeInput, ErrAsOf, "%q is neither a tree size (like 1234) nor an RFC 3339 time (like 2025-10-31T23:59:59Z)", clip(s))
	}
	t = t.UTC()
	return AsOf{Time: &t}, nil
}

func (a AsOf) String() string {
	switch {
	case a.Size != nil:
		return strconv.FormatUint(*a.Size, 10)
	case a.Time != nil:
		return a.Time.Format(time.RFC3339Nano)
	}
	return "latest"
}

// includes reports whether r is inside the prefix. Since recorded_at never
// decreases, the first event outside it ends the prefix.
func (a AsOf) includes(r *Recorded) bool {
	switch {
	case a.Size != nil:
		return r.Seq < *a.Size
	case a.Time != nil:
		return !r.RecordedAt.After(*a.Time)
	}
	return true
}

// errStop ends a Read early without being an error.
var errStop = errors.New("stop")

// ReadAsOf reads the prefix a selects, from seq from, and returns its size.
func ReadAsOf(ctx context.Context, s Store, a AsOf, from uint64, fn func(Recorded) error) (uint64, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return 0, err
	}
	size := head.Size
	if a.Size != nil {
		if *a.Size > head.Size {
			return 0, KindErrorf(CodeInput, ErrAsOf, "as of tree size %d: the ledger holds only %d events", *a.Size, head.Size)
		}
		size = *a.Size
	}
	if a.Time != nil {
		size = 0
	}
	err = s.Read(ctx, from, func(r Recorded) error {
		if r.Seq >= head.Size || !a.includes(&r) {
			return errStop
		}
		if a.Time != nil {
			size = r.Seq + 1
		}
		if err := fn(r); err != nil {
			return err
		}
		// Stop at the last event of a known size, not at the one after it: a
		// store may read and check a whole batch to hand over that one.
		if a.Time == nil && r.Seq+1 >= size {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return size, err
}
