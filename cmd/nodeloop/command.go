package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is one row of the command table.
type command struct {
	name    string // what follows nodeloop on the command line
	summary string // one line, for the list of commands and the command's help
	args    string // the synopsis of the positional arguments, such as "A B" or "[SCENARIO]"
	// bind defines the command's flags on fs and returns the function that runs the
	// command with their values, the positional arguments and the two outputs.
	bind func(fs *flag.FlagSet) func(args []string, stdout, stderr io.Writer) error
	// more, if not nil, returns what the command's help shows after its flags.
	more func() string
}

// newCommand makes a row of the command table: flags defines the command's flags,
// with their descriptions and defaults, on a fresh F; run runs the command with them.
func newCommand[F any](name, summary, args string, flags func(*F, *flag.FlagSet), run func(f *F, args []string, stdout, stderr io.Writer) error) command {
	return command{name: name, summary: summary, args: args,
		bind: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			f := new(F)
			flags(f, fs)
			return func(args []string, stdout, stderr io.Writer) error { return run(f, args, stdout, stderr) }
		}}
}

// noFlags are the flags of a command that has none.
type noFlags struct{}

func (*noFlags) define(*flag.FlagSet) {}

// lookupCommand returns the row of the command table called name.
func lookupCommand(name string) (*command, bool) {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i], true
		}
	}
	return nil, false
}

// commandNames returns the names of the commands, in the table's order.
func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// flagSet returns a fresh flag set holding c's flags, which reports its errors
// instead of printing them or exiting, and the function that runs c with them.
func (c *command) flagSet() (*flag.FlagSet, func([]string, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs, c.bind(fs)
}

// exec parses args and runs c with its outputs wrapped, so that a failure to write
// either is an error naming it. -h, -help or --help anywhere among the flags shows
// c's help on stdout instead.
func (c *command) exec(args []string, stdout, stderr io.Writer) error {
	fs, runFunc := c.flagSet()
	out, errOut := newOutput(stdout, "stdout"), newOutput(stderr, "stderr")
	pos, err := parseArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.help(out)
		err = nil
	case err != nil:
		return err
	default:
		err = runFunc(pos, out, errOut)
	}
	return joinErrors(out.Err(), errOut.Err(), err)
}

// synopsis is c's command line, such as "nodeloop diff [flags] A B".
func (c *command) synopsis() string {
	s := "nodeloop " + c.name
	fs, _ := c.flagSet()
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		s += " [flags]"
	}
	if c.args != "" {
		s += " " + c.args
	}
	return s
}

// help writes c's synopsis, summary and every flag with its description and default.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.synopsis(), c.summary)
	fs, _ := c.flagSet()
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			if c.args != "" {
				fmt.Fprint(w, "\nflags (before or after the arguments; -- ends them):\n")
			} else {
				fmt.Fprint(w, "\nflags:\n")
			}
			first = false
		}
		fmt.Fprintf(w, "  %s\n        %s\n", flagName(f), flagUsage(f))
	})
	if c.more != nil {
		fmt.Fprint(w, "\n"+c.more())
	}
}

// flagName is how a flag is written on the command line, with the name of its value:
// "--seed N", "-o FILE", "--swarm".
func flagName(f *flag.Flag) string {
	dashes := "--"
	if len(f.Name) == 1 {
		dashes = "-"
	}
	s := dashes + f.Name
	if value, _ := flag.UnquoteUsage(f); value != "" {
		s += " " + value
	}
	return s
}

// flagUsage is a flag's description, with its default when it has one.
func flagUsage(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	if f.DefValue != "" {
		usage += " (default " + f.DefValue + ")"
	}
	return usage
}

// usageText is the list of commands.
func usageText() string {
	var b strings.Builder
	b.WriteString("usage: nodeloop COMMAND [flags] [arguments]\n\ncommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	tw.Flush()
	b.WriteString(`
Flags may come before or after the arguments; -- ends them.
'nodeloop help COMMAND' or 'nodeloop COMMAND -h' shows a command's flags.

Exit codes: 0 ok; 1 a finding (a violation, a difference, a failed seed); 2 bad
usage, unreadable input, an I/O failure or any other error.
`)
	return b.String()
}

// helpCmd lists the commands, or shows the help of the one named.
func helpCmd(_ *noFlags, args []string, stdout, _ io.Writer) error {
	switch len(args) {
	case 0:
		fmt.Fprint(stdout, usageText())
		return nil
	case 1:
		c, ok := lookupCommand(args[0])
		if !ok {
			return usageError{fmt.Sprintf("help: no command %q (there are: %s)", args[0], strings.Join(commandNames(), ", "))}
		}
		c.help(stdout)
		return nil
	default:
		return usageError{fmt.Sprintf("help: name one command, not %d", len(args))}
	}
}

// parseArgs parses the flags of fs wherever they stand among args, before, between
// or after the positional arguments, and returns the positional arguments in order.
// A flag's value is the next argument unless the flag is boolean or written
// --name=value. "--" ends the flags: every argument after it is positional, even
// one that starts with "-"; so is a lone "-". A bad flag is a usageError naming the
// command; -h, -help and --help return flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimPrefix(a[1:], "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		// Every token handed to Parse is a flag or a flag's value, so Parse stops
		// early only on what it cannot read as a flag.
		return nil, usageError{fmt.Sprintf("%s: cannot read %q as a flag", fs.Name(), fs.Arg(0))}
	}
	return pos, nil
}

// isBoolFlag reports whether f takes no value, as --swarm does.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// noArgs is the error of a command that takes no positional arguments and got some.
func noArgs(cmd string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", cmd, args[0])}
	}
	return nil
}
