// Command nodeloop runs nodeloop's demo and tools.
//
//	nodeloop demo [--trace FILE]    the book's program on the real OS
//	nodeloop sim [SCENARIO] [--seed N | --seeds A-B] ...    deterministic runs
//	nodeloop record SCENARIO -o FILE    a real run, recorded for replay
//	nodeloop replay FILE    re-run deterministically; exit 1 if it differs
//	nodeloop check FILE    invariants; exit 1 on violation
//	nodeloop diff A B    first divergence; exit 1 if different
//	nodeloop export --format chrome FILE    to Perfetto / chrome://tracing JSON
//	nodeloop view FILE -o out.html    HTML timeline
//	nodeloop bench [--vs libuv,node,go]    benchmarks side by side with the peers
//
// Exit codes: 0 ok, 1 a finding, 2 bad usage or unreadable input.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// usageError is bad usage: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// findingError is a finding (a violation, a difference, a failed seed): exit code 1.
type findingError struct{ msg string }

func (e findingError) Error() string { return e.msg }

// inputError is an input that cannot be read or decoded: exit code 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

const usage = `usage: nodeloop COMMAND [flags]

commands:
  demo [--trace FILE]    run the book's example program on the real OS
  sim [SCENARIO] [--seed N | --seeds A-B] [-j N] [--shard K/N] [--faults LIST]
      [--swarm] [--cost MIN-MAX] [--trace FILE]
                         deterministic runs on virtual time; exit 1 on a failed seed
  record SCENARIO -o FILE
                         a real run on the OS, recorded with its inputs for replay
  replay FILE            re-run a recording deterministically; exit 1 if it differs
  check FILE             the invariants of SEMANTICS.md; exit 1 on a violation
  diff [--ignore-timing] [--ignore-workers] [--ignore-pending] A B
                         the first divergence of two traces; exit 1 if they differ
  export [--format chrome] FILE [-o OUT]
                         Chrome Trace Event JSON, for Perfetto and chrome://tracing
  view FILE [-o out.html]
                         a self-contained HTML timeline of a trace
  bench [--vs libuv,node,go] [--only NAMES] [--scale X]
                         benchmarks side by side with libuv, Node.js and plain Go
                         (bash bench/setup.sh installs libuv and Node.js)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "demo":
		err = demo(args[1:], stdout)
	case "bench":
		err = benchCmd(args[1:], stdout)
	case "sim":
		err = simCmd(args[1:], stdout, stderr)
	case "record":
		err = recordCmd(args[1:], stdout)
	case "replay":
		err = replayCmd(args[1:], stdout)
	case "check":
		err = checkCmd(args[1:], stdout)
	case "diff":
		err = diffCmd(args[1:], stdout)
	case "export":
		err = exportCmd(args[1:], stdout)
	case "view":
		err = viewCmd(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	var (
		ue usageError
		ie inputError
		fe findingError
	)
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stderr, "nodeloop: %v\n%s", err, usage)
		return 2
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "nodeloop: %v\n", err)
		return 2
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "nodeloop: %v\n", err)
		return 1
	default:
		fmt.Fprintf(stderr, "nodeloop: %v\n", err)
		return 1
	}
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}
