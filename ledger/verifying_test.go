package ledger_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/witness"

	"github.com/statledger/statledger/internal/clienttest"
)

var update = flag.Bool("update", false, "rewrite the worked examples of VERIFYING.md from the code")

// exampleRe finds a worked example of VERIFYING.md: a marker comment naming
// it, then a fenced block holding its value.
var exampleRe = regexp.MustCompile("(?s)<!-- example ([a-z0-9-]+) -->\n```[a-z]*\n(.*?)```")

// TestVerifyingExamples computes every worked example of VERIFYING.md from
// the seed ledger kept in testdata/v2 and the example keys the document
// gives, and compares it with the document: a third party's verifier is
// written from that text, so the text must be what the code does.
// go test ./ledger -run TestVerifyingExamples -update rewrites them.
func TestVerifyingExamples(t *testing.T) {
	want := verifyingExamples(t)
	doc, err := os.ReadFile("VERIFYING.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	out := exampleRe.ReplaceAllFunc(doc, func(m []byte) []byte {
		sub := exampleRe.FindSubmatch(m)
		name, got := string(sub[1]), string(sub[2])
		seen[name] = true
		w, ok := want[name]
		if !ok {
			t.Errorf("VERIFYING.md has an example %q that the test does not compute", name)
			return m
		}
		w += "\n" // the block's last line ends before its closing fence
		if got != w && !*update {
			t.Errorf("VERIFYING.md example %s:\n--- document\n%s\n--- code\n%s", name, got, w)
		}
		i := bytes.Index(m, []byte("\n```")) + 1 // the opening fence's line ends here
		j := bytes.Index(m[i:], []byte("\n")) + i + 1
		return append(append(bytes.Clone(m[:j]), w...), "```"...)
	})
	for name := range want {
		if !seen[name] {
			t.Errorf("VERIFYING.md lacks the example %q", name)
		}
	}
	if *update && !bytes.Equal(out, doc) {
		if err := os.WriteFile("VERIFYING.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Example keys: their seeds are SHA-256 of a phrase, printed in the document,
// so anybody can make the same keys. They sign nothing real.
const (
	exampleOrigin     = "example.org/statledger-verifying"
	exampleWitness    = "example.org/witness"
	exampleKeyPhrase  = "statledger VERIFYING.md example log key"
	exampleWitPhrase  = "statledger VERIFYING.md example witness key"
	exampleCosignTime = 1764547200 // 2025-12-01T00:00:00Z
)

func exampleSeed(phrase string) []byte {
	s := sha256.Sum256([]byte(phrase))
	return s[:]
}

func verifyingExamples(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.db")
	b, err := os.ReadFile("../testdata/v2/statledger.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(path, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var recs []ledger.Recorded
	if err := s.Read(ctx, 0, func(r ledger.Recorded) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	ex := map[string]string{}
	hx := func(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

	// Leaves and nodes, computed here from their definitions, not by tlog.
	r3 := recs[3]
	ex["envelope-3"] = string(r3.Raw)
	leaf := sha256.Sum256(append([]byte{0x00}, r3.Raw...))
	if tlog.Hash(leaf) != r3.Leaf {
		t.Fatalf("the leaf hash is not SHA-256(0x00 || envelope)")
	}
	ex["leaf-3"] = hx(leaf)
	var leaves []string
	for _, r := range recs {
		leaves = append(leaves, fmt.Sprintf("%d %s", r.Seq, hx(r.Leaf)))
	}
	ex["leaves"] = strings.Join(leaves, "\n")
	node := func(a, b tlog.Hash) tlog.Hash {
		return sha256.Sum256(append(append([]byte{0x01}, a[:]...), b[:]...))
	}
	n01, n23 := node(recs[0].Leaf, recs[1].Leaf), node(recs[2].Leaf, recs[3].Leaf)
	n0123 := node(n01, n23)
	root5 := node(n0123, recs[4].Leaf)
	ex["nodes"] = fmt.Sprintf("MTH(0..2) = %s\nMTH(2..4) = %s\nMTH(0..4) = %s\nMTH(0..5) = %s", hx(n01), hx(n23), hx(n0123), hx(root5))
	if got, _ := ledger.TreeRoot(ctx, s, 5); got != root5 {
		t.Fatalf("the root of 5 is not the RFC 6962 tree of the leaves")
	}
	ex["root-5"] = hx(root5)
	ex["root-5-base64"] = base64.StdEncoding.EncodeToString(root5[:])

	// Keys, made from the phrases as the document says.
	priv := ed25519.NewKeyFromSeed(exampleSeed(exampleKeyPhrase))
	vkey, err := note.NewEd25519VerifierKey(exampleOrigin, priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%s+%s", exampleOrigin, strings.Split(vkey, "+")[1], base64.StdEncoding.EncodeToString(append([]byte{1}, exampleSeed(exampleKeyPhrase)...)))
	if v, err := ledger.VerifierKey(skey); err != nil || v != vkey {
		t.Fatalf("the example signing key does not give the example verifier key: %v", err)
	}
	kh := sha256.Sum256(append([]byte(exampleOrigin+"\n\x01"), priv.Public().(ed25519.PublicKey)...))
	if hex.EncodeToString(kh[:4]) != strings.Split(vkey, "+")[1] {
		t.Fatalf("the key hash is not SHA-256(name || \\n || 0x01 || key)[:4]")
	}
	ex["vkey"] = vkey
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	cp5 := ledger.Checkpoint{Origin: exampleOrigin, Size: 5, Root: root5}
	ex["checkpoint-body-5"] = strings.TrimSuffix(cp5.Body(), "\n")
	text5, err := ledger.SignCheckpoint(cp5, signer)
	if err != nil {
		t.Fatal(err)
	}
	ex["checkpoint-5"] = strings.TrimSuffix(text5, "\n")
	sig := ed25519.Sign(priv, []byte(cp5.Body()))
	line := "— " + exampleOrigin + " " + base64.StdEncoding.EncodeToString(append(kh[:4], sig...))
	if !strings.Contains(text5, line+"\n") {
		t.Fatalf("the signature line is not — name base64(key hash || Ed25519(body))")
	}

	// An inclusion proof of seq 3 in the tree of 5, and a consistency proof
	// from 3 to 5, with the example checkpoints.
	inc, err := ledger.NewInclusionProof(ctx, s, r3, text5, cp5)
	if err != nil {
		t.Fatal(err)
	}
	ex["inclusion-proof"] = indent(t, inc)
	if _, _, err := ledger.CheckInclusion([]byte(ex["inclusion-proof"]), vkey); err != nil {
		t.Fatal(err)
	}
	root3, _ := ledger.TreeRoot(ctx, s, 3)
	cp3 := ledger.Checkpoint{Origin: exampleOrigin, Size: 3, Root: root3}
	text3, _ := ledger.SignCheckpoint(cp3, signer)
	con, err := ledger.NewConsistencyProof(ctx, s, text3, cp3, text5, cp5)
	if err != nil {
		t.Fatal(err)
	}
	ex["consistency-proof"] = indent(t, con)
	if _, _, err := ledger.CheckConsistency([]byte(ex["consistency-proof"]), vkey); err != nil {
		t.Fatal(err)
	}

	// A witness's cosignature of the checkpoint of 5.
	wpriv := ed25519.NewKeyFromSeed(exampleSeed(exampleWitPhrase))
	wvkey := witness.VerifierKey(exampleWitness, wpriv.Public().(ed25519.PublicKey))
	ex["witness-vkey"] = wvkey
	wskey := fmt.Sprintf("PRIVATE+KEY+%s+%s+%s", exampleWitness, strings.Split(wvkey, "+")[1], base64.StdEncoding.EncodeToString(append([]byte{4}, exampleSeed(exampleWitPhrase)...)))
	cosigner, err := witness.NewCosigner(wskey, func() time.Time { return time.Unix(exampleCosignTime, 0) })
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(text5), note.VerifierList(mustVerifier(t, vkey)))
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs}, cosigner)
	if err != nil {
		t.Fatal(err)
	}
	ex["cosigned-message"] = strings.TrimSuffix(string(witness.Message(exampleCosignTime, cp5.Body())), "\n")
	ex["cosigned-checkpoint"] = strings.TrimSuffix(string(cosigned), "\n")
	if _, names, err := witness.Count(cosigned, vkey, []string{wvkey}); err != nil || len(names) != 1 {
		t.Fatalf("the example cosignature does not count: %v", err)
	}
	return ex
}

func mustVerifier(t *testing.T, vkey string) note.Verifier {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func indent(t *testing.T, v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVerifyingIndependently runs testdata/verify.py, a verifier written
// from VERIFYING.md alone in Python with only its standard library, on the
// document's examples, and on copies with one example changed, which it
// must refuse.
func TestVerifyingIndependently(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		clienttest.Missing(t, "the independent (Python) verifier of VERIFYING.md", "apt-get install -y python3")
	}
	run := func(path string) (string, error) {
		out, err := exec.Command(py, "testdata/verify.py", path).CombinedOutput()
		return string(out), err
	}
	if out, err := run("VERIFYING.md"); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("the independent verifier refused the document's examples: %v\n%s", err, out)
	}
	doc, _ := os.ReadFile("VERIFYING.md")
	for _, change := range []struct{ from, to string }{
		{`"count\":60`, `"count\":61`},                   // the envelope (and so the leaf) of seq 3
		{"\n4 65d5e231", "\n4 65d5e232"},                 // a leaf
		{"h+n9RAAAAABpLNqA4pHz", "h+n9RAAAAABpLNqB4pHz"}, // the cosignature's timestamp
		{`"tree_size": 5`, `"tree_size": 4`},             // the inclusion proof's size
	} {
		if !bytes.Contains(doc, []byte(change.from)) {
			t.Fatalf("the document has no %q to change", change.from)
		}
		path := filepath.Join(t.TempDir(), "VERIFYING.md")
		os.WriteFile(path, bytes.Replace(doc, []byte(change.from), []byte(change.to), 1), 0o644)
		if out, err := run(path); err == nil {
			t.Errorf("the independent verifier accepted %q changed to %q:\n%s", change.from, change.to, out)
		}
	}
}
