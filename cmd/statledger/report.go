package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/lang"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/statledger/statledger/reports/xlsx"
)

func monthFlag(required bool) cli.Flag {
	return &cli.StringFlag{Name: "month", Usage: "the period, YYYY-MM", Required: required}
}

// suppressFlag is --suppress-below, on every command that publishes figures.
func suppressFlag() cli.Flag {
	return &cli.IntFlag{Name: "suppress-below", EnvVars: []string{"STATLEDGER_SUPPRESS_BELOW"},
		Usage: "withhold (x) every breakdown figure of 1 to N-1 persons, and the figures that would reveal one (disclosure control)"}
}

// suppressBelow reads --suppress-below: 0 (off), or a threshold of 2 or more.
func suppressBelow(c *cli.Context) (int, error) {
	n := c.Int("suppress-below")
	if n != 0 && (n < 2 || n > ledger.MaxSuppressBelow) {
		return 0, usageError("--suppress-below %d: give a threshold from 2 to %d (0 or no flag: nothing withheld)", n, ledger.MaxSuppressBelow)
	}
	return n, nil
}

func parseMonth(s string) (string, error) {
	if _, err := time.Parse("2006-01", s); err != nil || len(s) != 7 {
		return "", usageError("--month %q: give a month as YYYY-MM, like 2025-10", s)
	}
	return s, nil
}

func monthAndAsOf(c *cli.Context) (string, ledger.AsOf, error) {
	month, err := parseMonth(c.String("month"))
	if err != nil {
		return "", ledger.AsOf{}, err
	}
	asOf, err := ledger.ParseAsOf(c.String("as-of"))
	return month, asOf, err
}

func summaryCommand() *cli.Command {
	return &cli.Command{
		Name:  "summary",
		Usage: "print a month's Summary table (events, persons, qualifier per incident type)",
		Description: "The same figures as the Summary sheet of 'report monthly'.\n\n" +
			"Example:\n   statledger summary --month 2025-10 --as-of 4",
		Flags: []cli.Flag{monthFlag(true), asOfFlag(), &cli.StringFlag{Name: "format", Value: "table", Usage: "table or json"}, suppressFlag()},
		Action: func(c *cli.Context) error {
			month, asOf, err := monthAndAsOf(c)
			if err != nil {
				return err
			}
			below, err := suppressBelow(c)
			if err != nil {
				return err
			}
			if f := c.String("format"); f != "table" && f != "json" {
				return usageError("--format %q: use table or json", f)
			}
			var sum monthly.Summary
			l, err := view(c, asOf, false, func(l *checkpoint.Ledger) (err error) {
				sum, err = monthly.NewSummary(c.Context, l.Store, l.State, month, below)
				return err
			})
			if err != nil {
				return err
			}
			l.Close()
			if c.String("format") == "json" {
				return sum.WriteJSON(c.App.Writer)
			}
			if err := sum.WriteText(c.App.Writer); err != nil {
				return err
			}
			if sum.Disclosure.Any() {
				fmt.Fprintf(c.App.Writer, "\nx: withheld (1 to %d persons, or would reveal such a figure: --suppress-below %d)\n", below-1, below)
			}
			return nil
		},
	}
}

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "write reports built from the ledger",
		Subcommands: []*cli.Command{{
			Name:  "monthly",
			Usage: "write the monthly Excel workbook",
			Description: "The workbook is a projection of the ledger at one tree size: built again from the same\n" +
				"size it is byte-identical. --publish appends a report_published event with the file's\n" +
				"SHA-256; later reports of the same period mark every figure that differs with r.\n\n" +
				"Examples:\n   statledger report monthly --month 2025-10 -o oct.xlsx --publish\n" +
				"   statledger report monthly --month 2025-10 --as-of 4 -o oct-as-published.xlsx\n" +
				"   statledger report monthly --month 2025-10 --lang km -o oct-km.xlsx   # Khmer; ko for Korean",
			Flags: []cli.Flag{
				monthFlag(true), asOfFlag(),
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (default statledger-YYYY-MM.xlsx)"},
				&cli.BoolFlag{Name: "publish", Usage: "record the publication in the ledger (file name and SHA-256)"},
				suppressFlag(), langFlag(),
			},
			Action: func(c *cli.Context) error {
				month, asOf, err := monthAndAsOf(c)
				if err != nil {
					return err
				}
				below, err := suppressBelow(c)
				if err != nil {
					return err
				}
				language, err := langOf(c)
				if err != nil {
					return err
				}
				out := c.String("output")
				if out == "" {
					out = "statledger-" + month + ".xlsx"
				}
				// Made before the fold, which may take long: a file that cannot
				// be written fails at once.
				file, err := createOutput(c, out)
				if err != nil {
					return err
				}
				defer file.abort() // a no-op once committed
				var data []byte
				var in xlsx.Input
				l, err := view(c, asOf, c.Bool("publish"), func(l *checkpoint.Ledger) (err error) {
					data, in, err = buildMonthly(c, l.Store, l.State, month, monthly.Form{SuppressBelow: below, Lang: language})
					return err
				})
				if err != nil {
					return err
				}
				defer l.Close()
				size := in.State.Size
				l.Release() // the projection is read; the store may now be written to
				s := l.Store
				if err := file.writeAll(data); err != nil {
					return err
				}
				sum := sha256.Sum256(data)
				fmt.Fprintf(infoWriter(c, out), "wrote %s: %s as of tree size %d, root %s; SHA-256 %s\n", out, month, size, in.Root, hex.EncodeToString(sum[:]))
				if !c.Bool("publish") {
					return nil
				}
				e, err := monthly.Publication(in, data, out)
				if err != nil {
					return err
				}
				lg := ledger.New(s)
				p, _, err := lg.Prepare(c.Context, []ledger.Event{e})
				if err != nil {
					return err
				}
				res, err := lg.Append(c.Context, c.String("actor"), p, 1, nil)
				if err != nil {
					return err
				}
				fmt.Fprintf(infoWriter(c, out), "published: report_published %s at seq %d\n", e.ID, res.Head.Size-1)
				return nil
			},
		}},
	}
}

// signSeal seals a report at size with the ledger's signing key, and
// carries the ledger's latest cosigned checkpoint.
func signSeal(c *cli.Context, s ledger.Store, size uint64) (monthly.Seal, error) {
	signer, vkey, err := ledgerSigner(c, s)
	if err != nil {
		return monthly.Seal{}, err
	}
	seal, err := monthly.Sign(c.Context, s, signer, vkey, size)
	if err != nil {
		return seal, err
	}
	_, seal.Cosigned, err = latestCosigned(c, s, vkey)
	return seal, err
}

// buildMonthly builds the workbook of a month from a projection as of a
// point of the ledger, sealed at its tree size.
func buildMonthly(c *cli.Context, s ledger.Store, st *projections.State, month string, form monthly.Form) ([]byte, xlsx.Input, error) {
	seal, err := signSeal(c, s, st.Size)
	if err != nil {
		return nil, xlsx.Input{}, err
	}
	return monthly.Build(st, month, seal, form, version)
}

// langFlag is --lang, on every command that writes a report.
func langFlag() cli.Flag {
	return &cli.StringFlag{Name: "lang", EnvVars: []string{"STATLEDGER_LANG"}, Value: "en",
		Usage: "the report's language: " + strings.Join(lang.Codes, ", ") + " (English, Korean, Khmer)"}
}

func langOf(c *cli.Context) (lang.Lang, error) {
	l, err := lang.Parse(c.String("lang"))
	if err != nil {
		return l, usageError("--lang %q: use one of %s", c.String("lang"), strings.Join(lang.Codes, ", "))
	}
	return l, nil
}

// checkReportArgs checks what verify --report needs before the ledger is
// read (at 1M events that takes a minute): the workbook, and a key to check
// its signed checkpoint with. It returns the verifier key given (--key), or
// "" when this ledger's signing key is to sign the checkpoint again.
func checkReportArgs(c *cli.Context) (vkey string, err error) {
	path := c.String("report")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", usageError("--report %s: no such file", path)
	} else if err != nil {
		return "", usageError("--report %s: cannot read it (%v)", path, errors.Unwrap(err))
	}
	if _, err := witnessKeys(c); err != nil {
		return "", err
	}
	if c.IsSet("key") {
		return readKeyArg("--key", c.String("key"))
	}
	keyPath, err := signingKeyPath(c)
	if err == nil {
		_, _, err = ledger.LoadSigner(keyPath)
	}
	if err != nil {
		return "", usageError("--report: %v\nwithout the ledger's signing key, pass the verifier key instead (--key VERIFIER-KEY): the workbook's own signed checkpoint is then checked with it", err)
	}
	return "", nil
}

// verifyReport is verify --report: monthly.Verify, from the fresh fold
// verify compared the projection checkpoint with (fold, or nil), with the
// verifier key checkReportArgs gave (or "" to sign again).
func verifyReport(c *cli.Context, s ledger.Store, fold *checkpoint.Fold, vkey string) error {
	path := c.String("report")
	data, err := os.ReadFile(path)
	if err != nil {
		return usageError("--report %s: %v", path, err)
	}
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
				fmt.Fprintf(c.App.ErrWriter, "… and %d more\n", len(m.Diffs)-20)
				break
			}
			fmt.Fprintf(c.App.ErrWriter, "%s!%s: file has %q, ledger gives %q\n", d.Sheet, d.Cell, ledger.Printable(d.A, 60), ledger.Printable(d.B, 60))
		}
	}
	return err
}
