package ledger_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger"
)

// A signing key is written once, readable by its owner only, and read back
// as the same key; a second write over it fails and leaves it as it was.
func TestWriteSigningKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db.key")
	skey, vkey, err := ledger.GenerateKey("example.org/l")
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.WriteSigningKey(path, skey); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	signer, got, err := ledger.LoadSigner(path)
	if err != nil || got != vkey || signer.Name() != "example.org/l" {
		t.Fatalf("read back %q %v, want %q", got, err, vkey)
	}
	other, _, _ := ledger.GenerateKey("example.org/other")
	if err := ledger.WriteSigningKey(path, other); err == nil || ledger.CodeOf(err) != ledger.CodeRuntime {
		t.Fatalf("second write: %v", err)
	}
	if _, got, _ := ledger.LoadSigner(path); got != vkey {
		t.Fatal("a second write replaced the key")
	}
}

// A default origin is a valid key name, names the ledger without the
// characters a key name cannot hold, and is never the same twice.
func TestDefaultOrigin(t *testing.T) {
	a, b := ledger.DefaultOrigin("moi ledger+2025/x"), ledger.DefaultOrigin("moi ledger+2025/x")
	if a == b {
		t.Fatalf("two origins alike: %s", a)
	}
	if !strings.HasPrefix(a, "statledger.local/") || !strings.Contains(a, "/moi-ledger-2025-x-") {
		t.Fatalf("origin %q", a)
	}
	if _, _, err := ledger.GenerateKey(a); err != nil {
		t.Fatalf("%q is no key name: %v", a, err)
	}
}

// A signing key file is known by its first bytes; its verifier key, a
// checkpoint or a short file is not one.
func TestIsSigningKeyFile(t *testing.T) {
	dir := t.TempDir()
	skey, vkey, _ := ledger.GenerateKey("example.org/l")
	for name, tc := range map[string]struct {
		text string
		want bool
	}{
		"key": {skey + "\n", true}, "verifier": {vkey, false}, "short": {"PRIV", false}, "empty": {"", false},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(tc.text), 0o600)
		if got := ledger.IsSigningKeyFile(p); got != tc.want {
			t.Errorf("%s: %v", name, got)
		}
	}
	if ledger.IsSigningKeyFile(filepath.Join(dir, "none")) {
		t.Error("a missing file is a key")
	}
}
