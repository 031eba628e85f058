package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"golang.org/x/mod/sumdb/tlog"
)

// TimeFormat is the one spelling of recorded_at: UTC with microseconds, fixed
// width, so the canonical bytes of an envelope never depend on how a time prints.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Recorded is an event as the ledger holds it: its position, when and by whom it
// was recorded, and the canonical bytes its leaf hash is computed from.
type Recorded struct {
	Seq        uint64
	RecordedAt time.Time
	RecordedBy string
	Event      Event
	Raw        []byte    // canonical envelope bytes: what both stores hold and what is hashed
	Leaf       tlog.Hash // tlog.RecordHash(Raw)
}

// envelope is the canonical field order of the hashed bytes.
type envelope struct {
	Seq        uint64 `json:"seq"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	Event      Event  `json:"event"`
}

// NewRecorded seals an event at a position: the canonical bytes and leaf hash
// are computed here, once, so every store holds identical bytes.
func NewRecorded(seq uint64, at time.Time, by string, e Event) Recorded {
	return newSealer(at, by).seal(seq, e, e.Canonical())
}

// sealer frames the envelopes of events recorded together, by one actor at
// one time, around canonical bytes already known (an import computes them on
// the core that decodes), rather than encoding each envelope again. All after
// the seq is the same for the batch, so it is encoded once. The bytes are
// those of marshalCanonical(envelope{…}), which TestSealFramesAsEncoded checks.
type sealer struct {
	at  time.Time
	by  string
	mid []byte // ,"recorded_at":"…","recorded_by":…,"event":
}

func newSealer(at time.Time, by string) sealer {
	s := sealer{at: at.UTC().Truncate(time.Microsecond), by: by}
	s.mid = append(s.mid, `,"recorded_at":"`...)
	s.mid = s.at.AppendFormat(s.mid, TimeFormat)
	s.mid = append(s.mid, `","recorded_by":`...)
	s.mid = appendJSONString(s.mid, by)
	s.mid = append(s.mid, `,"event":`...)
	return s
}

func (s sealer) seal(seq uint64, e Event, canonical []byte) Recorded {
	raw := make([]byte, 0, len(canonical)+len(s.mid)+24)
	raw = append(raw, `{"seq":`...)
	raw = strconv.AppendUint(raw, seq, 10)
	raw = append(raw, s.mid...)
	raw = append(raw, canonical...)
	raw = append(raw, '}')
	return Recorded{Seq: seq, RecordedAt: s.at, RecordedBy: s.by, Event: e, Raw: raw, Leaf: tlog.RecordHash(raw)}
}

// ParseRecorded decodes stored bytes. It refuses bytes that are not the
// canonical encoding of what they decode to, because a leaf hash over
// non-canonical bytes could not be reproduced by the other store.
func ParseRecorded(raw []byte) (Recorded, error) { return parseRecorded(raw, true) }

// parseRecorded is ParseRecorded; without fast, json/v2 alone reads raw.
func parseRecorded(raw []byte, fast bool) (Recorded, error) {
	env, ok := envelope{}, false
	if fast {
		env, ok = parseEnvelope(raw)
	}
	if !ok {
		env = envelope{}
		if err := UnmarshalStored(raw, &env); err != nil {
			return Recorded{}, fmt.Errorf("stored event is not valid: %w", err)
		}
	}
	at, err := time.Parse(TimeFormat, env.RecordedAt)
	if err != nil {
		return Recorded{}, fmt.Errorf("stored event has a bad recorded_at %q", env.RecordedAt)
	}
	r := NewRecorded(env.Seq, at, env.RecordedBy, env.Event)
	if !bytes.Equal(r.Raw, raw) {
		return Recorded{}, fmt.Errorf("stored event at seq %d is not in canonical form", env.Seq)
	}
	return r, nil
}

// eventPart is the canonical bytes of the event inside raw, an envelope as
// sealer.seal frames it. The first `,"event":` is the envelope's own: inside
// recorded_by, a JSON string, every quote is escaped.
func eventPart(raw []byte) ([]byte, bool) {
	const key = `,"event":`
	i := bytes.Index(raw, []byte(key))
	if i < 0 || len(raw) < i+len(key)+1 || raw[len(raw)-1] != '}' {
		return nil, false
	}
	return raw[i+len(key) : len(raw)-1], true
}

// EventBytes is the event's canonical bytes, as they stand inside Raw.
func (r *Recorded) EventBytes() []byte {
	if b, ok := eventPart(r.Raw); ok {
		return b
	}
	return r.Event.Canonical()
}

// LeafHex is the leaf hash as printed everywhere outside a checkpoint body.
func (r *Recorded) LeafHex() string { return hex.EncodeToString(r.Leaf[:]) }

// Envelope is the recorded event as replay and export print it, with its leaf hash.
func (r *Recorded) Envelope() []byte {
	return marshalCanonical(struct {
		Seq        uint64 `json:"seq"`
		RecordedAt string `json:"recorded_at"`
		RecordedBy string `json:"recorded_by"`
		LeafHash   string `json:"leaf_hash"`
		Event      Event  `json:"event"`
	}{r.Seq, r.RecordedAt.Format(TimeFormat), r.RecordedBy, r.LeafHex(), r.Event})
}

// CheckActor validates a recorded_by value.
func CheckActor(s string) error {
	v := &validator{}
	v.required("actor", s)
	v.text("actor", s, 200, false)
	if len(v.errs) > 0 {
		return Errorf(CodeInput, "%s", v.errs[0].Error())
	}
	return nil
}

// UnmarshalStored decodes bytes a store holds, which were written in
// canonical form. It is json/v2 (github.com/go-json-experiment/json, to become
// encoding/json/v2), 3.3× faster than encoding/json on a stored event (the
// largest cost of a cold report or a verify, per pprof), and stricter: names
// match exactly, a repeated name or invalid UTF-8 is an error. Every event
// decoded with it is re-encoded and compared with the stored bytes, so no
// difference between the two decoders can reach a figure unnoticed.
func UnmarshalStored(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true))
}

// marshalCanonical is json.Marshal: the same bytes as an Encoder's (HTML
// characters escaped) without its newline, in one allocation instead of a
// growing buffer.
func marshalCanonical(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("ledger: cannot encode: " + err.Error())
	}
	return b
}

// HashHex prints a tree hash the way reports and replay show it.
func HashHex(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

// ParseHashHex reads a hash printed by HashHex.
func ParseHashHex(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("%q is not a 64-digit hex hash", clip(s))
	}
	copy(h[:], b)
	return h, nil
}
