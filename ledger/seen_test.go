package ledger

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// emptyStore is a ledger with no events: all the Checker asks of it.
type emptyStore struct{ Store }

func (emptyStore) Lookup(context.Context, string) (Recorded, bool, error) {
	return Recorded{}, false, nil
}

// A Checker that keeps only a few events in memory, the rest in sorted runs
// on disk, finds what one that keeps them all finds: repeats, ids reused for
// other content, corrections of events earlier in the input (long spilled)
// or of none, in any mix.
func TestCheckerSpillsWhatItSaw(t *testing.T) {
	defer func(n int) { seenInMemory = n }(seenInMemory)
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 1500).Draw(rt, "events")
		var events []Event
		id := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i*2654435761%(1<<32), i) }
		for i := range n {
			switch k := rapid.IntRange(0, 9).Draw(rt, "kind"); {
			case k < 5 || i == 0:
				e := Event{ID: id(i), Type: Arrest, Date: "2025-10-01", Count: new(int64(i % 90)), Nationality: "KR", Country: "KH", Source: &Source{Publisher: "p"}}
				Normalize(&e)
				events = append(events, e)
			case k == 5: // the same event again
				events = append(events, events[rapid.IntRange(0, len(events)-1).Draw(rt, "repeat")])
			case k == 6: // an id used before, for other content
				e := events[rapid.IntRange(0, len(events)-1).Draw(rt, "reuse")]
				e.Notes = "other"
				events = append(events, e)
			default: // a correction of an earlier event, or of one that is nowhere
				target := id(rapid.IntRange(0, 2*i).Draw(rt, "target"))
				c := Event{ID: id(1_000_000 + i), Type: Correction, Corrects: target, Reason: "r", Changes: &Changes{Count: new(int64)}}
				Normalize(&c)
				events = append(events, c)
			}
		}
		prepare := func(inMemory int) (Prepared, []LineError) {
			seenInMemory = inMemory
			p, errs, err := New(emptyStore{}).Prepare(context.Background(), events)
			if err != nil {
				rt.Fatal(err)
			}
			return p, errs
		}
		want, wantErrs := prepare(1 << 20)
		got, gotErrs := prepare(rapid.SampledFrom([]int{1, 2, 7, 100}).Draw(rt, "in memory"))
		if !reflect.DeepEqual(want.fresh, got.fresh) || want.Duplicates != got.Duplicates {
			rt.Fatalf("fresh %d, duplicates %d; all in memory: fresh %d, duplicates %d", len(got.fresh), got.Duplicates, len(want.fresh), want.Duplicates)
		}
		if !reflect.DeepEqual(wantErrs, gotErrs) {
			rt.Fatalf("errors %v; all in memory: %v", gotErrs[:min(3, len(gotErrs))], wantErrs[:min(3, len(wantErrs))])
		}
	})
}
