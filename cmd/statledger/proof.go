package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/witness"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/urfave/cli/v2"
)

func proveCommand() *cli.Command {
	return &cli.Command{
		Name:      "prove",
		Usage:     "print an inclusion proof of an event, or a consistency proof between two checkpoints",
		ArgsUsage: "ID",
		Description: "With an event ID: a proof that the event is in a signed checkpoint (without --checkpoint,\n" +
			"one of the current ledger is signed and included).\n" +
			"With --consistency OLD-CHECKPOINT: a proof that the ledger's tree now (or at --to SIZE)\n" +
			"holds the old checkpoint's tree as its prefix: history only grew. Witnesses cosign it\n" +
			"('statledger witness cosign').\n" +
			"Anyone with the verifier key checks either with 'statledger verify-proof', no ledger needed.\n\n" +
			"Examples:\n   statledger prove 3f1c…-… > proof.json\n" +
			"   statledger prove --consistency checkpoint-2025-09.txt > consistency.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "checkpoint", Usage: "prove inclusion in this earlier signed checkpoint"},
			&cli.StringFlag{Name: "consistency", Usage: "prove that the ledger holds this earlier signed checkpoint's tree as its prefix"},
			&cli.Uint64Flag{Name: "to", Usage: "with --consistency: sign the newer checkpoint at this tree size, not at the head"},
		},
		Action: func(c *cli.Context) error {
			if c.IsSet("consistency") {
				if c.NArg() != 0 || c.IsSet("checkpoint") {
					return usageError("prove --consistency takes no event ID and no --checkpoint")
				}
				return proveConsistency(c)
			}
			if c.IsSet("to") {
				return usageError("--to goes with --consistency")
			}
			if c.NArg() != 1 {
				return usageError("prove needs exactly one event ID (or --consistency OLD-CHECKPOINT)")
			}
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			defer s.Close()
			id := strings.ToLower(c.Args().First())
			r, found, err := s.Lookup(c.Context, id)
			if err != nil {
				return err
			}
			if !found {
				return usageError("no event %s in the ledger", id)
			}
			var text string
			var cp ledger.Checkpoint
			signer, vkey, err := ledgerSigner(c, s)
			if err != nil {
				return err
			}
			if c.IsSet("checkpoint") {
				if text, cp, err = ledgerCheckpointArg(c, s, vkey, "--checkpoint", c.String("checkpoint")); err != nil {
					return err
				}
			} else if text, cp, err = signAt(c, s, signer, 0, false); err != nil {
				return err
			}
			b, err := ledger.NewInclusionProof(c.Context, s, r, text, cp)
			if err != nil {
				return err
			}
			return printJSON(c, b)
		},
	}
}

// ledgerCheckpointArg reads a checkpoint file this ledger signed (checked
// with vkey, the verifier key of its signing key) and checks that the ledger
// still has its root at its size.
func ledgerCheckpointArg(c *cli.Context, s ledger.Store, vkey, flag, path string) (string, ledger.Checkpoint, error) {
	b, err := readFileArg(flag, path)
	if err != nil {
		return "", ledger.Checkpoint{}, err
	}
	cp, err := ledger.OpenCheckpoint(b, vkey)
	if err != nil {
		return "", cp, ledger.Wrap(ledger.CodeOf(err), err, "%s %s", flag, path)
	}
	if err := ledger.CheckRootAt(c.Context, s, cp); err != nil {
		return "", cp, ledger.Wrap(ledger.CodeOf(err), err, "%s %s", flag, path)
	}
	return string(b), cp, nil
}

// proveConsistency prints a consistency proof from the --consistency
// checkpoint to a checkpoint signed now, at the head or at --to.
func proveConsistency(c *cli.Context) error {
	s, _, err := openStore(c, false)
	if err != nil {
		return err
	}
	defer s.Close()
	signer, vkey, err := ledgerSigner(c, s)
	if err != nil {
		return err
	}
	oldText, old, err := ledgerCheckpointArg(c, s, vkey, "--consistency", c.String("consistency"))
	if err != nil {
		return err
	}
	if c.IsSet("to") && c.Uint64("to") < old.Size {
		return usageError("--to %d: the old checkpoint is of tree size %d; a consistency proof goes to a tree at least as large", c.Uint64("to"), old.Size)
	}
	newText, cur, err := signAt(c, s, signer, c.Uint64("to"), c.IsSet("to"))
	if err != nil {
		return err
	}
	b, err := ledger.NewConsistencyProof(c.Context, s, oldText, old, newText, cur)
	if err != nil {
		return err
	}
	return printJSON(c, b)
}

func verifyProofCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify-proof",
		Usage:     "check an inclusion or consistency proof with only the verifier key (no ledger needed)",
		ArgsUsage: "PROOF-FILE",
		Description: "Exit 0 if the proof holds, 3 if not (2 if it is of another ledger than the key's).\n" +
			"An inclusion proof ('statledger prove ID') shows an event is in a signed checkpoint; a\n" +
			"consistency proof ('statledger prove --consistency') shows a newer signed checkpoint's\n" +
			"tree holds an older one's: history only grew.\n" +
			"With --file, the proof is of a report's publication ('statledger prove ID' of the\n" +
			"report_published event that 'report --publish' printed), and the file must be the\n" +
			"very workbook it recorded: whoever holds the workbook, the proof and the verifier key\n" +
			"knows the ledger published it, unchanged.\n" +
			"With --witness, the proof must be in a checkpoint those witnesses cosigned ('statledger\n" +
			"prove ID --checkpoint statledger.db.cosigned'): one history, seen by them, not a fork\n" +
			"shown to this auditor alone.\n\n" +
			"Examples:\n   statledger verify-proof --key verifier.txt proof.json\n" +
			"   statledger verify-proof --key verifier.txt --file oct.xlsx --witness audit.txt oct-published.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "the ledger's verifier key (text or file)", Required: true},
			&cli.StringFlag{Name: "file", Usage: "a published report: it must be the file the proven report_published event recorded"},
			&cli.StringSliceFlag{Name: "witness", Usage: "a witness's verifier key (text or file) whose cosignature must be on the proof's checkpoint (repeatable)"},
			&cli.IntFlag{Name: "quorum", Usage: "with --witness: how many of the witnesses must have cosigned (default: all given)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("verify-proof needs exactly one PROOF-FILE")
			}
			key, err := readKeyArg("--key", c.String("key"))
			if err != nil {
				return err
			}
			raw, err := readFileArg("proof", c.Args().First())
			if err != nil {
				return err
			}
			kind, err := ledger.ProofKind(raw)
			if err != nil {
				if cp, cerr := ledger.OpenCheckpoint(raw, key); cerr == nil {
					// An auditor's likeliest mix-up: the checkpoint beside the proof.
					return usageError("%s is a signed checkpoint of %s (tree size %d), not a proof; check it against the ledger with 'statledger verify --checkpoint %[1]s --key KEY'", c.Args().First(), cp.Origin, cp.Size)
				}
				return err
			}
			if c.IsSet("quorum") && !c.IsSet("witness") {
				return usageError("--quorum goes with --witness")
			}
			witnesses, err := witnessKeys(c)
			if err != nil {
				return err
			}
			if kind == ledger.ConsistencyProofFormat {
				if c.IsSet("file") || len(witnesses) > 0 {
					return usageError("--file and --witness go with an inclusion proof ('statledger prove ID'), not with a consistency proof")
				}
				old, cur, err := ledger.CheckConsistency(raw, key)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "ok: %s at tree size %d (root %s) holds tree size %d (root %s) as its prefix\n",
					cur.Origin, cur.Size, ledger.HashHex(cur.Root), old.Size, ledger.HashHex(old.Root))
				return nil
			}
			r, cp, err := ledger.CheckInclusion(raw, key)
			if err != nil {
				return err
			}
			var witnessed string
			if len(witnesses) > 0 {
				var p ledger.InclusionProof
				if err := json.Unmarshal(raw, &p); err != nil {
					return ledger.Wrap(ledger.CodeVerify, err, "proof refused")
				}
				quorum := cmp.Or(c.Int("quorum"), len(witnesses))
				wcp, names, err := witness.Quorum([]byte(p.Checkpoint), key, witnesses, quorum)
				if err != nil {
					return fmt.Errorf("the proof's checkpoint: %w; a proof in the checkpoint the witnesses cosigned is made with 'statledger prove ID --checkpoint statledger.db.cosigned'", err)
				}
				witnessed = "ok: " + witness.Said(wcp, names, quorum) + "\n"
			}
			var published string
			if c.IsSet("file") {
				if published, err = checkPublished(r.Event, c.String("file")); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.App.Writer, "ok: event %s (%s) is seq %d of %s at tree size %d, root %s\n%s%s",
				r.Event.ID, r.Event.Type, r.Seq, cp.Origin, cp.Size, ledger.HashHex(cp.Root), witnessed, published)
			return nil
		},
	}
}

// checkPublished is monthly.IsPublished of the file at path, with the
// command line's words for what the user gave.
func checkPublished(e ledger.Event, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usageError("--file %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	said, err := monthly.IsPublished(e, path, f)
	if ledger.CodeOf(err) == ledger.CodeInput { // the proof is of another event
		return "", usageError("--file: %v; prove the report_published event that 'report --publish' printed", err)
	}
	return said + "\n", err
}
