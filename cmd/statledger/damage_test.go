package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damageCase is one way a ledger file can be damaged: a bit flipped, a
// page of zeros, or the file cut short.
type damageCase struct {
	name  string
	apply func(b []byte) []byte
}

func damageCases(size int, rng *rand.Rand) []damageCase {
	var out []damageCase
	for range 200 {
		off, bit := rng.IntN(size), byte(1)<<rng.IntN(8)
		out = append(out, damageCase{fmt.Sprintf("flip byte %d ^%d", off, bit), func(b []byte) []byte {
			b[off] ^= bit
			return b
		}})
	}
	for range 30 {
		page := rng.IntN(size / 4096)
		out = append(out, damageCase{fmt.Sprintf("zero page %d", page), func(b []byte) []byte {
			clear(b[page*4096 : (page+1)*4096])
			return b
		}})
	}
	for range 30 {
		n := rng.IntN(size)
		out = append(out, damageCase{fmt.Sprintf("truncate to %d bytes", n), func(b []byte) []byte { return b[:n] }})
	}
	return out
}

// TestDamageHarness damages a small ledger with a projection checkpoint in
// 260 ways and runs summary, report monthly, chart and verify on each copy.
// Whatever the damage: no command panics or crashes; a command that exits 0
// gives exactly the figures (and bytes) of the undamaged ledger; any other
// exit is 1 (runtime: the file is damaged) or 3 (verification failed), with
// a message.
func TestDamageHarness(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	must(t, sl(t, store, "import", eventsFile(t, "damage", 240)), "import")
	must(t, sl(t, store, "record", "death", "--date", "2025-10-03", "--count", "1", "--nationality", "KR", "--country", "KH", "--source-publisher", "damage harness"), "record")
	dir := t.TempDir()
	commands := [][]string{
		{"summary", "--month", "2025-10"},
		{"report", "monthly", "--month", "2025-10", "-o", "OUT.xlsx"},
		{"chart", "-o", "OUT.html"},
		{"verify"},
	}
	// run runs one command on a ledger and returns its result and the bytes
	// of the file it wrote, if any.
	run := func(ledgerPath string, args []string) (result, []byte) {
		out := ""
		args = append([]string(nil), args...)
		for i, a := range args {
			if strings.HasPrefix(a, "OUT.") {
				out = filepath.Join(dir, "out"+filepath.Ext(a))
				os.Remove(out)
				args[i] = out
			}
		}
		r := runBinEnv(t, bin, "", ledgerPath, nil, []string{"STATLEDGER_SIGNING_KEY=" + store + ".key"}, args...)
		var written []byte
		if out != "" && r.code == 0 {
			written, _ = os.ReadFile(out)
		}
		if out != "" {
			r.stdout = strings.ReplaceAll(r.stdout, out, "OUT")
		}
		return r, written
	}
	type expect struct {
		stdout string
		file   []byte
	}
	var want []expect
	for _, args := range commands {
		r, file := run(store, args)
		must(t, r, strings.Join(args, " "))
		want = append(want, expect{r.stdout, file})
	}
	// The baseline ran every command once, so the copy has a projection
	// checkpoint to be damaged as well.
	orig, err := os.ReadFile(store)
	if err != nil {
		t.Fatal(err)
	}
	// Only the bytes bbolt uses: the rest of the file is free space.
	used := len(orig)
	for used > 4096 && bytes.Count(orig[used-4096:used], []byte{0}) == 4096 {
		used -= 4096
	}
	counts := map[string]int{}
	for _, tc := range damageCases(used, rand.New(rand.NewPCG(1, 2))) {
		path := filepath.Join(dir, "damaged.db")
		if err := os.WriteFile(path, tc.apply(bytes.Clone(orig)), 0o600); err != nil {
			t.Fatal(err)
		}
		for i, args := range commands {
			r, file := run(path, args)
			what := fmt.Sprintf("%s, then %s", tc.name, strings.Join(args, " "))
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "fatal error") {
				t.Fatalf("%s: crashed (exit %d):\n%s", what, r.code, r.stderr)
			}
			switch r.code {
			case 0:
				if r.stdout != want[i].stdout || !bytes.Equal(file, want[i].file) {
					t.Errorf("%s: exit 0 with other figures than the undamaged ledger's:\n%s\nwant:\n%s", what, r.stdout, want[i].stdout)
				}
				counts["exit 0, the undamaged figures"]++
			case 1, 3:
				if strings.TrimSpace(r.stderr) == "" {
					t.Errorf("%s: exit %d with no message", what, r.code)
				}
				counts[fmt.Sprintf("exit %d", r.code)]++
			default:
				t.Errorf("%s: exit %d, want 0, 1 or 3\n%s", what, r.code, r.stderr)
			}
		}
	}
	t.Logf("260 damaged copies × 4 commands: %v", counts)
}

// An EventStoreDB ledger's local files (the index of the stream and the
// projection checkpoint) are derived data: damaged, they are made again from
// the stream, with a note, and the figures are the stream's.
func TestDamagedCacheFilesAreRebuilt(t *testing.T) {
	store, _ := newLedger(t, "esdb")
	must(t, sl(t, store, "import", eventsFile(t, "cache", 300)), "import")
	want := must(t, sl(t, store, "summary", "--month", "2025-10"), "summary").stdout
	sum := sha256.Sum256([]byte(redact(store) + "\x00statledger"))
	cache := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "statledger")
	for _, kind := range []string{"index", "projection"} {
		path := filepath.Join(cache, kind+"-"+hex.EncodeToString(sum[:12])+".db")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the %s file: %v", kind, err)
		}
		for _, damage := range []struct {
			name string
			b    []byte
		}{
			{"truncated", orig[:len(orig)/3]},
			{"a page of zeros", append(append(bytes.Clone(orig[:8192]), make([]byte, 4096)...), orig[12288:]...)},
		} {
			if err := os.WriteFile(path, damage.b, 0o600); err != nil {
				t.Fatal(err)
			}
			r := sl(t, store, "summary", "--month", "2025-10")
			if r.code != 0 || r.stdout != want {
				t.Fatalf("%s %s: exit %d\n%s%s", kind, damage.name, r.code, r.stdout, r.stderr)
			}
		}
	}
}
