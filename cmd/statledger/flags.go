package main

import (
	"errors"
	"strings"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/reports/lang"
	"github.com/urfave/cli/v2"
)

func asOfFlag() cli.Flag {
	return &cli.StringFlag{Name: "as-of", Usage: "a tree size (the first N events) or an RFC 3339 time (events recorded at or before it)"}
}

// monthFlag is --month. Where it is required, monthArgs says so: urfave/cli
// would print the whole help first.
func monthFlag() cli.Flag {
	return &cli.StringFlag{Name: "month", Usage: "the period, YYYY-MM (required)"}
}

// monthLayouts are other ways a month is written that can be read without
// doubt.
var monthLayouts = []string{"2006/01", "2006/1", "2006.01", "2006.1", "2006. 1.", "2006-1", "01/2006", "1/2006", "01.2006", "January 2006", "Jan 2006", "200601"}

// parseMonth reads the month flag (--month, --from, --to) was given.
func parseMonth(flag, s string) (string, error) {
	if _, err := time.Parse("2006-01", s); err == nil && len(s) == 7 {
		return s, nil
	}
	for _, layout := range monthLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return "", usageError("%s %q: write %s (YYYY-MM)", flag, s, t.Format("2006-01"))
		}
	}
	return "", usageError("%s %q: give a month as YYYY-MM, like 2025-10", flag, s)
}

// monthRange reads --from and --to, either of which may be left out.
func monthRange(c *cli.Context) (from, to string, err error) {
	if from = c.String("from"); from != "" {
		if from, err = parseMonth("--from", from); err != nil {
			return
		}
	}
	if to = c.String("to"); to != "" {
		if to, err = parseMonth("--to", to); err != nil {
			return
		}
	}
	if from != "" && to != "" && from > to {
		return "", "", usageError("--from %s is after --to %s: give the earlier month first", from, to)
	}
	return
}

// monthArgs reads --month, --as-of and --suppress-below: what a month's
// figures are of, and which of them are withheld.
func monthArgs(c *cli.Context) (month string, asOf ledger.AsOf, below int, err error) {
	if !c.IsSet("month") {
		last := time.Now().AddDate(0, -1, 0).Format("2006-01")
		return "", ledger.AsOf{}, 0, usageError("--month is required: the month whose figures to give, as YYYY-MM (last month is --month %s)", last)
	}
	if month, err = parseMonth("--month", c.String("month")); err != nil {
		return
	}
	if asOf, err = ledger.ParseAsOf(c.String("as-of")); err != nil {
		return
	}
	below, err = suppressBelow(c)
	return
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

func echartsFlag() cli.Flag {
	return &cli.StringFlag{Name: "echarts-js", EnvVars: []string{"STATLEDGER_ECHARTS_JS"},
		Usage: "echarts.min.js to inline, for a page that works offline (npm install echarts: node_modules/echarts/dist/echarts.min.js)"}
}

// readFileArg reads a checkpoint or a proof: a few KB, so a larger file
// (the ledger, a workbook, a disk image) is named as the wrong file before
// it is read.
func readFileArg(flag, path string) ([]byte, error) {
	b, err := ledger.ReadFileAtMost(path, 1<<20)
	if errors.As(err, new(ledger.TooLarge)) {
		return nil, usageError("%s %s: %v; a checkpoint or a proof is a few KB: is it the right file?", flag, path, err)
	}
	if err != nil {
		return nil, usageError("%s %s: %v", flag, path, err)
	}
	return b, nil
}
