package js

import (
	cryptorand "crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/realclock"
)

// NodeVersion is the version of Node.js whose behaviour the runtime reproduces: the
// value of process.version.
const NodeVersion = "v20.20.2"

// maxCallStackSizeDefault is the depth of JavaScript calls past which a call fails
// with a RangeError, as V8's stack limit does.
const maxCallStackSizeDefault = 10000

// MaxCallStackSizeMax is the largest Config.MaxCallStackSize. The engine's own
// calls take no Go stack, but a recursion through built-in functions (a callback
// of Array.prototype.map calling map again) takes some for each level, about 4
// KiB; past this depth it could overflow the Go stack, which no process survives.
const MaxCallStackSizeMax = 100000

// internalName is the file name of the runtime's own JavaScript; its frames and the
// trampoline's are dropped from printed stacks.
const internalName = "node:internal/nodeloop"

//go:embed lib/internal.js
var internalSource string

// Config is how a script runs. Its zero value runs with no arguments, an empty
// environment, no output and the operating system's clock.
type Config struct {
	// Args are the script's arguments: process.argv after the executable and the
	// script's path.
	Args []string
	// Env is process.env, as "KEY=value" strings (os.Environ's form). A string
	// without "=" is ignored.
	Env []string
	// Stdout and Stderr receive what the script writes to fd 1 and 2; nil
	// discards it.
	Stdout, Stderr io.Writer
	// Clock is read by performance.now, process.hrtime, process.uptime and, when it
	// is not nil, by Date.now and new Date too; nil is the operating system's
	// clock. A simulated run passes its virtual clock, which may charge the running
	// callback for each reading. The loop keeps its own clock.
	Clock nodeloop.Clock
	// Random, when not nil, is the source of Math.random and of crypto's random
	// bytes (6 bytes a call): a number in [0, 1) per call. A simulated run draws
	// it from the run's choices.
	Random func() float64
	// MaxCallStackSize is the depth of nested JavaScript calls past which a call
	// throws RangeError "Maximum call stack size exceeded"; 0 means 10000, and
	// more than MaxCallStackSizeMax means MaxCallStackSizeMax.
	MaxCallStackSize int
	// SyncLimit, when positive, is the real time one callback may run for,
	// synchronously and with its ticks and microtasks: past it the program is
	// stopped, the loop stops, and RunMain and Err report a *SyncLimitError naming
	// where the script was. 0 means no limit, as in Node. It is the one limit of a
	// run that is real time (see the package's documentation).
	SyncLimit time.Duration
}

// SyncLimitError is the end of a program one of whose callbacks ran longer than
// Config.SyncLimit of real time: an endless synchronous loop, say, which no virtual
// time or step limit can end, since it reads no clock and enters no loop.
type SyncLimitError struct {
	// Limit is the Config.SyncLimit that was passed.
	Limit time.Duration
	// Site is file:line of the script's innermost frame when it was stopped, the
	// file relative to the main script's directory; "" when the script had no
	// frame there (it had just returned).
	Site string
}

func (e *SyncLimitError) Error() string {
	msg := fmt.Sprintf("a synchronous callback ran longer than %v of real time", e.Limit)
	if e.Site != "" {
		msg += " at " + e.Site
	}
	return msg
}

// Runtime is one Node.js program on one loop. Make it with New; run its main
// script with RunMain. It must be used only from the loop's goroutine.
type Runtime struct {
	loop   *nodeloop.Loop
	vm     *goja.Runtime
	cfg    Config
	clock  nodeloop.Clock
	start  time.Time
	stdout io.Writer
	stderr io.Writer

	trampoline goja.Callable
	padding    [trampolineArgs]goja.Value // the trampoline's unused arguments: undefined
	pending    runner                     // what the trampoline's next call into Go runs first
	ticks      tickQueue
	jobs       jobQueue // the engine's promise jobs, for their count
	// batching: the loop is about to run the next timer of a list inside the
	// trampoline of the one before (runTimers).
	batching bool
	handles  handleState // the timer functions' (timers.go)

	// threw tells where the running callback threw an exception that a listener
	// handled (noThrow, threwCallback, threwDrain), which ends its drain; held
	// are the promise jobs the engine had then, out of its queue until the next
	// callback (afterThrow). draining: its ticks or rejections are running.
	// left says who left them.
	threw    int
	held     []func()
	draining bool
	left     int // what an exception left for later (leftNone, leftInBatch, leftElsewhere)

	// rejected holds the promises rejected with no handler, in rejection order,
	// until the next microtask checkpoint processes them.
	rejected []*goja.Promise

	internal      internalExports
	modules       map[string]*goja.Object // loaded modules by absolute path
	builtinCache  map[string]goja.Value
	sources       map[string]string // module sources by file name, for error headers
	timers        map[uint64]*timerEntry
	syntaxAt      []syntaxErrorAt
	mainModule    *goja.Object
	mainDir       string                // the main script's directory, for the names of traced handles
	names         map[uint64]handleName // the traced handles' names, by id
	making        making                // the handle a binding is making
	wrapperOffset int                   // columns the module wrapper adds to a module's first line

	watch     *watchdog // the SyncLimit's, nil without one
	syncDepth int       // trampoline calls on the Go stack
	err       error     // why the runtime stopped the program, if it did: a *SyncLimitError

	ran      bool // RunMain was called
	exiting  bool // reallyExit was called: no JavaScript runs any more
	exitCode int
	fatal    bool // an uncaught exception is being reported
}

// internalExports are the functions of lib/internal.js that Go calls.
type internalExports struct {
	builtins               *goja.Object
	exitNormally           goja.Callable
	emitBeforeExit         goja.Callable
	uncaught               goja.Callable
	unhandledRejection     goja.Callable
	makeUnhandledRejection goja.Callable
	rangeError             goja.Callable
	inspect                goja.Callable
}

// exitSignal is the value the runtime interrupts the engine with when the script
// exits: the engine unwinds every frame and drops its pending jobs.
type exitSignal struct{}

// New makes a runtime for one program on l, with the globals of Node.js (console,
// process, the timer functions, queueMicrotask, performance) and require.
func New(l *nodeloop.Loop, cfg Config) (*Runtime, error) {
	rt := &Runtime{
		loop:         l,
		vm:           goja.New(),
		cfg:          cfg,
		clock:        cfg.Clock,
		stdout:       cfg.Stdout,
		stderr:       cfg.Stderr,
		modules:      map[string]*goja.Object{},
		builtinCache: map[string]goja.Value{},
		sources:      map[string]string{},
		timers:       map[uint64]*timerEntry{},
		names:        map[uint64]handleName{},
	}
	if rt.clock == nil {
		rt.clock = realclock.New()
	}
	if rt.stdout == nil {
		rt.stdout = io.Discard
	}
	if rt.stderr == nil {
		rt.stderr = io.Discard
	}
	rt.start = rt.clock.Now()
	if cfg.Clock != nil {
		rt.vm.SetTimeSource(func() time.Time { return rt.clock.Now() })
	}
	if cfg.Random != nil {
		rt.vm.SetRandSource(goja.RandSource(cfg.Random))
	}
	size := cfg.MaxCallStackSize
	if size <= 0 {
		size = maxCallStackSizeDefault
	}
	size = min(size, MaxCallStackSizeMax)
	rt.vm.SetMaxCallStackSize(size)
	rt.vm.SetPromiseRejectionTracker(rt.trackRejection)
	rt.jobs = jobQueueOf(rt.vm)
	l.SetNamer(rt.nameEvent)
	if err := rt.bootstrap(); err != nil {
		return nil, fmt.Errorf("nodeloop: the JavaScript runtime failed to start: %w", err)
	}
	return rt, nil
}

// bootstrap runs lib/internal.js and the trampoline.
func (rt *Runtime) bootstrap() error {
	prg, err := goja.Compile(internalName, internalSource, true)
	if err != nil {
		return err
	}
	fnv, err := rt.vm.RunProgram(prg)
	if err != nil {
		return err
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		return errors.New("lib/internal.js is not a function")
	}
	ret, err := fn(goja.Undefined(), rt.binding(), rt.vm.GlobalObject())
	if err != nil {
		return err
	}
	obj := ret.ToObject(rt.vm)
	rt.internal.builtins = obj.Get("builtins").ToObject(rt.vm)
	for name, dst := range map[string]*goja.Callable{
		"exitNormally":           &rt.internal.exitNormally,
		"emitBeforeExit":         &rt.internal.emitBeforeExit,
		"uncaught":               &rt.internal.uncaught,
		"unhandledRejection":     &rt.internal.unhandledRejection,
		"makeUnhandledRejection": &rt.internal.makeUnhandledRejection,
		"rangeError":             &rt.internal.rangeError,
		"inspect":                &rt.internal.inspect,
	} {
		f, ok := goja.AssertFunction(obj.Get(name))
		if !ok {
			return fmt.Errorf("lib/internal.js returns no function %s", name)
		}
		*dst = f
	}
	tprg, err := goja.Compile(internalName, trampolineSource, true)
	if err != nil {
		return err
	}
	mk, err := rt.vm.RunProgram(tprg)
	if err != nil {
		return err
	}
	mkf, _ := goja.AssertFunction(mk)
	run := func(goja.FunctionCall) goja.Value {
		rt.runPending()
		return goja.Undefined()
	}
	tv, err := mkf(goja.Undefined(), rt.vm.ToValue(run))
	if err != nil {
		return err
	}
	rt.trampoline, _ = goja.AssertFunction(tv)
	for i := range rt.padding {
		rt.padding[i] = goja.Undefined()
	}
	if rt.cfg.SyncLimit > 0 {
		rt.watch = &watchdog{limit: rt.cfg.SyncLimit, vm: rt.vm}
		rt.trampoline = rt.watched(rt.trampoline)
	}
	return nil
}

// watched is the trampoline t with the watchdog armed while it runs: the callback,
// its ticks and, as t returns, the engine's promise jobs. An interrupt of the
// watchdog that no call inside reported (it struck during the promise jobs, or as
// the callback returned) is reported here.
func (rt *Runtime) watched(t goja.Callable) goja.Callable {
	return func(this goja.Value, args ...goja.Value) (goja.Value, error) {
		rt.syncDepth++
		if rt.syncDepth == 1 {
			rt.watch.arm()
		}
		defer func() { rt.syncDepth-- }()
		v, err := t(this, args...)
		if rt.syncDepth == 1 && rt.watch.disarm() && !rt.exiting {
			rt.syncLimitPassed(err)
		}
		return v, err
	}
}

// stackTraceLimit is how many frames an error's stack shows, as V8's default
// Error.stackTraceLimit.
const stackTraceLimit = 10

// stackOverflowError is the RangeError of the engine's stack overflow so, its stack
// the innermost frames of the script's recursion, as V8 shows them.
func (rt *Runtime) stackOverflowError(so *goja.StackOverflowError) goja.Value {
	const msg = "Maximum call stack size exceeded"
	v, err := rt.internal.rangeError(goja.Undefined(), rt.vm.ToValue(msg))
	o, ok := v.(*goja.Object)
	if err != nil || !ok {
		return rt.vm.ToValue("RangeError: " + msg)
	}
	var b strings.Builder
	b.WriteString("RangeError: " + msg)
	for i, f := range rt.exceptionFrames(&so.Exception) {
		if i == stackTraceLimit {
			break
		}
		b.WriteString("\n")
		b.WriteString(f.String())
	}
	_ = o.Set("stack", b.String())
	return o
}

// syncLimitSignal is the value the watchdog interrupts the engine with.
type syncLimitSignal struct{}

// isSyncLimit reports whether err is the watchdog's interrupt.
func isSyncLimit(err error) bool {
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		return false
	}
	_, ok := ie.Value().(syncLimitSignal)
	return ok
}

// syncLimitPassed ends the program stopped by the watchdog, the interrupt err (nil
// when it struck after the script's code had returned) saying where it was: no
// JavaScript runs any more, not even the 'exit' listeners, and the loop stops.
func (rt *Runtime) syncLimitPassed(err error) {
	if rt.exiting {
		return
	}
	e := &SyncLimitError{Limit: rt.cfg.SyncLimit}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		e.Site = rt.siteOf(ie.Stack())
	}
	rt.err = e
	rt.exitNow(1)
}

// Err is why the runtime stopped the program, if it did: a *SyncLimitError when a
// callback ran longer than Config.SyncLimit. It is nil for a program that ended
// by itself, however it ended (ExitCode says how).
func (rt *Runtime) Err() error { return rt.err }

// syncLimitChecks is how many times per SyncLimit the watchdog looks at the
// running callback: it stops one between 1 and 1+2/syncLimitChecks limits after
// it started.
const syncLimitChecks = 8

// watchdog interrupts the engine when one run of JavaScript (a trampoline call)
// lasts longer than limit of real time. Its goroutine runs only while JavaScript
// runs, and for two checks after: it reads no state of the program, so that a run
// under the limit is exactly what it would be without it. arm and disarm are
// called on the loop's goroutine; the interrupt comes from the watchdog's.
type watchdog struct {
	limit time.Duration
	vm    *goja.Runtime

	mu       sync.Mutex
	epoch    uint64 // the runs of JavaScript so far
	running  bool   // JavaScript runs now
	fired    bool   // the current run was interrupted
	watching bool   // the goroutine is up
}

// arm starts the watch of a run of JavaScript.
func (w *watchdog) arm() {
	w.mu.Lock()
	w.epoch++
	w.running = true
	if !w.watching {
		w.watching = true
		go w.watch()
	}
	w.mu.Unlock()
}

// disarm ends the watch of the run, and reports whether the run was interrupted.
func (w *watchdog) disarm() bool {
	w.mu.Lock()
	fired := w.fired
	w.running, w.fired = false, false
	w.mu.Unlock()
	return fired
}

// watch is the watchdog's goroutine: it times each run from the first check that
// sees it, interrupts it once past the limit, and ends after two checks with no
// JavaScript running.
func (w *watchdog) watch() {
	every := max(w.limit/syncLimitChecks, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	var (
		seen  uint64
		since time.Time
		idle  int
	)
	for now := range t.C {
		w.mu.Lock()
		switch {
		case !w.running:
			if idle++; idle >= 2 {
				w.watching = false
				w.mu.Unlock()
				return
			}
		case w.epoch != seen:
			idle, seen, since = 0, w.epoch, now
		case !w.fired && now.Sub(since) >= w.limit:
			w.fired = true
			w.vm.Interrupt(syncLimitSignal{})
		}
		w.mu.Unlock()
	}
}

// siteOf is file:line of the innermost frame of the program's own code in frames,
// the file relative to the main script's directory; "" when there is none.
func (rt *Runtime) siteOf(frames []goja.StackFrame) string {
	for _, f := range frames {
		if src := f.SrcName(); src == internalName || src == "<native>" || src == "" {
			continue
		}
		p := f.Position()
		file := p.Filename
		if rt.mainDir != "" {
			if rel, err := filepath.Rel(rt.mainDir, file); err == nil && filepath.IsLocal(rel) {
				file = filepath.ToSlash(rel)
			}
		}
		return file + ":" + strconv.Itoa(p.Line)
	}
	return ""
}

// binding is the object lib/internal.js reaches Go through.
func (rt *Runtime) binding() *goja.Object {
	b := rt.vm.NewObject()
	set := func(name string, v any) {
		if err := b.Set(name, v); err != nil {
			panic("nodeloop: binding " + name + ": " + err.Error())
		}
	}
	set("version", NodeVersion)
	set("arch", nodeArch())
	set("platform", runtime.GOOS)
	set("pid", os.Getpid())
	cwd, _ := os.Getwd()
	set("cwd", cwd)
	set("argv", rt.vm.NewArray())
	env := rt.vm.NewObject()
	for _, kv := range rt.cfg.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			_ = env.Set(k, v)
		}
	}
	set("env", env)
	set("timeOrigin", float64(rt.start.UnixNano())/1e6)
	set("write", func(call goja.FunctionCall) goja.Value {
		w := rt.stdout
		if call.Argument(0).ToInteger() == 2 {
			w = rt.stderr
		}
		io.WriteString(w, call.Argument(1).String())
		return goja.Undefined()
	})
	set("nextTick", rt.nextTick)
	set("microtaskQueued", func(call goja.FunctionCall) goja.Value {
		rt.making = making{call: "queueMicrotask", fn: call.Argument(0)}
		id := rt.loop.HostMicrotaskQueued()
		rt.making = making{}
		return rt.vm.ToValue(id)
	})
	set("microtaskRuns", func(call goja.FunctionCall) goja.Value {
		id := uint64(call.Argument(0).ToInteger())
		rt.loop.HostMicrotaskRuns(id)
		rt.forget(id)
		return goja.Undefined()
	})
	set("uncaught", func(v goja.Value, origin string) { rt.uncaught(v, nil, origin) })
	set("reallyExit", rt.reallyExit)
	set("hrtime", func() []any {
		d := rt.clock.Now().Sub(rt.start) + hrtimeBase
		return []any{int64(d / time.Second), int64(d % time.Second)}
	})
	set("hrtimeBigint", func() *big.Int {
		d := rt.clock.Now().Sub(rt.start) + hrtimeBase
		return big.NewInt(int64(d))
	})
	set("performanceNow", func() float64 {
		return float64(rt.clock.Now().Sub(rt.start)) / 1e6
	})
	set("cpuUsage", rt.cpuUsage)
	set("uptime", func() float64 {
		return rt.clock.Now().Sub(rt.start).Seconds()
	})
	set("memoryUsage", func() map[string]any {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return map[string]any{"rss": ms.Sys, "heapTotal": ms.HeapSys, "heapUsed": ms.HeapAlloc, "external": 0, "arrayBuffers": 0}
	})
	set("nodeStack", rt.nodeStackString)
	set("promiseState", func(p *goja.Promise) string {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			return rt.inspect(p.Result())
		case goja.PromiseStateRejected:
			return "<rejected> " + rt.inspect(p.Result())
		}
		return "<pending>"
	})
	set("activeResources", rt.activeResources)
	rt.timerBinding(set)
	return b
}

// hrtimeBase makes process.hrtime start at an arbitrary non-zero point, as a
// monotonic clock does.
const hrtimeBase = 1000 * time.Second

func nodeArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x64"
	case "386":
		return "ia32"
	}
	return runtime.GOARCH
}

// inspect is util.inspect of v, for Go's messages.
func (rt *Runtime) inspect(v goja.Value) string {
	s, err := rt.internal.inspect(goja.Undefined(), v)
	if err != nil {
		return v.String()
	}
	return s.String()
}

// RunMain runs the script at path as the main module, then the loop until the
// program exits, as `node path` does, and returns the exit code. Everything the
// script and the runtime print goes to the Config's Stdout and Stderr: an error of
// the script is an exit code, not an error. The error is the loop's (a poller's
// failure, a step limit), or the runtime's when it stopped the program (Err). A
// runtime runs one main script: a second call is an
// error.
func (rt *Runtime) RunMain(path string) (code int, err error) {
	if rt.ran {
		return 0, errors.New("nodeloop: RunMain was called twice: make a new Runtime, on a new Loop, for each script")
	}
	rt.ran = true
	abs := rt.setMain(path)
	if st, serr := os.Stat(abs); serr != nil || st.IsDir() {
		rt.printMissingMain(abs)
		return 1, nil
	}
	main := func() { rt.callback(func() { rt.runMainModule(abs) }) }
	for {
		if err := rt.loop.Run(main); err != nil {
			return rt.exitCode, err
		}
		main = nil
		if !rt.Idle() {
			return rt.exitCode, rt.err
		}
	}
}

// Main prepares the script at path as the main module and returns the callback
// that runs it, for a program that runs the loop itself, as a simulated run does:
// run the callback first on the loop (the loop's main callback), call Idle each time
// the loop has no more work and run the loop again while it returns true, and read
// ExitCode at the end. A script that is not found is reported by the callback, as
// node reports it, with the exit code 1. A runtime runs one main script: a second
// call is an error.
func (rt *Runtime) Main(path string) (func(), error) {
	if rt.ran {
		return nil, errors.New("nodeloop: Main was called twice: make a new Runtime, on a new Loop, for each script")
	}
	rt.ran = true
	abs := rt.setMain(path)
	if st, serr := os.Stat(abs); serr != nil || st.IsDir() {
		return func() {
			rt.printMissingMain(abs)
			rt.exiting, rt.exitCode = true, 1
		}, nil
	}
	return func() { rt.callback(func() { rt.runMainModule(abs) }) }, nil
}

// setMain gives process.argv the script at path, and returns its absolute path.
func (rt *Runtime) setMain(path string) string {
	abs, aerr := filepath.Abs(path)
	if aerr != nil {
		abs = path
	}
	argv := rt.vm.NewArray()
	_ = argv.Set("0", "nodeloop")
	_ = argv.Set("1", abs)
	for i, a := range rt.cfg.Args {
		_ = argv.Set(fmt.Sprint(i+2), a)
	}
	proc := rt.internal.builtins.Get("process").ToObject(rt.vm)
	_ = proc.Set("argv", argv)
	_ = proc.Set("execPath", "nodeloop")
	rt.mainDir = filepath.Dir(abs)
	return abs
}

// runMainModule loads the main module. An exception its code throws, once a listener
// handled it, leaves the drain that follows as it is: Node runs the main
// script's ticks and microtasks all the same.
func (rt *Runtime) runMainModule(abs string) {
	rt.loadMain(abs)
	if rt.threw == threwCallback {
		rt.threw = noThrow
	}
}

// Idle is what the program does when the loop has no more work, as Node does: it
// emits 'beforeExit', and reports true when its listeners gave the loop work, so
// that the loop must run again; otherwise it runs the 'exit' listeners (unless the
// program already exited) and reports false. Call it outside any callback of the
// loop, when the loop's Run has returned.
func (rt *Runtime) Idle() bool {
	if rt.exiting {
		return false
	}
	rt.callback(func() { rt.callInternal(rt.internal.emitBeforeExit) })
	if !rt.exiting && rt.loop.Alive() {
		return true
	}
	if !rt.exiting {
		rt.callback(func() { rt.callInternal(rt.internal.exitNormally) })
	}
	return false
}

// ExitCode is the program's exit code, once Idle reported false: Node's, from
// process.exit, process.exitCode or an uncaught exception.
func (rt *Runtime) ExitCode() int { return rt.exitCode }

// callInternal calls one of lib/internal.js's functions from a callback, an
// exception it throws being uncaught.
func (rt *Runtime) callInternal(f goja.Callable, args ...goja.Value) goja.Value {
	v, err := f(goja.Undefined(), args...)
	if err != nil {
		rt.handleError(err)
		return nil
	}
	return v
}

// fillRandom fills b with random bytes for the script (crypto.randomBytes and its
// kin): from Config.Random when it is set, so that a simulated run draws them from
// its choices, 6 bytes a draw; otherwise from the operating system.
func (rt *Runtime) fillRandom(b []byte) {
	if rt.cfg.Random == nil {
		_, _ = cryptorand.Read(b)
		return
	}
	for len(b) > 0 {
		v := uint64(rt.cfg.Random() * (1 << 48))
		for i := 0; i < 6 && len(b) > 0; i++ {
			b[0] = byte(v >> (8 * i))
			b = b[1:]
		}
	}
}

// jobQueue reads how many promise jobs the engine holds. The engine runs them when
// a call from Go returns with no JavaScript frame left (the microtask checkpoint)
// and offers no way to ask whether any wait; its queue is the field jobQueueField
// of goja.Runtime, whose length alone is read, never the jobs. A run of timers uses
// it to skip a checkpoint with nothing to do (runTimers). When the engine has no
// such field the count is unknown and every callback has its checkpoint.
type jobQueue struct {
	v    reflect.Value // the field, in place; invalid when the engine has none
	jobs *[]func()     // the field, when it is the queue of functions it was when this was written
}

// jobQueueField is the name of goja.Runtime's queue of promise jobs.
const jobQueueField = "jobQueue"

func jobQueueOf(vm *goja.Runtime) jobQueue {
	v := reflect.ValueOf(vm).Elem().FieldByName(jobQueueField)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Func {
		return jobQueue{}
	}
	q := jobQueue{v: v}
	if v.Type() == reflect.TypeFor[[]func()]() {
		q.jobs = (*[]func())(unsafe.Pointer(v.UnsafeAddr()))
	}
	return q
}

// hold moves the engine's promise jobs to the end of held and returns it, so that
// the checkpoint as the trampoline returns runs none of them: a callback that
// threw leaves its microtasks for the next one (afterThrow). When the queue is
// not known, the jobs stay and run at that checkpoint.
func (q jobQueue) hold(held []func()) []func() {
	if q.jobs == nil || len(*q.jobs) == 0 {
		return held
	}
	held = append(held, *q.jobs...)
	clear(*q.jobs)
	*q.jobs = (*q.jobs)[:0]
	return held
}

// resume puts the held jobs back in front of the engine's own, which they
// preceded, and returns held emptied for reuse.
func (q jobQueue) resume(held []func()) []func() {
	if q.jobs == nil {
		return held[:0]
	}
	*q.jobs = append(held, *q.jobs...)
	return nil
}

// known reports whether the count can be read.
func (q jobQueue) known() bool { return q.v.IsValid() }

// empty reports whether the engine holds no promise job; false when that is not
// known.
func (q jobQueue) empty() bool { return q.v.IsValid() && q.v.Len() == 0 }
