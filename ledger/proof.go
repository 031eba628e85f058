package ledger

import (
	"context"
	"encoding/hex"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"golang.org/x/mod/sumdb/tlog"
)

// The two proof formats statledger prints. Each is a JSON object whose
// "format" member names it; VERIFYING.md specifies every member.
const (
	InclusionProofFormat   = "statledger-inclusion-proof-1"
	ConsistencyProofFormat = "statledger-consistency-proof-1"
)

// InclusionProof shows that one recorded event is leaf Seq of the tree that a
// signed checkpoint commits to (RFC 9162 §2.1.3). It carries everything a
// verifier needs: the exact bytes hashed, and the checkpoint.
type InclusionProof struct {
	Format     string   `json:"format"`
	Seq        uint64   `json:"seq"`
	TreeSize   uint64   `json:"tree_size"`
	Record     string   `json:"record"` // the canonical envelope bytes that were hashed
	LeafHash   string   `json:"leaf_hash"`
	Proof      []string `json:"proof"`
	Checkpoint string   `json:"checkpoint"`
}

// ConsistencyProof shows that the tree of a newer signed checkpoint holds the
// tree of an older one as its prefix: history only grew (RFC 9162 §2.1.4).
type ConsistencyProof struct {
	Format        string   `json:"format"`
	OldCheckpoint string   `json:"old_checkpoint"`
	NewCheckpoint string   `json:"new_checkpoint"`
	Proof         []string `json:"proof"`
}

// CheckRootAt is the one check that a checkpoint describes this ledger: the
// ledger holds at least cp.Size events and its root at that size is cp.Root.
// A failure is a verification failure: the history a signature vouched for
// is no longer the ledger's.
func CheckRootAt(ctx context.Context, s Store, cp Checkpoint) error {
	if err := CheckOrigin(ctx, s, cp); err != nil {
		return err
	}
	head, err := s.Head(ctx)
	if err != nil {
		return err
	}
	if cp.Size > head.Size {
		return Errorf(CodeVerify, "the checkpoint is of tree size %d but the ledger holds only %d events: history was removed, or the checkpoint is of another ledger", cp.Size, head.Size)
	}
	root, err := TreeRoot(ctx, s, cp.Size)
	if err != nil {
		return err
	}
	if root != cp.Root {
		return Errorf(CodeVerify, "at tree size %d the checkpoint has root %s, the ledger has %s: history was changed", cp.Size, HashHex(cp.Root), HashHex(root))
	}
	return nil
}

// CheckOrigin refuses a checkpoint of another ledger than s, where s
// recorded its origin: compared with this ledger's history it would only
// say that history was changed, which it was not. A mistake of files (bad
// input), not a failed verification.
func CheckOrigin(ctx context.Context, s Store, cp Checkpoint) error {
	o, ok := s.(Origins)
	if !ok {
		return nil
	}
	origin, err := o.Origin(ctx)
	if err != nil || origin == "" || origin == cp.Origin {
		return err
	}
	return Errorf(CodeInput, "the checkpoint is of the ledger %s, and this ledger is %s: another ledger's checkpoint says nothing of this one", Printable(cp.Origin, 100), origin)
}

// NewInclusionProof proves that r is in the tree of the signed checkpoint
// text, whose body is cp; the caller has checked cp against s.
func NewInclusionProof(ctx context.Context, s Store, r Recorded, text string, cp Checkpoint) (InclusionProof, error) {
	if r.Seq >= cp.Size {
		return InclusionProof{}, Errorf(CodeInput, "the event is seq %d, after the checkpoint's tree size %d", r.Seq, cp.Size)
	}
	p, err := ProveInclusion(ctx, s, r.Seq, cp.Size)
	if err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Format: InclusionProofFormat, Seq: r.Seq, TreeSize: cp.Size, Record: string(r.Raw),
		LeafHash: r.LeafHex(), Proof: hexHashes(p), Checkpoint: text}, nil
}

// ProveConsistency returns the RFC 9162 consistency proof between the trees
// of oldSize and newSize leaves whose stored hashes r reads. Every tree holds
// the empty tree, so from size 0 the proof is empty.
func ProveConsistency(oldSize, newSize uint64, r tlog.HashReader) ([]tlog.Hash, error) {
	if oldSize > newSize {
		return nil, Errorf(CodeInput, "a tree of size %d cannot hold one of size %d", newSize, oldSize)
	}
	if oldSize == 0 {
		return nil, nil
	}
	return tlog.ProveTree(int64(newSize), int64(oldSize), r)
}

// NewConsistencyProof proves that the ledger's tree at the newer signed
// checkpoint holds the tree of the older one; the caller has checked both
// checkpoints against s.
func NewConsistencyProof(ctx context.Context, s Store, oldText string, old Checkpoint, newText string, cur Checkpoint) (ConsistencyProof, error) {
	p, err := ProveConsistency(old.Size, cur.Size, HashReader(ctx, s))
	if err != nil {
		return ConsistencyProof{}, err
	}
	return ConsistencyProof{Format: ConsistencyProofFormat, OldCheckpoint: oldText, NewCheckpoint: newText, Proof: hexHashes(p)}, nil
}

// ProofKind reads only the "format" member of a proof file, so a verifier
// can tell the two formats apart before checking either.
func ProofKind(raw []byte) (string, error) {
	var head struct {
		Format string `json:"format"`
	}
	if err := jsonv2.Unmarshal(raw, &head); err != nil || (head.Format != InclusionProofFormat && head.Format != ConsistencyProofFormat) {
		return "", proofError("not a statledger proof (want a JSON object whose format is %s or %s)", InclusionProofFormat, ConsistencyProofFormat)
	}
	return head.Format, nil
}

// decodeProof reads a proof strictly: an unknown member, a member given twice
// (the trick of a fake "record" first and the real one after, where readers
// disagree on which counts) or invalid UTF-8 is refused.
func decodeProof(raw []byte, v any) error {
	return jsonv2.Unmarshal(raw, v, jsonv2.RejectUnknownMembers(true))
}

func proofError(format string, args ...any) *Error {
	return Errorf(CodeVerify, "proof refused: "+format, args...)
}

// CheckInclusion verifies an inclusion proof with only the ledger's verifier
// key and returns the proven event and the checkpoint it is in. Every
// failure is a verification failure: a proof is either sound or refused.
func CheckInclusion(raw []byte, vkey string) (Recorded, Checkpoint, error) {
	var b InclusionProof
	if err := decodeProof(raw, &b); err != nil || b.Format != InclusionProofFormat {
		if err != nil {
			return Recorded{}, Checkpoint{}, proofError("not a statledger inclusion proof: %v", err)
		}
		return Recorded{}, Checkpoint{}, proofError("not a statledger inclusion proof")
	}
	cp, err := OpenCheckpoint([]byte(b.Checkpoint), vkey)
	if err != nil {
		return Recorded{}, cp, err
	}
	if cp.Size != b.TreeSize {
		return Recorded{}, cp, proofError("the proof is for tree size %d but its checkpoint is of size %d", b.TreeSize, cp.Size)
	}
	r, err := ParseRecorded([]byte(b.Record))
	if err != nil {
		return Recorded{}, cp, proofError("the record is not a canonical statledger event: %v", err)
	}
	if r.Seq != b.Seq {
		return Recorded{}, cp, proofError("the record is seq %d, the proof says %d", r.Seq, b.Seq)
	}
	if b.LeafHash != r.LeafHex() {
		return Recorded{}, cp, proofError("the leaf hash does not match the record")
	}
	p, err := parseHexHashes(b.Proof)
	if err != nil {
		return Recorded{}, cp, err
	}
	if b.Seq >= cp.Size {
		return Recorded{}, cp, proofError("seq %d is not in a tree of size %d", b.Seq, cp.Size)
	}
	if err := tlog.CheckRecord(p, int64(cp.Size), cp.Root, int64(b.Seq), r.Leaf); err != nil {
		return Recorded{}, cp, proofError("the event is not in the checkpoint's tree: %v", err)
	}
	return r, cp, nil
}

// CheckConsistency verifies a consistency proof with only the ledger's
// verifier key: both checkpoints are signed by it, and the newer tree holds
// the older as its prefix. It returns the two checkpoints.
func CheckConsistency(raw []byte, vkey string) (old, cur Checkpoint, err error) {
	b, err := DecodeConsistencyProof(raw)
	if err != nil {
		return old, cur, err
	}
	return b.Check(vkey)
}

// DecodeConsistencyProof reads a consistency proof strictly (decodeProof),
// checking nothing but its form.
func DecodeConsistencyProof(raw []byte) (ConsistencyProof, error) {
	var b ConsistencyProof
	if err := decodeProof(raw, &b); err != nil {
		return b, proofError("not a statledger consistency proof: %v", err)
	}
	if b.Format != ConsistencyProofFormat {
		return b, proofError("not a statledger consistency proof")
	}
	return b, nil
}

// Check is CheckConsistency of a decoded proof.
func (b ConsistencyProof) Check(vkey string) (old, cur Checkpoint, err error) {
	if old, err = OpenCheckpoint([]byte(b.OldCheckpoint), vkey); err != nil {
		return old, cur, Wrap(CodeOf(err), err, "the old checkpoint")
	}
	if cur, err = OpenCheckpoint([]byte(b.NewCheckpoint), vkey); err != nil {
		// The old one is this key's: a new one of another ledger in the
		// same proof is no mix-up of files but a proof that is not one.
		return old, cur, Wrap(CodeVerify, err, "the new checkpoint")
	}
	p, err := parseHexHashes(b.Proof)
	if err != nil {
		return old, cur, err
	}
	if err := CheckTrees(p, old, cur); err != nil {
		return old, cur, err
	}
	return old, cur, nil
}

// CheckTrees checks a consistency proof between two checkpoint bodies of
// one origin. Whose signatures they carry is the caller's concern.
func CheckTrees(p []tlog.Hash, old, cur Checkpoint) error {
	switch {
	case old.Origin != cur.Origin:
		return proofError("the checkpoints are of two ledgers, %q and %q", old.Origin, cur.Origin)
	case old.Size > cur.Size:
		return proofError("the new checkpoint's tree (size %d) is smaller than the old one's (size %d): history was removed", cur.Size, old.Size)
	case old.Size == 0:
		if len(p) != 0 {
			return proofError("a proof from the empty tree has no hashes, this one has %d", len(p))
		}
		if old.Root != (tlog.Hash{}) {
			return proofError("the old checkpoint is of an empty tree but has a root")
		}
		return nil
	}
	if err := tlog.CheckTree(p, int64(cur.Size), cur.Root, int64(old.Size), old.Root); err != nil {
		return proofError("the tree of size %d (root %s) does not hold the tree of size %d (root %s) as its prefix: history was changed", cur.Size, HashHex(cur.Root), old.Size, HashHex(old.Root))
	}
	return nil
}

func hexHashes(p []tlog.Hash) []string {
	out := make([]string, 0, len(p)) // an empty proof prints as [], not null
	for _, h := range p {
		out = append(out, hex.EncodeToString(h[:]))
	}
	return out
}

func parseHexHashes(ss []string) ([]tlog.Hash, error) {
	if len(ss) > 128 {
		return nil, proofError("the proof has %d hashes; no tree needs more than 128", len(ss))
	}
	var p []tlog.Hash
	for i, s := range ss {
		h, err := ParseHashHex(s)
		if err != nil {
			return nil, proofError("proof hash %d: %v", i, err)
		}
		p = append(p, h)
	}
	return p, nil
}

// String names a checkpoint as messages do.
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s at tree size %d (root %s)", c.Origin, c.Size, HashHex(c.Root))
}
