package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
)

// An import: every line is checked against the ledger first (a bad line is
// reported as FILE:LINE: field: problem, and nothing is appended), then the
// new events are appended in atomic batches. Importing the same input again
// appends nothing: each event is a duplicate.
func Example_import() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "l.db")
	s, err := bolt.Open(path, bolt.Options{Create: true})
	if err != nil {
		panic(err)
	}
	s.Close()
	open := func(ctx context.Context, write bool) (ledger.Store, error) {
		return bolt.Open(path, bolt.Options{ReadOnly: !write})
	}

	input := `{"type":"arrest","date":"2025-10-20","date_precision":"week","count":60,"count_qualifier":"approx","nationality":"KR","country":"KH","source":{"publisher":"Phnom Penh news report"}}
{"type":"repatriation","date":"2025-10-01","count":61,"count_qualifier":"at_least","nationality":"KR","country":"KH","source":{"publisher":"Phnom Penh news report"}}
`
	for range 2 {
		in := &ledger.Files{Names: []string{"-"}, Format: "jsonl", Stdin: strings.NewReader(input)}
		res, err := ledger.Import(context.Background(), open, in, ledger.ImportOptions{Actor: "registrar", BatchSize: 1000})
		in.Close()
		if err != nil {
			panic(err)
		}
		fmt.Printf("appended %d, duplicates %d; tree size %d\n", res.Appended, res.Duplicates, res.Head.Size)
	}
	// Output:
	// appended 2, duplicates 0; tree size 2
	// appended 0, duplicates 2; tree size 2
}

// A consistency proof between two signed checkpoints, checked with the
// verifier key alone: history only grew.
func ExampleCheckConsistency() {
	skey, vkey, _ := ledger.GenerateKey("example.org/ledger")
	signer, _ := note.NewSigner(skey)
	var tree ledger.MemTree
	sign := func() (string, ledger.Checkpoint) {
		cp := ledger.Checkpoint{Origin: "example.org/ledger", Size: tree.Size(), Root: tree.Root(tree.Size())}
		text, _ := ledger.SignCheckpoint(cp, signer)
		return text, cp
	}
	for i := range 3 {
		tree.Add(ledgerLeaf(i))
	}
	oldText, old := sign()
	for i := 3; i < 7; i++ {
		tree.Add(ledgerLeaf(i))
	}
	newText, cur := sign()
	hashes, _ := ledger.ProveConsistency(old.Size, cur.Size, &tree)
	p := ledger.ConsistencyProof{Format: ledger.ConsistencyProofFormat, OldCheckpoint: oldText, NewCheckpoint: newText}
	for _, h := range hashes {
		p.Proof = append(p.Proof, ledger.HashHex(h))
	}
	raw, _ := json.Marshal(p)
	o, n, err := ledger.CheckConsistency(raw, vkey)
	fmt.Println(o.Size, "→", n.Size, err)
	// Output: 3 → 7 <nil>
}

func ledgerLeaf(i int) tlog.Hash { return tlog.RecordHash([]byte(fmt.Sprintf("event %d", i))) }
