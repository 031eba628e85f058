package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
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

func keyCommand() *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "print the ledger's verifier key (for auditors) on stdout",
		Description: "The verifier key is derived from the signing key (--signing-key, default the store path +\n" +
			"\".key\"), and checked against the ledger's origin. It is public: give it to auditors.\n\n" +
			"Example:\n   VK=$(statledger key)\n   statledger verify-proof --key \"$VK\" proof.json",
		Action: func(c *cli.Context) error {
			s, _, err := openStore(c, false)
			if err != nil {
				return err
			}
			defer s.Close()
			_, vkey, err := ledgerSigner(c, s)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, vkey)
			return nil
		},
	}
}

// importInput imports in into the ledger named by --store (ledger.Import),
// listing the bad lines on stderr. quiet lists none (the caller words them)
// and shows no progress bar.
func importInput(c *cli.Context, in ledger.Input, batchSize int, skipInvalid, quiet bool) (ledger.AppendResult, error) {
	opt := ledger.ImportOptions{
		Actor:       c.String("actor"),
		BatchSize:   batchSize,
		SkipInvalid: skipInvalid,
	}
	if !quiet {
		opt.Bad = func(e ledger.LineError) { fmt.Fprintln(c.App.ErrWriter, e.Error()) }
	}
	if show := barOnTerminal(c, "appending"); show != nil && !quiet {
		opt.Progress = func(done, total int) {
			if total > batchSize {
				show(uint64(done), uint64(total))
			}
		}
	}
	open := func(ctx context.Context, write bool) (ledger.Store, error) {
		s, _, err := openStore(c, write)
		return s, err
	}
	res, err := ledger.Import(c.Context, open, in, opt)
	if errors.Is(err, ledger.ErrBadInput) && c.Command.Name == "import" {
		err = fmt.Errorf("%w (fix them, or pass --skip-invalid to append the good ones)", err)
	}
	if n := res.Skipped; n > 0 {
		fmt.Fprintf(c.App.ErrWriter, "skipped %d bad %s (--skip-invalid)\n", n, ledger.Plural(n, "line", "lines"))
	}
	return res, err
}

func printSummary(w io.Writer, res ledger.AppendResult) {
	fmt.Fprintf(w, "appended %d, duplicates %d; tree size %d, root %s\n", res.Appended, res.Duplicates, res.Head.Size, ledger.HashHex(res.Head.Root))
}

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "validate and append events from JSONL or CSV files ('-' for stdin)",
		ArgsUsage: "FILE…",
		Description: "The whole input is validated first: bad lines are reported as FILE:LINE: field: problem\n" +
			"(the first 100, and how many more) and, if there is any, nothing is appended (exit 2). Events without an id get one derived\n" +
			"from their content, so importing the same file twice appends nothing. Events are appended\n" +
			"in batches, each all or nothing: if the import is interrupted, run it again to finish.\n\n" +
			"Examples:\n   statledger import testdata/seed.jsonl\n   statledger import --format csv - < october.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "jsonl or csv (default: from the file extension)"},
			&cli.IntFlag{Name: "batch-size", Value: 1000, Usage: "events per atomic append"},
			&cli.BoolFlag{Name: "skip-invalid", Usage: "append the good lines and list the bad ones, instead of appending nothing"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("import needs at least one FILE (or '-' for stdin)")
			}
			if c.Int("batch-size") < 1 {
				return usageError("--batch-size must be at least 1")
			}
			in := &ledger.Files{Names: c.Args().Slice(), Format: strings.ToLower(c.String("format")), Stdin: c.App.Reader}
			defer in.Close()
			res, err := importInput(c, in, c.Int("batch-size"), c.Bool("skip-invalid"), false)
			if err != nil {
				return err
			}
			printSummary(c.App.Writer, res)
			return nil
		},
	}
}

// appendOne validates a single event built from flags and appends it.
func appendOne(c *cli.Context, e ledger.Event) error {
	ledger.Normalize(&e)
	var lineErrs []ledger.LineError
	for _, fe := range ledger.Validate(&e) {
		lineErrs = append(lineErrs, ledger.LineError{File: "(flags)", Line: 1, Field: flagName(fe.Field), Msg: fe.Msg})
	}
	if len(lineErrs) > 0 {
		for _, le := range lineErrs {
			fmt.Fprintln(c.App.ErrWriter, le.Error())
		}
		return ledger.Errorf(ledger.CodeInput, "%d bad %s; nothing was appended", len(lineErrs), ledger.Plural(len(lineErrs), "flag", "flags"))
	}
	if target := e.Corrects + e.Retracts; target != "" {
		if err := refuseRetracted(c, e.Type, target); err != nil {
			return err
		}
	}
	res, err := importInput(c, ledger.Events{File: "(flags)", List: []ledger.Event{e}}, 1, false, true)
	if bad := ledger.BadLines(err); len(bad) > 0 {
		// One event from flags: there are no lines, and no --skip-invalid.
		name := flagName(bad[0].Field)
		if bad[0].Field == "corrects" || bad[0].Field == "retracts" {
			name = "ID"
		}
		return usageError("%s: %s", name, strings.TrimSuffix(bad[0].Msg, " or earlier in this input"))
	}
	if err != nil {
		return err
	}
	if res.Duplicates > 0 {
		fmt.Fprintf(c.App.Writer, "%s is already in the ledger with the same content; nothing appended\n", e.ID)
	} else {
		fmt.Fprintf(c.App.Writer, "recorded %s %s at seq %d\n", e.Type, e.ID, res.Head.Size-1)
	}
	printSummary(c.App.Writer, res)
	return nil
}

// flagName turns a format field name into the flag that sets it, so an error
// on the command line names what the user typed.
func flagName(field string) string {
	f := strings.TrimPrefix(field, "changes.")
	switch {
	case f == "count_qualifier":
		return "--qualifier"
	case strings.HasPrefix(f, "agencies"):
		return "--agency"
	case strings.HasPrefix(f, "members"):
		return "--member"
	case strings.HasPrefix(f, "source."):
		return "--source-" + strings.TrimPrefix(f, "source.")
	case f == "source":
		return "--source-publisher/--source-url"
	}
	return "--" + strings.ReplaceAll(f, "_", "-")
}

// refuseRetracted is projections.State.CheckTarget on the ledger's
// current view.
func refuseRetracted(c *cli.Context, t ledger.Type, id string) error {
	l, err := view(c, ledger.AsOf{}, false, func(l *checkpoint.Ledger) error { return l.State.CheckTarget(t, id) })
	if err == nil {
		l.Close()
	}
	return err
}
