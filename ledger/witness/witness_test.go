package witness_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/witness"
)

// log is a Merkle tree in memory with a signing key: what a ledger's keeper
// shows a witness, without the events.
type log struct {
	tree   ledger.MemTree
	signer note.Signer
	vkey   string
}

func newLog(t *testing.T, origin string) *log {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &log{signer: signer, vkey: vkey}
}

// fork is a second log with the same key and the first n leaves of l.
func (l *log) fork(n int) *log {
	f := &log{signer: l.signer, vkey: l.vkey}
	for i := range n {
		f.add(fmt.Sprintf("event %d", i))
	}
	return f
}

func (l *log) add(s string) { l.tree.Add(tlog.RecordHash([]byte(s))) }
func (l *log) grow(n int, tag string) {
	for range n {
		l.add(fmt.Sprintf("%s %d", tag, l.tree.Size()))
	}
}

func (l *log) signed(t *testing.T, size uint64) string {
	t.Helper()
	text, err := ledger.SignCheckpoint(ledger.Checkpoint{Origin: l.signer.Name(), Size: size, Root: l.tree.Root(size)}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// proof is what 'statledger prove --consistency' prints from from to to.
func (l *log) proof(t *testing.T, from, to uint64) []byte {
	t.Helper()
	p, err := ledger.ProveConsistency(from, to, &l.tree)
	if err != nil {
		t.Fatal(err)
	}
	b := ledger.ConsistencyProof{Format: ledger.ConsistencyProofFormat, OldCheckpoint: l.signed(t, from), NewCheckpoint: l.signed(t, to), Proof: []string{}}
	for _, h := range p {
		b.Proof = append(b.Proof, ledger.HashHex(h))
	}
	raw, _ := json.Marshal(b)
	return raw
}

func newWitness(t *testing.T, name string) (*witness.Witness, string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "w")
	vkey, err := witness.Init(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1764547200, 0)
	w, err := witness.Open(dir, func() time.Time { at = at.Add(time.Second); return at })
	if err != nil {
		t.Fatal(err)
	}
	return w, vkey, dir
}

func refused(t *testing.T, what string, err error, want string) {
	t.Helper()
	if ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: got %v, want a refusal saying %q", what, err, want)
	}
}

// A witness cosigns a log that only grows, and refuses a fork (two ledgers
// that share a prefix and a signing key, diverging after it), a rollback, a
// proof from another checkpoint than its latest, and another key.
func TestWitnessRefusesForksAndRollbacks(t *testing.T) {
	w, wkey, dir := newWitness(t, "audit.example.gov/witness")
	a := newLog(t, "moi.example.gov/ledger")
	a.grow(10, "event")
	b := a.fork(6)
	b.grow(6, "forged") // same first 6 events, then another history

	text, cp, err := w.Cosign(a.proof(t, 0, 10), a.vkey)
	if err != nil {
		t.Fatalf("the first proof: %v", err)
	}
	if cp.Size != 10 || cp.Root != a.tree.Root(10) {
		t.Fatalf("cosigned %v", cp)
	}
	got, names, err := witness.Count([]byte(text), a.vkey, []string{wkey})
	if err != nil || len(names) != 1 || names[0] != "audit.example.gov/witness" || got != cp {
		t.Fatalf("Count of the cosigned checkpoint: %v %v %v", got, names, err)
	}

	refused(t, "a fork from the shared prefix", wErr(w.Cosign(b.proof(t, 6, 12), b.vkey)), "starts from tree size 6")
	refused(t, "a fork at the size cosigned", wErr(w.Cosign(b.proof(t, 10, 12), b.vkey)), "FORK")
	refused(t, "a proof from the cosigned checkpoint to the fork", wErr(w.Cosign(mix(t, a.proof(t, 10, 10), b.proof(t, 10, 12)), a.vkey)), "history was changed")

	a.grow(5, "event")
	if _, cp, err = w.Cosign(a.proof(t, 10, 15), a.vkey); err != nil || cp.Size != 15 {
		t.Fatalf("growing 10→15: %v %v", cp, err)
	}
	refused(t, "a rollback to 12", wErr(w.Cosign(a.proof(t, 10, 12), a.vkey)), "already cosigned tree size 15")
	refused(t, "a smaller tree", wErr(w.Cosign(a.proof(t, 12, 12), a.vkey)), "a log never shrinks")
	other := newLog(t, "moi.example.gov/ledger") // the same origin, another key
	other.grow(20, "event")
	refused(t, "another key for the origin", wErr(w.Cosign(other.proof(t, 15, 20), other.vkey)), "knows moi.example.gov/ledger by the key")
	refused(t, "the log's proof checked with another key", wErr(w.Cosign(a.proof(t, 15, 15), other.vkey)), "does not verify")

	// The same checkpoint again is cosigned again; the record is unchanged.
	if _, cp, err = w.Cosign(a.proof(t, 15, 15), a.vkey); err != nil || cp.Size != 15 {
		t.Fatalf("cosigning the latest again: %v %v", cp, err)
	}
	// Another origin is a log of its own, and needs its own key.
	c := newLog(t, "stats.example.gov/ledger")
	c.grow(3, "x")
	// A mix-up of files (bad input), refused as well: nothing is cosigned.
	if err := wErr(w.Cosign(c.proof(t, 0, 3), a.vkey)); ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "another ledger's checkpoint, or another ledger's key") {
		t.Fatalf("another origin's proof with this log's key: %v", err)
	}
	ac := mix(t, a.proof(t, 15, 15), c.proof(t, 1, 3)) // old of one origin, new of the other
	refused(t, "a proof joining two origins", wErr(w.Cosign(ac, a.vkey)), "the new checkpoint")
	if _, _, err := w.Cosign(c.proof(t, 0, 3), c.vkey); err != nil {
		t.Fatalf("a second log: %v", err)
	}
	if latest, _, ok, err := w.Latest("moi.example.gov/ledger"); err != nil || !ok || latest.Size != 15 {
		t.Fatalf("the first log's record after the second's: %v %v %v", latest, ok, err)
	}

	// Reopened, the witness remembers.
	w2, err := witness.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	refused(t, "reopened, a rollback", wErr(w2.Cosign(a.proof(t, 10, 14), a.vkey)), "already cosigned tree size 15")
}

func wErr(_ string, _ ledger.Checkpoint, err error) error { return err }

// mix is a proof whose old checkpoint is from p and the rest from q.
func mix(t *testing.T, p, q []byte) []byte {
	t.Helper()
	var a, b ledger.ConsistencyProof
	json.Unmarshal(p, &a)
	json.Unmarshal(q, &b)
	b.OldCheckpoint = a.OldCheckpoint
	raw, _ := json.Marshal(b)
	return raw
}

// The keeper merges the cosignatures of several witnesses; an auditor counts
// those of the witnesses it trusts, and a changed line is an error.
func TestMergeAndCount(t *testing.T) {
	a := newLog(t, "moi.example.gov/ledger")
	a.grow(7, "event")
	proof := a.proof(t, 0, 7)
	var texts [][]byte
	var keys []string
	for _, name := range []string{"audit.example.gov/w", "mofa.example.kh/w", "stats.example.kr/w"} {
		w, vkey, _ := newWitness(t, name)
		text, _, err := w.Cosign(proof, a.vkey)
		if err != nil {
			t.Fatal(err)
		}
		texts, keys = append(texts, []byte(text)), append(keys, vkey)
	}
	merged, cp, err := witness.Merge(a.vkey, texts...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(merged, "\n— ") != 4 {
		t.Fatalf("merged checkpoint has not 4 signature lines:\n%s", merged)
	}
	again, _, err := witness.Merge(a.vkey, []byte(merged), texts[0])
	if err != nil || again != merged {
		t.Fatalf("merging a line already there added it twice:\n%s\n%v", again, err)
	}
	for n := 0; n <= 3; n++ {
		got, names, err := witness.Count([]byte(merged), a.vkey, keys[:n])
		if err != nil || len(names) != n || got != cp {
			t.Fatalf("Count with %d witness keys: %v %v", n, names, err)
		}
	}
	_, stranger, _ := newWitness(t, "stranger.example/w")
	if _, names, err := witness.Count([]byte(merged), a.vkey, []string{stranger}); err != nil || len(names) != 0 {
		t.Fatalf("a witness that did not cosign counted: %v %v", names, err)
	}
	// A quorum: all given by default, or the number asked for.
	if got, names, err := witness.Quorum([]byte(merged), a.vkey, keys, 0); err != nil || !strings.Contains(witness.Said(got, names, 3), "cosigned by 3 witnesses") {
		t.Fatalf("Quorum of all three: %v %v", names, err)
	}
	withStranger := append(keys[:2:2], stranger)
	if _, _, err := witness.Quorum([]byte(merged), a.vkey, withStranger, 0); ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "fewer than the quorum of 3") {
		t.Fatalf("Quorum of 3 with a stranger: %v", err)
	}
	if _, names, err := witness.Quorum([]byte(merged), a.vkey, withStranger, 2); err != nil || len(names) != 2 {
		t.Fatalf("Quorum of 2 with a stranger: %v %v", names, err)
	}
	if _, _, err := witness.Quorum([]byte(a.signed(t, 7)), a.vkey, keys, 1); ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "carries no cosignature") {
		t.Fatalf("Quorum of the log's own checkpoint: %v", err)
	}
	// A cosignature line altered.
	lines := strings.Split(merged, "\n")
	last := []byte(lines[len(lines)-2])
	last[len(last)-5] ^= 1
	lines[len(lines)-2] = string(last)
	if _, _, err := witness.Count([]byte(strings.Join(lines, "\n")), a.vkey, keys); ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("an altered cosignature: %v", err)
	}
	// Cosignatures of another tree do not merge with these.
	a.grow(1, "event")
	w, _, _ := newWitness(t, "late.example/w")
	later, _, _ := w.Cosign(a.proof(t, 0, 8), a.vkey)
	if _, _, err := witness.Merge(a.vkey, texts[0], []byte(later)); ledger.CodeOf(err) != ledger.CodeInput {
		t.Fatalf("merging two trees: %v", err)
	}
	// The ledger's own checkpoint, with no cosignature, is not a cosigned one.
	if _, _, err := witness.Merge(a.vkey, []byte(a.signed(t, 7))); ledger.CodeOf(err) != ledger.CodeInput {
		t.Fatalf("merging an uncosigned checkpoint: %v", err)
	}
}

// Keys: the vkey is a C2SP vkey of type 0x04 whose ID is SHA-256(name ||
// "\n" || 0x04 || key)[:4]; the ledger's own (type 0x01) key is not a
// witness key; the private key is 0600 and refused when others can read it.
func TestWitnessKeys(t *testing.T) {
	_, vkey, dir := newWitness(t, "audit.example.gov/witness")
	if _, err := witness.NewVerifier(vkey); err != nil {
		t.Fatalf("its own vkey: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "witness.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("witness.key: %v %v", fi.Mode(), err)
	}
	if _, err := witness.Init(dir, "audit.example.gov/witness"); ledger.CodeOf(err) != ledger.CodeInput {
		t.Fatalf("init twice: %v", err)
	}
	_, logKey, _ := ledger.GenerateKey("moi.example.gov/ledger")
	if _, err := witness.NewVerifier(logKey); err == nil || !strings.Contains(err.Error(), "0x04") {
		t.Fatalf("a ledger key taken as a witness key: %v", err)
	}
	os.Chmod(filepath.Join(dir, "witness.key"), 0o644)
	if _, err := witness.Open(dir, nil); ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a readable witness key: %v", err)
	}
	if _, err := witness.Init(t.TempDir(), "has space"); ledger.CodeOf(err) != ledger.CodeInput {
		t.Fatalf("a name with a space: %v", err)
	}
}
