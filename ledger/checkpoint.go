package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: origin, tree size, root.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   tlog.Hash
}

// Body is the signed text: "<origin>\n<size>\n<base64 root>\n".
func (c Checkpoint) Body() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpointBody reads a checkpoint body. Extension lines after the root
// are allowed by the spec and ignored.
func ParseCheckpointBody(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, fmt.Errorf("checkpoint body must have an origin, a size and a root hash line")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("checkpoint size %q is not a decimal number", clip(lines[1]))
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	var root tlog.Hash
	if err != nil || len(raw) != len(root) {
		return Checkpoint{}, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", clip(lines[2]))
	}
	copy(root[:], raw)
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

// SignCheckpoint returns the signed note text.
func SignCheckpoint(c Checkpoint, signer note.Signer) (string, error) {
	if c.Origin != signer.Name() {
		return "", fmt.Errorf("checkpoint origin %q differs from the key's name %q", c.Origin, signer.Name())
	}
	msg, err := note.Sign(&note.Note{Text: c.Body()}, signer)
	return string(msg), err
}

// OpenCheckpoint verifies a signed checkpoint against a verifier key and
// returns its body. Any failure is a verification error.
func OpenCheckpoint(signed []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Checkpoint{}, Wrap(CodeInput, err, "verifier key is not valid")
	}
	n, err := note.Open(signed, note.VerifierList(v))
	var unverified *note.UnverifiedNoteError
	if errors.As(err, &unverified) && len(unverified.Note.UnverifiedSigs) > 0 {
		// Signed under another name, it is another ledger's checkpoint or
		// key, a mix-up of files (bad input); under this key's name with
		// another key, it is a forgery or a key made again (failed).
		code, by := CodeInput, []string{}
		for _, sig := range unverified.Note.UnverifiedSigs {
			by = append(by, fmt.Sprintf("%s (key hash %08x)", Printable(sig.Name, 100), sig.Hash))
			if sig.Name == v.Name() {
				code = CodeVerify
			}
		}
		if code == CodeInput {
			return Checkpoint{}, Errorf(code, "the checkpoint is signed by %s, and the key given is %s's (key hash %08x): it is another ledger's checkpoint, or another ledger's key", strings.Join(by, " and "), v.Name(), v.KeyHash())
		}
		return Checkpoint{}, Errorf(code, "checkpoint signature does not verify with key %s (key hash %08x): it is signed by %s, a key of the same name that is not this one", v.Name(), v.KeyHash(), strings.Join(by, " and "))
	}
	if err != nil {
		return Checkpoint{}, Wrap(CodeVerify, err, "checkpoint signature does not verify with key %s (key hash %08x)", v.Name(), v.KeyHash())
	}
	c, err := ParseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, Wrap(CodeVerify, err, "checkpoint is malformed")
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, Errorf(CodeVerify, "checkpoint origin %q is not the name of key %s (key hash %08x)", c.Origin, v.Name(), v.KeyHash())
	}
	return c, nil
}

// Signer signs checkpoints: a ledger's signing key, loaded by LoadSigner.
type Signer = note.Signer

// IsVerifierKey reports whether s is a verifier key (a C2SP vkey) that
// checkpoints can be checked with.
func IsVerifierKey(s string) bool {
	_, err := note.NewVerifier(strings.TrimSpace(s))
	return err == nil
}

// GenerateKey makes a new Ed25519 signing key named origin and returns the
// private key text and the verifier key text.
func GenerateKey(origin string) (skey, vkey string, err error) {
	// note.GenerateKey makes a key of any name, and one with a space in it
	// is then no key that note can read: the ledger could sign nothing.
	if !ValidName(origin) {
		return "", "", fmt.Errorf("a ledger's name has no spaces and no '+', such as moi.example.gov.kh/scam-ledger")
	}
	return note.GenerateKey(rand.Reader, origin)
}

// ValidName is the signed-note rule for the name of a key, a ledger's
// origin or a witness's: non-empty UTF-8 with no space and no "+".
func ValidName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// VerifierKey derives the public verifier key from a private signing key, so
// only one key file needs to be kept.
func VerifierKey(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5) // base64 key data may itself hold "+"
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", fmt.Errorf("not a signing key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", fmt.Errorf("not an Ed25519 signing key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// WriteSigningKey creates the signing key file at path exclusively, with
// mode 0600 from the start: an existing key is never overwritten, and the
// key is never readable by others, not even briefly.
func WriteSigningKey(path, skey string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Wrap(CodeRuntime, err, "cannot create signing key")
	}
	_, err = f.WriteString(skey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Wrap(CodeRuntime, err, "cannot write signing key")
	}
	return nil
}

// DefaultOrigin names a new ledger's log after its machine, its name (a
// file's base name, a stream) and a short random id: two ledgers never share
// an origin, even two "statledger" on two machines, so that a checkpoint or
// a key of one is never taken for the other's.
func DefaultOrigin(name string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '+' || r == '/' || r <= ' ' || unicode.IsSpace(r) {
				return '-'
			}
			return r
		}, s)
	}
	id := make([]byte, 3)
	rand.Read(id)
	return "statledger.local/" + clean(host) + "/" + clean(name) + "-" + hex.EncodeToString(id)
}

// IsSigningKeyFile reports whether the file at path begins as a signing key
// does (PRIVATE+KEY+…), whatever its mode: a file no output may replace.
func IsSigningKeyFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 12)
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == "PRIVATE+KEY+"
}

// LoadSigner reads a signing key file. It refuses a file that group or others
// can read: a leaked key lets anybody sign a forged history.
func LoadSigner(path string) (note.Signer, string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, "", KindErrorf(CodeInput, ErrNoSigningKey, "no signing key at %s", path)
		}
		return nil, "", Wrap(CodeRuntime, err, "cannot read signing key")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, "", Errorf(CodeInput, "signing key %s is readable by others (mode %04o); run 'chmod 600 %s'", path, fi.Mode().Perm(), path)
	}
	b, err := ReadFileAtMost(path, 64<<10)
	if errors.As(err, new(TooLarge)) {
		return nil, "", Errorf(CodeInput, "%s is no signing key: %v, and a signing key is a line of about 100 bytes", path, err)
	}
	if err != nil {
		return nil, "", Wrap(CodeRuntime, err, "cannot read signing key")
	}
	skey := strings.TrimSpace(string(b))
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", Errorf(CodeInput, "%s is not a statledger signing key", path)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, "", Errorf(CodeInput, "%s: %v", path, err)
	}
	return signer, vkey, nil
}

// SignAt signs the ledger's tree at size: a checkpoint that proves, to
// whoever holds the verifier key, that the ledger held this history.
func SignAt(ctx context.Context, s Store, signer Signer, size uint64) (string, Checkpoint, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return "", Checkpoint{}, err
	}
	cp := Checkpoint{Origin: signer.Name(), Size: head.Size, Root: head.Root}
	if size != head.Size {
		if size > head.Size {
			return "", cp, Errorf(CodeInput, "tree size %d: the ledger holds only %d events", size, head.Size)
		}
		if cp.Root, err = TreeRoot(ctx, s, size); err != nil {
			return "", cp, err
		}
		cp.Size = size
	}
	text, err := SignCheckpoint(cp, signer)
	return text, cp, err
}
