package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileGenerated are the hostile inputs too big or too binary to keep in
// testdata/bad: each is refused with FILE:LINE: field and the ledger unchanged,
// or accepted and shown as inert text.
func TestHostileGenerated(t *testing.T) {
	t.Parallel() // a harness of its own: it runs beside the others
	store, _ := newLedger(t, "bolt")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := func(notes string) string {
		return `{"type":"rescue","date":"2025-10-05","count":3,"nationality":"KR","country":"KH","source":{"publisher":"p"},"notes":` + notes + `}`
	}
	cases := 0

	// Accepted: BOM and CRLF line ends; CSV quoted newlines; a bidi override.
	cases++
	r := must(t, sl(t, store, "import", write("bom-crlf.jsonl", "\ufeff"+line(`"a"`)+"\r\n"+line(`"b"`)+"\r\n")), "BOM and CRLF")
	if !strings.Contains(r.stdout, "appended 2") {
		t.Errorf("BOM+CRLF: %q", r.stdout)
	}
	cases++
	r = must(t, sl(t, store, "import", write("quoted.csv", "type,date,count,nationality,country,source_publisher,notes\r\nrescue,2025-10-06,2,KR,KH,p,\"line one\r\nline two, \"\"quoted\"\"\"\r\n")), "CSV quoted newline")
	if !strings.Contains(r.stdout, "appended 1") {
		t.Errorf("quoted CSV: %q", r.stdout)
	}
	cases++
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-07", "--count", "1", "--nationality", "KR", "--country", "KH",
		"--source-publisher", "p", "--location", "Phnom Penh\u202egnp.exe"), "bidi override")
	r = must(t, sl(t, store, "replay"), "replay")
	if strings.Contains(r.stdout, "\u202e") || !strings.Contains(r.stdout, `\u202e`) {
		t.Errorf("the terminal table shows a raw bidi override: %q", r.stdout)
	}
	before := head(t, store)

	// Refused: one bad line at the end of a million good ones.
	cases++
	big := filepath.Join(dir, "million.jsonl")
	f, _ := os.Create(big)
	w := bufio.NewWriter(f)
	for i := range 999_999 {
		fmt.Fprintf(w, `{"type":"rescue","date":"2025-10-%02d","count":%d,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`+"\n", i%28+1, i%1000)
	}
	fmt.Fprintln(w, `{"type":"rescue","date":"2025-10-32","count":1,"nationality":"KR","country":"KH","source":{"publisher":"p"}}`)
	w.Flush()
	f.Close()
	r = runBin(t, bin, "", store, nil, "import", big)
	if r.code != 2 || !strings.Contains(r.stderr, big+":1000000: date:") {
		t.Errorf("a million lines with a bad last one: exit %d %.300q", r.code, r.stderr)
	}
	// NUL bytes, a lone CR and a line that is only a BOM in the middle.
	for name, body := range map[string]string{
		"nul-line.jsonl":         line(`"a"`) + "\n\x00\x00\x00\n",
		"mid-bom.jsonl":          line(`"a"`) + "\n\ufeff" + line(`"b"`) + "\n",
		"cr-only.jsonl":          line(`"a"`) + "\r" + line(`"b"`) + "\n",
		"deep-csv.csv":           "type,changes\ncorrection,\"" + strings.Repeat("{\"\"a\"\":", 50) + "1" + strings.Repeat("}", 50) + "\"\n",
		"utf16.jsonl":            "\xff\xfe{\x00\"\x00t\x00\n",
		"numbers-as-strings.csv": "type,date,count,nationality,country,source_publisher\nrescue,2025-10-01,\"1e3\",KR,KH,p\n",
	} {
		cases++
		p := write(name, body)
		r := sl(t, store, "import", p)
		if r.code != 2 || !strings.Contains(r.stderr, p+":") {
			t.Errorf("%s: exit %d %q", name, r.code, r.stderr)
		}
	}
	if after := head(t, store); after != before {
		t.Fatalf("refused inputs changed the ledger: %s -> %s", before, after)
	}
	t.Logf("%d generated hostile cases (plus %d files in testdata/bad), 0 violations", cases, countBad(t))
}

func countBad(t *testing.T) int {
	files, _ := filepath.Glob("../../testdata/bad/*")
	return len(files) - 1 // expect.tsv
}
