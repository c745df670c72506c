package js

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop/traces"
)

// tick is one process.nextTick callback with its arguments.
type tick struct {
	fn   goja.Callable
	fnv  *goja.Object // the function fn calls, for Runtime.direct
	args []goja.Value
	id   uint64 // the loop's, for the trace
}

// tickQueue is the nextTick queue: a FIFO that reuses its storage.
type tickQueue struct {
	items []tick
	head  int
}

func (q *tickQueue) push(t tick) { q.items = append(q.items, t) }

func (q *tickQueue) len() int { return len(q.items) - q.head }

func (q *tickQueue) pop() tick {
	t := q.items[q.head]
	q.items[q.head] = tick{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return t
}

// nextTick is process.nextTick(callback, ...args).
func (rt *Runtime) nextTick(call goja.FunctionCall) goja.Value {
	fnv := call.Argument(0)
	f := rt.mustCallable(fnv, "callback")
	rt.making = making{call: "process.nextTick", fn: fnv}
	id := rt.loop.HostTickQueued()
	rt.making = making{}
	fo, _ := fnv.(*goja.Object)
	rt.ticks.push(tick{fn: f, fnv: fo, args: restArgs(call, 1), id: id})
	return goja.Undefined()
}

// trampolineSource makes the trampoline, the one JavaScript function Go calls for
// every loop callback: it calls run, the Go side, whose calls into JavaScript are
// then nested, so that the engine runs its promise jobs only when the trampoline
// returns. The engine drops its value stack whenever a call from Go returns and
// grows a new one from nothing by doubling on the next: first to fit the call's
// arguments, then to fit the called function's frame. Go passes the trampoline
// trampolineArgs unused arguments, so that the first allocation is already as
// large as the trampoline's frame and a callback's usually need: one allocation
// per loop callback where there were two.
const trampolineSource = "(function (run) { return function nodeloopCallback() { run(); }; })"

// trampolineArgs is how many unused arguments the trampoline is called with: the
// engine then makes its stack 2*(trampolineArgs+2) values long at once, as
// long as a chain of setImmediate callbacks needs.
const trampolineArgs = 7

// runner is the Go side of a loop callback: run calls into JavaScript. A handle's
// entry is its own runner, so that running it makes no closure.
type runner interface{ run() }

// funcRunner is a function as a runner.
type funcRunner func()

func (f funcRunner) run() { f() }

// callback runs fn, Go code that calls into JavaScript, as one loop callback (see
// callbackOf).
func (rt *Runtime) callback(fn func()) { rt.callbackOf(funcRunner(fn)) }

// callbackOf runs r, Go code that calls into JavaScript, as one loop callback with
// Node's draining after it: fn and then every tick run nested in the trampoline;
// the engine's job queue drains when the trampoline returns (the microtask
// checkpoint); ticks queued by microtasks are drained the same way; then the
// unhandled rejections are processed, which may queue ticks and microtasks again.
// After the program exited, callback does nothing.
//
// When the callback or one of its ticks threw and an 'uncaughtException'
// listener handled it, the rest of the drain waits, as in Node (see
// afterThrow).
func (rt *Runtime) callbackOf(r runner) {
	if rt.exiting {
		return
	}
	if rt.left == leftElsewhere {
		if _, ok := r.(*immediateEntry); ok {
			// Node's check phase drains what was left before its first
			// immediate.
			rt.drain(nil)
		}
	}
	rt.threw = noThrow
	rt.enter(r)
	if rt.threw != noThrow && !rt.afterThrow(r) {
		return
	}
	rt.drain(r)
}

// drain runs the ticks, the promise jobs and the rejections of the callback r
// that just ran (nil: none), and those an exception left, until the queues are
// empty or one of them throws.
func (rt *Runtime) drain(r runner) {
	rt.threw = noThrow
	for !rt.exiting && rt.threw == noThrow {
		if rt.ticks.len() > 0 || len(rt.held) > 0 {
			rt.enter(nil)
			continue
		}
		if len(rt.rejected) > 0 {
			rt.enter(funcRunner(rt.processRejections))
			continue
		}
		rt.left = leftNone
		return
	}
	if rt.threw != noThrow {
		rt.threw = threwDrain
		rt.afterThrow(r)
	}
}

// Where a callback threw an exception that a listener handled.
const (
	noThrow       = iota
	threwCallback // the callback itself
	threwDrain    // one of its ticks, or an 'unhandledRejection' listener
)

// What an exception left for later, when it did.
const (
	leftNone      = iota
	leftInBatch   // by an immediate whose batch goes on
	leftElsewhere // by another callback, or by an immediate's last drain
)

// afterThrow follows Node when the callback r, or its drain, threw and the
// program handled the exception: Node abandons the drain, leaving the ticks, the
// microtasks and the rejections where they are (the microtasks are held out of the
// engine's queue, runPending), and they run after the next callback, the first one
// since with no drain before it, unless a drain point of Node's comes first. That
// callback is the next of the same batch: Node's check phase enters its immediate
// queue again, and after an immediate that threw as the last of its batch, the
// immediates queued since (the Immediate the handler queued among them) run in
// this same phase (Loop.ContinueImmediates); Node's timers phase enters its timer
// lists again, and drains before it starts another list or ends, so after a timer
// that threw as the last of its list the drain runs now. The check phase drains
// before its first immediate too (callbackOf). afterThrow reports whether the
// callback's drain runs now.
func (rt *Runtime) afterThrow(r runner) bool {
	rt.left = leftElsewhere
	switch r.(type) {
	case *timerEntry:
		if rt.threw == threwCallback && !rt.loop.NextTimerTaken() {
			return true
		}
	case *immediateEntry:
		if rt.threw == threwCallback {
			rt.loop.ContinueImmediates()
		}
		if rt.loop.ImmediatesPending() {
			rt.left = leftInBatch
		}
	}
	return false
}

// enter calls the trampoline, which runs r (when not nil) and the ticks.
func (rt *Runtime) enter(r runner) {
	defer rt.recoverInternal()
	rt.pending = r
	_, err := rt.trampoline(goja.Undefined(), rt.padding[:]...)
	rt.pending = nil
	if err != nil {
		rt.vm.ClearInterrupt()
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			return
		}
		// An exception the trampoline could not catch: a stack overflow while
		// draining, for one.
		rt.enter(funcRunner(func() { rt.handleError(err) }))
	}
	if rt.exiting {
		rt.vm.ClearInterrupt()
	}
}

// runPending is the Go side of the trampoline: it runs the pending function and
// then every tick, including those queued meanwhile, while the trampoline's frame
// keeps the engine from running promise jobs; after a timer's, the next timers of
// its list when nothing waits for the checkpoint (runTimers). The promise jobs a
// callback that threw left (afterThrow) are held out of the engine's queue until
// the next call, which puts them back in front of the ones it queues.
func (rt *Runtime) runPending() {
	defer rt.recoverPanic()
	if len(rt.held) > 0 {
		rt.held = rt.jobs.resume(rt.held)
	}
	r := rt.pending
	if r != nil {
		rt.pending = nil
		r.run()
	}
	rt.runTicks()
	if _, ok := r.(*timerEntry); ok {
		rt.runTimers()
	}
	if rt.exiting {
		// Unwind the trampoline's frame too, and drop the engine's jobs.
		rt.vm.Interrupt(exitSignal{})
		return
	}
	if rt.threw != noThrow {
		rt.held = rt.jobs.hold(rt.held)
	}
}

// runTicks runs every tick, including those queued meanwhile, until one throws.
func (rt *Runtime) runTicks() {
	if rt.threw != noThrow {
		return
	}
	rt.draining = true
	for rt.ticks.len() > 0 && !rt.exiting && rt.threw == noThrow {
		t := rt.ticks.pop()
		rt.loop.HostTickRuns(t.id)
		if d := rt.direct(t.fnv); d != nil {
			rt.callDirect(d, goja.Undefined(), t.args)
		} else {
			rt.call(t.fn, goja.Undefined(), t.args...)
		}
		rt.forget(t.id)
	}
	rt.draining = false
}

// runTimers runs the next timers of the list whose timer's callback and ticks just
// ran, inside the same trampoline, for as long as nothing waits for the microtask
// checkpoint between two of them: no promise job, no rejection to process, no tick,
// no exception thrown. The checkpoint of a callback that queued nothing does
// nothing, so skipping it changes nothing but the cost: a call from Go into the
// engine, and the value stack the engine makes anew for each. Under a SyncLimit,
// whose watch is one trampoline call, each timer has its own.
func (rt *Runtime) runTimers() {
	for rt.watch == nil && !rt.exiting && rt.threw == noThrow && rt.ticks.len() == 0 && len(rt.rejected) == 0 && rt.jobs.empty() {
		rt.batching = true
		ran := rt.loop.RunNextTimer()
		rt.batching = false
		if !ran {
			return
		}
	}
}

// recoverPanic turns a Go panic below a call into JavaScript into an uncaught
// exception of the script, so that nothing a script does panics the process.
func (rt *Runtime) recoverPanic() {
	if x := recover(); x != nil {
		if _, ok := x.(*goja.Exception); ok {
			panic(x)
		}
		if _, ok := x.(*goja.InterruptedError); ok {
			panic(x)
		}
		if _, ok := x.(*goja.StackOverflowError); ok {
			panic(x)
		}
		e := rt.vm.NewGoError(panicError{x})
		rt.uncaught(e, nil, "uncaughtException")
		if rt.exiting {
			rt.vm.Interrupt(exitSignal{})
		}
	}
}

// recoverInternal ends the program with 1 when the runtime's Go code panicked
// outside any JavaScript frame, where no exception can be thrown: while the engine
// ran its promise jobs, say.
func (rt *Runtime) recoverInternal() {
	if x := recover(); x != nil {
		rt.pending = nil
		fmt.Fprintf(rt.stderr, "nodeloop: internal error: %s\n", errorString(x))
		rt.exiting = true
		rt.exitCode = 1
		rt.loop.Stop()
	}
}

type panicError struct{ v any }

func (e panicError) Error() string { return "nodeloop: internal error: " + errorString(e.v) }

func errorString(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "panic"
}

// call calls fn with this and args from Go code running inside the trampoline; an
// exception it throws is an uncaught exception. It returns the function's result,
// or nil when it threw.
func (rt *Runtime) call(fn goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	if rt.exiting || fn == nil {
		return nil
	}
	v, err := fn(this, args...)
	if err != nil {
		rt.handleError(err)
		return nil
	}
	return v
}

// direct returns fn's function as the engine exports it, which runs it as the
// engine's own built-ins call a callback, or nil when the engine exports it as
// something else (a class, a Go function of its own type). Calling it from Go
// code that runs inside the trampoline spares the wrappers of a goja.Callable
// (two deferred recovers, one try frame), which a call from Go with no
// JavaScript frame below needs; an exception it throws is a panic, which
// callDirect recovers.
func (rt *Runtime) direct(fn *goja.Object) func(goja.FunctionCall) goja.Value {
	if fn == nil {
		return nil
	}
	h := &rt.handles
	if fn != h.lastDirectFn {
		f, _ := fn.Export().(func(goja.FunctionCall) goja.Value)
		h.lastDirectFn, h.lastDirect = fn, f
	}
	return h.lastDirect
}

// callDirect is call for f, a function from direct: an exception it throws is an
// uncaught exception.
func (rt *Runtime) callDirect(f func(goja.FunctionCall) goja.Value, this goja.Value, args []goja.Value) {
	if rt.exiting {
		return
	}
	defer rt.recoverThrow()
	f(goja.FunctionCall{This: this, Arguments: args})
}

// recoverThrow, deferred by callDirect, handles what the engine throws as a
// goja.Callable would have returned it: an exception, an interrupt or a stack
// overflow. Any other panic goes on.
func (rt *Runtime) recoverThrow() {
	switch x := recover().(type) {
	case nil:
	case *goja.Exception:
		rt.handleError(x)
	case *goja.InterruptedError:
		rt.handleError(x)
	case *goja.StackOverflowError:
		rt.handleError(x)
	default:
		panic(x)
	}
}

// handleError handles an error of a call into JavaScript made from Go inside the
// trampoline: an exception that leaves a callback or a tick. When a listener
// handles it, the callback's drain stops there (afterThrow).
func (rt *Runtime) handleError(err error) {
	rt.raise(err)
	if !rt.exiting {
		rt.loop.Log(traces.MsgThrown)
		if rt.draining {
			rt.threw = threwDrain
		} else if rt.threw == noThrow {
			rt.threw = threwCallback
		}
	}
}

// raise is handleError's report of the exception, as an uncaught exception.
func (rt *Runtime) raise(err error) {
	var (
		ie *goja.InterruptedError
		so *goja.StackOverflowError
		ex *goja.Exception
		th *thrown
	)
	switch {
	case errors.As(err, &th):
		rt.uncaught(th.v, nil, "uncaughtException")
	case errors.As(err, &ie) && isSyncLimit(err):
		rt.syncLimitPassed(err)
	case errors.As(err, &ie):
		if _, ok := ie.Value().(exitSignal); ok {
			// The exit unwinds the frames above too.
			rt.vm.Interrupt(exitSignal{})
			return
		}
		rt.uncaught(rt.vm.NewGoError(err), nil, "uncaughtException")
	case errors.As(err, &so):
		rt.uncaught(rt.stackOverflowError(so), &so.Exception, "uncaughtException")
	case errors.As(err, &ex):
		rt.uncaught(ex.Value(), ex, "uncaughtException")
	default:
		rt.uncaught(rt.vm.NewGoError(err), nil, "uncaughtException")
	}
}

// uncaught handles an exception nobody caught, as Node does: the
// 'uncaughtException' listeners get it with its origin; without any, the
// 'exit' listeners run with code 1, the error is printed and the program exits
// with 1. A listener that throws ends the program with 7.
func (rt *Runtime) uncaught(v goja.Value, ex *goja.Exception, origin string) {
	if rt.exiting {
		return
	}
	if !rt.fatal {
		handled, err := rt.internal.uncaught(goja.Undefined(), v, rt.vm.ToValue(origin))
		if err == nil && handled.ToBoolean() {
			return
		}
		if err != nil {
			var ie *goja.InterruptedError
			if errors.As(err, &ie) {
				rt.vm.Interrupt(exitSignal{})
				return
			}
			var lex *goja.Exception
			if errors.As(err, &lex) {
				v, ex = lex.Value(), lex
			}
			rt.fatal = true
			rt.printUncaught(v, ex, origin)
			rt.exitNow(7)
			return
		}
	}
	rt.fatal = true
	proc := rt.internal.builtins.Get("process").ToObject(rt.vm)
	_ = proc.Set("exitCode", 1)
	if !proc.Get("_exiting").ToBoolean() {
		_ = proc.Set("_exiting", true)
		if emit, ok := goja.AssertFunction(proc.Get("emit")); ok {
			_, _ = emit(proc, rt.vm.ToValue("exit"), rt.vm.ToValue(1))
		}
	}
	rt.printUncaught(v, ex, origin)
	// An 'exit' listener may have set process.exitCode: Node exits with it.
	code := 1
	if c := proc.Get("exitCode"); c != nil && !goja.IsUndefined(c) && !goja.IsNull(c) {
		code = int(c.ToInteger())
	}
	rt.exitNow(code)
}

// exitNow ends the program with code: no JavaScript runs any more.
func (rt *Runtime) exitNow(code int) {
	rt.exiting = true
	rt.exitCode = code
	rt.loop.Stop()
	rt.vm.Interrupt(exitSignal{})
}

// reallyExit is process.reallyExit: the end of process.exit, after the 'exit'
// listeners ran.
func (rt *Runtime) reallyExit(code int) {
	if rt.exiting {
		return
	}
	rt.exitNow(code)
}

// trackRejection is the engine's promise rejection tracker: a promise rejected
// with no handler waits for the next checkpoint; one that gets a handler before
// then is forgotten.
func (rt *Runtime) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		rt.rejected = append(rt.rejected, p)
	case goja.PromiseRejectionHandle:
		for i, q := range rt.rejected {
			if q == p {
				rt.rejected = append(rt.rejected[:i], rt.rejected[i+1:]...)
				return
			}
		}
		rt.rejectionHandled(p)
	}
}

// processRejections processes the promises rejected with no handler since the last
// checkpoint, as Node 20's default mode (throw) does: an 'unhandledRejection'
// listener gets each; without one it is an uncaught exception of origin
// 'unhandledRejection', a reason that is not an Error wrapped in an
// UnhandledPromiseRejection error.
//
// Only the promises rejected before it began are processed: one rejected by a
// listener waits for the next pass, after the ticks queued meanwhile, as Node's.
func (rt *Runtime) processRejections() {
	rt.draining = true
	defer func() { rt.draining = false }()
	for n := len(rt.rejected); n > 0 && len(rt.rejected) > 0 && !rt.exiting; n-- {
		p := rt.rejected[0]
		rt.rejected = rt.rejected[1:]
		reason := p.Result()
		handled, err := rt.internal.unhandledRejection(goja.Undefined(), reason, rt.vm.ToValue(p))
		if err != nil {
			rt.handleError(err)
			continue
		}
		if handled.ToBoolean() {
			continue
		}
		v := reason
		if !rt.isError(reason) {
			w, werr := rt.internal.makeUnhandledRejection(goja.Undefined(), reason)
			if werr == nil {
				v = w
			}
		}
		rt.uncaught(v, nil, "unhandledRejection")
	}
	if len(rt.rejected) == 0 {
		rt.rejected = nil
	}
}

// isError reports whether v is an Error object.
func (rt *Runtime) isError(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	errCtor := rt.vm.GlobalObject().Get("Error").ToObject(rt.vm)
	proto := errCtor.Get("prototype").ToObject(rt.vm)
	for p := o.Prototype(); p != nil; p = p.Prototype() {
		if p == proto {
			return true
		}
	}
	return false
}
