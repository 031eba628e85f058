// Package witness is the other side of the transparency log: parties that
// are not the ledger's keeper (an audit office, a partner ministry, a
// statistics office) check that each new checkpoint of a ledger is
// consistent with the last one they saw, and cosign it. A keeper who showed
// two histories to two people would need a witness to cosign both, which it
// never does. Cosignatures follow C2SP tlog-cosignature (cosignature/v1,
// Ed25519, key type 0x04); ledger/VERIFYING.md gives every byte.
//
// The package holds the cosignature's keys and signatures (this file), a
// witness's own state (witness.go), and what the keeper and auditors do with
// cosigned checkpoints: merge them and count them against a quorum
// (cosigned.go).
package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/statledger/statledger/ledger"
)

// keyType is the signed-note key type of an Ed25519 cosignature/v1 key.
const keyType = 0x04

// sigLen is a cosignature's length after its key ID: a big-endian u64
// timestamp and an Ed25519 signature.
const sigLen = 8 + ed25519.SignatureSize

// keyID is SHA-256(name || "\n" || 0x04 || public key)[:4], as a big-endian
// number (C2SP tlog-cosignature, "Format").
func keyID(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', keyType})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// Message is the exact message a cosignature/v1 signs: a header line, the
// time line, then the whole checkpoint body (its text before the signatures).
func Message(timestamp uint64, body string) []byte {
	return []byte("cosignature/v1\ntime " + strconv.FormatUint(timestamp, 10) + "\n" + body)
}

// validName is ledger.ValidName: a witness's key is named as a ledger's is.
func validName(name string) bool { return ledger.ValidName(name) }

// GenerateKey makes a witness key named name. skey is the private key text
// (PRIVATE+KEY+name+keyID+base64(0x04 || seed)), kept by the witness; vkey is
// the C2SP vkey that verifiers are given (name+keyID+base64(0x04 || public)).
func GenerateKey(name string) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("witness name %q: use a name with no spaces and no '+', such as audit.example.gov/witness", name)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	id := keyID(name, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{keyType}, priv.Seed()...)))
	return skey, VerifierKey(name, pub), nil
}

// VerifierKey is the vkey of a witness's public key.
func VerifierKey(name string, pub ed25519.PublicKey) string {
	return fmt.Sprintf("%s+%08x+%s", name, keyID(name, pub), base64.StdEncoding.EncodeToString(append([]byte{keyType}, pub...)))
}

// Cosigner makes cosignature/v1 signatures. It is a note.Signer.
type Cosigner struct {
	name string
	id   uint32
	priv ed25519.PrivateKey
	now  func() time.Time
}

// NewCosigner reads a private witness key made by GenerateKey. now gives
// the cosignature's timestamp (time.Now when nil).
func NewCosigner(skey string, now func() time.Time) (*Cosigner, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5) // base64 may hold "+"
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !validName(parts[2]) {
		return nil, fmt.Errorf("not a witness key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != keyType {
		return nil, fmt.Errorf("not a cosignature/v1 (Ed25519, type 0x04) witness key")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	id := keyID(parts[2], priv.Public().(ed25519.PublicKey))
	if fmt.Sprintf("%08x", id) != parts[3] {
		return nil, fmt.Errorf("the witness key's ID %s does not match its key", parts[3])
	}
	if now == nil {
		now = time.Now
	}
	return &Cosigner{name: parts[2], id: id, priv: priv, now: now}, nil
}

func (c *Cosigner) Name() string    { return c.name }
func (c *Cosigner) KeyHash() uint32 { return c.id }

// VerifierKey is the vkey of this cosigner.
func (c *Cosigner) VerifierKey() string {
	return VerifierKey(c.name, c.priv.Public().(ed25519.PublicKey))
}

// Sign returns timestamp || Ed25519(Message(timestamp, msg)); the note
// package puts the key ID in front.
func (c *Cosigner) Sign(msg []byte) ([]byte, error) {
	t := c.now().Unix()
	if t < 0 {
		return nil, fmt.Errorf("the clock is before 1970")
	}
	out := binary.BigEndian.AppendUint64(make([]byte, 0, sigLen), uint64(t))
	return append(out, ed25519.Sign(c.priv, Message(uint64(t), string(msg)))...), nil
}

// Verifier checks cosignature/v1 signatures of one witness. It is a
// note.Verifier.
type Verifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

// NewVerifier reads a witness's vkey.
func NewVerifier(vkey string) (*Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	name, rest, _ := strings.Cut(vkey, "+")
	id16, key64, _ := strings.Cut(rest, "+")
	id, err1 := strconv.ParseUint(id16, 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(key64)
	if len(id16) != 8 || err1 != nil || err2 != nil || !validName(name) || len(key) != 1+ed25519.PublicKeySize {
		return nil, fmt.Errorf("%.60q is not a witness verifier key (name+keyID+base64 key)", vkey)
	}
	if key[0] != keyType {
		return nil, fmt.Errorf("%s is not a cosignature/v1 key (key type %#02x, want 0x04): is it the ledger's own key?", name, key[0])
	}
	pub := ed25519.PublicKey(key[1:])
	if keyID(name, pub) != uint32(id) {
		return nil, fmt.Errorf("the key ID of witness key %s does not match its key", name)
	}
	return &Verifier{name: name, id: uint32(id), pub: pub}, nil
}

func (v *Verifier) Name() string    { return v.name }
func (v *Verifier) KeyHash() uint32 { return v.id }

// Verify checks sig (timestamp || signature) over the note text msg.
func (v *Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != sigLen {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > 1<<63-1 {
		return false
	}
	return ed25519.Verify(v.pub, Message(t, string(msg)), sig[8:])
}
