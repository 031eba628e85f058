package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
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
			n, head, err := copyLedger(c.Context, src, dst, c.Int("batch-size"), func(done uint64) {})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "copied %d events from %s to %s; tree size %d, root %s\n", n, fromRef, toRef, head.Size, ledger.HashHex(head.Root))
			return nil
		},
	}
}

// copyLedger appends to dst what src holds beyond dst's size, after checking
// that dst holds a prefix of src's history.
func copyLedger(ctx context.Context, src, dst ledger.Store, batchSize int, progress func(uint64)) (uint64, ledger.Head, error) {
	sh, err := src.Head(ctx)
	if err != nil {
		return 0, ledger.Head{}, err
	}
	dh, err := dst.Head(ctx)
	if err != nil {
		return 0, ledger.Head{}, err
	}
	if dh.Size > sh.Size {
		return 0, dh, ledger.Errorf(ledger.CodeInput, "the target holds %d events, more than the source's %d: its history differs; copy to an empty ledger", dh.Size, sh.Size)
	}
	if dh.Size > 0 {
		root, err := ledger.TreeRoot(ctx, src, dh.Size)
		if err != nil {
			return 0, dh, err
		}
		if root != dh.Root {
			return 0, dh, ledger.Errorf(ledger.CodeInput, "the target's first %d events differ from the source's (root %s, source has %s): refusing to copy onto another history", dh.Size, ledger.HashHex(dh.Root), ledger.HashHex(root))
		}
	}
	var batch []ledger.Recorded
	bytes := 0
	next := dh.Size
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := dst.Append(ctx, next, batch); err != nil {
			return err
		}
		next += uint64(len(batch))
		progress(next)
		batch, bytes = batch[:0], 0
		return nil
	}
	err = src.Read(ctx, dh.Size, func(r ledger.Recorded) error {
		if r.Seq >= sh.Size {
			return errDone
		}
		if len(batch) >= batchSize || bytes+len(r.Raw) > ledger.MaxBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, r) // the same recorded bytes: same leaf hashes
		bytes += len(r.Raw)
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return next - dh.Size, dh, err
	}
	if err := flush(); err != nil {
		return next - dh.Size, dh, err
	}
	head, err := dst.Head(ctx)
	if err == nil && head.Root != sh.Root {
		return next - dh.Size, head, ledger.Errorf(ledger.CodeVerify, "after the copy the target's root %s differs from the source's %s", ledger.HashHex(head.Root), ledger.HashHex(sh.Root))
	}
	return next - dh.Size, head, err
}

// follower is a store that can push new events (EventStoreDB subscriptions).
type follower interface {
	Follow(ctx context.Context, from uint64, fn func(ledger.Recorded) error) error
}

// followLedger prints new events after seq from until interrupted. A store
// that cannot push is polled, reopening it each time so that a writer never
// waits on the follower's file lock for long.
func followLedger(c *cli.Context, from uint64, print func(ledger.Recorded) error) error {
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, _, err := openStore(c, false)
	if err != nil {
		return err
	}
	if f, ok := s.(follower); ok {
		defer s.Close()
		err := f.Follow(ctx, from, print)
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(500 * time.Millisecond):
		}
		s, _, err := openStore(c, false)
		if err != nil {
			return err
		}
		err = s.Read(ctx, from, func(r ledger.Recorded) error {
			from = r.Seq + 1
			return print(r)
		})
		s.Close()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}
