// Command statledger keeps law-enforcement statistics as an event-sourced,
// tamper-evident ledger. This package only parses flags, wires the pieces
// together and prints; the rules live in ledger and projections.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/statledger/statledger/internal/spelling"
	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	limitHeap()
	// Ctrl-C (or a TERM from a service manager) cancels the command's
	// context: an import stops at the end of a batch, a fold or a verify
	// between two reads, each saying what was done; a second Ctrl-C kills.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // the signal's default again: the second kills
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// limitHeap holds the heap to heapLimit, unless GOMEMLIMIT says otherwise.
// Every command keeps within 256 MiB, and the ledger's mapped pages take up
// to about 110 MiB of it in a large ledger (bolt.MappedBudget, and what one
// transaction maps): the collector runs more often only when a command's
// heap would pass the limit. A report that rebuilt the projection
// checkpoint of 10M events peaked at 314 MiB without it (bbolt's freelist
// held a 40 MB map), at 207-216 MiB with it, in about the same time; at 1M
// events no command took longer.
func limitHeap() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(heapLimit)
	}
}

const heapLimit = 96 << 20

// run is main without the process: the exit code it returns follows DESIGN.md.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, interspersed(app, args))
	if err == nil {
		return 0
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "\r\x1b[K") // a progress bar may hold the line: start the message clean
	}
	msg := err.Error()
	interrupted := ledger.Stopped(ctx, err)
	if interrupted {
		msg = strings.Replace(msg, context.Canceled.Error(), "interrupted", 1)
	}
	for _, h := range hints {
		if errors.Is(err, h.kind) {
			msg += "\n" + h.hint
			break
		}
	}
	if path, ok := ledger.DamagedFile(err); ok {
		if isDerivedFile(path) {
			msg += fmt.Sprintf("\n%s holds only data derived from the ledger: remove it, and the next command makes it again", path)
		} else {
			msg += fmt.Sprintf("\n'statledger salvage --from %s --to NEW.db' recovers the events that still verify into a new ledger; a backup ('statledger backup') is another way back", path)
		}
	}
	// A message may quote input; only its own line breaks reach the terminal.
	fmt.Fprintln(stderr, "statledger: "+terminalLines(msg))
	if interrupted {
		// Whatever was being checked was not finished: no exit 3 (failed)
		// or 2 (bad input) for what the user stopped.
		return int(ledger.CodeRuntime)
	}
	return exitCode(err)
}

// hints are what the CLI adds to an error of a kind the libraries mark:
// only the CLI knows its commands and flags.
var hints = []struct {
	kind error
	hint string
}{
	{ledger.ErrNoLedger, "run 'statledger init' to create one, or pass --store (or $STATLEDGER_STORE)"},
	// The ledger exists (else ErrNoLedger): its key was left behind or is
	// kept elsewhere, and an auditor's copy has none.
	{ledger.ErrNoSigningKey, "the key 'statledger init' made stays with the ledger's keeper: pass --signing-key (or $STATLEDGER_SIGNING_KEY) where it is kept elsewhere; without it, 'statledger verify --report FILE --key VERIFIER-KEY' checks a published workbook"},
	{ledger.ErrAsOf, "--as-of takes a tree size (the first N events) or an RFC 3339 instant (the events recorded by then)"},
	{ledger.ErrStoreAddress, "check --store (or $STATLEDGER_STORE): a file path, bolt:PATH, or esdb://HOST:PORT?tls=…"},
	{ledger.ErrHistoryChanged, "'statledger verify' names the first bad seq"},
	{projections.ErrDamaged, "'statledger verify' names what is wrong and 'statledger verify --rebuild-projection' rebuilds it"},
	{ledger.ErrInputFormat, "pass --format jsonl or --format csv"},
	{monthly.ErrUncosigned, "the keeper merges the witnesses' cosignatures with 'statledger checkpoint --cosigned' before the report; for a later tree, 'statledger prove --consistency LAST --to SIZE' is what they cosign"},
	{ledger.ErrStaleProjection, "'statledger verify --rebuild-projection' discards it; the next report folds it again from the ledger"},
	{ledger.ErrNoWitness, "make one with 'statledger witness init --dir DIR --name NAME'"},
	{ledger.ErrStaleProof, "ask the ledger's keeper for 'statledger prove --consistency' from the checkpoint this witness cosigned last"},
}

func exitCode(err error) int {
	var le *ledger.Error
	if errors.As(err, &le) {
		return int(le.Code)
	}
	// urfave/cli reports usage mistakes as plain errors, and 'help NAME' of
	// no command as an exit 3.
	msg := err.Error()
	for _, p := range []string{"Required flag", "flag provided but not defined", "invalid value", "flag needs an argument", "No help topic"} {
		if strings.Contains(msg, p) {
			return int(ledger.CodeInput)
		}
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return int(ledger.CodeRuntime)
}

func usageError(format string, args ...any) error {
	return ledger.Errorf(ledger.CodeInput, format, args...)
}

func defaultActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if s := os.Getenv("USER"); s != "" {
		return s
	}
	return "unknown"
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "statledger",
		Usage:   "an auditable, event-sourced ledger of law-enforcement statistics",
		Version: version,
		Description: "Every fact (an arrest, a repatriation, a task force…) enters as an immutable event in a\n" +
			"Merkle-tree ledger; reports are projections of the ledger at a known tree size and root,\n" +
			"so any published figure can be reproduced and proven later.\n\n" +
			"Quick start:\n" +
			"   statledger demo                       build a demo ledger from testdata/seed.jsonl\n" +
			"   statledger init                       create ./statledger.db and its signing key\n" +
			"   statledger import events.jsonl        append validated events\n" +
			"   statledger verify                     recompute every hash; exit 3 if anything changed",
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "store", Value: "statledger.db", EnvVars: []string{"STATLEDGER_STORE"},
				Usage: "the ledger: a file path or bolt:PATH (embedded), or esdb://… / kurrentdb://… (EventStoreDB)"},
			&cli.StringFlag{Name: "ledger", Value: "statledger", EnvVars: []string{"STATLEDGER_LEDGER"},
				Usage: "the ledger's stream name on an EventStoreDB store"},
			&cli.StringFlag{Name: "actor", Value: defaultActor(), EnvVars: []string{"STATLEDGER_ACTOR"},
				Usage: "who is recording, written into every appended event as recorded_by"},
			&cli.StringFlag{Name: "signing-key", EnvVars: []string{"STATLEDGER_SIGNING_KEY"},
				Usage: "the ledger's private signing key file (default: the store path + \".key\")"},
		},
		Commands: []*cli.Command{
			initCommand(), keyCommand(), recordCommand(), importCommand(), correctCommand(), retractCommand(),
			replayCommand(), checkpointCommand(), verifyCommand(), proveCommand(), verifyProofCommand(), witnessCommand(),
			summaryCommand(), reportCommand(), chartCommand(), exportCommand(), copyCommand(), backupCommand(), salvageCommand(), demoCommand(),
		},
		// A name that is no command: urfave/cli says "No help topic", with
		// exit 3, the code of a failed verification.
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			return usageError("%q is not a command%s (see 'statledger --help')", c.Args().First(), didYouMean(c.App.Commands, c.Args().First()))
		},
		// The exit code is decided in run, from the error's ledger.Code.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(ctx *cli.Context, err error, _ bool) error {
			if err := unknownFlag(err, "", nil, ctx.App.Flags); err != nil {
				return err
			}
			return ledger.Wrap(ledger.CodeInput, err, "bad usage (see 'statledger --help')")
		},
	}
	for _, c := range app.Commands {
		setUsageErrors(c, "")
	}
	var unmark []*cli.StringFlag
	for _, c := range app.Commands {
		unmark = append(unmark, requireInAction(c, "")...)
	}
	for _, f := range unmark {
		f.Required = false
	}
	return app
}

// requireInAction has each command say which required flag is missing,
// with what the flag is for, in one line: urfave/cli prints the command's
// whole help first. It returns the flags to unmark, once every command
// (some share a flag) has taken note of them.
func requireInAction(c *cli.Command, parent string) []*cli.StringFlag {
	name := strings.TrimSpace(parent + " " + c.Name)
	var required []*cli.StringFlag
	for _, f := range c.Flags {
		if sf, ok := f.(*cli.StringFlag); ok && sf.Required {
			required = append(required, sf)
			if !strings.Contains(sf.Usage, "required") { // help says so, as urfave/cli's does not
				sf.Usage += " (required)"
			}
		}
	}
	if action := c.Action; len(required) > 0 && action != nil {
		c.Action = func(ctx *cli.Context) error {
			for _, f := range required {
				if !ctx.IsSet(f.Name) {
					flag := "--" + f.Name
					for _, a := range f.Aliases {
						flag += " (-" + a + ")"
					}
					return usageError("%s is required: %s (see 'statledger %s --help')", flag, unrequired.Replace(f.Usage), name)
				}
			}
			return action(ctx)
		}
	}
	unmark := required
	for _, s := range c.Subcommands {
		unmark = append(unmark, requireInAction(s, name)...)
	}
	return unmark
}

// unrequired is a required flag's usage without the word, for the message
// that says it is required.
var unrequired = strings.NewReplacer(" (required)", "", "required; ", "")

// unknownFlag is the error of a flag that command (or, "", the program)
// does not have, naming the one it was meant as where one is a letter or
// two away; nil for any other error.
func unknownFlag(err error, command string, flags, global []cli.Flag) error {
	typo, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return nil
	}
	of, help := "a flag of "+command, "statledger "+command+" --help"
	if command == "" {
		of, help = "a flag of statledger", "statledger --help"
	}
	var names []string
	for _, f := range append(flags[:len(flags):len(flags)], global...) {
		names = append(names, f.Names()...)
	}
	if n := spelling.Closest(typo, names); n != "" {
		return usageError("--%s is not %s; did you mean --%s?", typo, of, n)
	}
	return usageError("--%s is not %s (see '%s')", typo, of, help)
}

// didYouMean names the command a typo was meant as ("; did you mean
// import?"), or "".
func didYouMean(commands []*cli.Command, typed string) string {
	var names []string
	for _, c := range commands {
		names = append(names, c.Names()...)
	}
	if n := spelling.Closest(typed, names); n != "" {
		return "; did you mean " + n + "?"
	}
	return ""
}

// asFlags says a field's hint in the words of the command line.
var asFlags = strings.NewReplacer("in count and how it was reported in count_qualifier (count ", "to --count and how it was reported to --qualifier (--count ", ", count_qualifier ", " --qualifier ")

// invalidValue is urfave/cli's error for a flag value it cannot parse.
var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([a-z-]+): `)

func setUsageErrors(c *cli.Command, parent string) {
	name := strings.TrimSpace(parent + " " + c.Name)
	if len(c.Subcommands) > 0 && c.Action == nil {
		// urfave/cli answers an unknown subcommand with "No help topic"
		// and exit 3, the code of a failed verification.
		var names []string
		for _, s := range c.Subcommands {
			names = append(names, s.Name)
		}
		c.Action = func(ctx *cli.Context) error {
			if ctx.NArg() == 0 {
				return usageError("%s needs one of: %s", name, strings.Join(names, ", "))
			}
			if hint := didYouMean(c.Subcommands, ctx.Args().First()); hint != "" {
				return usageError("%q is not a subcommand of %s%s", ctx.Args().First(), name, hint)
			}
			return usageError("%q is not a subcommand of %s; it has: %s", ctx.Args().First(), name, strings.Join(names, ", "))
		}
	}
	c.OnUsageError = func(ctx *cli.Context, err error, _ bool) error {
		// A number flag given "60+" is told what the format's field says
		// of that value, as an import of the same cell would be.
		if m := invalidValue.FindStringSubmatch(err.Error()); m != nil {
			for i := range ledger.Fields {
				if f := &ledger.Fields[i]; f.Kind == ledger.Whole && flagName(f.Name) == "--"+m[2] {
					if msg := f.SetText(&ledger.Event{}, m[1]); msg != "" {
						return usageError("--%s: %s", m[2], asFlags.Replace(msg))
					}
				}
			}
		}
		if err := unknownFlag(err, name, c.Flags, ctx.App.Flags); err != nil {
			return err
		}
		return ledger.Wrap(ledger.CodeInput, err, "bad usage (see 'statledger %s --help')", name)
	}
	for _, s := range c.Subcommands {
		setUsageErrors(s, name)
	}
}

// terminalLines is ledger.Printable for each line of a message of several.
func terminalLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = ledger.Printable(l, 1<<20)
	}
	return strings.Join(lines, "\n")
}
