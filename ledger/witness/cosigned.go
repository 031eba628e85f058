package witness

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/statledger/statledger/internal/atomicfile"
	"github.com/statledger/statledger/ledger"
)

// Merge joins the cosignatures of several witnesses on one checkpoint: each
// text is the checkpoint signed by the log whose verifier key is logKey, with
// cosignature lines after. All must have the same body. The result has the
// log's signature, then every cosignature line once, in the order given. The
// keeper need not know the witnesses' keys: a line that is not a well-formed
// cosignature is refused, but only auditors, who know whom they trust, count
// them (Count).
func Merge(logKey string, texts ...[]byte) (string, ledger.Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(logKey))
	if err != nil {
		return "", ledger.Checkpoint{}, ledger.Wrap(ledger.CodeInput, err, "the log's verifier key is not valid")
	}
	if len(texts) == 0 {
		return "", ledger.Checkpoint{}, ledger.Errorf(ledger.CodeInput, "no cosigned checkpoint to merge")
	}
	var merged *note.Note
	seen := map[string]bool{}
	for i, t := range texts {
		n, err := note.Open(t, note.VerifierList(v))
		if err != nil {
			// Told as a checkpoint is: another ledger's (a mix-up of
			// files), or one under this log's name with another key.
			if _, cerr := ledger.OpenCheckpoint(t, logKey); cerr != nil {
				err = cerr
			}
			return "", ledger.Checkpoint{}, ledger.Wrap(ledger.CodeOf(err), err, "cosigned checkpoint %d", i+1)
		}
		if merged == nil {
			merged = &note.Note{Text: n.Text, Sigs: n.Sigs}
		} else if n.Text != merged.Text {
			return "", ledger.Checkpoint{}, ledger.Errorf(ledger.CodeInput, "cosigned checkpoint %d is of another tree than the first: merge cosignatures of one checkpoint at a time", i+1)
		}
		for _, s := range n.UnverifiedSigs {
			raw, err := base64.StdEncoding.DecodeString(s.Base64)
			if err != nil || len(raw) != 4+sigLen {
				return "", ledger.Checkpoint{}, ledger.Errorf(ledger.CodeInput, "cosigned checkpoint %d: the line of %s is not a cosignature/v1", i+1, s.Name)
			}
			if !seen[s.Base64] {
				seen[s.Base64] = true
				merged.UnverifiedSigs = append(merged.UnverifiedSigs, s)
			}
		}
	}
	if len(merged.UnverifiedSigs) == 0 {
		return "", ledger.Checkpoint{}, ledger.Errorf(ledger.CodeInput, "the checkpoints carry no cosignature: give the checkpoints the witnesses cosigned")
	}
	cp, err := ledger.ParseCheckpointBody(merged.Text)
	if err != nil {
		return "", ledger.Checkpoint{}, ledger.Wrap(ledger.CodeVerify, err, "the cosigned checkpoint is malformed")
	}
	out, err := note.Sign(merged)
	if err != nil {
		return "", cp, ledger.Wrap(ledger.CodeInput, err, "cannot merge the cosignatures")
	}
	return string(out), cp, nil
}

// Quorum is Count, and an error unless at least quorum of the witnesses
// given (all of them for 0) cosigned.
func Quorum(text []byte, logKey string, witnesses []string, quorum int) (ledger.Checkpoint, []string, error) {
	cp, names, err := Count(text, logKey, witnesses)
	if err != nil {
		return cp, nil, err
	}
	if quorum == 0 {
		quorum = len(witnesses)
	}
	switch {
	case len(names) == 0:
		return cp, nil, ledger.Errorf(ledger.CodeVerify, "at tree size %d it carries no cosignature of the witnesses given", cp.Size)
	case len(names) < quorum:
		return cp, names, ledger.Errorf(ledger.CodeVerify, "at tree size %d it is cosigned by %d of the witnesses given (%s), fewer than the quorum of %d", cp.Size, len(names), strings.Join(names, ", "), quorum)
	}
	return cp, names, nil
}

// Said is what a quorum check says when it holds.
func Said(cp ledger.Checkpoint, names []string, quorum int) string {
	return fmt.Sprintf("%s at tree size %d is cosigned by %d %s (%s; quorum %d)", cp.Origin, cp.Size, len(names), ledger.Plural(len(names), "witness", "witnesses"), strings.Join(names, ", "), quorum)
}

// Count checks a cosigned checkpoint: it must be signed by the log whose
// verifier key is logKey, and it returns the names of the witnesses, among
// those given by their verifier keys, whose cosignatures verify. A
// cosignature by a given witness that does not verify is an error, not
// merely left uncounted: somebody altered the checkpoint or the line.
func Count(text []byte, logKey string, witnesses []string) (ledger.Checkpoint, []string, error) {
	v, err := note.NewVerifier(strings.TrimSpace(logKey))
	if err != nil {
		return ledger.Checkpoint{}, nil, ledger.Wrap(ledger.CodeInput, err, "the log's verifier key is not valid")
	}
	list := []note.Verifier{v}
	for _, w := range witnesses {
		wv, err := NewVerifier(w)
		if err != nil {
			return ledger.Checkpoint{}, nil, ledger.Errorf(ledger.CodeInput, "%v", err)
		}
		list = append(list, wv)
	}
	n, err := note.Open(text, note.VerifierList(list...))
	if err != nil {
		return ledger.Checkpoint{}, nil, ledger.Wrap(ledger.CodeVerify, err, "the cosigned checkpoint does not verify")
	}
	cp, err := ledger.ParseCheckpointBody(n.Text)
	if err != nil {
		return cp, nil, ledger.Wrap(ledger.CodeVerify, err, "the cosigned checkpoint is malformed")
	}
	if cp.Origin != v.Name() {
		return cp, nil, ledger.Errorf(ledger.CodeVerify, "the cosigned checkpoint is of %q, not of %q", cp.Origin, v.Name())
	}
	var logSigned bool
	var names []string
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() {
			logSigned = true
			continue
		}
		names = append(names, s.Name)
	}
	if !logSigned {
		return cp, nil, ledger.Errorf(ledger.CodeVerify, "the cosigned checkpoint is not signed by the log %s", v.Name())
	}
	return cp, names, nil
}

// ReadCosigned reads the ledger's latest cosigned checkpoint from the file
// at path, if there is one. It must be signed with the ledger's key (vkey)
// and hold the ledger's root at its size: witnesses vouched for that
// history, and a ledger that no longer has it was changed.
func ReadCosigned(ctx context.Context, s ledger.Store, path, vkey string) (*ledger.Checkpoint, string, error) {
	b, err := ledger.ReadFileAtMost(path, 1<<20) // a checkpoint and a few cosignatures
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", ledger.Wrap(ledger.CodeRuntime, err, "cannot read the cosigned checkpoint")
	}
	cp, _, err := Count(b, vkey, nil)
	if err == nil {
		err = ledger.CheckRootAt(ctx, s, cp)
	}
	if err != nil {
		return nil, "", ledger.Wrap(ledger.CodeOf(err), err, "the cosigned checkpoint %s", path)
	}
	return &cp, string(b), nil
}

// Keep merges the witnesses' cosignatures of one checkpoint (Merge), checks
// that the ledger s, signed with vkey, holds that checkpoint's root at its
// size, and keeps the result at path as the ledger's latest cosigned
// checkpoint, written atomically. A later tree's, already kept there, stays:
// then kept is that one. text is the merged checkpoint in either case.
func Keep(ctx context.Context, s ledger.Store, path, vkey string, texts ...[]byte) (text string, cp ledger.Checkpoint, kept *ledger.Checkpoint, err error) {
	text, cp, err = Merge(vkey, texts...)
	if err != nil {
		return "", cp, nil, err
	}
	if err := ledger.CheckRootAt(ctx, s, cp); err != nil {
		return "", cp, nil, ledger.Wrap(ledger.CodeVerify, err, "the witnesses cosigned a checkpoint this ledger does not hold")
	}
	prev, _, err := ReadCosigned(ctx, s, path, vkey)
	if err != nil {
		return "", cp, nil, err
	}
	if prev != nil && prev.Size > cp.Size {
		return text, cp, prev, nil
	}
	if err := atomicfile.Write(path, []byte(text), 0o644); err != nil {
		return "", cp, nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", path)
	}
	return text, cp, &cp, nil
}
