package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/lang"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/statledger/statledger/reports/xlsx"
	"github.com/urfave/cli/v2"
)

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
				monthFlag(), asOfFlag(),
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (default statledger-YYYY-MM.xlsx; in Korean or Khmer statledger-YYYY-MM-ko.xlsx, -km.xlsx)"},
				&cli.BoolFlag{Name: "publish", Usage: "record the publication in the ledger (file name and SHA-256)"},
				suppressFlag(), langFlag(),
			},
			Action: func(c *cli.Context) error {
				month, asOf, below, err := monthArgs(c)
				if err != nil {
					return err
				}
				language, err := langOf(c)
				if err != nil {
					return err
				}
				out := c.String("output")
				if out == "" {
					out = inLanguage("statledger-"+month, ".xlsx", language)
				}
				// Made before the fold, which may take long: a file that cannot
				// be written fails at once.
				if err := checkExtension(out, "an Excel workbook", ".xlsx"); err != nil {
					return err
				}
				file, err := createOutput(c, out)
				if err != nil {
					return err
				}
				defer file.abort() // a no-op once committed
				var data []byte
				var in xlsx.Input
				var empty string
				l, err := view(c, asOf, c.Bool("publish"), func(l *checkpoint.Ledger) (err error) {
					data, in, err = buildMonthly(c, l.Store, l.State, month, monthly.Form{SuppressBelow: below, Lang: language})
					empty = emptyMonth(l.State, month, asOf)
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
				fmt.Fprintf(infoWriter(c, out), "wrote %s: %s as of tree size %d, root %s; SHA-256 %s\n", file.path, month, size, in.Root, hex.EncodeToString(sum[:]))
				if empty != "" {
					fmt.Fprintln(c.App.ErrWriter, empty)
				}
				if !c.Bool("publish") {
					return nil
				}
				e, seq, err := monthly.Publish(c.Context, s, c.String("actor"), in, data, out)
				if err != nil {
					return err
				}
				fmt.Fprintf(infoWriter(c, out), "published: report_published %s at seq %d (an auditor without the ledger checks the file with the proof of it: statledger prove %[1]s)\n", e.ID, seq)
				return nil
			},
		}},
	}
}

// inLanguage is the default name of an output in language l: each language
// its own file, so that the Korean workbook made after the English one does
// not replace it.
func inLanguage(base, ext string, l lang.Lang) string {
	if l.Code == "en" {
		return base + ext
	}
	return base + "-" + l.Code + ext
}

// instantNote is what an --as-of instant selects, for a reader who took it
// for a date of incidents.
const instantNote = "--as-of with an instant selects the events recorded by then (recorded_at), not those of incidents dated before it"

// emptyMonth is a note for a month that has no incident in st, which is
// most often a mistyped --month (2015-10 for 2025-10), or an --as-of
// instant taken for a date of incidents; or "".
func emptyMonth(st *projections.State, month string, asOf ledger.AsOf) string {
	months := st.Months()
	if slices.Contains(months, month) {
		return ""
	}
	instant := ""
	if asOf.Time != nil {
		instant = "; " + instantNote
	}
	if len(months) == 0 {
		return fmt.Sprintf("note: no incident counts as of tree size %d: every incident figure of %s is 0%s", st.Size, month, instant)
	}
	return fmt.Sprintf("note: no incident counts in %s as of tree size %d (the ledger's run from %s to %s): every incident figure is 0; check --month%s", month, st.Size, months[0], months[len(months)-1], instant)
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
