package main

import (
	"fmt"

	"github.com/statledger/statledger/ledger"
	"github.com/urfave/cli/v2"
)

func copyCommand() *cli.Command {
	return &cli.Command{
		Name:  "copy",
		Usage: "copy a whole ledger between stores (embedded ⇄ EventStoreDB), resumably",
		Description: "Every event keeps its seq, recorded_at and recorded_by, so the copy has the same root and\n" +
			"every old checkpoint, proof and report still verifies against it. A non-empty target must\n" +
			"hold a prefix of the source's history (an earlier, interrupted copy): the copy continues\n" +
			"from there. A target whose history differs is refused.\n\n" +
			"Example:\n   statledger copy --from statledger.db --to 'esdb://admin:…@db1:2113' --to-ledger moi",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "the source store (path, bolt:PATH, esdb://…)", Required: true},
			&cli.StringFlag{Name: "to", Usage: "the target store; an embedded file is created if missing", Required: true},
			&cli.StringFlag{Name: "from-ledger", Usage: "the source's stream on EventStoreDB (default --ledger)"},
			&cli.StringFlag{Name: "to-ledger", Usage: "the target's stream on EventStoreDB (default --ledger)"},
			&cli.IntFlag{Name: "batch-size", Value: 1000, Usage: "events per atomic append"},
		},
		Action: func(c *cli.Context) error {
			fromRef, err := parseStoreRef(c.String("from"))
			if err != nil {
				return err
			}
			toRef, err := parseStoreRef(c.String("to"))
			if err != nil {
				return err
			}
			name := func(flag string) string {
				if v := c.String(flag); v != "" {
					return v
				}
				return c.String("ledger")
			}
			src, err := openRef(c, fromRef, name("from-ledger"), false)
			if err != nil {
				return err
			}
			defer src.Close()
			if toRef.kind == "bolt" {
				if err := createFile(c.Context, toRef.path, ""); err != nil {
					return err
				}
			}
			dst, err := openRef(c, toRef, name("to-ledger"), true)
			if err != nil {
				return err
			}
			defer dst.Close()
			n, head, err := ledger.Copy(c.Context, src, dst, c.Int("batch-size"), nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "copied %d events from %s to %s; tree size %d, root %s\n", n, fromRef, toRef, head.Size, ledger.HashHex(head.Root))
			return nil
		},
	}
}
