package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create a new ledger and its signing key; print the verifier key",
		Description: "Creates the ledger (for the embedded store, the file named by --store) and an Ed25519\n" +
			"signing key (mode 0600, never printed) at --signing-key. The verifier key printed on\n" +
			"stdout is public: give it to auditors; with it they check checkpoints and proofs.\n\n" +
			"Example:\n   statledger --store moi.db init --origin moi.example.gov.kh/scam-ledger",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "origin", Usage: "the ledger's name in checkpoints (no spaces or '+'; default statledger.local/HOST/NAME-RANDOM)"},
		},
		Action: func(c *cli.Context) error {
			ref, err := storeFlag(c)
			if err != nil {
				return err
			}
			keyPath, err := signingKeyPath(c)
			if err != nil {
				return err
			}
			origin := c.String("origin")
			if origin == "" {
				origin = defaultOrigin(ref, c.String("ledger"))
			}
			if _, err := os.Stat(keyPath); err == nil && ref.kind == "bolt" {
				if _, err := os.Stat(ref.path); errors.Is(err, fs.ErrNotExist) {
					// The key of a ledger that is gone: lost, or removed to
					// start again. A new ledger must not take it.
					return usageError("a signing key exists at %s, but there is no ledger %s: restore the ledger from its backup ('statledger backup' made it), or move the old key away to start a new ledger", keyPath, ref.path)
				}
			}
			if _, err := os.Stat(keyPath); err == nil {
				// Its verifier key again, for whoever lost what init printed.
				if _, vkey, err := ledger.LoadSigner(keyPath); err == nil {
					return usageError("a signing key already exists at %s: this ledger is initialised ('statledger key' prints its verifier key on stdout); its verifier key (for auditors) is\n%s", keyPath, vkey)
				}
				return usageError("a signing key already exists at %s: this ledger is initialised (remove both files to start over)", keyPath)
			}
			if ref.kind == "bolt" {
				if _, err := os.Stat(ref.path); err == nil {
					return usageError("%s already exists: this ledger is initialised", ref.path)
				}
			}
			skey, vkey, err := ledger.GenerateKey(origin)
			if err != nil {
				return usageError("--origin %q: %v", origin, err)
			}
			if ref.kind == "bolt" {
				if dir := filepath.Dir(ref.path); dir != "" {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						return ledger.Wrap(ledger.CodeRuntime, err, "cannot create %s", dir)
					}
				}
				if err := createFile(c.Context, ref.path, origin); err != nil {
					return err
				}
			} else {
				// An EventStoreDB ledger is its stream, created by the first append;
				// init only checks that the stream is empty and makes the key.
				s, err := openRef(c, ref, c.String("ledger"), false)
				if err != nil {
					return err
				}
				h, err := s.Head(c.Context)
				s.Close()
				if err != nil {
					return err
				}
				if h.Size > 0 {
					return usageError("ledger %s at %s already holds %d events", c.String("ledger"), ref, h.Size)
				}
			}
			if err := ledger.WriteSigningKey(keyPath, skey); err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "created ledger %s (origin %s)\nsigning key: %s (keep it secret; back it up)\nverifier key (give this to auditors):\n", ref, origin, keyPath)
			fmt.Fprintln(c.App.Writer, vkey)
			return nil
		},
	}
}
