package ledger

import (
	"bytes"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// seal frames the envelope around the event's canonical bytes instead of
// encoding it: the bytes must be exactly what encoding the envelope gives,
// or no stored event would parse, and the leaf hashes of the two stores
// would part.
func TestSealFramesAsEncoded(t *testing.T) {
	text := rapid.StringOf(rapid.RuneFrom([]rune{'a', 'é', '"', '\\', '<', '>', '&', '\u2028', '\x01', '한', '\n', '\U0001F600'}))
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.Int64Range(0, 1_000_000).Draw(t, "count")
		e := Event{ID: "3f1c2d4e-0000-4000-8000-000000000001", Type: "arrest", Date: "2025-10-01", Count: &n,
			Nationality: "KR", Country: "KH", Location: text.Draw(t, "location"), Notes: text.Draw(t, "notes"),
			Agencies: rapid.SliceOf(text).Draw(t, "agencies"), Source: &Source{Publisher: text.Draw(t, "publisher")}}
		seq := rapid.Uint64().Draw(t, "seq")
		at := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "sec"), rapid.Int64Range(0, 1e9-1).Draw(t, "nsec"))
		by := text.Draw(t, "by")
		want := marshalCanonical(envelope{Seq: seq, RecordedAt: at.UTC().Truncate(time.Microsecond).Format(TimeFormat), RecordedBy: by, Event: e})
		got := NewRecorded(seq, at, by, e)
		if !bytes.Equal(got.Raw, want) {
			t.Fatalf("framed %s\nencoded %s", got.Raw, want)
		}
		if back, err := ParseRecorded(got.Raw); err != nil || !bytes.Equal(back.Raw, want) {
			t.Fatalf("the framed bytes do not parse back: %v", err)
		}
	})
}
