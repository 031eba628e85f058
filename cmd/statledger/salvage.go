package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func salvageCommand() *cli.Command {
	return &cli.Command{
		Name:  "salvage",
		Usage: "recover the events of a damaged ledger file that still verify, into a new ledger",
		Description: "Every event that verifies against the leaf hash the file keeps for it is copied, in\n" +
			"order, with its seq, recorded_at and recorded_by, until the first that does not: old\n" +
			"checkpoints, proofs and reports of the recovered history still verify on the new ledger.\n" +
			"It prints the size and root recovered and what was lost. With --checkpoint and --key it\n" +
			"says whether the recovered history reaches that signed checkpoint (exit 3 if not). The\n" +
			"signing key beside the damaged file is copied beside the new one.\n\n" +
			"Example:\n   statledger salvage --from statledger.db --to recovered.db --checkpoint cp-2025-10.txt --key verifier.txt",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Required: true, Usage: "the damaged embedded ledger file"},
			&cli.StringFlag{Name: "to", Required: true, Usage: "the new ledger file to create (must not exist)"},
			&cli.StringFlag{Name: "checkpoint", Usage: "a signed checkpoint the recovered history should reach"},
			&cli.StringFlag{Name: "key", Usage: "with --checkpoint: the ledger's verifier key (text or file)"},
		},
		Action: func(c *cli.Context) error {
			from, to := c.String("from"), c.String("to")
			cp, err := signedCheckpointArg(c)
			if err != nil {
				return err
			}
			if cp == nil && c.IsSet("key") {
				return usageError("--key goes with --checkpoint")
			}
			if _, err := os.Stat(to); !errors.Is(err, fs.ErrNotExist) {
				return usageError("--to %s exists: salvage writes a new ledger file, never over one", to)
			}
			if err := createFile(c.Context, to, ""); err != nil {
				return err
			}
			dst, err := openFile(c, to, true)
			if err != nil {
				return err
			}
			defer dst.Close()
			// 1M events take most of a minute, their number not known
			// before the end.
			var progress func(uint64)
			var last uint64
			show := countOnTerminal(c, "recovering", "events")
			if show != nil {
				progress = func(n uint64) { last = n; show(n, false) }
			}
			res, err := salvageFile(c.Context, from, dst, progress)
			if last > 0 {
				show(last, true)
			}
			if err != nil {
				// An unfinished salvage leaves no ledger behind, so running it
				// again (after Ctrl-C, or a full disk) finds --to free.
				dst.Close()
				if os.Remove(to) == nil {
					return ledger.Wrap(ledger.CodeOf(err), err, "the salvage did not finish, and %s was removed", to)
				}
				return err
			}
			head, err := dst.Head(c.Context)
			if err != nil {
				return err
			}
			// The same ledger: its checkpoints and signing key are the
			// damaged file's, and another ledger's are told apart by it.
			if o, ok := dst.(ledger.Origins); ok && res.Origin != "" {
				if err := o.SetOrigin(c.Context, res.Origin); err != nil {
					return err
				}
			}
			if key, err := os.ReadFile(from + ".key"); err == nil {
				if _, err := os.Stat(to + ".key"); errors.Is(err, fs.ErrNotExist) && os.WriteFile(to+".key", key, 0o600) == nil {
					fmt.Fprintf(c.App.ErrWriter, "copied the signing key %s.key to %s.key\n", from, to)
				}
			}
			fmt.Fprintf(c.App.Writer, "recovered %d events into %s: tree size %d, root %s\n", head.Size, to, head.Size, ledger.HashHex(head.Root))
			switch {
			case res.Stopped != "" && res.Recorded > head.Size:
				fmt.Fprintf(c.App.Writer, "lost: seq %d…%d (%d events) of the %d the file recorded; stopped at %s\n", head.Size, res.Recorded-1, res.Recorded-head.Size, res.Recorded, res.Stopped)
			case res.Stopped != "":
				fmt.Fprintf(c.App.Writer, "the file's own size could not be read (%s): events after seq %d, if it had any, are lost; a signed checkpoint (--checkpoint) tells how far the history went\n", res.Stopped, max(head.Size, 1)-1)
			default:
				fmt.Fprintf(c.App.Writer, "nothing was lost: every event the file recorded verifies\n")
			}
			if cp == nil {
				return nil
			}
			if head.Size < cp.Size {
				return ledger.Errorf(ledger.CodeVerify, "the recovered history (tree size %d) does not reach the checkpoint of tree size %d: events %d…%d must come from a backup or another copy", head.Size, cp.Size, head.Size, cp.Size-1)
			}
			if err := ledger.CheckRootAt(c.Context, dst, *cp); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "ok: the recovered history reaches the checkpoint of %s at tree size %d\n", cp.Origin, cp.Size)
			return nil
		},
	}
}
