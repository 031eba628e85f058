package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
)

// An import: decode JSONL (a bad line would be reported as FILE:LINE: field:
// problem), then append the events in atomic batches to a store.
func Example_import() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	s, err := bolt.Open(filepath.Join(dir, "l.db"), bolt.Options{Create: true})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	input := `{"type":"arrest","date":"2025-10-20","date_precision":"week","count":60,"count_qualifier":"approx","nationality":"KR","country":"KH","source":{"publisher":"Phnom Penh news report"}}
{"type":"repatriation","date":"2025-10-01","count":61,"count_qualifier":"at_least","nationality":"KR","country":"KH","source":{"publisher":"Phnom Penh news report"}}
`
	d, err := ledger.DecodeJSONL("october.jsonl", strings.NewReader(input))
	if err != nil || len(d.Errors) > 0 {
		panic(fmt.Sprint(err, d.Errors))
	}
	l := ledger.New(s)
	l.Now = func() time.Time { return time.Date(2025, 10, 28, 9, 0, 0, 0, time.UTC) }
	a, err := l.NewAppender("registrar", 1000, nil)
	if err != nil {
		panic(err)
	}
	for _, e := range d.Events {
		if err := a.Add(context.Background(), e); err != nil {
			panic(err)
		}
	}
	res, err := a.Close(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Printf("appended %d; tree size %d\n", res.Appended, res.Head.Size)
	// Output: appended 2; tree size 2
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
