package js

import (
	"math"
	"time"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

// timerEntry is the Go side of a Timeout: the loop's timer and the callback that
// runs with the Timeout as this.
type timerEntry struct {
	rt     *Runtime
	timer  *nodeloop.Timer
	obj    *goja.Object
	fn     goja.Callable
	fnv    goja.Value // fn as the program passed it, for its name
	args   []goja.Value
	repeat bool
	id     uint64
}

// immediateEntry is the Go side of an Immediate.
type immediateEntry struct {
	rt   *Runtime
	im   nodeloop.Immediate
	obj  *goja.Object
	fn   goja.Callable
	args []goja.Value
	done bool
}

// delayDuration converts a delay already coerced by Node's rules (1 to 2**31-1 ms,
// fractions allowed) to a Duration; the loop drops the fraction.
func delayDuration(ms float64) time.Duration {
	if math.IsNaN(ms) || ms < 1 {
		ms = 1
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (e *immediateEntry) fire() {
	e.done = true
	_ = e.obj.Set("_destroyed", true)
	e.rt.callback(e.run)
	e.rt.forget(e.im.ID())
}

func (e *immediateEntry) run() { e.rt.call(e.fn, e.obj, e.args...) }

// run calls the Timeout's callback, then has the loop do the bookkeeping that
// follows it (re-arming an interval, looking at the next timer of the list) before
// the trampoline drains the ticks the callback queued: that is where the loop runs
// its own nextTicks, so the timer lists run in Node's order.
func (e *timerEntry) run() {
	e.rt.call(e.fn, e.obj, e.args...)
	e.rt.loop.SettleTimer()
}

func (e *timerEntry) fire() {
	rt := e.rt
	if !e.repeat {
		delete(rt.timers, e.id)
	}
	rt.callback(e.run)
	if !e.timer.Active() {
		rt.forget(e.id)
		// A timeout that ran, and was not refreshed, is destroyed, as Node's.
		_ = e.obj.Set("_destroyed", true)
	}
}

// timerBinding adds the timer functions of the binding.
func (rt *Runtime) timerBinding(set func(string, any)) {
	set("timerStart", func(call goja.FunctionCall) goja.Value {
		obj, _ := call.Argument(0).(*goja.Object)
		f, _ := goja.AssertFunction(call.Argument(1))
		repeat := call.Argument(4).ToBoolean()
		e := &timerEntry{rt: rt, obj: obj, fn: f, fnv: call.Argument(1), args: rt.arrayValues(call.Argument(2)), repeat: repeat}
		d := delayDuration(call.Argument(3).ToFloat())
		if repeat {
			rt.making = making{call: "setInterval", fn: call.Argument(1)}
			e.timer = rt.loop.SetInterval(d, e.fire)
		} else {
			rt.making = making{call: "setTimeout", fn: call.Argument(1)}
			e.timer = rt.loop.SetTimeout(d, e.fire)
		}
		rt.making = making{}
		e.id = e.timer.ID()
		rt.timers[e.id] = e
		return rt.vm.ToValue(e)
	})
	set("timerId", func(e *timerEntry) uint64 { return e.id })
	set("timerRef", func(e *timerEntry, ref bool) {
		if ref {
			e.timer.Ref()
		} else {
			e.timer.Unref()
		}
	})
	set("timerHasRef", func(e *timerEntry) bool { return e.timer.HasRef() })
	set("timerRefresh", func(e *timerEntry) {
		// A timeout that ran and is refreshed is named where it was refreshed.
		rt.making = making{call: "setTimeout", fn: e.fnv}
		if e.repeat {
			rt.making.call = "setInterval"
		}
		e.timer.Refresh()
		rt.making = making{}
		if e.timer.Active() {
			rt.timers[e.id] = e
		}
	})
	set("timerClear", func(e *timerEntry) {
		rt.loop.ClearTimeout(e.timer)
		delete(rt.timers, e.id)
		rt.forget(e.id)
	})
	set("timerClearID", func(id float64) {
		if id < 0 || id != math.Trunc(id) {
			return
		}
		if e, ok := rt.timers[uint64(id)]; ok {
			rt.loop.ClearTimeout(e.timer)
			delete(rt.timers, e.id)
			rt.forget(e.id)
			_ = e.obj.Set("_destroyed", true)
		}
	})
	set("immediateStart", func(call goja.FunctionCall) goja.Value {
		obj, _ := call.Argument(0).(*goja.Object)
		f, _ := goja.AssertFunction(call.Argument(1))
		e := &immediateEntry{rt: rt, obj: obj, fn: f, args: rt.arrayValues(call.Argument(2))}
		rt.making = making{call: "setImmediate", fn: call.Argument(1)}
		e.im = rt.loop.SetImmediate(e.fire)
		rt.making = making{}
		return rt.vm.ToValue(e)
	})
	set("immediateClear", func(e *immediateEntry) {
		if !e.done {
			rt.loop.ClearImmediate(e.im)
			e.done = true
			rt.forget(e.im.ID())
		}
	})
	set("immediateRef", func(e *immediateEntry, ref bool) {
		if e.done {
			return
		}
		if ref {
			e.im.Ref()
		} else {
			e.im.Unref()
		}
	})
	set("immediateHasRef", func(e *immediateEntry) bool { return !e.done && e.im.HasRef() })
}

// activeResources is process.getActiveResourcesInfo: the kinds of the handles that
// keep the loop alive.
func (rt *Runtime) activeResources() []string {
	var out []string
	for _, h := range rt.loop.Handles() {
		switch h.Kind {
		case "timer", "interval":
			out = append(out, "Timeout")
		case "immediate":
			out = append(out, "Immediate")
		case "request":
			out = append(out, "FSReqCallback")
		case "listener":
			out = append(out, "TCPServerWrap")
		case "conn", "dial":
			out = append(out, "TCPSocketWrap")
		}
	}
	return out
}
