package witness

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/statledger/statledger/internal/atomicfile"
	"github.com/statledger/statledger/ledger"
)

// A witness keeps, in one folder:
//
//	witness.key         its private key (mode 0600)
//	witness.vkey        its verifier key, to give to auditors
//	logs/ORIGIN-HASH    per ledger origin, the log's verifier key and the latest
//	                    checkpoint this witness cosigned (JSON)
//	lock                held while a cosign runs, so two never race
const (
	keyFile  = "witness.key"
	vkeyFile = "witness.vkey"
	logsDir  = "logs"
	lockFile = "lock"
)

// Witness is a witness's folder, opened.
type Witness struct {
	dir    string
	signer *Cosigner
}

// Init creates a witness in dir (made if missing, and refused if it already
// holds a witness) and returns its verifier key.
func Init(dir, name string) (vkey string, err error) {
	skey, vkey, err := GenerateKey(name)
	if err != nil {
		return "", ledger.Errorf(ledger.CodeInput, "%v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, logsDir), 0o700); err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot create the witness folder")
	}
	f, err := os.OpenFile(filepath.Join(dir, keyFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", ledger.Errorf(ledger.CodeInput, "%s already holds a witness key; its verifier key is in %s", dir, filepath.Join(dir, vkeyFile))
	}
	if err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot create the witness key")
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot write the witness key")
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot write the witness key")
	}
	if err := f.Close(); err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot write the witness key")
	}
	if err := writeAtomic(filepath.Join(dir, vkeyFile), []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	return vkey, nil
}

// Open opens a witness folder made by Init. now gives cosignatures their
// time (time.Now when nil).
func Open(dir string, now func() time.Time) (*Witness, error) {
	path := filepath.Join(dir, keyFile)
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ledger.KindErrorf(ledger.CodeInput, ledger.ErrNoWitness, "%s holds no witness key", dir)
		}
		return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot read the witness key")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, ledger.Errorf(ledger.CodeInput, "witness key %s is readable by others (mode %04o); run 'chmod 600 %s'", path, fi.Mode().Perm(), path)
	}
	b, err := ledger.ReadFileAtMost(path, 64<<10)
	if errors.As(err, new(ledger.TooLarge)) {
		return nil, ledger.Errorf(ledger.CodeInput, "%s is no witness key: %v, and a key is a line of about 100 bytes", path, err)
	}
	if err != nil {
		return nil, ledger.Wrap(ledger.CodeRuntime, err, "cannot read the witness key")
	}
	signer, err := NewCosigner(string(b), now)
	if err != nil {
		return nil, ledger.Errorf(ledger.CodeInput, "%s: %v", path, err)
	}
	return &Witness{dir: dir, signer: signer}, nil
}

// VerifierKey is the witness's vkey.
func (w *Witness) VerifierKey() string { return w.signer.VerifierKey() }

// state is what a witness remembers of one log.
type state struct {
	LogKey     string `json:"log_key"`
	Checkpoint string `json:"checkpoint"` // the latest checkpoint cosigned, with the log's signature and ours
}

func (w *Witness) statePath(origin string) string {
	h := sha256.Sum256([]byte(origin))
	return filepath.Join(w.dir, logsDir, hex.EncodeToString(h[:16]))
}

// Latest returns the latest checkpoint this witness cosigned for origin.
func (w *Witness) Latest(origin string) (ledger.Checkpoint, string, bool, error) {
	st, ok, err := w.readState(origin)
	if err != nil || !ok {
		return ledger.Checkpoint{}, "", ok, err
	}
	body, _, _ := strings.Cut(st.Checkpoint, "\n\n")
	cp, err := ledger.ParseCheckpointBody(body + "\n")
	if err != nil {
		return cp, "", false, ledger.Wrap(ledger.CodeRuntime, err, "the witness's record of %s is damaged", origin)
	}
	return cp, st.LogKey, true, nil
}

func (w *Witness) readState(origin string) (state, bool, error) {
	var st state
	b, err := os.ReadFile(w.statePath(origin))
	if errors.Is(err, fs.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, ledger.Wrap(ledger.CodeRuntime, err, "cannot read the witness's record of %s", origin)
	}
	if err := json.Unmarshal(b, &st); err != nil || st.Checkpoint == "" {
		return st, false, ledger.Errorf(ledger.CodeRuntime, "the witness's record of %s (%s) is damaged", origin, w.statePath(origin))
	}
	return st, true, nil
}

// Cosign checks a consistency proof (ledger.ConsistencyProofFormat) made by
// the log whose verifier key is logKey and, if its old checkpoint is the
// latest this witness cosigned for that origin (or this is the witness's
// first of it) and the new tree holds the old, records the new checkpoint
// and returns it cosigned. Anything else is refused with ledger.CodeVerify:
// a fork (another root at a size already cosigned), a smaller tree, a proof
// from a checkpoint that is not the latest, another key for a known origin.
//
// The record is replaced atomically, under a lock: a crash leaves either the
// old record or the new, and the new is written before the cosignature is
// returned, so a witness never hands out a cosignature it does not remember.
func (w *Witness) Cosign(proof []byte, logKey string) (string, ledger.Checkpoint, error) {
	logKey = strings.TrimSpace(logKey)
	p, err := ledger.DecodeConsistencyProof(proof)
	if err != nil {
		return "", ledger.Checkpoint{}, err
	}
	old, cur, err := p.Check(logKey)
	if err != nil {
		return "", cur, err
	}
	unlock, err := lock(filepath.Join(w.dir, lockFile))
	if err != nil {
		return "", cur, ledger.Wrap(ledger.CodeRuntime, err, "cannot lock the witness folder")
	}
	defer unlock()
	latest, latestKey, seen, err := w.Latest(cur.Origin)
	if err != nil {
		return "", cur, err
	}
	if seen {
		if latestKey != logKey {
			return "", cur, ledger.Errorf(ledger.CodeVerify, "refused: this witness knows %s by the key %s, not %s", cur.Origin, latestKey, logKey)
		}
		switch {
		case old.Size == latest.Size && old.Root != latest.Root:
			return "", cur, ledger.Errorf(ledger.CodeVerify, "refused: FORK of %s: at tree size %d this witness cosigned root %s, the proof starts from root %s", cur.Origin, latest.Size, ledger.HashHex(latest.Root), ledger.HashHex(old.Root))
		case cur.Size < latest.Size:
			return "", cur, ledger.Errorf(ledger.CodeVerify, "refused: %s is at tree size %d, but this witness already cosigned tree size %d: a log never shrinks", cur.Origin, cur.Size, latest.Size)
		case cur.Size == latest.Size && cur.Root != latest.Root:
			return "", cur, ledger.Errorf(ledger.CodeVerify, "refused: FORK of %s: at tree size %d this witness cosigned root %s, the new checkpoint has %s", cur.Origin, cur.Size, ledger.HashHex(latest.Root), ledger.HashHex(cur.Root))
		case old.Size != latest.Size:
			return "", cur, ledger.KindErrorf(ledger.CodeVerify, ledger.ErrStaleProof, "refused: the proof starts from tree size %d, but the latest checkpoint this witness cosigned for %s is of tree size %d: consistency must be proved from that one", old.Size, cur.Origin, latest.Size)
		}
	}
	v, err := note.NewVerifier(logKey)
	if err != nil {
		return "", cur, ledger.Wrap(ledger.CodeInput, err, "the log's verifier key is not valid")
	}
	n, err := note.Open([]byte(p.NewCheckpoint), note.VerifierList(v))
	if err != nil {
		return "", cur, ledger.Wrap(ledger.CodeVerify, err, "the new checkpoint")
	}
	// Only the log's signature and ours: other lines are the keeper's to merge.
	signed, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs}, w.signer)
	if err != nil {
		return "", cur, ledger.Wrap(ledger.CodeRuntime, err, "cannot cosign")
	}
	rec, _ := json.Marshal(state{LogKey: logKey, Checkpoint: string(signed)})
	if err := writeAtomic(w.statePath(cur.Origin), rec, 0o600); err != nil {
		return "", cur, err
	}
	return string(signed), cur, nil
}

// writeAtomic replaces path with data: a temporary file, synced, renamed
// over it, and the folder synced, so a crash leaves the old file or the new.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if err := atomicfile.Write(path, data, mode); err != nil {
		return ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", path)
	}
	return nil
}
