package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's positional arguments after its flags.
// urfave/cli v2 stops reading flags at the first positional argument, but users
// type 'statledger correct ID --count 61 --reason …' as the docs show it.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	cmds := app.Commands
	flags := app.Flags
	// Walk global flags and the command path.
	i := 0
	for i < len(rest) {
		a := rest[i]
		if a == "--" {
			return append(out, rest[i:]...)
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			out = append(out, a)
			if takesValue(flags, a) && i+1 < len(rest) {
				out = append(out, rest[i+1])
				i++
			}
			i++
			continue
		}
		if a == "help" || a == "h" {
			// urfave/cli's own command, added after this runs: 'help import'.
			return append(out, rest[i:]...)
		}
		cmd := findCommand(cmds, a)
		if cmd == nil {
			if len(cmds) > 0 {
				// A word where a subcommand belongs that is none: hand it to
				// the parent alone, which names it, rather than its flags,
				// which the parent does not have.
				return append(out, "--", a)
			}
			break
		}
		out = append(out, a)
		cmds, flags = cmd.Subcommands, cmd.Flags
		i++
		if len(cmds) == 0 {
			break
		}
	}
	var positional, global []string
	for ; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case strings.HasPrefix(a, "-") && a != "-" && !defines(flags, a) && defines(app.Flags, a):
			// A global flag typed after the command ('statledger verify
			// --store x.db'): it goes where urfave/cli reads it.
			global = append(global, a)
			if takesValue(app.Flags, a) && i+1 < len(rest) {
				global = append(global, rest[i+1])
				i++
			}
		case strings.HasPrefix(a, "-") && a != "-":
			out = append(out, a)
			if takesValue(flags, a) && i+1 < len(rest) {
				out = append(out, rest[i+1])
				i++
			}
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return append(append([]string{out[0]}, global...), out[1:]...)
}

// defines reports whether flag token a (like --store or --store=x) is one of flags.
func defines(flags []cli.Flag, a string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.Name == name {
			return c
		}
		for _, a := range c.Aliases {
			if a == name {
				return c
			}
		}
	}
	return nil
}

// takesValue reports whether flag token a (like --count or -o) consumes the next argument.
func takesValue(flags []cli.Flag, a string) bool {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	return false // unknown flags (and --help) take no value; urfave reports the unknown ones
}
