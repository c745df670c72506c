package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
)

// runFlags are the flags of nodeloop run.
type runFlags struct {
	stackSize int
}

func (f *runFlags) define(fs *flag.FlagSet) {
	fs.IntVar(&f.stackSize, "stack-size", 10000, "the depth of nested JavaScript calls past which a call throws RangeError, as `N` frames")
}

// runSummary is nodeloop run's line in the command table and its help.
const runSummary = "run a Node.js script (CommonJS) on the real OS, in Node's order; exit code: the script's, " +
	"as node's (process.exitCode, process.exit(n), 1 uncaught, 7 its handler threw), not 0/1/2; the script's flags go after --"

// scriptExit is the exit code of a script that nodeloop run ran: the command's own
// exit code, with nothing more printed.
type scriptExit struct{ code int }

func (e scriptExit) Error() string { return fmt.Sprintf("the script exited with %d", e.code) }

// runCmd runs a script as `node FILE ARGS...` does.
func runCmd(f *runFlags, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"run: missing FILE"}
	}
	if f.stackSize < 1 {
		return usageError{fmt.Sprintf("run: --stack-size %d: must be at least 1", f.stackSize)}
	}
	// The pool is sized by the script's UV_THREADPOOL_SIZE at its first job, as
	// libuv's.
	pool := js.NewThreadPool()
	l, err := nodeloop.New(nodeloop.WithPool(pool))
	if err != nil {
		return err
	}
	defer l.Close()
	rt, err := js.New(l, js.Config{
		Args:             args[1:],
		Env:              os.Environ(),
		Stdout:           stdout,
		Stderr:           stderr,
		MaxCallStackSize: f.stackSize,
	})
	if err != nil {
		return err
	}
	pool.Bind(rt)
	code, err := rt.RunMain(args[0])
	if err != nil {
		return err
	}
	if code != 0 {
		return scriptExit{code}
	}
	return nil
}
