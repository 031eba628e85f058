package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
)

func asOfFlag() cli.Flag {
	return &cli.StringFlag{Name: "as-of", Usage: "a tree size (the first N events) or an RFC 3339 time (events recorded at or before it)"}
}

func replayCommand() *cli.Command {
	return &cli.Command{
		Name:  "replay",
		Usage: "print the history in order",
		Description: "jsonl prints each recorded envelope with its leaf_hash, one per line.\n\n" +
			"Examples:\n   statledger replay\n   statledger replay --as-of 2025-10-31T23:59:59Z --format jsonl",
		Flags: []cli.Flag{
			&cli.Uint64Flag{Name: "from", Usage: "first seq to print"},
			&cli.Uint64Flag{Name: "to", Usage: "last seq to print (inclusive)"},
			asOfFlag(),
			&cli.StringFlag{Name: "format", Value: "table", Usage: "table or jsonl"},
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "after the history, keep printing new events until interrupted"},
		},
		Action: func(c *cli.Context) error {
			asOf, err := ledger.ParseAsOf(c.String("as-of"))
			if err != nil {
				return err
			}
			format := c.String("format")
			if format != "table" && format != "jsonl" {
				return usageError("--format %q: use table or jsonl", format)
			}
			if c.Bool("follow") && (c.IsSet("to") || c.IsSet("as-of")) {
				return usageError("--follow prints new events: it cannot go with --to or --as-of")
			}
			if c.IsSet("to") && c.Uint64("to") < c.Uint64("from") {
				return usageError("--to %d is before --from %d", c.Uint64("to"), c.Uint64("from"))
			}
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(c.App.Writer)
			defer w.Flush()
			var tw *tabwriter.Writer
			if format == "table" {
				tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SEQ\tRECORDED_AT\tBY\tTYPE\tID\tSUMMARY")
			}
			rows := 0
			print := func(r ledger.Recorded) error {
				if tw != nil {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.RecordedAt.Format(ledger.TimeFormat),
						ledger.Printable(r.RecordedBy, 24), r.Event.Type, r.Event.ID, ledger.Printable(r.Event.Summary(), 100))
					// tabwriter holds every row until a flush, to align the
					// columns: 1M rows took 885 MB. Columns align per block.
					if rows++; rows%1024 == 0 {
						return tw.Flush()
					}
					return nil
				}
				w.Write(r.Envelope())
				return w.WriteByte('\n')
			}
			next := c.Uint64("from")
			printed := 0
			_, err = ledger.ReadAsOf(c.Context, s, asOf, c.Uint64("from"), func(r ledger.Recorded) error {
				if c.IsSet("to") && r.Seq > c.Uint64("to") {
					return errDone
				}
				next = r.Seq + 1
				printed++
				return print(r)
			})
			if err == nil && printed == 0 && asOf.Time != nil {
				// An instant selects by when events were recorded, which is
				// not the date they report: say so rather than print nothing.
				note := "the ledger is empty"
				if first, ferr := firstRecorded(c, s); ferr == nil && !first.IsZero() {
					note = "its first event was recorded at " + first.Format(ledger.TimeFormat)
				}
				fmt.Fprintf(c.App.ErrWriter, "note: no event was recorded at or before %s; --as-of with an instant selects events by when they were recorded (recorded_at), not by the date they report; %s\n", asOf.Time.UTC().Format(time.RFC3339), note)
			}
			s.Close()
			if tw != nil {
				tw.Flush()
			}
			if err == errDone {
				err = nil
			}
			if err != nil || !c.Bool("follow") {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			// New events print as they come: flush after each one.
			open := func(context.Context) (ledger.Store, error) {
				s, _, err := openStore(c, false)
				return s, err
			}
			return ledger.Follow(c.Context, open, next, func(r ledger.Recorded) error {
				if err := print(r); err != nil {
					return err
				}
				if tw != nil {
					tw.Flush()
				}
				return w.Flush()
			})
		},
	}
}

var errDone = fmt.Errorf("done")

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
	b, ferr := os.ReadFile(v)
	if ferr != nil {
		return "", usageError("%s %s: %v, and not a readable file", flag, v, err)
	}
	k := strings.TrimSpace(string(b))
	if err := check(k); err != nil {
		return "", usageError("%s %s: %v", flag, v, err)
	}
	return k, nil
}

func readFileArg(flag, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("%s %s: %v", flag, path, err)
	}
	return b, nil
}

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
			var vkey string // for --report
			if c.IsSet("report") {
				var err error
				if vkey, err = checkReportArgs(c); err != nil {
					return err
				}
			}
			ref, err := storeFlag(c)
			if err != nil {
				return err
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
				return verifyReport(c, s, checked.Fold, vkey)
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

// verifyProgress shows a bar on a terminal while verify reads the ledger
// (1M events: 13 s on the embedded store, 25 s on EventStoreDB). Verify
// reports every 32k events or so: a ledger done before its first report
// gets no bar.
func verifyProgress(c *cli.Context) func(done, total uint64) {
	show := barOnTerminal(c, "verifying every event")
	if show == nil {
		return nil
	}
	long := false
	return func(done, total uint64) {
		long = long || done < total
		if long {
			show(done, total)
		}
	}
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
		return nil, err
	}
	return &cp, nil
}

// firstRecorded is when the ledger's first event was recorded (zero: empty).
func firstRecorded(c *cli.Context, s ledger.Store) (time.Time, error) {
	var at time.Time
	err := s.Read(c.Context, 0, func(r ledger.Recorded) error {
		at = r.RecordedAt
		return errDone
	})
	if err == errDone {
		err = nil
	}
	return at, err
}
