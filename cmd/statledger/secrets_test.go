package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger/esdb/esdbtest"
)

// TestPasswordNeverShown runs every command against esdb://user:PASSWORD@…
// (a running server, and one that is not there) and checks that no output,
// error or written file holds the password.
func TestPasswordNeverShown(t *testing.T) {
	t.Parallel() // a harness of its own: it runs beside the others
	const password = "Sup3r-S3cret-pw"
	srv := esdbtest.Start(t)
	live := strings.Replace(srv.URL, "esdb://", "esdb://admin:"+password+"@", 1)
	dead := "esdb://admin:" + password + "@127.0.0.1:1?tls=false"
	dir := t.TempDir()
	key := filepath.Join(dir, "l.key")
	signingKeys.Store(live, key)
	signingKeys.Store(dead, key)
	files := func() []string {
		var out []string
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	out := func(name string) string { return filepath.Join(dir, name) }
	commands := [][]string{
		{"init", "--origin", "statledger.local/l"},
		{"import", seed},
		{"record", "rescue", "--date", "2025-10-09", "--count", "4", "--nationality", "KR", "--country", "KH", "--source-publisher", "p"},
		{"replay"}, {"replay", "--format", "jsonl"}, {"checkpoint"}, {"verify"},
		{"summary", "--month", "2025-10"},
		{"report", "monthly", "--month", "2025-10", "-o", out("r.xlsx"), "--publish"},
		{"verify", "--report", out("r.xlsx")},
		{"chart", "-o", out("c.html")},
		{"export", "-o", out("e.jsonl")}, {"export", "--format", "csv"},
		{"copy", "--from", live, "--to", out("copy.db")},
		{"copy", "--from", out("copy.db"), "--to", live},
		{"retract", "00000000-0000-4000-8000-000000000000", "--reason", "x"},
		{"correct", "00000000-0000-4000-8000-000000000000", "--count", "1", "--reason", "x"},
		{"prove", "00000000-0000-4000-8000-000000000000"},
		{"store-that-does-not-exist"},
	}
	n := 0
	for _, store := range []string{live, dead} {
		for _, args := range commands {
			r := sl(t, store, args...)
			n++
			if strings.Contains(r.stdout+r.stderr, password) {
				t.Errorf("%v on %s printed the password:\n%s\n%s", args, redact(store), r.stdout, r.stderr)
			}
		}
	}
	for _, f := range files() {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(password)) {
			t.Errorf("%s holds the password", f)
		}
	}
	// The written files must exist, or the check above proved nothing.
	for _, f := range []string{"r.xlsx", "c.html", "e.jsonl", "copy.db"} {
		if _, err := os.Stat(out(f)); err != nil {
			t.Errorf("%s was not written: %v", f, err)
		}
	}
	t.Logf("%d command runs, %d files checked, 0 leaks", n, len(files()))
}

func TestSigningKeyPermissions(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		os.Chmod(store+".key", mode)
		r := sl(t, store, "checkpoint")
		if r.code != 2 || !strings.Contains(r.stderr, fmt.Sprintf("readable by others (mode %04o)", mode)) || !strings.Contains(r.stderr, "chmod 600") {
			t.Errorf("key of mode %04o: exit %d %q", mode, r.code, r.stderr)
		}
	}
	os.Chmod(store+".key", 0o600)
	must(t, sl(t, store, "checkpoint"), "checkpoint with a 0600 key")
}
