package ledger

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// FuzzCanonicalRoundTrip: any event the format accepts has one canonical form,
// the bytes json.Marshal writes (see canonical.go); decoding it gives the same event, and its recorded envelope parses back to
// the same bytes and leaf hash.
func FuzzCanonicalRoundTrip(f *testing.F) {
	addCorpus(f, "../testdata/seed.jsonl")
	f.Add([]byte(`{"type":"correction","corrects":"0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d","changes":{"count":7,"source":{"url":"https://x.org"}},"reason":"r"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Event
		if json.Unmarshal(b, &e) != nil {
			return
		}
		Normalize(&e)
		if len(Validate(&e)) > 0 {
			return
		}
		c := e.Canonical()
		if want, _ := json.Marshal(&e); !bytes.Equal(c, want) {
			t.Fatalf("canonical bytes differ from json.Marshal's:\n got %s\nwant %s", c, want)
		}
		var again Event
		if err := json.Unmarshal(c, &again); err != nil {
			t.Fatalf("canonical form does not decode: %v", err)
		}
		if !bytes.Equal(again.Canonical(), c) {
			t.Fatalf("canonical form is not stable:\n%s\n%s", c, again.Canonical())
		}
		r := NewRecorded(3, time.Unix(1761600000, 123456789), "fuzz", e)
		p, err := ParseRecorded(r.Raw)
		if err != nil || !bytes.Equal(p.Raw, r.Raw) || p.Leaf != r.Leaf {
			t.Fatalf("envelope round trip failed: %v", err)
		}
	})
}

// FuzzCheckpoint: parsing never panics, and a checkpoint opens only if its
// signature is the key's over exactly its text.
func FuzzCheckpoint(f *testing.F) {
	skey, vkey, err := GenerateKey("statledger.local/fuzz")
	if err != nil {
		f.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	good, _ := SignCheckpoint(Checkpoint{Origin: "statledger.local/fuzz", Size: 12, Root: [32]byte{1, 2, 3}}, signer)
	f.Add([]byte(good))
	f.Add([]byte("statledger.local/fuzz\n12\nAQID\n\n— statledger.local/fuzz AAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseCheckpointBody(string(b))
		c, err := OpenCheckpoint(b, vkey)
		if err != nil {
			return
		}
		// Accepted: it must be the signed checkpoint, byte for byte in its body.
		if c.Body() != "statledger.local/fuzz\n12\n"+"AQIDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" {
			t.Fatalf("a forged checkpoint opened: %+v", c)
		}
	})
}

// FuzzStoredDecoderAgrees: ParseRecorded decodes with json/v2; it must accept
// exactly the bytes that encoding/json plus the canonical check accepts, so
// no ledger written before the switch reads differently after it.
func FuzzStoredDecoderAgrees(f *testing.F) {
	for _, s := range []string{
		`{"type":"arrest","date":"2025-10-01","count":5,"nationality":"KR","country":"KH","location":"<Sihanoukville> & \u2028 한국","source":{"publisher":"x"},"notes":"\"q\" \\ é"}`,
		`{"type":"correction","corrects":"0b9c6f0e-8a8e-4c1f-9a4e-2f1f3b5b6c7d","changes":{"count":7},"reason":"r"}`,
	} {
		var e Event
		if err := json.Unmarshal([]byte(s), &e); err != nil {
			f.Fatal(err)
		}
		Normalize(&e)
		f.Add(NewRecorded(7, time.Unix(1761600000, 0), "fuzz <&>", e).Raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var env envelope
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		v1 := dec.Decode(&env) == nil
		if v1 {
			at, err := time.Parse(TimeFormat, env.RecordedAt)
			v1 = err == nil && bytes.Equal(NewRecorded(env.Seq, at, env.RecordedBy, env.Event).Raw, b)
		}
		_, err := ParseRecorded(b)
		if v1 != (err == nil) {
			t.Fatalf("encoding/json accepts %v, ParseRecorded says %v, for %q", v1, err, b)
		}
	})
}
