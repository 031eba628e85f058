package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/witness"
	"github.com/urfave/cli/v2"
)

func witnessCommand() *cli.Command {
	dir := &cli.StringFlag{Name: "dir", Usage: "the witness's folder (its key and what it has cosigned)", Required: true}
	return &cli.Command{
		Name:  "witness",
		Usage: "cosign a ledger's checkpoints as an independent witness (audit office, partner ministry…)",
		Description: "A witness keeps its own key and, per ledger, the latest checkpoint it cosigned. It cosigns\n" +
			"a new checkpoint only if a consistency proof shows the new tree holds that one: a keeper\n" +
			"who rewrote history, or showed two histories to two people, gets no cosignature.\n" +
			"Cosignatures are C2SP cosignature/v1 (Ed25519); see ledger/VERIFYING.md.",
		Subcommands: []*cli.Command{{
			Name:  "init",
			Usage: "create a witness key in --dir and print its verifier key",
			Description: "Give the printed verifier key to whoever must count your cosignatures\n" +
				"('statledger verify --report FILE --witness KEY').\n\n" +
				"Example:\n   statledger witness init --dir ~/witness --name audit.example.gov/witness",
			Flags: []cli.Flag{dir, &cli.StringFlag{Name: "name", Required: true, Usage: "the witness's name, like audit.example.gov/witness"}},
			Action: func(c *cli.Context) error {
				vkey, err := witness.Init(c.String("dir"), c.String("name"))
				if err != nil {
					return err
				}
				fmt.Fprintln(c.App.Writer, vkey)
				return nil
			},
		}, {
			Name:      "cosign",
			Usage:     "check a consistency proof from a ledger and print its new checkpoint, cosigned",
			ArgsUsage: "PROOF-FILE",
			Description: "PROOF-FILE is what 'statledger prove --consistency LAST' printed, where LAST is the\n" +
				"checkpoint this witness cosigned last for that ledger (the first time, any checkpoint).\n" +
				"Exit 3, cosigning nothing, on a fork, a smaller tree, a proof from another checkpoint\n" +
				"or another key for a known ledger.\n\n" +
				"Example:\n   statledger witness cosign --dir ~/witness --log-key ledger-verifier.txt consistency.json > cosigned.txt",
			Flags: []cli.Flag{dir, &cli.StringFlag{Name: "log-key", Required: true, Usage: "the ledger's verifier key (text or file)"}},
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return usageError("witness cosign needs exactly one PROOF-FILE")
				}
				logKey, err := readKeyArg("--log-key", c.String("log-key"))
				if err != nil {
					return err
				}
				proof, err := readFileArg("proof", c.Args().First())
				if err != nil {
					return err
				}
				// The files a witness is likeliest to be sent instead.
				switch kind, err := ledger.ProofKind(proof); {
				case err != nil:
					if cp, cerr := ledger.OpenCheckpoint(proof, logKey); cerr == nil {
						return usageError("%s is a signed checkpoint of %s (tree size %d), not a proof: the ledger's keeper makes the proof from it ('statledger prove --consistency %[1]s')", c.Args().First(), cp.Origin, cp.Size)
					}
				case kind == ledger.InclusionProofFormat:
					return usageError("%s is an inclusion proof of one event ('statledger prove ID'); a witness cosigns a consistency proof ('statledger prove --consistency LAST')", c.Args().First())
				}
				w, err := witness.Open(c.String("dir"), nil)
				if err != nil {
					return err
				}
				text, cp, err := w.Cosign(proof, logKey)
				if err != nil {
					return err
				}
				if _, err := io.WriteString(c.App.Writer, text); err != nil {
					return err
				}
				fmt.Fprintf(c.App.ErrWriter, "cosigned %s at tree size %d\n", cp.Origin, cp.Size)
				return nil
			},
		}},
	}
}

// cosignedPath is where the keeper keeps the ledger's latest cosigned
// checkpoint: beside the signing key, since only the keeper merges them.
func cosignedPath(c *cli.Context) (string, error) {
	keyPath, err := signingKeyPath(c)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(keyPath, ".key") + ".cosigned", nil
}

// mergeCosigned is 'checkpoint --cosigned FILE…': the witnesses' cosignatures
// of one checkpoint joined, checked against this ledger, kept as the latest
// unless an older tree's, and printed.
func mergeCosigned(c *cli.Context, s ledger.Store) error {
	if c.NArg() == 0 {
		return usageError("checkpoint --cosigned needs the files that 'statledger witness cosign' printed")
	}
	_, vkey, err := ledgerSigner(c, s)
	if err != nil {
		return err
	}
	var texts [][]byte
	for _, p := range c.Args().Slice() {
		b, err := readFileArg("cosigned checkpoint", p)
		if err != nil {
			return err
		}
		if kind, err := ledger.ProofKind(b); err == nil && kind == ledger.ConsistencyProofFormat {
			return usageError("%s is the consistency proof the witnesses cosign, not what they send back: --cosigned takes what 'statledger witness cosign' printed", p)
		}
		texts = append(texts, b)
	}
	path, err := cosignedPath(c)
	if err != nil {
		return err
	}
	text, cp, kept, err := witness.Keep(c.Context, s, path, vkey, texts...)
	if err != nil {
		return err
	}
	if kept.Size != cp.Size {
		fmt.Fprintf(c.App.ErrWriter, "note: %s keeps the cosigned checkpoint of tree size %d, later than this one (%d)\n", path, kept.Size, cp.Size)
	}
	_, err = io.WriteString(c.App.Writer, text)
	return err
}

// latestCosigned reads the ledger's latest cosigned checkpoint, if it has
// one (witness.ReadCosigned).
func latestCosigned(c *cli.Context, s ledger.Store, vkey string) (*ledger.Checkpoint, string, error) {
	path, err := cosignedPath(c)
	if err != nil {
		return nil, "", err
	}
	return witness.ReadCosigned(c.Context, s, path, vkey)
}

// witnessKeys reads verify's --witness keys, each given as text or as a
// file holding it, and checks --quorum against them.
func witnessKeys(c *cli.Context) ([]string, error) {
	var keys []string
	for _, v := range c.StringSlice("witness") {
		k, err := keyArg("--witness", v, func(k string) error {
			_, err := witness.NewVerifier(k)
			return err
		})
		if err != nil {
			return nil, err
		}
		if !slices.Contains(keys, k) { // one witness counts once
			keys = append(keys, k)
		}
	}
	if c.IsSet("quorum") && (c.Int("quorum") < 1 || c.Int("quorum") > len(keys)) {
		return nil, usageError("--quorum %d: give a number from 1 to the %d --witness keys given", c.Int("quorum"), len(keys))
	}
	return keys, nil
}
