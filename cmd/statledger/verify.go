package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/statledger/statledger/reports/xlsx"
	"github.com/urfave/cli/v2"
)

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "recompute every leaf and tree hash; optionally check a signed checkpoint",
		Description: "Exit 0 when the ledger is intact, 3 when anything fails (naming the first bad seq).\n" +
			"With --checkpoint and --key it also checks the checkpoint's signature and that the ledger\n" +
			"still has the checkpoint's root at the checkpoint's size: history only grew.\n" +
			"It trusts nothing derived: the projection checkpoint is compared with a fresh fold of the\n" +
			"ledger, and on EventStoreDB every event of the stream is checked against this machine's\n" +
			"index of it; if anything fails, the index is rebuilt from the stream to tell which is wrong.\n" +
			"With --report it rebuilds a monthly workbook from the ledger and compares it byte for byte.\n" +
			"An auditor, who has no signing key, adds --key: the workbook's own signed checkpoint is\n" +
			"then checked with it, and must have the ledger's root at the report's tree size.\n\n" +
			"Examples:\n   statledger verify --checkpoint checkpoint-2025-10.txt --key verifier.txt\n" +
			"   statledger verify --report oct.xlsx --key verifier.txt",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "checkpoint", Usage: "a signed checkpoint file"},
			&cli.StringFlag{Name: "key", Usage: "the verifier key (text or file) the checkpoint, and the --report workbook's checkpoint, must be signed with"},
			&cli.StringFlag{Name: "report", Usage: "also rebuild this monthly workbook from the ledger and compare it (with --key, no signing key is needed)"},
			&cli.BoolFlag{Name: "rebuild-projection", Usage: "discard the projection checkpoint; the next report rebuilds it from the ledger"},
			&cli.StringSliceFlag{Name: "witness", Usage: "with --report: a witness's verifier key (text or file) whose cosignature must be on the workbook's cosigned checkpoint (repeatable)"},
			&cli.IntFlag{Name: "quorum", Usage: "with --witness: how many of the witnesses must have cosigned (default: all given)"},
		},
		Action: func(c *cli.Context) error {
			cp, err := signedCheckpointArg(c)
			if err != nil {
				return err
			}
			if cp == nil && c.IsSet("key") && !c.IsSet("report") {
				return usageError("--key goes with --checkpoint or --report")
			}
			if (c.IsSet("witness") || c.IsSet("quorum")) && !c.IsSet("report") {
				return usageError("--witness and --quorum go with --report")
			}
			var vkey string     // for --report
			var workbook []byte // for --report
			if c.IsSet("report") {
				var err error
				if workbook, vkey, err = checkReportArgs(c); err != nil {
					return err
				}
			}
			ref, err := storeFlag(c)
			if err != nil {
				return err
			}
			if cp != nil && ref.kind == "bolt" {
				// Another ledger's checkpoint is told before a minute of
				// verifying, where the file says whose it is.
				if s, err := openRef(c, ref, "", false); err == nil {
					err = ledger.CheckOrigin(c.Context, s, *cp)
					s.Close()
					if err != nil {
						return err
					}
				}
			}
			s, res, err := verifyLedger(c, ref)
			if err != nil {
				return err
			}
			defer s.Close()
			if cp != nil {
				if err := res.CheckAgainst(*cp); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.App.Writer, "ok: %d events verified; tree size %d, root %s\n", res.Size, res.Size, ledger.HashHex(res.Root))
			if cp != nil {
				fmt.Fprintf(c.App.Writer, "ok: checkpoint of %s at tree size %d is consistent with the ledger\n", cp.Origin, cp.Size)
			}
			p, err := place(c)
			if err != nil {
				return err
			}
			checked, err := p.Verify(c.Context, s, c.Bool("rebuild-projection"))
			if err != nil {
				return err
			}
			if checked.Said != "" {
				fmt.Fprintln(c.App.Writer, checked.Said)
			}
			if fold := checked.Fold; fold != nil {
				defer fold.Close()
			}
			if c.IsSet("report") {
				return verifyReport(c, s, checked.Fold, workbook, vkey)
			}
			return nil
		},
	}
}

// verifyLedger opens the ledger and verifies it: ledger.VerifyOpened.
func verifyLedger(c *cli.Context, ref storeRef) (ledger.Store, ledger.VerifyResult, error) {
	open := func(rebuild bool) (ledger.Store, error) {
		return openRefIndex(c, ref, c.String("ledger"), c.Bool("rebuild-projection"), rebuild)
	}
	return ledger.VerifyOpened(c.Context, open, ref.kind == "esdb", verifyProgress(c))
}

// checkReportArgs checks what verify --report needs before the ledger is
// read (at 1M events that takes a minute): the workbook, which it returns,
// and a key to check its signed checkpoint with. It returns the verifier key
// given (--key), or "" when this ledger's signing key is to sign the
// checkpoint again.
func checkReportArgs(c *cli.Context) (workbook []byte, vkey string, err error) {
	path := c.String("report")
	workbook, err = ledger.ReadFileAtMost(path, xlsx.MaxWorkbook)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", usageError("--report %s: no such file", path)
	case errors.As(err, new(ledger.TooLarge)):
		return nil, "", usageError("--report %s: %v, larger than any workbook statledger writes: is it the right file?", path, err)
	case err != nil:
		return nil, "", usageError("--report %s: cannot read it (%v)", path, errors.Unwrap(err))
	}
	if _, err := witnessKeys(c); err != nil {
		return nil, "", err
	}
	if c.IsSet("key") {
		vkey, err = readKeyArg("--key", c.String("key"))
		return workbook, vkey, err
	}
	keyPath, err := signingKeyPath(c)
	if err == nil {
		_, _, err = ledger.LoadSigner(keyPath)
	}
	if err != nil {
		return nil, "", usageError("--report: %v\nwithout the ledger's signing key, pass the verifier key instead (--key VERIFIER-KEY): the workbook's own signed checkpoint is then checked with it", err)
	}
	return workbook, "", nil
}

// verifyReport is verify --report: monthly.Verify, from the fresh fold
// verify compared the projection checkpoint with (fold, or nil), with the
// workbook and verifier key checkReportArgs gave (vkey "" to sign again).
func verifyReport(c *cli.Context, s ledger.Store, fold *checkpoint.Fold, data []byte, vkey string) error {
	path := c.String("report")
	witnesses, err := witnessKeys(c)
	if err != nil {
		return err
	}
	v, err := monthly.Verify(c.Context, s, path, data, monthly.Check{
		VerifierKey: vkey,
		Sign:        func(size uint64) (monthly.Seal, error) { return signSeal(c, s, size) },
		Witnesses:   witnesses,
		Quorum:      c.Int("quorum"),
		Fold:        fold,
		Temp:        boltFiles{}.Temp,
		Progress:    foldProgress(c),
		Version:     version,
	})
	for _, line := range v.Said {
		fmt.Fprintln(c.App.Writer, line)
	}
	var m *monthly.Mismatch
	if errors.As(err, &m) {
		for i, d := range m.Diffs {
			if i == 20 {
				fmt.Fprintf(c.App.ErrWriter, "… and %d more\n", m.Count-20)
				break
			}
			fmt.Fprintf(c.App.ErrWriter, "%s!%s: file has %q, ledger gives %q\n", d.Sheet, d.Cell, ledger.Printable(d.A, 60), ledger.Printable(d.B, 60))
		}
	}
	return err
}
