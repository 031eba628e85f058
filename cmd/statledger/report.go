package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/witness"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
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
			var size uint64
			var root string
			var sum projections.Summary
			var disc projections.Disclosure
			l, err := view(c, asOf, false, func(l *checkpoint.Ledger) error {
				st := l.State
				r, err := ledger.TreeRoot(c.Context, l.Store, st.Size)
				if err != nil {
					return err
				}
				size, root, sum, disc = st.Size, ledger.HashHex(r), st.MonthSummary(month), st.MonthDisclosure(month, below)
				return nil
			})
			if err != nil {
				return err
			}
			l.Close()
			if c.String("format") == "json" {
				// A withheld figure has no value (null) and says why.
				type row struct {
					Type       ledger.Type `json:"type"`
					Events     *int        `json:"events"`
					Persons    *int64      `json:"persons"`
					Qualifier  string      `json:"qualifier,omitempty"`
					Suppressed string      `json:"suppressed,omitempty"`
				}
				out := struct {
					Period        string `json:"period"`
					TreeSize      uint64 `json:"tree_size"`
					RootHash      string `json:"root_hash"`
					SuppressBelow int    `json:"suppress_below,omitempty"`
					Rows          []row  `json:"rows"`
				}{month, size, root, below, nil}
				for _, t := range ledger.IncidentTypes {
					c := sum[t]
					switch disc.Type(t) {
					case projections.Primary:
						out.Rows = append(out.Rows, row{Type: t, Suppressed: "primary"})
					case projections.Secondary:
						out.Rows = append(out.Rows, row{Type: t, Suppressed: "secondary"})
					default:
						out.Rows = append(out.Rows, row{Type: t, Events: &c.Events, Persons: &c.Persons, Qualifier: c.Qual()})
					}
				}
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			fmt.Fprintf(c.App.Writer, "%s as of tree size %d, root %s\n\n", month, size, root)
			tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "Type\tEvents\tPersons\tQualifier\t")
			for _, t := range ledger.IncidentTypes {
				// The workbook's words; --format json keeps the format's codes.
				if disc.Type(t).Suppressed() {
					fmt.Fprintf(tw, "%s\tx\tx\tx\t\n", xlsx.TypeLabel(t))
					continue
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", xlsx.TypeLabel(t), sum[t].Events, sum[t].Persons, sum[t].Qual())
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if disc.Any() {
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
				"   statledger report monthly --month 2025-10 --as-of 4 -o oct-as-published.xlsx",
			Flags: []cli.Flag{
				monthFlag(true), asOfFlag(),
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (default statledger-YYYY-MM.xlsx)"},
				&cli.BoolFlag{Name: "publish", Usage: "record the publication in the ledger (file name and SHA-256)"},
				suppressFlag(),
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
					data, in, err = buildMonthly(c, l.Store, l.State, month, below)
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

// reportSeal is what proves a workbook's origin: a checkpoint of the ledger
// signed at the report's tree size, and the key that verifies it.
type reportSeal struct {
	text     string
	cp       ledger.Checkpoint
	vkey     string
	cosigned string // the latest checkpoint witnesses cosigned, or ""
}

// signSeal signs a checkpoint at size with the ledger's signing key.
func signSeal(c *cli.Context, s ledger.Store, size uint64) (reportSeal, error) {
	signer, vkey, err := ledgerSigner(c, s)
	if err != nil {
		return reportSeal{}, err
	}
	text, cp, err := signAt(c, s, signer, size, true)
	if err != nil {
		return reportSeal{}, err
	}
	_, cosigned, err := latestCosigned(c, s, vkey)
	return reportSeal{text: text, cp: cp, vkey: vkey, cosigned: cosigned}, err
}

// buildMonthly builds the workbook of a month from a projection as of a point
// of the ledger. The Audit sheet records the point as the tree size it
// resolved to, whether it was given as a size, an instant or not at all: the
// same prefix, the same bytes.
func buildMonthly(c *cli.Context, s ledger.Store, st *projections.State, month string, below int) ([]byte, xlsx.Input, error) {
	seal, err := signSeal(c, s, st.Size)
	if err != nil {
		return nil, xlsx.Input{}, err
	}
	return buildSealed(st, month, seal, below)
}

// buildSealed builds the monthly workbook of st with seal in its Audit sheet.
func buildSealed(st *projections.State, month string, seal reportSeal, below int) ([]byte, xlsx.Input, error) {
	text, cp, vkey := seal.text, seal.cp, seal.vkey
	in := xlsx.Input{State: st, Month: month, Origin: cp.Origin, Root: ledger.HashHex(cp.Root), Checkpoint: text,
		Cosigned: seal.cosigned, VerifierKey: vkey, SuppressBelow: below, Version: version, AsOf: fmt.Sprintf("tree size %d", st.Size)}
	if pub, ok := st.LatestPublication(month); ok {
		// The figures as published come from the same fold: its facts keep
		// every version, so no second pass over the ledger is needed.
		in.Published, in.Publication = st.At(*pub.Event.TreeSize), pub
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, in); err != nil {
		return nil, in, ledger.Wrap(ledger.CodeRuntime, err, "cannot build the workbook")
	}
	if err := st.Err(); err != nil {
		return nil, in, checkpoint.Damaged(err)
	}
	return buf.Bytes(), in, nil
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

// workbookSeal is the signed checkpoint a workbook carries, once it is
// verified with vkey, is of the report's tree size and has the ledger's root
// there.
func workbookSeal(ctx context.Context, s ledger.Store, meta map[string]string, size uint64, path, vkey string) (reportSeal, error) {
	text := meta[xlsx.AuditSigned]
	cp, err := ledger.OpenCheckpoint([]byte(text), vkey)
	if err != nil {
		if ledger.CodeOf(err) == ledger.CodeVerify {
			return reportSeal{}, ledger.Wrap(ledger.CodeVerify, err, "%s: its signed checkpoint", path)
		}
		return reportSeal{}, err
	}
	if cp.Size != size {
		return reportSeal{}, ledger.Errorf(ledger.CodeVerify, "%s: its signed checkpoint is of tree size %d, its figures of tree size %d", path, cp.Size, size)
	}
	if strings.TrimSpace(meta["Verifier key"]) != strings.TrimSpace(vkey) {
		return reportSeal{}, ledger.Errorf(ledger.CodeVerify, "%s names the verifier key %s, not the one given", path, meta["Verifier key"])
	}
	if err := ledger.CheckRootAt(ctx, s, cp); err != nil {
		return reportSeal{}, ledger.Wrap(ledger.CodeOf(err), err, "%s: its signed checkpoint", path)
	}
	return reportSeal{text: text, cp: cp, vkey: meta["Verifier key"]}, nil
}

// checkCosigned checks the cosigned checkpoint a workbook carries, if any:
// signed by the ledger's key, with the ledger's root at its size, and, when
// witnesses are given, cosigned by at least quorum of them at a tree at
// least as large as the report's. It returns the text, for the rebuild.
func checkCosigned(c *cli.Context, s ledger.Store, meta map[string]string, size uint64, path, vkey string) (string, error) {
	text := meta[xlsx.AuditCosigned]
	witnesses, err := witnessKeys(c)
	if err != nil {
		return "", err
	}
	if text == "" {
		if len(witnesses) > 0 {
			return "", ledger.Errorf(ledger.CodeVerify, "%s carries no cosigned checkpoint: no witness vouched for its history (the keeper merges cosignatures with 'statledger checkpoint --cosigned' before the report)", path)
		}
		return "", nil
	}
	cp, names, err := witness.Count([]byte(text), vkey, witnesses)
	if err == nil {
		err = ledger.CheckRootAt(c.Context, s, cp)
	}
	if err != nil {
		return "", ledger.Wrap(ledger.CodeOf(err), err, "%s: its cosigned checkpoint", path)
	}
	if len(witnesses) == 0 {
		return text, nil
	}
	quorum := len(witnesses)
	if c.IsSet("quorum") {
		quorum = c.Int("quorum")
	}
	if len(names) < quorum {
		return "", ledger.Errorf(ledger.CodeVerify, "%s: its checkpoint at tree size %d is cosigned by %d of the witnesses given (%s), fewer than the quorum of %d", path, cp.Size, len(names), strings.Join(names, ", "), quorum)
	}
	if cp.Size < size {
		return "", ledger.Errorf(ledger.CodeVerify, "%s: its witnesses cosigned tree size %d, before the report's %d: the last %d events of its history were seen by no witness (have them cosign at %d: 'statledger prove --consistency LAST --to %d')", path, cp.Size, size, size-cp.Size, size, size)
	}
	fmt.Fprintf(c.App.Writer, "ok: %s is cosigned by %d witnesses (%s; quorum %d) at tree size %d, which holds the report's %d events\n", cp.Origin, len(names), strings.Join(names, ", "), quorum, cp.Size, size)
	return text, nil
}

// verifyReport rebuilds a workbook from the ledger as of the tree size written
// in it and compares: byte for byte when the same statledger version made it,
// cell by cell otherwise.
//
// fold, if not nil, is the fresh fold verify compared the projection
// checkpoint with; the report is rebuilt from it, carried on if it is short.
// vkey is checkReportArgs's.
func verifyReport(c *cli.Context, s ledger.Store, path string, fold *checkpoint.Fold, vkey string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usageError("--report %s: %v", path, err)
	}
	meta, err := xlsx.ReadAudit(data)
	if err != nil {
		return ledger.Wrap(ledger.CodeVerify, err, "%s is not a statledger report (no workbook with an Audit sheet)", path)
	}
	size, err := strconv.ParseUint(meta[xlsx.AuditTreeSize], 10, 64)
	if err != nil || meta["Period"] == "" {
		return ledger.Errorf(ledger.CodeVerify, "%s: the Audit sheet has no tree size or period", path)
	}
	head, err := s.Head(c.Context)
	if err != nil {
		return err
	}
	if size > head.Size {
		return ledger.Errorf(ledger.CodeVerify, "%s was built at tree size %d, but the ledger holds only %d events: history was removed", path, size, head.Size)
	}
	// An auditor's check trusts no derived data: the report is rebuilt from
	// a fresh fold of the ledger, not from the projection checkpoint.
	if fold == nil {
		temp, err := boltFiles{}.Temp()
		if err != nil {
			return err
		}
		if fold, err = checkpoint.NewFold(c.Context, temp, s, size, foldProgress(c)); err != nil {
			return err
		}
		defer fold.Close()
	} else if err := fold.To(c.Context, s, size, foldProgress(c)); err != nil {
		return err
	}
	// An official re-signs the checkpoint (Ed25519 signatures are
	// deterministic, so the bytes are the same); an auditor, who has no
	// signing key, gives the verifier key and the workbook's own signed
	// checkpoint is checked with it.
	var seal reportSeal
	if vkey != "" {
		seal, err = workbookSeal(c.Context, s, meta, size, path, vkey)
	} else {
		seal, err = signSeal(c, s, size)
	}
	if err != nil {
		return err
	}
	// The cosigned checkpoint is evidence gathered outside the ledger: it is
	// checked, then carried into the rebuild as the workbook has it.
	if seal.cosigned, err = checkCosigned(c, s, meta, size, path, seal.vkey); err != nil {
		return err
	}
	folded, done, err := fold.View(s)
	if err != nil {
		return err
	}
	defer done()
	// The threshold is part of what was published: rebuilt with it, a
	// workbook with figures withheld is byte-identical too.
	below := 0
	if v := meta[xlsx.AuditSuppress]; v != "" {
		if below, err = strconv.Atoi(v); err != nil || below < 2 || below > ledger.MaxSuppressBelow {
			return ledger.Errorf(ledger.CodeVerify, "%s: the Audit sheet's threshold %q is not one statledger writes", path, v)
		}
	}
	want, in, err := buildSealed(folded.At(size), meta["Period"], seal, below)
	if err != nil {
		return err
	}
	if in.State.Size != size {
		return ledger.Errorf(ledger.CodeVerify, "%s was built at tree size %d; the ledger gives %d for the same option", path, size, in.State.Size)
	}
	if meta["Root hash"] != in.Root {
		return ledger.Errorf(ledger.CodeVerify, "%s says the root at tree size %d was %s; the ledger has %s: history was changed", path, size, meta["Root hash"], in.Root)
	}
	if bytes.Equal(data, want) {
		fmt.Fprintf(c.App.Writer, "ok: %s is byte-identical to the report rebuilt at tree size %d (root %s)\n", path, size, in.Root)
		return nil
	}
	diffs, err := xlsx.Diff(data, want)
	if err != nil {
		return ledger.Wrap(ledger.CodeVerify, err, "%s", path)
	}
	if len(diffs) == 0 && meta[xlsx.AuditVersion] != version {
		fmt.Fprintf(c.App.Writer, "ok: %s (made by statledger %s) has the same cells as the report rebuilt at tree size %d by %s\n", path, meta[xlsx.AuditVersion], size, version)
		return nil
	}
	for i, d := range diffs {
		if i == 20 {
			fmt.Fprintf(c.App.ErrWriter, "… and %d more\n", len(diffs)-20)
			break
		}
		fmt.Fprintf(c.App.ErrWriter, "%s!%s: file has %q, ledger gives %q\n", d.Sheet, d.Cell, ledger.Printable(d.A, 60), ledger.Printable(d.B, 60))
	}
	if len(diffs) == 0 {
		return ledger.Errorf(ledger.CodeVerify, "%s has the same cells but not the same bytes as the rebuilt report, though the same version made it: the file was altered", path)
	}
	return ledger.Errorf(ledger.CodeVerify, "%s differs from the report rebuilt at tree size %d in %d %s", path, size, len(diffs), ledger.Plural(len(diffs), "cell", "cells"))
}
