package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Ledger is the domain service over a Store: it checks events against what the
// ledger already holds, seals them into recorded events and appends them.
type Ledger struct {
	Store Store
	Now   func() time.Time // wall clock; replaced in tests
}

func New(s Store) *Ledger { return &Ledger{Store: s, Now: time.Now} }

// ItemError is a problem with the i-th event of an input.
type ItemError struct {
	Index int
	FieldError
}

// Prepared is an input checked against the ledger: which of its events are
// still to append (indexes into the input, which is shared, not copied: an
// import of a million events must not hold them twice) and how many were
// already there with the same content.
type Prepared struct {
	events     []Event
	fresh      []int
	Duplicates int
}

// Len is the number of events still to append.
func (p Prepared) Len() int { return len(p.fresh) }

// Prepare checks already validated events against the ledger and against each
// other: ids already held with other content, and corrections or retractions of
// events that exist neither in the ledger nor earlier in the input. Every
// problem is returned; with any, nothing should be appended.
func (l *Ledger) Prepare(ctx context.Context, events []Event) (Prepared, []ItemError, error) {
	p := Prepared{events: events}
	var errs []ItemError
	inInput := make(map[string]int, len(events)) // id -> index in events
	for i := range events {
		e := &events[i]
		if j, ok := inInput[e.ID]; ok {
			if events[j].Equal(e) {
				p.Duplicates++
				continue
			}
			errs = append(errs, ItemError{i, FieldError{"id", fmt.Sprintf("%s is used earlier in this input for another event", e.ID)}})
			continue
		}
		stored, found, err := l.Store.Lookup(ctx, e.ID)
		if err != nil {
			return p, nil, err
		}
		if found {
			if stored.Event.Equal(e) {
				p.Duplicates++
				inInput[e.ID] = i
				continue
			}
			errs = append(errs, ItemError{i, FieldError{"id", fmt.Sprintf("%s is already in the ledger at seq %d with other content; give this event another id, or correct the old one", e.ID, stored.Seq)}})
			continue
		}
		if fe, err := l.checkTarget(ctx, e, events, inInput); err != nil {
			return p, nil, err
		} else if fe != nil {
			errs = append(errs, ItemError{i, *fe})
			continue
		}
		inInput[e.ID] = i
		p.fresh = append(p.fresh, i)
	}
	return p, errs, nil
}

// checkTarget checks that a correction or retraction names an incident or
// task-force event that exists, and that a correction only changes fields that
// event has.
func (l *Ledger) checkTarget(ctx context.Context, e *Event, events []Event, inInput map[string]int) (*FieldError, error) {
	field, target := "", ""
	switch e.Type {
	case Correction:
		field, target = "corrects", e.Corrects
	case Retraction:
		field, target = "retracts", e.Retracts
	default:
		return nil, nil
	}
	var t Event
	if j, ok := inInput[target]; ok {
		t = events[j]
	} else {
		r, found, err := l.Store.Lookup(ctx, target)
		if err != nil {
			return nil, err
		}
		if !found {
			return &FieldError{field, fmt.Sprintf("no event %s in the ledger or earlier in this input", target)}, nil
		}
		t = r.Event
	}
	if !t.Type.IsIncident() && !t.Type.IsTaskforce() {
		return &FieldError{field, fmt.Sprintf("event %s is a %s; only incidents and task-force events can be corrected or retracted", target, t.Type)}, nil
	}
	if e.Type == Correction {
		allowed := ChangeableFields(t.Type)
		for _, f := range e.Changes.Fields() {
			if !slices.Contains(allowed, f) {
				return &FieldError{"changes." + f, fmt.Sprintf("a %s event has no field %s to correct (it has %s)", t.Type, f, strings.Join(allowed, ", "))}, nil
			}
		}
	}
	return nil, nil
}

// AppendResult is what an append did.
type AppendResult struct {
	Appended   int
	Duplicates int
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
// batch atomically. When another writer wins a race the batch is re-checked
// (events it appended meanwhile become duplicates) and retried. progress, if
// set, is called with the number of events handled after each batch.
func (l *Ledger) Append(ctx context.Context, actor string, p Prepared, batchSize int, progress func(done int)) (AppendResult, error) {
	if err := CheckActor(actor); err != nil {
		return AppendResult{}, err
	}
	if batchSize <= 0 {
		batchSize = 1000
	}
	res := AppendResult{Duplicates: p.Duplicates}
	var batch []Event
	for start := 0; start < len(p.fresh); {
		end, bytes := start, 0
		batch = batch[:0]
		for end < len(p.fresh) && end-start < batchSize {
			e := &p.events[p.fresh[end]]
			n := len(e.Canonical()) + 200 // + the envelope around it
			if end > start && bytes+n > MaxBatchBytes {
				break
			}
			bytes += n
			batch = append(batch, *e)
			end++
		}
		start = end
		n, dups, err := l.appendBatch(ctx, actor, batch)
		res.Appended += n
		res.Duplicates += dups
		if err != nil {
			return res, err
		}
		if progress != nil {
			progress(start)
		}
	}
	h, err := l.Store.Head(ctx)
	res.Head = h
	return res, err
}

func (l *Ledger) appendBatch(ctx context.Context, actor string, batch []Event) (appended, dups int, err error) {
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
		for i, e := range batch {
			recs[i] = NewRecorded(head.Size+uint64(i), at, actor, e)
		}
		err = l.Store.Append(ctx, head.Size, recs)
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
			return 0, dups, Errorf(CodeConflict, "another writer changed the ledger: event %s: %s", batch[e.Index].ID, e.FieldError.Error())
		}
		dups += p.Duplicates
		fresh := make([]Event, 0, p.Len())
		for _, i := range p.fresh {
			fresh = append(fresh, batch[i])
		}
		batch = fresh
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
		return AsOf{}, Errorf(CodeInput, "--as-of %q is neither a tree size (like 1234) nor an RFC 3339 time (like 2025-10-31T23:59:59Z)", clip(s))
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
			return 0, Errorf(CodeInput, "--as-of %d: the ledger holds only %d events", *a.Size, head.Size)
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
		return fn(r)
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return size, err
}
