package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

// FuzzVerifyProof mutates a valid inclusion proof: whatever the mutation,
// checkProof either refuses it or proves exactly the original event at the
// original seq in the original checkpoint. A tampered proof is never accepted.
func FuzzVerifyProof(f *testing.F) {
	s, err := bolt.Open(filepath.Join(f.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2025, 10, 28, 0, 0, 0, 0, time.UTC)
	var recs []ledger.Recorded
	for i := range 9 {
		recs = append(recs, ledger.NewRecorded(uint64(i), at, "fuzz", storetest.Arrest(i)))
	}
	if err := s.Append(context.Background(), 0, recs); err != nil {
		f.Fatal(err)
	}
	skey, vkey, _ := ledger.GenerateKey("statledger.local/fuzz")
	signer, err := note.NewSigner(skey)
	if err != nil {
		f.Fatal(err)
	}
	head, _ := s.Head(context.Background())
	cpText, _ := ledger.SignCheckpoint(ledger.Checkpoint{Origin: "statledger.local/fuzz", Size: head.Size, Root: head.Root}, signer)
	const seq = 5
	p, _ := ledger.ProveInclusion(context.Background(), s, seq, head.Size)
	b := proofBundle{Format: proofFormat, Seq: seq, TreeSize: head.Size, Record: string(recs[seq].Raw), LeafHash: recs[seq].LeafHex(), Checkpoint: cpText}
	for _, h := range p {
		b.Proof = append(b.Proof, hex.EncodeToString(h[:]))
	}
	valid, _ := json.Marshal(b)
	if _, _, err := checkProof(valid, vkey); err != nil {
		f.Fatalf("the valid proof is refused: %v", err)
	}
	f.Add(0, byte('x'), 0)
	f.Add(len(valid)/2, byte('0'), 3)
	f.Fuzz(func(t *testing.T, pos int, c byte, cut int) {
		m := append([]byte(nil), valid...)
		if pos < 0 {
			pos = -pos
		}
		m[pos%len(m)] = c
		if cut > 0 && cut < len(m) {
			m = append(m[:cut%len(m)], m[cut%len(m)+1:]...)
		}
		r, cp, err := checkProof(m, vkey)
		if err != nil {
			return
		}
		if r.Seq != seq || string(r.Raw) != string(recs[seq].Raw) || cp.Size != head.Size || cp.Root != head.Root {
			t.Fatalf("a tampered proof was accepted: seq %d, size %d\n%s", r.Seq, cp.Size, m)
		}
	})
}
