package witness_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
	"github.com/statledger/statledger/ledger/witness"
)

// The keeper keeps the cosigned checkpoint of the latest tree: a later one
// replaces it, an earlier one leaves it, and one the ledger does not hold
// (another history under the same key) is refused and changes nothing.
func TestKeep(t *testing.T) {
	ctx := context.Background()
	skey, vkey, _ := ledger.GenerateKey("moi.example.gov/ledger")
	signer, _ := note.NewSigner(skey)
	newStore := func(n int, from int) ledger.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		var recs []ledger.Recorded
		for i := range n {
			recs = append(recs, ledger.NewRecorded(uint64(i), time.Unix(1764547200, 0), "keeper", storetest.Arrest(from+i)))
		}
		if err := s.Append(ctx, 0, recs); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := newStore(12, 0)
	w, _, _ := newWitness(t, "audit.example.gov/w")
	// cosigned is the witness's cosignature of s's tree at size, by a
	// consistency proof from the last one it cosigned (first: from size 0).
	last := uint64(0)
	cosigned := func(s ledger.Store, size uint64) []byte {
		t.Helper()
		oldText, old, err := ledger.SignAt(ctx, s, signer, last)
		if err != nil {
			t.Fatal(err)
		}
		newText, cur, err := ledger.SignAt(ctx, s, signer, size)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ledger.NewConsistencyProof(ctx, s, oldText, old, newText, cur)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(p)
		text, _, err := w.Cosign(raw, vkey)
		if err != nil {
			t.Fatal(err)
		}
		last = size
		return []byte(text)
	}
	path := filepath.Join(t.TempDir(), "l.db.cosigned")
	keep := func(want uint64, texts ...[]byte) {
		t.Helper()
		_, cp, kept, err := witness.Keep(ctx, s, path, vkey, texts...)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := witness.ReadCosigned(ctx, s, path, vkey)
		if err != nil || got == nil || got.Size != want || kept.Size != want {
			t.Fatalf("kept %+v, file holds %+v (%v), want size %d (merged %d)", kept, got, err, want, cp.Size)
		}
	}
	at5 := cosigned(s, 5)
	keep(5, at5)
	at9 := cosigned(s, 9)
	keep(9, at9)
	keep(9, at5) // an older tree's: the later stays
	before, _ := os.ReadFile(path)
	// Another history signed with the same key: the witness, which never
	// saw this ledger's, cosigns it; the keeper's ledger does not hold it.
	other := newStore(12, 100)
	last = 0
	w, _, _ = newWitness(t, "mofa.example.kh/w")
	forked := cosigned(other, 11)
	if _, _, _, err := witness.Keep(ctx, s, path, vkey, forked); ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("a checkpoint of another history: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a refused checkpoint changed the kept one")
	}
}
