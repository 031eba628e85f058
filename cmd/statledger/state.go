package main

import (
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
)

// view opens the ledger named by --store and its projection as of asOf,
// runs build on it, and returns the ledger open: see checkpoint.Place.Build.
func view(c *cli.Context, asOf ledger.AsOf, write bool, build func(*checkpoint.Ledger) error) (*checkpoint.Ledger, error) {
	p, err := place(c)
	if err != nil {
		return nil, err
	}
	mode := checkpoint.Reading
	if write {
		mode = checkpoint.Writing
	}
	if build == nil {
		build = func(*checkpoint.Ledger) error { return nil }
	}
	return p.Build(c.Context, asOf, mode, build)
}

// note tells the user, on stderr, what a library says they should know.
func note(c *cli.Context) func(checkpoint.Notice) {
	return func(n checkpoint.Notice) {
		s := n.Text
		if n.HistoryChanged {
			s += ". Run 'statledger verify' to check the ledger."
		}
		fmt.Fprintln(c.App.ErrWriter, s)
	}
}

// foldProgress shows a bar on a terminal while a fold is long enough to wait
// for; the bar appears with the first chunk, when the total is known.
func foldProgress(c *cli.Context) func(done, total uint64) {
	show := barOnTerminal(c, "folding the projection")
	if show == nil {
		return nil
	}
	return func(done, total uint64) {
		if total >= 4*uint64(checkpoint.Chunk) {
			show(done, total)
		}
	}
}

// barOnTerminal is a progress bar for long work, shown only when stderr is
// a terminal, made at the first report of progress and cleared when done.
func barOnTerminal(c *cli.Context, what string) func(done, total uint64) {
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total uint64) {
		if bar == nil {
			bar = progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		}
		bar.Set64(int64(done))
		if done >= total {
			bar.Finish()
		}
	}
}
