package main

import (
	"fmt"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/urfave/cli/v2"
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
