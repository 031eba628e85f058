package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func keyCommand() *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "print the ledger's verifier key (for auditors) on stdout",
		Description: "The verifier key is derived from the signing key (--signing-key, default the store path +\n" +
			"\".key\"), and checked against the ledger's origin. It is public: give it to auditors.\n\n" +
			"Example:\n   VK=$(statledger key)\n   statledger verify-proof --key \"$VK\" proof.json",
		Action: func(c *cli.Context) error {
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			defer s.Close()
			_, vkey, err := ledgerSigner(c, s)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, vkey)
			return nil
		},
	}
}

// signingKeyPath is --signing-key, or the store file's path + ".key".
func signingKeyPath(c *cli.Context) (string, error) {
	if p := c.String("signing-key"); p != "" {
		return p, nil
	}
	ref, err := storeFlag(c)
	if err != nil {
		return "", err
	}
	if ref.kind != "bolt" {
		return "", usageError("a store that is not a file needs --signing-key PATH (or $STATLEDGER_SIGNING_KEY)")
	}
	return ref.path + ".key", nil
}

// ledgerSigner loads the signing key (--signing-key) for the ledger s, and
// its verifier key. A key made for another ledger is refused: checkpoints it
// signed would name another origin, and no auditor of this ledger could
// check a report sealed with them.
func ledgerSigner(c *cli.Context, s ledger.Store) (ledger.Signer, string, error) {
	keyPath, err := signingKeyPath(c)
	if err != nil {
		return nil, "", err
	}
	signer, vkey, err := ledger.LoadSigner(keyPath)
	if err != nil {
		return nil, "", err
	}
	if o, ok := s.(ledger.Origins); ok {
		origin, err := o.Origin(c.Context)
		if err != nil {
			return nil, "", err
		}
		if origin != "" && origin != signer.Name() {
			return nil, "", usageError("the signing key %s is for %s (key hash %08x), but this ledger is %s: it is another ledger's key; pass this ledger's (--signing-key)", keyPath, signer.Name(), signer.KeyHash(), origin)
		}
	}
	return signer, vkey, nil
}

// readKeyArg reads the ledger's verifier key, given to flag as text or as
// the path of a file holding it.
func readKeyArg(flag, v string) (string, error) {
	if v == "" {
		return "", usageError("%s is required: the ledger's verifier key (printed by 'statledger init' and 'statledger key'), or a file holding it", flag)
	}
	return keyArg(flag, v, func(k string) error {
		if !ledger.IsVerifierKey(k) {
			return errors.New("not a verifier key")
		}
		return nil
	})
}

// keyArg reads a key given to flag as text or as the path of a file holding
// it; check says what is wrong with a text that is not such a key.
func keyArg(flag, v string, check func(string) error) (string, error) {
	err := check(v)
	if err == nil {
		return strings.TrimSpace(v), nil
	}
	// A key file holds a line; the ledger given as one is told by its size.
	b, ferr := ledger.ReadFileAtMost(v, 64<<10)
	if errors.As(ferr, new(ledger.TooLarge)) {
		return "", usageError("%s %s: %v; a key is one line: is it the right file?", flag, v, ferr)
	}
	if ferr != nil {
		return "", usageError("%s %s: %v, and not a readable file", flag, v, err)
	}
	k := strings.TrimSpace(string(b))
	if err := check(k); err != nil {
		return "", usageError("%s %s: %v", flag, v, err)
	}
	return k, nil
}
