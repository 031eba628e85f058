package main

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// barOnTerminal is a progress bar for long work, shown only when stderr is
// a terminal, made at the first report of progress and cleared when done.
func barOnTerminal(c *cli.Context, what string) func(done, total uint64) {
	return newBar(c, what, progressbar.OptionShowCount())
}

// bytesOnTerminal is barOnTerminal for work measured in bytes.
func bytesOnTerminal(c *cli.Context, what string) func(done, total int64) {
	show := newBar(c, what, progressbar.OptionShowBytes(true), progressbar.OptionShowCount())
	if show == nil {
		return nil
	}
	return func(done, total int64) { show(uint64(done), uint64(total)) }
}

func newBar(c *cli.Context, what string, opts ...progressbar.Option) func(done, total uint64) {
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total uint64) {
		if bar == nil {
			bar = progressbar.NewOptions64(int64(total), append(opts, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what), progressbar.OptionClearOnFinish())...)
		}
		bar.Set64(int64(done))
		if done >= total {
			bar.Finish()
		}
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

// countOnTerminal is barOnTerminal for work whose size is not known before
// it ends: a spinner with a count of units and a rate.
func countOnTerminal(c *cli.Context, what, units string) func(n uint64, finished bool) {
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(n uint64, finished bool) {
		if bar == nil {
			bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionShowTotalBytes(false),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString(units), progressbar.OptionClearOnFinish())
		}
		bar.Set64(int64(n))
		if finished {
			bar.Finish()
		}
	}
}
