// Command nodeloop runs nodeloop's demo and tools: the book's program on the real
// OS, deterministic runs on the simulator, recording and replay, the checks,
// comparisons, exports and timelines of traces, and the benchmarks beside libuv,
// Node.js and Go.
//
//	nodeloop help                 the commands, one line each
//	nodeloop help COMMAND         a command's arguments and every flag, with its default
//	nodeloop COMMAND -h           the same
//
// Every command, its arguments and its flags come from one table (commands, in
// main.go): dispatch, the list of commands and each command's help come from it. Flags
// may come before or after a command's arguments; "--" ends them.
//
// Exit codes: 0 ok; 1 a finding (a violation, a difference, a failed seed); 2 bad
// usage, unreadable input, an I/O failure (naming the file or stream) or any other
// error that stopped the command before it could judge.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// commands is the command table. It is filled by init because the help command
// reads it.
var commands []command

func init() {
	commands = []command{
		newCommand("demo", "run the book's example program on the real OS",
			"", (*demoFlags).define, demoCmd),
		newCommand("sim", "deterministic runs on virtual time, invariants checked; exit 1 on a failed seed",
			"[SCENARIO | WORLD | FILE.js]", (*simFlags).define, simCmd),
		newCommand("report", "merge the JSON reports of a sweep's shards, checking they cover its seeds once; exit 1 on a failed seed, 2 on a gap, an overlap or a mismatch",
			"merge FILE...", (*reportFlags).define, reportCmd),
		newCommand("run", runSummary,
			"FILE [ARGS...]", (*runFlags).define, runCmd),
		newCommand("record", "a real run of a scenario on the OS, recorded with its inputs for replay",
			"SCENARIO", (*recordFlags).define, recordCmd),
		newCommand("replay", "re-run a recording from its inputs, or a simulated trace from its choices, deterministically; exit 1 if it differs",
			"FILE", (*noFlags).define, replayCmd),
		newCommand("check", "check a trace against the invariants of docs/semantics.md; exit 1 on a violation",
			"FILE", (*noFlags).define, checkCmd),
		newCommand("diff", "the first divergence of two traces; exit 1 if they differ",
			"A B", (*diffFlags).define, diffCmd),
		newCommand("export", "convert a trace to Chrome Trace Event JSON, for Perfetto and chrome://tracing",
			"FILE", (*exportFlags).define, exportCmd),
		newCommand("view", "a self-contained HTML timeline of a trace",
			"FILE", (*viewFlags).define, viewCmd),
		newCommand("bench", "benchmarks side by side with libuv, Node.js and plain Go",
			"", (*benchFlags).define, benchCmd),
		newCommand("help", "list the commands, or show one command's arguments and flags",
			"[COMMAND]", (*noFlags).define, helpCmd),
	}
	if c, ok := lookupCommand("sim"); ok {
		c.more = simScenarioList
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command that args name and returns the exit code. Every write to
// stdout and stderr goes through an [output], so a failing stream is an error too.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return 2
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		name = "help"
	}
	c, ok := lookupCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "nodeloop: unknown command %q\n\n%s", name, usageText())
		return 2
	}
	err := c.exec(args[1:], stdout, stderr)
	if err == nil {
		return 0
	}
	var se scriptExit
	if errors.As(err, &se) && err == error(se) {
		return se.code
	}
	fmt.Fprintf(stderr, "nodeloop: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "usage: %s\nSee 'nodeloop help %s'.\n", c.synopsis(), c.name)
	}
	return exitCode(err)
}

// exitCode is the exit code for the error of a command: 0 for none, 1 for a finding,
// 2 for anything else. A failure to write the output is never a mere finding: the
// user did not see it.
func exitCode(err error) int {
	var (
		ioe *ioError
		fe  findingError
	)
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ioe):
		return 2
	case errors.As(err, &fe):
		return 1
	default:
		return 2
	}
}

// usageError is bad usage: exit code 2, and the command's synopsis.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// findingError is a finding (a violation, a difference, a failed seed): exit code 1.
type findingError struct{ msg string }

func (e findingError) Error() string { return e.msg }

// inputError is an input that cannot be read or decoded: exit code 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }
