package ledger

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// decodeWith decodes input with workers goroutines and chunks of chunk rows.
func decodeWith(t *rapid.T, workers, chunk int, csv bool, input string) Decoded {
	DecodeWorkers, rowsChunk = workers, chunk
	var d Decoded
	var err error
	if csv {
		var events []Event
		var lines []int
		d, err = ScanCSV("in.csv", strings.NewReader(input), func(line int, e Event) {
			events, lines = append(events, e), append(lines, line)
		})
		d.Events, d.Lines = events, lines
	} else {
		d, err = DecodeJSONL("in.jsonl", strings.NewReader(input))
	}
	if err != nil {
		t.Fatal(err)
	}
	d.emit = nil
	return d
}

// Decoding on several goroutines gives what the plain loop gives: the same
// events in the same order with the same lines, the same errors (the first
// MaxListed, in line order) and the same count of the rest, for inputs of
// good and bad lines in any mix, across chunk boundaries; and the same count
// of bad lines.
func TestParallelDecodingIsTheLoop(t *testing.T) {
	workers, chunk := DecodeWorkers, rowsChunk
	defer func() { DecodeWorkers, rowsChunk = workers, chunk }()
	rapid.Check(t, func(rt *rapid.T) {
		csv := rapid.Bool().Draw(rt, "csv")
		n := rapid.IntRange(0, 600).Draw(rt, "lines")
		var b strings.Builder
		if csv {
			b.WriteString("type,date,count,nationality,country,source_publisher,notes\n")
		}
		for i := range n {
			kind := rapid.IntRange(0, 9).Draw(rt, "kind")
			day := rapid.IntRange(0, 31).Draw(rt, "day") // 0: a bad date
			switch {
			case csv && kind < 6:
				fmt.Fprintf(&b, "arrest,2025-10-%02d,%d,KR,KH,p,row %d\n", day, i%50, i)
			case csv && kind == 6:
				b.WriteString("arrest,2025-10-01\n") // too few fields: the reader goes on
			case csv && kind == 7:
				fmt.Fprintf(&b, "arrest,2025-10-01,1,KR,KH,p,\xff%d\n", i)
			case csv && kind == 8:
				fmt.Fprintf(&b, "nope,2025-10-01,1,KR,KH,p,%d\n", i)
			case csv:
				if rapid.IntRange(0, 20).Draw(rt, "quote") == 0 {
					b.WriteString("arrest,2025-10-01,1,KR,KH,p,a\"b\n") // the reader stops here
				} else {
					fmt.Fprintf(&b, "\"arrest\",\"2025-10-02\",\"3\",KR,KH,\"p, q\",\"two\nlines %d\"\n", i)
				}
			case kind < 6:
				fmt.Fprintf(&b, `{"type":"arrest","date":"2025-10-%02d","count":%d,"nationality":"KR","country":"KH","source":{"publisher":"p"},"notes":"line %d"}`+"\n", day, i%50, i)
			case kind == 6:
				b.WriteString("not json\n")
			case kind == 7:
				b.WriteString("\n")
			case kind == 8:
				fmt.Fprintf(&b, "{\"type\":\"arrest\",\"notes\":\"\xff%d\"}\n", i)
			default:
				b.WriteString(`{"type":"report_published","date":"2025-10-01"}` + "\n")
			}
		}
		input := b.String()
		want := decodeWith(rt, 1, 256, csv, input)
		got := decodeWith(rt, rapid.IntRange(2, 4).Draw(rt, "workers"), rapid.SampledFrom([]int{1, 2, 3, 7, 40, 256}).Draw(rt, "chunk"), csv, input)
		if !reflect.DeepEqual(want.Lines, got.Lines) || len(want.Events) != len(got.Events) {
			rt.Fatalf("events on lines %v, the loop's on %v", got.Lines[:min(20, len(got.Lines))], want.Lines[:min(20, len(want.Lines))])
		}
		for i := range want.Events {
			if w, g := want.Events[i].Canonical(), got.Events[i].Canonical(); string(w) != string(g) {
				rt.Fatalf("event %d: %s, the loop's %s", i, g, w)
			}
		}
		for i := range max(len(want.Errors), len(got.Errors)) {
			if i >= len(want.Errors) || i >= len(got.Errors) || want.Errors[i] != got.Errors[i] {
				rt.Fatalf("%d errors listed, the loop %d; the first that differ, #%d: %v", len(got.Errors), len(want.Errors), i, got.Errors[i:min(i+1, len(got.Errors))])
			}
		}
		if want.Dropped != got.Dropped {
			rt.Fatalf("%d errors not listed, the loop's %d", got.Dropped, want.Dropped)
		}
		// Lines are counted once however many problems each has.
		lines := map[int]bool{}
		for _, e := range want.Errors {
			lines[e.Line] = true
		}
		if want.Dropped == 0 && want.BadLines != len(lines) || want.BadLines < len(lines) {
			rt.Fatalf("the loop counted %d bad lines; %d lines have listed problems (%d not listed)", want.BadLines, len(lines), want.Dropped)
		}
		if want.BadLines != got.BadLines {
			rt.Fatalf("%d bad lines, the loop's %d", got.BadLines, want.BadLines)
		}
	})
}
