package js

import (
	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop/traces"
)

// handleName is what a traced run says of one of the program's handles: the call
// that made it ("setTimeout"), its callback's name and where the call was made.
type handleName struct {
	call, fn, site string
}

// making is the handle a timer or immediate binding is making: the loop's namer
// sees the handle's id in the timer start or immediate queue event the binding's
// call into the loop emits, before the call returns the handle.
type making struct {
	call string
	fn   goja.Value
}

// nameEvent is the loop's Namer: a callback event names the function that runs and
// where its handle was made; a timer start or immediate queue event names the call
// that made the handle and where it was made. It runs only when the loop is traced.
func (rt *Runtime) nameEvent(kind traces.Kind, id uint64) (name, site string) {
	n, ok := rt.names[id]
	if !ok {
		if kind == traces.KindCallback || rt.making.call == "" {
			return "", ""
		}
		n = handleName{call: rt.making.call, fn: functionName(rt.making.fn), site: rt.callerSite()}
		rt.names[id] = n
	}
	if kind == traces.KindCallback {
		return n.fn, n.site
	}
	return n.call, n.site
}

// forget drops the name of a handle that will not run again.
func (rt *Runtime) forget(id uint64) {
	if len(rt.names) > 0 {
		delete(rt.names, id)
	}
}

// functionName is fn's name, or "<anonymous>".
func functionName(fn goja.Value) string {
	if o, ok := fn.(*goja.Object); ok {
		if v := o.Get("name"); v != nil && !goja.IsUndefined(v) {
			if s := v.String(); s != "" {
				return s
			}
		}
	}
	return "<anonymous>"
}

// callerSite is file:line of the innermost frame of the program's own code on the
// engine's stack, the file relative to the main script's directory.
func (rt *Runtime) callerSite() string {
	return rt.siteOf(rt.vm.CaptureCallStack(0, nil))
}
