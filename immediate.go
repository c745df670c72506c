package nodeloop

import "github.com/nodeloop/nodeloop/traces"

// Immediate is a callback queued by SetImmediate for the check phase.
type Immediate struct {
	handle // active: queued
	cb     func()
	n      node[*Immediate]
}

// SetImmediate queues cb for the check phase, as setImmediate. Immediates run in the
// order they were queued; one queued while the check phase runs waits for the next
// tick. A pending immediate makes the poll phase not wait.
func (l *Loop) SetImmediate(cb func()) *Immediate {
	l.mustOpen("SetImmediate")
	if cb == nil {
		nilCallback("SetImmediate")
	}
	im := &Immediate{handle: l.newHandle(), cb: cb}
	l.site(im.id)
	im.n.v = im
	l.immQ.insertTail(&im.n)
	im.setActive(true)
	if l.tracer != nil {
		l.emitID(traces.KindImmediateQueue, traces.SourceNone, im.id)
	}
	return im
}

// ClearImmediate cancels im: its callback will not run. It accepts nil and immediates
// that already ran or were cleared.
func (l *Loop) ClearImmediate(im *Immediate) {
	l.mustOpen("ClearImmediate")
	if im == nil || !im.active {
		return
	}
	im.n.remove()
	im.setActive(false)
	if l.tracer != nil {
		l.emitID(traces.KindImmediateClear, traces.SourceNone, im.id)
	}
}

// Ref makes im keep the loop alive until it runs (the default) and returns im.
func (im *Immediate) Ref() *Immediate {
	im.setRef("Immediate.Ref", true)
	return im
}

// Unref makes im stop keeping the loop alive; it still runs if the loop reaches a
// check phase. It returns im.
func (im *Immediate) Unref() *Immediate {
	im.setRef("Immediate.Unref", false)
	return im
}

// HasRef reports whether im keeps the loop alive.
func (im *Immediate) HasRef() bool { return im.hasRef() }
