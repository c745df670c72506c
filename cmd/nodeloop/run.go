package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
	"github.com/nodeloop/nodeloop/traces"
)

// runFlags are the flags of nodeloop run.
type runFlags struct {
	stackSize int
	syncLimit time.Duration
	trace     string
	explain   bool
}

func (f *runFlags) define(fs *flag.FlagSet) {
	fs.IntVar(&f.stackSize, "stack-size", 10000, "the depth of nested JavaScript calls past which a call throws RangeError, as `N` frames")
	fs.DurationVar(&f.syncLimit, "sync-limit", 0, "stop the script, with exit code 1, when one callback runs longer than `D` of real time (an endless synchronous loop); 0, the default, means no limit, as in node")
	fs.BoolVar(&f.explain, "explain", false, "print among the script's output, as each callback starts, which phase of which tick runs it, and the function and where the script made its handle")
	fs.StringVar(&f.trace, "trace", "", "write the run's trace to `FILE`, each callback and handle named by its function and where the script made it; nodeloop view shows it")
}

// runSummary is nodeloop run's line in the command table and its help.
const runSummary = "run a Node.js script (CommonJS) on the real OS, in Node's order; exit code: the script's, " +
	"as node's (process.exitCode, process.exit(n), 1 uncaught, 7 its handler threw), not 0/1/2; the script's flags go after --"

// scriptExit is the exit code of a script that nodeloop run ran: the command's own
// exit code, with nothing more printed.
type scriptExit struct{ code int }

func (e scriptExit) Error() string { return fmt.Sprintf("the script exited with %d", e.code) }

// runGCPercent is the garbage collector's target during nodeloop run, unless GOGC
// sets one, for a live heap of 16 MiB and more: the engine makes most of a
// script's values, frames and promises as short-lived garbage, whose cost falls as
// the heap may grow further between collections (node's young generation makes
// the same trade). A larger live heap, a million timers (175 MiB), pays for each
// collection in marking: a lower target there costs more CPU than the memory it
// saves is worth (100% took 10 to 25% more CPU for a peak 0 to 25% lower).
const runGCPercent = 400

// runGCHeadroom is how far the heap may grow past a small live heap between
// collections: after each collection gcTuner sets the target to runGCHeadroom
// over the live heap in percent, from runGCPercentMax (a live heap up to 4 MiB)
// down to runGCPercent (16 MiB and more). A script that keeps little alive, a
// chain of setImmediate callbacks, then collects every 64 MiB rather than every
// few MiB.
const runGCHeadroom = 64 << 20

// runGCPercentMax is the greatest target runGCHeadroom sets, for a small live heap.
const runGCPercentMax = 1600

// gcTunerOnce starts the process's one gcTuner.
var gcTunerOnce sync.Once

// gcTuner sets the garbage collector's target after each collection from the live
// heap, as runGCHeadroom says; until the first collection it is runGCPercent. It
// runs on the runtime's cleanup goroutine, woken by the collection of a sentinel
// it makes each cycle; it reads nothing of the script, so a run's output does not
// depend on it.
type gcTuner struct {
	percent int
	live    []metrics.Sample
}

// gcSentinel is what a gcTuner watches being collected; its pointer keeps it out
// of the allocator's tiny blocks, whose objects may be collected late.
type gcSentinel struct{ _ *gcTuner }

// startGCTuner sets runGCPercent and starts the tuner, once per process.
func startGCTuner() {
	gcTunerOnce.Do(func() {
		g := &gcTuner{percent: runGCPercent, live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
		debug.SetGCPercent(g.percent)
		g.arm()
	})
}

func (g *gcTuner) arm() {
	runtime.AddCleanup(&gcSentinel{}, func(g *gcTuner) { g.cycle() }, g)
}

// cycle follows a collection.
func (g *gcTuner) cycle() {
	metrics.Read(g.live)
	if g.live[0].Value.Kind() == metrics.KindUint64 {
		if p := gcPercentFor(g.live[0].Value.Uint64()); p != g.percent {
			g.percent = p
			debug.SetGCPercent(p)
		}
	}
	g.arm()
}

// gcPercentFor is the garbage collector's target for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return runGCPercent
	}
	return int(min(max(runGCHeadroom*100/live, runGCPercent), runGCPercentMax))
}

// runCmd runs a script as `node FILE ARGS...` does.
func runCmd(f *runFlags, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"run: missing FILE"}
	}
	if os.Getenv("GOGC") == "" {
		startGCTuner()
	}
	if f.stackSize < 1 || f.stackSize > js.MaxCallStackSizeMax {
		return usageError{fmt.Sprintf("run: --stack-size %d: must be from 1 to %d", f.stackSize, js.MaxCallStackSizeMax)}
	}
	if f.syncLimit < 0 {
		return usageError{fmt.Sprintf("run: --sync-limit %v: must not be negative", f.syncLimit)}
	}
	if f.trace == "" {
		return runScript(f, args, nil, stdout, stderr)
	}
	return writeToFile(f.trace, func(w io.Writer) error {
		h := traces.NewHeader("real")
		h.Scenario = args[0]
		rec := traces.NewRecorder(w, h)
		err := runScript(f, args, rec, stdout, stderr)
		if ferr := rec.Flush(); ferr != nil {
			return joinErrors(err, ferr)
		}
		return err
	})
}

// runScript runs the script args[0] with its arguments, its trace going to rec when
// rec is not nil.
func runScript(f *runFlags, args []string, rec *traces.Recorder, stdout, stderr io.Writer) error {
	// The pool is sized by the script's UV_THREADPOOL_SIZE at its first job, as
	// libuv's.
	pool := js.NewThreadPool()
	opts := []nodeloop.Option{nodeloop.WithPool(pool)}
	switch {
	case f.explain:
		opts = append(opts, nodeloop.WithTracer(&explainer{w: stdout, next: rec}))
	case rec != nil:
		opts = append(opts, nodeloop.WithTracer(rec))
	}
	l, err := nodeloop.New(opts...)
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
		SyncLimit:        f.syncLimit,
	})
	if err != nil {
		return err
	}
	pool.Bind(rt)
	code, err := rt.RunMain(args[0])
	var sl *js.SyncLimitError
	if errors.As(err, &sl) {
		fmt.Fprintf(stderr, "nodeloop: %v\n", sl)
		return scriptExit{code}
	}
	if err != nil {
		return err
	}
	if code != 0 {
		return scriptExit{code}
	}
	return nil
}

// explainer is nodeloop run --explain's tracer: it prints a line for each callback
// as it starts, saying which phase of which tick runs it, and passes every event on
// to next when there is one.
type explainer struct {
	w    io.Writer
	next *traces.Recorder
}

func (x *explainer) Event(e *traces.Event) {
	if x.next != nil {
		x.next.Event(e)
	}
	if e.Kind != traces.KindCallback || e.Source == traces.SourceMain {
		return
	}
	what := e.Source.String()
	if e.Name != "" {
		what += " " + e.Name
	} else {
		what += fmt.Sprintf(" #%d", e.ID)
	}
	if e.Site != "" {
		what += " at " + e.Site
	}
	fmt.Fprintf(x.w, "[tick %d, %s phase, %v] %s\n", e.Tick, e.Phase, e.Time.Round(time.Microsecond), what)
}
