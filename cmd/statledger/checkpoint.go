package main

import (
	"io"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func checkpointCommand() *cli.Command {
	return &cli.Command{
		Name:  "checkpoint",
		Usage: "print a signed checkpoint (origin, tree size, root) of the ledger",
		Description: "Save it: 'statledger verify --checkpoint FILE --key VERIFIER' later proves the ledger\n" +
			"still holds exactly this history.\n" +
			"With --cosigned, the checkpoints that witnesses cosigned ('statledger witness cosign') are\n" +
			"merged into one, which every later report carries on its Audit sheet.\n\n" +
			"Examples:\n   statledger checkpoint > checkpoint-2025-10.txt\n" +
			"   statledger checkpoint --cosigned audit-office.txt ministry.txt > cosigned-2025-10.txt",
		Flags: []cli.Flag{
			&cli.Uint64Flag{Name: "size", Usage: "sign the tree at this size instead of the current one"},
			&cli.BoolFlag{Name: "cosigned", Usage: "merge the witnesses' cosignatures in the FILEs given, keep the result as the ledger's latest cosigned checkpoint (reports carry it), and print it"},
		},
		ArgsUsage: "[--cosigned FILE…]",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 && !c.Bool("cosigned") {
				return usageError("checkpoint takes files only with --cosigned")
			}
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			defer s.Close()
			if c.Bool("cosigned") {
				if c.IsSet("size") {
					return usageError("--size does not go with --cosigned: the witnesses chose the size they cosigned")
				}
				return mergeCosigned(c, s)
			}
			text, _, err := signedCheckpoint(c, s, c.Uint64("size"), c.IsSet("size"))
			if err != nil {
				return err
			}
			_, err = io.WriteString(c.App.Writer, text)
			return err
		},
	}
}

// signedCheckpoint signs the tree at size (or the current head) with the
// ledger's signing key.
func signedCheckpoint(c *cli.Context, s ledger.Store, size uint64, atSize bool) (string, ledger.Checkpoint, error) {
	signer, _, err := ledgerSigner(c, s)
	if err != nil {
		return "", ledger.Checkpoint{}, err
	}
	return signAt(c, s, signer, size, atSize)
}

// signAt is ledger.SignAt, at the head unless atSize.
func signAt(c *cli.Context, s ledger.Store, signer ledger.Signer, size uint64, atSize bool) (string, ledger.Checkpoint, error) {
	if !atSize {
		head, err := s.Head(c.Context)
		if err != nil {
			return "", ledger.Checkpoint{}, err
		}
		size = head.Size
	}
	return ledger.SignAt(c.Context, s, signer, size)
}

// signedCheckpointArg reads --checkpoint, checked with the verifier key
// --key; nil when no --checkpoint is given.
func signedCheckpointArg(c *cli.Context) (*ledger.Checkpoint, error) {
	if !c.IsSet("checkpoint") {
		return nil, nil
	}
	key, err := readKeyArg("--key", c.String("key"))
	if err != nil {
		return nil, err
	}
	b, err := readFileArg("--checkpoint", c.String("checkpoint"))
	if err != nil {
		return nil, err
	}
	cp, err := ledger.OpenCheckpoint(b, key)
	if err != nil {
		if _, perr := ledger.ProofKind(b); perr == nil {
			return nil, usageError("--checkpoint %s is a proof, not a checkpoint; check it with 'statledger verify-proof --key KEY %[1]s'", c.String("checkpoint"))
		}
		return nil, err
	}
	return &cp, nil
}
