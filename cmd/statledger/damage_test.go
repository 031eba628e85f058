package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	t.Parallel() // a harness of its own: it runs beside the others
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

// Salvage after a truncation and after a zeroed page: the recovered ledger
// verifies, holds exactly the damaged file's events of the recovered range,
// and says whether it reaches a signed checkpoint.
func TestSalvage(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	for i := range 3 {
		must(t, sl(t, store, "import", eventsFile(t, fmt.Sprintf("salvage%d", i), 300)), "import")
	}
	dir := t.TempDir()
	cp := filepath.Join(dir, "cp.txt")
	os.WriteFile(cp, []byte(must(t, sl(t, store, "checkpoint"), "checkpoint").stdout), 0o644)
	lines := strings.SplitAfter(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout, "\n")
	orig, _ := os.ReadFile(store)
	// Where bbolt puts the pages varies from run to run (a recorded_at is
	// written without trailing zeros, so envelopes differ in length), and a
	// fifth of the file may not hold the whole pages of the first event and
	// of its leaf hash, where what can be recovered starts: the cut is then
	// at the end of the later of the two.
	fifth := len(orig) / 5
	leaf, _ := hex.DecodeString(regexp.MustCompile(`"leaf_hash":"([0-9a-f]{64})"`).FindStringSubmatch(lines[0])[1])
	for _, b := range [][]byte{[]byte(`{"seq":0,"recorded_at"`), leaf} {
		if end := (bytes.Index(orig, b)/4096 + 1) * 4096; end > fifth {
			fifth = end
		}
	}
	cases := []struct {
		name string
		b    []byte
	}{
		{"intact", orig},
		{"truncated to a half", orig[:len(orig)/2]},
		{"truncated to a fifth", orig[:fifth]},
		{"a page of zeros", append(append(bytes.Clone(orig[:len(orig)/3/4096*4096]), make([]byte, 4096)...), orig[len(orig)/3/4096*4096+4096:]...)},
	}
	for i, tc := range cases {
		damaged := filepath.Join(dir, fmt.Sprintf("damaged%d.db", i))
		os.WriteFile(damaged, tc.b, 0o600)
		key, _ := os.ReadFile(store + ".key")
		os.WriteFile(damaged+".key", key, 0o600)
		to := filepath.Join(dir, fmt.Sprintf("recovered%d.db", i))
		r := runBin(t, bin, "", "", nil, "salvage", "--from", damaged, "--to", to, "--checkpoint", cp, "--key", verifier)
		m := regexp.MustCompile(`recovered (\d+) events`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("%s: salvage said\n%s%s", tc.name, r.stdout, r.stderr)
		}
		n, _ := strconv.Atoi(m[1])
		reaches := n >= 900
		if (r.code == 0) != reaches || (reaches && !strings.Contains(r.stdout, "reaches the checkpoint")) || (!reaches && !strings.Contains(r.stderr, "does not reach the checkpoint")) {
			t.Fatalf("%s: %d recovered, exit %d\n%s%s", tc.name, n, r.code, r.stdout, r.stderr)
		}
		if tc.name == "intact" && (n != 900 || !strings.Contains(r.stdout, "nothing was lost")) {
			t.Fatalf("salvage of an intact file: %s", r.stdout)
		}
		if n == 0 {
			t.Fatalf("%s: nothing recovered", tc.name)
		}
		must(t, sl(t, to, "verify"), "verify the recovered ledger")
		got := must(t, sl(t, to, "replay", "--format", "jsonl"), "replay the recovered ledger").stdout
		if got != strings.Join(lines[:n], "") {
			t.Fatalf("%s: the recovered events are not the first %d of the ledger", tc.name, n)
		}
		t.Logf("%s: %d of 900 events recovered", tc.name, n)
	}
	if r := runBin(t, bin, "", "", nil, "salvage", "--from", store, "--to", store); r.code != 2 {
		t.Fatalf("salvage onto an existing file: exit %d", r.code)
	}
	// The recovered ledger is the same ledger: it keeps the origin, so
	// another ledger's key is refused on it as on the original.
	other := filepath.Join(dir, "other.db")
	must(t, sl(t, other, "init", "--origin", "police.example/ledger"), "init another")
	r := sl(t, filepath.Join(dir, "recovered0.db"), "--signing-key", other+".key", "key")
	if r.code != 2 || !strings.Contains(r.stderr, "but this ledger is statledger.local/l") {
		t.Fatalf("another ledger's key on the recovered ledger: exit %d\n%s", r.code, r.stderr)
	}
}

// Backups taken while imports run verify and hold whole appends only: a
// backup is one read of the file, between two writers' transactions.
func TestBackupWhileImporting(t *testing.T) {
	store, _ := newLedger(t, "bolt")
	done := make(chan error, 1)
	go func() {
		for i := range 6 {
			out, err := exec.Command(bin, "--store", store, "--actor", "e2e", "import", eventsFile(t, fmt.Sprintf("backup%d", i), 1000)).CombinedOutput()
			if err != nil {
				done <- fmt.Errorf("import %d: %v\n%s", i, err, out)
				return
			}
		}
		done <- nil
	}()
	dir := t.TempDir()
	sizes := map[int]bool{}
	for i := 0; ; i++ {
		out := filepath.Join(dir, fmt.Sprintf("backup%d.db", i))
		r := must(t, sl(t, store, "backup", "-o", out), "backup")
		m := regexp.MustCompile(`(\d+) events, tree size`).FindStringSubmatch(r.stdout)
		if m == nil || !strings.Contains(r.stdout, "the copy verifies") {
			t.Fatalf("backup said %q", r.stdout)
		}
		n, _ := strconv.Atoi(m[1])
		if n%1000 != 0 {
			t.Fatalf("a backup holds %d events: not a whole number of appends of 1000", n)
		}
		if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
			t.Fatalf("the backup's mode is %v", fi.Mode())
		}
		sizes[n] = true
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d backups while 6 imports ran, of sizes %v", i+1, sizes)
			return
		default:
		}
	}
}
