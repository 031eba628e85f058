package ledger

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// TestCanonicalIsJSONMarshal: the hand-written encoder writes, for any
// event, the bytes json.Marshal writes, which were the canonical bytes before
// it and so define every leaf hash already stored. The events are drawn from
// Event's own fields by reflection, so a field added to the struct is drawn
// too, and fails this test until appendCanonical writes it.
func TestCanonicalIsJSONMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var e Event
		drawInto(t, reflect.ValueOf(&e).Elem(), "event")
		want, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Canonical(); !bytes.Equal(got, want) {
			t.Fatalf("canonical bytes differ from json.Marshal's:\n got %s\nwant %s", got, want)
		}
	})
}

// Strings worth a JSON encoder's attention: everything it escapes, and
// bytes that are not UTF-8.
var awkward = []string{"", "a", `"`, `\`, "<", ">", "&", "\x00", "\x1f", "\b", "\f", "\n", "\r", "\t",
	"\x7f", "\u2028", "\u2029", "é", "ក", "한", "😀", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\uFFFD"}

func drawString(t *rapid.T, label string) string {
	return drawText(t, label, false)
}

// drawUTF8 draws only UTF-8: a string that is not comes back from the
// canonical bytes changed (\ufffd for each bad byte), and so fails to parse.
func drawUTF8(t *rapid.T, label string) string { return drawText(t, label, true) }

func drawText(t *rapid.T, label string, utf8Only bool) string {
	switch rapid.IntRange(0, 3).Draw(t, label+" kind") {
	case 0:
		return ""
	case 1:
		return rapid.String().Draw(t, label)
	case 2:
		if !utf8Only {
			return string(rapid.SliceOf(rapid.Byte()).Draw(t, label))
		}
	}
	var b []byte
	for _, s := range rapid.SliceOfN(rapid.SampledFrom(awkward), 0, 8).Draw(t, label) {
		if !utf8Only || utf8.ValidString(s) {
			b = append(b, s...)
		}
	}
	return string(b)
}

// drawInto fills v, of a kind Event's fields are made of, with a drawn value;
// a kind it does not know fails the test, so that the encoder's test grows
// with the struct.
func drawInto(t *rapid.T, v reflect.Value, label string) { drawWith(t, v, label, drawString) }

// drawWith is drawInto with strings drawn by str.
func drawWith(t *rapid.T, v reflect.Value, label string, str func(*rapid.T, string) string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(str(t, label))
	case reflect.Int, reflect.Int64:
		v.SetInt(rapid.Int64().Draw(t, label))
	case reflect.Uint64:
		v.SetUint(rapid.Uint64().Draw(t, label))
	case reflect.Pointer:
		if rapid.IntRange(0, 2).Draw(t, label+" nil") == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		drawWith(t, v.Elem(), label, str)
	case reflect.Slice:
		switch rapid.IntRange(0, 3).Draw(t, label+" nil") {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := rapid.IntRange(1, 3).Draw(t, label+" len")
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				drawWith(t, v.Index(i), label, str)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			drawWith(t, v.Field(i), v.Type().Field(i).Name, str)
		}
	default:
		t.Fatalf("%s: no values drawn for a field of kind %s; teach drawInto and appendCanonical", label, v.Kind())
	}
}

func BenchmarkCanonical(b *testing.B) {
	d, _ := DecodeJSONL("gen", bytes.NewReader(jsonlEvents(1000)))
	for i := range d.Events {
		Normalize(&d.Events[i])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = d.Events[i%len(d.Events)].Canonical()
	}
}

// eventPart finds, in any envelope, exactly the event's canonical bytes,
// whatever recorded_by holds (quotes, `,"event":` itself): an import takes
// an event held with these bytes for a duplicate of the one it reads.
func TestEventPartIsTheCanonicalEvent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var e Event
		drawInto(t, reflect.ValueOf(&e).Elem(), "event")
		by := drawString(t, "by") + rapid.SampledFrom([]string{"", `,"event":`, `\",\"event\":{`}).Draw(t, "tail")
		r := NewRecorded(rapid.Uint64().Draw(t, "seq"), time.Unix(rapid.Int64Range(0, 1<<40).Draw(t, "at"), 0), by, e)
		got, ok := eventPart(r.Raw)
		if !ok || !bytes.Equal(got, e.Canonical()) || !bytes.Equal(r.EventBytes(), e.Canonical()) {
			t.Fatalf("eventPart(%s) = %s, %v; want %s", r.Raw, got, ok, e.Canonical())
		}
	})
	for _, raw := range []string{"", "{}", `{"seq":1}`, `{"seq":1,"event":`} {
		if _, ok := eventPart([]byte(raw)); ok {
			t.Errorf("eventPart(%q) found an event", raw)
		}
	}
}

// ParseRecorded reads stored bytes by hand (parse.go) where json/v2 read them
// before: for any envelope, and any envelope edited a little (bytes changed,
// inserted or cut, tokens that need escaping or are not JSON), it accepts
// exactly what json/v2 alone accepts, and reads the same record.
func TestParseIsJSONv2(t *testing.T) {
	edits := []string{`"`, `\`, `\u00`, `\ud83d\ude00`, `\u003c`, `,`, `:`, `}`, `{`, `[]`, `null`, `-`, `0`, `1e3`, " ", "\xff", "é", `,"id":"x"`, `,"count":1`}
	rapid.Check(t, func(t *rapid.T) {
		var e Event
		str := rapid.SampledFrom([]func(*rapid.T, string) string{drawString, drawUTF8}).Draw(t, "strings")
		drawWith(t, reflect.ValueOf(&e).Elem(), "event", str)
		raw := NewRecorded(rapid.Uint64().Draw(t, "seq"), time.Unix(rapid.Int64Range(0, 1<<40).Draw(t, "at"), 0), str(t, "by"), e).Raw
		// What the encoder writes, the parser reads itself (json/v2 reads a
		// null list, which comes back absent and so is refused either way).
		if _, ok := parseEnvelope(raw); !ok && !bytes.Contains(raw, []byte(":null")) {
			t.Fatalf("the parser declined what the encoder wrote: %s", raw)
		}
		for range rapid.IntRange(0, 2).Draw(t, "edits") {
			i := rapid.IntRange(0, len(raw)-1).Draw(t, "at")
			switch rapid.IntRange(0, 2).Draw(t, "edit") {
			case 0:
				raw = append(raw[:i:i], append([]byte(rapid.SampledFrom(edits).Draw(t, "token")), raw[i:]...)...)
			case 1:
				raw = append(raw[:i:i], raw[min(len(raw), i+rapid.IntRange(1, 8).Draw(t, "cut")):]...)
			default:
				raw[i] = rapid.Byte().Draw(t, "byte")
			}
		}
		fast, ferr := parseRecorded(raw, true)
		slow, serr := parseRecorded(raw, false)
		if (ferr == nil) != (serr == nil) || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s:\nby hand %+v, %v\njson/v2 %+v, %v", raw, fast, ferr, slow, serr)
		}
	})
}
