package ledger_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

// proofLedger is a ledger of n arrests in a real bbolt file, and a key to
// sign its checkpoints with.
type proofLedger struct {
	s      ledger.Store
	recs   []ledger.Recorded
	signer note.Signer
	vkey   string
}

func newProofLedger(tb testing.TB, n int, origin string) *proofLedger {
	tb.Helper()
	s, err := bolt.Open(filepath.Join(tb.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	at := time.Date(2025, 10, 28, 0, 0, 0, 0, time.UTC)
	l := &proofLedger{s: s}
	for i := range n {
		l.recs = append(l.recs, ledger.NewRecorded(uint64(i), at, "proof", storetest.Arrest(i)))
	}
	if n > 0 {
		if err := s.Append(context.Background(), 0, l.recs); err != nil {
			tb.Fatal(err)
		}
	}
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		tb.Fatal(err)
	}
	if l.signer, err = note.NewSigner(skey); err != nil {
		tb.Fatal(err)
	}
	l.vkey = vkey
	return l
}

// checkpoint signs the ledger's tree at size.
func (l *proofLedger) checkpoint(tb testing.TB, size uint64) (string, ledger.Checkpoint) {
	tb.Helper()
	root, err := ledger.TreeRoot(context.Background(), l.s, size)
	if err != nil {
		tb.Fatal(err)
	}
	cp := ledger.Checkpoint{Origin: l.signer.Name(), Size: size, Root: root}
	text, err := ledger.SignCheckpoint(cp, l.signer)
	if err != nil {
		tb.Fatal(err)
	}
	return text, cp
}

func (l *proofLedger) consistency(tb testing.TB, from, to uint64) []byte {
	tb.Helper()
	ot, old := l.checkpoint(tb, from)
	nt, cur := l.checkpoint(tb, to)
	p, err := ledger.NewConsistencyProof(context.Background(), l.s, ot, old, nt, cur)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Every pair of sizes of a 0…64-event ledger has a consistency proof that
// verifies and says which two trees it joins; changing any hash of the proof,
// or giving it the checkpoints of other sizes, makes it fail.
func TestConsistencyProofsBetweenEverySize(t *testing.T) {
	const n = 64
	l := newProofLedger(t, n, "statledger.local/proofs")
	texts := make([]string, n+1)
	cps := make([]ledger.Checkpoint, n+1)
	for i := range n + 1 {
		texts[i], cps[i] = l.checkpoint(t, uint64(i))
	}
	pairs, mutations := 0, 0
	for from := 0; from <= n; from++ {
		for to := from; to <= n; to++ {
			p, err := ledger.NewConsistencyProof(context.Background(), l.s, texts[from], cps[from], texts[to], cps[to])
			if err != nil {
				t.Fatalf("%d→%d: %v", from, to, err)
			}
			raw, _ := json.Marshal(p)
			old, cur, err := ledger.CheckConsistency(raw, l.vkey)
			if err != nil {
				t.Fatalf("%d→%d: a sound proof is refused: %v", from, to, err)
			}
			if old != cps[from] || cur != cps[to] {
				t.Fatalf("%d→%d: checked %v → %v", from, to, old, cur)
			}
			pairs++
			// The signatures are checked above; the tree check is pure, so
			// each changed hash is tried on it alone (and the suite stays fast
			// under -race).
			hashes := make([]tlog.Hash, len(p.Proof))
			for i, h := range p.Proof {
				hashes[i], _ = ledger.ParseHashHex(h)
			}
			for i := range hashes {
				for bit := range 8 {
					m := append([]tlog.Hash(nil), hashes...)
					m[i][(i*7+bit)%len(m[i])] ^= 1 << bit
					if err := ledger.CheckTrees(m, old, cur); ledger.CodeOf(err) != ledger.CodeVerify {
						t.Fatalf("%d→%d: proof hash %d changed, got %v", from, to, i, err)
					}
					mutations++
				}
			}
			// A hash too many or too few.
			for _, m := range [][]string{append(append([]string(nil), p.Proof...), p.Proof[len(p.Proof)-min(1, len(p.Proof)):]...), p.Proof[:max(0, len(p.Proof)-1)]} {
				if len(m) == len(p.Proof) {
					continue
				}
				bad := p
				bad.Proof = m
				if len(m) == 0 && len(p.Proof) == 0 {
					continue
				}
				raw, _ := json.Marshal(bad)
				if _, _, err := ledger.CheckConsistency(raw, l.vkey); err == nil {
					t.Fatalf("%d→%d: a proof of %d hashes instead of %d is accepted", from, to, len(m), len(p.Proof))
				}
				mutations++
			}
			// The same proof between other checkpoints of the same ledger.
			if from > 0 && from < to {
				bad := p
				bad.OldCheckpoint = texts[from-1]
				raw, _ := json.Marshal(bad)
				if _, _, err := ledger.CheckConsistency(raw, l.vkey); ledger.CodeOf(err) != ledger.CodeVerify {
					t.Fatalf("%d→%d given the checkpoint of %d: %v", from, to, from-1, err)
				}
				mutations++
			}
		}
	}
	t.Logf("%d pairs verified, %d mutations refused", pairs, mutations)
}

// A checkpoint signed with the right key over a root that is not the
// ledger's, a swapped pair, another key and another origin all fail.
func TestConsistencyProofRefusesForgeries(t *testing.T) {
	l := newProofLedger(t, 20, "statledger.local/a")
	ot, old := l.checkpoint(t, 7)
	nt, cur := l.checkpoint(t, 20)
	p, err := ledger.NewConsistencyProof(context.Background(), l.s, ot, old, nt, cur)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(cp ledger.Checkpoint) string {
		text, err := ledger.SignCheckpoint(cp, l.signer)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	forgedRoot := cur
	forgedRoot.Root[0] ^= 1
	other := newProofLedger(t, 20, "statledger.local/a") // same origin, another key
	otherText, _ := other.checkpoint(t, 20)
	cases := map[string]func(p *ledger.ConsistencyProof){
		"new root forged and signed": func(p *ledger.ConsistencyProof) { p.NewCheckpoint = sign(forgedRoot) },
		"old size changed and signed": func(p *ledger.ConsistencyProof) {
			o := old
			o.Size = 8
			p.OldCheckpoint = sign(o)
		},
		"old and new swapped":       func(p *ledger.ConsistencyProof) { p.OldCheckpoint, p.NewCheckpoint = p.NewCheckpoint, p.OldCheckpoint },
		"new signed by another key": func(p *ledger.ConsistencyProof) { p.NewCheckpoint = otherText },
		"signature line cut": func(p *ledger.ConsistencyProof) {
			p.NewCheckpoint = p.NewCheckpoint[:strings.Index(p.NewCheckpoint, "\n\n")+2]
		},
		"format of an inclusion proof": func(p *ledger.ConsistencyProof) { p.Format = ledger.InclusionProofFormat },
		"a hash that is not hex":       func(p *ledger.ConsistencyProof) { p.Proof[0] = strings.Repeat("z", 64) },
	}
	for name, mutate := range cases {
		m := p
		m.Proof = append([]string(nil), p.Proof...)
		mutate(&m)
		raw, _ := json.Marshal(m)
		if _, _, err := ledger.CheckConsistency(raw, l.vkey); ledger.CodeOf(err) != ledger.CodeVerify {
			t.Errorf("%s: got %v, want a verification failure", name, err)
		}
	}
	raw, _ := json.Marshal(p)
	if _, _, err := ledger.CheckConsistency(raw, other.vkey); ledger.CodeOf(err) != ledger.CodeVerify {
		t.Errorf("checked with another ledger's key: %v", err)
	}
	if _, _, err := ledger.CheckConsistency(raw, l.vkey); err != nil {
		t.Fatalf("the unmutated proof: %v", err)
	}
}

// A member given twice is refused in both proof formats: readers differ on
// which of the two counts, so a proof whose first "record" is a fake and
// whose second is real would show one event and prove another.
func TestProofsRefuseDuplicateMembers(t *testing.T) {
	l := newProofLedger(t, 9, "statledger.local/dup")
	text, cp := l.checkpoint(t, 9)
	p, err := ledger.NewInclusionProof(context.Background(), l.s, l.recs[5], text, cp)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(p)
	if _, _, err := ledger.CheckInclusion(raw, l.vkey); err != nil {
		t.Fatalf("the sound proof: %v", err)
	}
	fake := strings.Replace(string(l.recs[5].Raw), "test event 5", "test event X", 1)
	fakeJSON, _ := json.Marshal(fake)
	dup := `{"record":` + string(fakeJSON) + `,` + string(raw[1:])
	if _, _, err := ledger.CheckInclusion([]byte(dup), l.vkey); ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("an inclusion proof with \"record\" twice: %v", err)
	}
	c := l.consistency(t, 3, 9)
	other, _ := l.checkpoint(t, 4)
	otherJSON, _ := json.Marshal(other)
	dup = `{"old_checkpoint":` + string(otherJSON) + `,` + string(c[1:])
	if _, _, err := ledger.CheckConsistency([]byte(dup), l.vkey); ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("a consistency proof with \"old_checkpoint\" twice: %v", err)
	}
	if k, err := ledger.ProofKind(c); err != nil || k != ledger.ConsistencyProofFormat {
		t.Fatalf("ProofKind of a consistency proof: %q, %v", k, err)
	}
	if k, err := ledger.ProofKind(raw); err != nil || k != ledger.InclusionProofFormat {
		t.Fatalf("ProofKind of an inclusion proof: %q, %v", k, err)
	}
}

// FuzzCheckInclusion mutates a valid inclusion proof: whatever the mutation,
// CheckInclusion either refuses it or proves exactly the original event at
// the original seq in the original checkpoint.
func FuzzCheckInclusion(f *testing.F) {
	l := newProofLedger(f, 9, "statledger.local/fuzz")
	text, cp := l.checkpoint(f, 9)
	const seq = 5
	p, err := ledger.NewInclusionProof(context.Background(), l.s, l.recs[seq], text, cp)
	if err != nil {
		f.Fatal(err)
	}
	valid, _ := json.Marshal(p)
	if _, _, err := ledger.CheckInclusion(valid, l.vkey); err != nil {
		f.Fatalf("the valid proof is refused: %v", err)
	}
	f.Add(0, byte('x'), 0)
	f.Add(len(valid)/2, byte('0'), 3)
	f.Fuzz(func(t *testing.T, pos int, c byte, cut int) {
		m := mutate(valid, pos, c, cut)
		r, got, err := ledger.CheckInclusion(m, l.vkey)
		if err != nil {
			return
		}
		if r.Seq != seq || string(r.Raw) != string(l.recs[seq].Raw) || got != cp {
			t.Fatalf("a tampered proof was accepted: seq %d, size %d\n%s", r.Seq, got.Size, m)
		}
	})
}

// FuzzCheckConsistency mutates a valid consistency proof: it is refused, or
// it joins exactly the two original checkpoints.
func FuzzCheckConsistency(f *testing.F) {
	l := newProofLedger(f, 13, "statledger.local/fuzz")
	valid := l.consistency(f, 5, 13)
	_, wantOld := l.checkpoint(f, 5)
	_, wantNew := l.checkpoint(f, 13)
	if _, _, err := ledger.CheckConsistency(valid, l.vkey); err != nil {
		f.Fatalf("the valid proof is refused: %v", err)
	}
	f.Add(0, byte('x'), 0)
	f.Add(len(valid)/2, byte('0'), 3)
	f.Add(len(valid)-80, byte('1'), 0)
	f.Fuzz(func(t *testing.T, pos int, c byte, cut int) {
		m := mutate(valid, pos, c, cut)
		old, cur, err := ledger.CheckConsistency(m, l.vkey)
		if err != nil {
			return
		}
		if old != wantOld || cur != wantNew {
			t.Fatalf("a tampered proof was accepted: %v → %v\n%s", old, cur, m)
		}
	})
}

func mutate(valid []byte, pos int, c byte, cut int) []byte {
	m := append([]byte(nil), valid...)
	if pos < 0 {
		pos = -pos
	}
	m[pos%len(m)] = c
	if cut > 0 && cut < len(m) {
		m = append(m[:cut%len(m)], m[cut%len(m)+1:]...)
	}
	return m
}

// The empty tree's proof to anything is empty; tlog has no proof from size 0.
func TestConsistencyFromTheEmptyTree(t *testing.T) {
	p, err := ledger.ProveConsistency(0, 5, tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, nil }))
	if err != nil || len(p) != 0 {
		t.Fatalf("ProveConsistency(0, 5) = %v, %v", p, err)
	}
	if _, err := ledger.ProveConsistency(6, 5, nil); ledger.CodeOf(err) != ledger.CodeInput {
		t.Fatalf("ProveConsistency(6, 5): %v", err)
	}
}

// reindexed is a store whose reads are served through a local index that
// may be wrong (lying: the leaf hashes it keeps are, at seq 5), as an
// EventStoreDB store's are; closed counts its closes.
type reindexed struct {
	ledger.Store
	lying  bool
	closed *int
}

func (r reindexed) Read(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error {
	return r.Store.Read(ctx, from, func(rec ledger.Recorded) error {
		if r.lying && rec.Seq == 5 {
			rec.Leaf[0] ^= 1
		}
		return fn(rec)
	})
}
func (r reindexed) Close() error                   { *r.closed++; return nil }
func (reindexed) IndexBefore() (ledger.Head, bool) { return ledger.Head{}, false }
func (reindexed) Stream() string                   { return "moi" }

// VerifyOpened returns the store open when it verifies. When an indexed
// store does not, it opens it again with the index rebuilt: if the ledger
// then verifies, the index was wrong and says so (nothing returned open);
// a store without an index is not opened again.
func TestVerifyOpened(t *testing.T) {
	ctx := context.Background()
	l := newProofLedger(t, 20, "example.org/l")
	for _, tc := range []struct {
		name        string
		indexed     bool
		lies        [2]bool // before and after the rebuild
		opens       int
		want        string // "" when the store is returned open
		wantRebuilt bool
	}{
		{"sound", true, [2]bool{false, false}, 1, "", false},
		{"index wrong", true, [2]bool{true, false}, 2, "index of stream moi did not agree with the stream; it was rebuilt", true},
		{"stream wrong", true, [2]bool{true, true}, 2, "seq 5", true},
		{"no index", false, [2]bool{true, false}, 1, "seq 5", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opens, closed, rebuilt := 0, 0, false
			open := func(rebuild bool) (ledger.Store, error) {
				opens++
				rebuilt = rebuilt || rebuild
				return reindexed{Store: l.s, lying: tc.lies[opens-1], closed: &closed}, nil
			}
			s, res, err := ledger.VerifyOpened(ctx, open, tc.indexed, nil)
			if opens != tc.opens || rebuilt != tc.wantRebuilt {
				t.Fatalf("opened %d times (rebuilt %v)", opens, rebuilt)
			}
			if tc.want == "" {
				if err != nil || s == nil || res.Size != 20 || closed != 0 {
					t.Fatalf("%v %v %+v, closed %d", s, err, res, closed)
				}
				return
			}
			if s != nil || ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), tc.want) || closed != opens {
				t.Fatalf("%v, %v (closed %d of %d)", s, err, closed, opens)
			}
		})
	}
}

// A checkpoint of another ledger, compared with this one, is a mistake of
// files (exit 2) that names both, not a history changed (exit 3); a ledger
// that recorded no origin is compared by its root alone. A checkpoint
// opened with another ledger's key names who signed it.
func TestAnotherLedgersCheckpoint(t *testing.T) {
	ctx := context.Background()
	mine, theirs := newProofLedger(t, 8, "moi.example/ledger"), newProofLedger(t, 9, "police.example/ledger")
	text, cp := theirs.checkpoint(t, 9)
	if err := ledger.CheckRootAt(ctx, mine.s, cp); err == nil || ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("with no origin recorded, the trees differ: %v", err)
	}
	if err := mine.s.(ledger.Origins).SetOrigin(ctx, "moi.example/ledger"); err != nil {
		t.Fatal(err)
	}
	err := ledger.CheckRootAt(ctx, mine.s, cp)
	if ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "the checkpoint is of the ledger police.example/ledger, and this ledger is moi.example/ledger") {
		t.Fatalf("another ledger's checkpoint: %v", err)
	}
	if _, own := mine.checkpoint(t, 8); ledger.CheckRootAt(ctx, mine.s, own) != nil {
		t.Fatal("its own checkpoint is refused")
	}
	_, err = ledger.OpenCheckpoint([]byte(text), mine.vkey)
	if ledger.CodeOf(err) != ledger.CodeInput || !strings.Contains(err.Error(), "the checkpoint is signed by police.example/ledger (key hash") {
		t.Fatalf("opened with another ledger's key: %v", err)
	}
	// Under this key's name with another key: a forgery, or a key made again.
	forger := newProofLedger(t, 9, "moi.example/ledger")
	text, _ = forger.checkpoint(t, 9)
	_, err = ledger.OpenCheckpoint([]byte(text), mine.vkey)
	if ledger.CodeOf(err) != ledger.CodeVerify || !strings.Contains(err.Error(), "a key of the same name that is not this one") {
		t.Fatalf("signed under this ledger's name with another key: %v", err)
	}
}
