package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/witness"
)

// The auditors' month without the ledger: the keeper proves consistency with
// the last checkpoint, two witnesses check and cosign it, the keeper merges
// their cosignatures and publishes a workbook that carries them, and an
// auditor counts them against a quorum.
func TestWitnessWorkflow(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, text string) string {
		if err := os.WriteFile(file(name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return file(name)
	}
	write("vkey.txt", verifier)
	must(t, sl(t, store, "import", seed), "import")
	cp0 := write("cp0.txt", must(t, sl(t, store, "checkpoint"), "checkpoint").stdout)
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-09", "--count", "3", "--nationality", "KR", "--country", "KH", "--source-publisher", "witness test"), "record")

	// The consistency proof checks with the verifier key alone; a tampered
	// one fails with exit 3.
	proof := write("p.json", must(t, sl(t, store, "prove", "--consistency", cp0), "prove --consistency").stdout)
	r := must(t, sl(t, "", "verify-proof", "--key", file("vkey.txt"), proof), "verify-proof")
	if !strings.Contains(r.stdout, "at tree size 5") || !strings.Contains(r.stdout, "holds tree size 4") {
		t.Fatalf("verify-proof said %q", r.stdout)
	}
	var p ledger.ConsistencyProof
	raw, _ := os.ReadFile(proof)
	if err := json.Unmarshal(raw, &p); err != nil || len(p.Proof) != 1 {
		t.Fatalf("prove --consistency printed %s", raw)
	}
	p.Proof[0] = strings.Repeat("0", 64)
	raw, _ = json.Marshal(p)
	bad := write("bad.json", string(raw))
	if r := sl(t, "", "verify-proof", "--key", file("vkey.txt"), bad); r.code != 3 || !strings.Contains(r.stderr, "proof refused") {
		t.Fatalf("a tampered consistency proof: exit %d %s", r.code, r.stderr)
	}
	if r := sl(t, store, "prove", "--consistency", cp0, "--to", "3"); r.code != 2 {
		t.Fatalf("prove --to below the old size: exit %d %s", r.code, r.stderr)
	}

	var wkeys []string
	var cosigned []string
	for i, name := range []string{"audit.example.gov/witness", "mofa.example.kh/witness"} {
		wdir := filepath.Join(dir, "w"+string(rune('1'+i)))
		r := must(t, sl(t, "", "witness", "init", "--dir", wdir, "--name", name), "witness init")
		wkeys = append(wkeys, strings.TrimSpace(r.stdout))
		if !strings.HasPrefix(wkeys[i], name+"+") {
			t.Fatalf("witness init printed %q", r.stdout)
		}
		if i == 0 {
			// Sent the checkpoint, or a proof of one event, the witness is
			// told what it is and what to ask for, and cosigns nothing.
			inclusion := write("inc.json", must(t, sl(t, store, "prove", regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(must(t, sl(t, store, "export"), "export").stdout)[1]), "prove").stdout)
			for given, want := range map[string]string{cp0: "is a signed checkpoint of statledger.local/l (tree size 4), not a proof", inclusion: "is an inclusion proof of one event"} {
				if r := sl(t, "", "witness", "cosign", "--dir", wdir, "--log-key", verifier, given); r.code != 2 || !strings.Contains(r.stderr, want) || r.stdout != "" {
					t.Fatalf("witness cosign %s: exit %d\n%s", given, r.code, r.stderr)
				}
			}
		}
		r = must(t, sl(t, "", "witness", "cosign", "--dir", wdir, "--log-key", verifier, proof), "witness cosign")
		cosigned = append(cosigned, write("c"+string(rune('1'+i))+".txt", r.stdout))
		// A proof from the checkpoint this witness has already passed is refused.
		if r := sl(t, "", "witness", "cosign", "--dir", wdir, "--log-key", verifier, write("back.json", must(t, sl(t, store, "prove", "--consistency", cp0, "--to", "4"), "prove 4→4").stdout)); r.code != 3 || !strings.Contains(r.stderr, "never shrinks") {
			t.Fatalf("cosign of a smaller tree: exit %d %s", r.code, r.stderr)
		}
	}
	write("w1.vkey", wkeys[0])

	// Before any cosignature, a report carries none, and --witness fails.
	plain := file("plain.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", plain), "report without cosignatures")
	if r := sl(t, store, "verify", "--report", plain, "--witness", wkeys[0]); r.code != 3 || !strings.Contains(r.stderr, "no cosigned checkpoint") {
		t.Fatalf("verify --witness of a report with no cosignatures: exit %d %s", r.code, r.stderr)
	}

	// The proof sent to the witnesses, given back instead of what they
	// printed, is told so and merges nothing.
	if r := sl(t, store, "checkpoint", "--cosigned", proof); r.code != 2 || !strings.Contains(r.stderr, "is the consistency proof the witnesses cosign, not what they send back") {
		t.Fatalf("checkpoint --cosigned of the proof: exit %d %s", r.code, r.stderr)
	}
	merged := must(t, sl(t, store, "checkpoint", "--cosigned", cosigned[0], cosigned[1]), "checkpoint --cosigned").stdout
	if strings.Count(merged, "\n— ") != 3 {
		t.Fatalf("merged checkpoint:\n%s", merged)
	}
	oct := file("oct.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", oct), "report")

	// An auditor without the ledger requires the witnesses on a proof: one in
	// the checkpoint they cosigned holds; one in the keeper's own does not.
	first := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(must(t, sl(t, store, "replay", "--format", "jsonl"), "replay").stdout)[1]
	inCosigned := write("in-cosigned.json", must(t, sl(t, store, "prove", first, "--checkpoint", write("merged.txt", merged)), "prove in the cosigned checkpoint").stdout)
	r = must(t, sl(t, "", "verify-proof", "--key", verifier, "--witness", wkeys[0], "--witness", wkeys[1], inCosigned), "verify-proof --witness")
	if !strings.Contains(r.stdout, "is cosigned by 2 witnesses (audit.example.gov/witness, mofa.example.kh/witness; quorum 2)") {
		t.Fatalf("verify-proof --witness said:\n%s", r.stdout)
	}
	inOwn := write("in-own.json", must(t, sl(t, store, "prove", first), "prove").stdout)
	if r := sl(t, "", "verify-proof", "--key", verifier, "--witness", wkeys[0], inOwn); r.code != 3 || !strings.Contains(r.stderr, "carries no cosignature of the witnesses given") {
		t.Fatalf("verify-proof --witness of a proof in the keeper's checkpoint: exit %d %s", r.code, r.stderr)
	}

	// An auditor with a copy of the ledger, the verifier key and the
	// witnesses' keys; a third witness key that did not cosign.
	_, stranger, _ := witness.GenerateKey("stranger.example/witness")
	copyOf := file("auditor.db")
	copyTo(t, store, copyOf)
	r = must(t, sl(t, copyOf, "verify", "--report", oct, "--key", verifier, "--witness", wkeys[0], "--witness", file("w1.vkey"), "--witness", wkeys[1]), "verify --report --witness")
	if !strings.Contains(r.stdout, "cosigned by 2 witnesses") || !strings.Contains(r.stdout, "byte-identical") {
		t.Fatalf("verify --report --witness said:\n%s", r.stdout)
	}
	must(t, sl(t, copyOf, "verify", "--report", oct, "--key", verifier, "--witness", wkeys[0], "--witness", stranger, "--witness", wkeys[1], "--quorum", "2"), "a quorum of 2 of 3")
	if r := sl(t, copyOf, "verify", "--report", oct, "--key", verifier, "--witness", wkeys[0], "--witness", stranger, "--witness", wkeys[1]); r.code != 3 || !strings.Contains(r.stderr, "fewer than the quorum of 3") {
		t.Fatalf("a quorum of 3 with 2 cosignatures: exit %d %s", r.code, r.stderr)
	}
	if r := sl(t, copyOf, "verify", "--report", oct, "--key", verifier, "--witness", wkeys[0], "--quorum", "2"); r.code != 2 || strings.Contains(r.stdout, "verified") {
		t.Fatalf("--quorum above the keys given: exit %d %s", r.code, r.stderr)
	}
	if r := sl(t, copyOf, "verify", "--report", oct, "--key", verifier, "--witness", verifier); r.code != 2 || !strings.Contains(r.stderr, "0x04") {
		t.Fatalf("the ledger's key as a witness key: exit %d %s", r.code, r.stderr)
	}

	// Events after the witnessed size: the report's last events were seen by
	// no witness, and --witness says so.
	must(t, sl(t, store, "record", "rescue", "--date", "2025-10-10", "--count", "2", "--nationality", "KR", "--country", "KH", "--source-publisher", "witness test"), "record")
	later := file("later.xlsx")
	must(t, sl(t, store, "report", "monthly", "--month", "2025-10", "-o", later), "later report")
	must(t, sl(t, store, "verify", "--report", later), "verify --report without --witness")
	if r := sl(t, store, "verify", "--report", later, "--witness", wkeys[0], "--witness", wkeys[1]); r.code != 3 || !strings.Contains(r.stderr, "before the report's 6") {
		t.Fatalf("verify --witness of a report past the witnessed size: exit %d %s", r.code, r.stderr)
	}
}

// A witness's record of a ledger survives a SIGKILL at any moment of
// cosign: afterwards it holds the old checkpoint or the new, never neither,
// and the witness goes on cosigning from it.
func TestWitnessSurvivesKill(t *testing.T) {
	store, verifier := newLedger(t, "bolt")
	dir := t.TempDir()
	wdir := filepath.Join(dir, "w")
	must(t, sl(t, "", "witness", "init", "--dir", wdir, "--name", "audit.example.gov/witness"), "witness init")
	origin := strings.SplitN(verifier, "+", 2)[0]
	cpFile := filepath.Join(dir, "latest.txt")
	proofFile := filepath.Join(dir, "p.json")
	must(t, sl(t, store, "import", seed), "import")
	os.WriteFile(cpFile, []byte(must(t, sl(t, store, "checkpoint"), "checkpoint").stdout), 0o644)
	os.WriteFile(proofFile, []byte(must(t, sl(t, store, "prove", "--consistency", cpFile), "prove").stdout), 0o644)
	must(t, sl(t, "", "witness", "cosign", "--dir", wdir, "--log-key", verifier, proofFile), "first cosign")
	rng := rand.New(rand.NewPCG(7, 7))
	killed, committed := 0, 0
	// At least 25 rounds, and more (up to 80) until some kill came before
	// the commit and some after: how long a cosign takes depends on the
	// machine's load, so the window widens as rounds go by.
	rounds := 0
	for i := 0; i < 80 && (i < 25 || killed == 0 || committed == 0); i++ {
		rounds++
		w, err := witness.Open(wdir, nil)
		if err != nil {
			t.Fatal(err)
		}
		before, _, ok, err := w.Latest(origin)
		if err != nil || !ok {
			t.Fatalf("round %d: the witness's record: %v %v", i, ok, err)
		}
		// The keeper proves from what the witness holds now.
		cp := must(t, sl(t, store, "checkpoint", "--size", strconv.FormatUint(before.Size, 10)), "checkpoint at the witnessed size").stdout
		os.WriteFile(cpFile, []byte(cp), 0o644)
		must(t, sl(t, store, "record", "rescue", "--date", "2025-10-09", "--count", "1", "--nationality", "KR", "--country", "KH", "--source-publisher", "kill "+strconv.Itoa(i)), "record")
		os.WriteFile(proofFile, []byte(must(t, sl(t, store, "prove", "--consistency", cpFile), "prove").stdout), 0o644)
		size, _, _ := verifiedHead(t, store)

		cmd := exec.Command(bin, "witness", "cosign", "--dir", wdir, "--log-key", verifier, proofFile)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(25000+2000*i)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); err != nil {
			killed++
		}
		after, _, ok, err := w.Latest(origin)
		if err != nil || !ok {
			t.Fatalf("round %d: after a kill the witness's record is lost: %v %v", i, ok, err)
		}
		if after.Size != before.Size && after.Size != uint64(size) {
			t.Fatalf("round %d: the record went from size %d to %d, not to %d", i, before.Size, after.Size, size)
		}
		if after.Size == uint64(size) {
			committed++
		}
	}
	t.Logf("%d cosigns, %d killed before they ended, %d committed", rounds, killed, committed)
	if killed == 0 || committed == 0 {
		t.Fatalf("the kills missed the interesting cases: %d killed, %d committed", killed, committed)
	}
}
