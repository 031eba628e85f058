package main

import (
	"fmt"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func backupCommand() *cli.Command {
	return &cli.Command{
		Name:  "backup",
		Usage: "write a consistent copy of the embedded ledger file, and verify it",
		Description: "The copy is taken in one read of the file, so writers may go on meanwhile and the copy\n" +
			"holds whole appends only. It is then opened and verified like the ledger itself. The\n" +
			"signing key is not copied: keep it apart.\n" +
			"An EventStoreDB ledger is backed up with 'statledger copy' into an embedded file.\n\n" +
			"Example:\n   statledger backup -o /media/backup/statledger-2025-10-31.db",
		Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Required: true, Usage: "the copy to write"}},
		Action: func(c *cli.Context) error {
			ref, err := storeFlag(c)
			if err != nil {
				return err
			}
			if ref.kind != "bolt" {
				return usageError("backup copies an embedded ledger file; an EventStoreDB ledger is backed up with 'statledger copy --from STORE --to backup.db'")
			}
			out := c.String("output")
			if out == "-" {
				return usageError("-o -: a backup is a ledger file; give its path")
			}
			o, err := createOutput(c, out)
			if err != nil {
				return err
			}
			defer o.abort()
			o.file.SetMode(0o600) // a ledger, like the one it copies
			head, err := backupFile(c, ref.path, o)
			if err != nil {
				return err
			}
			if err := o.commit(); err != nil {
				return err
			}
			res, err := checkBackup(c.Context, out, head, verifyProgress(c))
			if ledger.Stopped(c.Context, err) {
				return ledger.Wrap(ledger.CodeRuntime, err, "%s is written whole, but its verify did not finish; check it with 'statledger --store %s verify'", out, out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "backed up %s to %s: %d events, tree size %d, root %s; the copy verifies\n", ref.path, out, res.Size, res.Size, ledger.HashHex(res.Root))
			return nil
		},
	}
}
