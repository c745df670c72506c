package nodeloop

import "github.com/nodeloop/nodeloop/traces"

// Immediate names a callback queued by SetImmediate for the check phase. It is a
// small value, to copy and compare freely.
//
// The loop reuses an immediate's storage once its callback ran, so that a chain of
// immediates allocates nothing. The handle then becomes stale: ClearImmediate, Ref and
// Unref of a stale handle do nothing, and its HasRef reports false (as Node's hasRef
// of an immediate that ran), even when the storage already serves a newer immediate,
// which the stale handle cannot touch. The storage of a cleared immediate is not
// reused, so that its handle answers Ref, Unref and HasRef after ClearImmediate as
// every handle does after its Close. The zero Immediate is stale.
type Immediate struct {
	im *immediate
	id uint64 // im's id while it serves this immediate: the generation of the storage
}

// immediate is the storage of a queued immediate, on the loop's free list (id 0)
// when no immediate uses it.
type immediate struct {
	handle // active: queued
	cb     func()
	n      node[*immediate]
	owner  *Loop // the loop whose free list it returns to
}

// live returns the storage h names, or nil when h is stale.
func (h Immediate) live() *immediate {
	if h.im != nil && h.id != 0 && h.im.id == h.id {
		return h.im
	}
	return nil
}

// SetImmediate queues cb for the check phase, as setImmediate. Immediates run in the
// order they were queued; one queued while the check phase runs waits for the next
// tick. A pending immediate makes the poll phase not wait.
func (l *Loop) SetImmediate(cb func()) Immediate {
	l.mustOpen("SetImmediate")
	if cb == nil {
		nilCallback("SetImmediate")
	}
	var im *immediate
	if n := len(l.immFree); n > 0 {
		im = l.immFree[n-1]
		l.immFree[n-1] = nil
		l.immFree = l.immFree[:n-1]
		im.handle = l.newHandle()
		im.cb = cb
	} else {
		im = &immediate{handle: l.newHandle(), cb: cb, owner: l}
		im.n.v = im
	}
	l.site(im.id)
	l.immQ.insertTail(&im.n)
	im.setActive(true)
	if l.tracer != nil {
		l.emitID(traces.KindImmediateQueue, traces.SourceNone, im.id)
	}
	return Immediate{im: im, id: im.id}
}

// freeImmediate puts im, whose callback ran and which is in no list, on the free
// list: every handle naming it is stale from now on.
func (l *Loop) freeImmediate(im *immediate) {
	im.handle = handle{}
	im.cb = nil
	l.immFree = append(l.immFree, im)
}

// ContinueImmediates, called by the callback of the last immediate the check
// phase had to run, makes the phase run now, after it, the immediates queued since
// the phase began, which would otherwise wait for the next tick; it reports whether
// it did. It is for a host that follows Node when an immediate's callback threw and
// the program handled the exception: Node enters its immediate queue again, and
// when the callback that threw was the last of its batch, that queue is the one of
// the immediates queued since (Node's process handler queues one itself). Called
// elsewhere, or while immediates of the phase's batch still wait, it does nothing
// and reports false.
func (l *Loop) ContinueImmediates() bool {
	if !l.immRunning || !l.immRun.empty() || l.immQ.empty() {
		return false
	}
	l.immQ.moveTo(&l.immRun)
	return true
}

// ImmediatesPending, called by an immediate's callback in the check phase, reports
// whether immediates of the phase's batch still wait to run after it. Called
// elsewhere it reports false.
func (l *Loop) ImmediatesPending() bool { return l.immRunning && !l.immRun.empty() }

// ClearImmediate cancels im: its callback will not run. It accepts the zero
// Immediate, immediates already cleared, and stale handles of immediates that ran,
// which it leaves alone.
func (l *Loop) ClearImmediate(im Immediate) {
	l.mustOpen("ClearImmediate")
	p := im.live()
	if p == nil || !p.active {
		return
	}
	p.n.remove()
	p.setActive(false)
	if l.tracer != nil {
		l.emitID(traces.KindImmediateClear, traces.SourceNone, p.id)
	}
}

// Ref makes im keep the loop alive until it runs (the default) and returns im. It
// does nothing to a stale handle.
func (im Immediate) Ref() Immediate {
	if p := im.live(); p != nil {
		p.setRef("Immediate.Ref", true)
	} else if im.im != nil {
		im.im.useLoop("Immediate.Ref")
	}
	return im
}

// Unref makes im stop keeping the loop alive; it still runs if the loop reaches a
// check phase. It returns im, and does nothing to a stale handle.
func (im Immediate) Unref() Immediate {
	if p := im.live(); p != nil {
		p.setRef("Immediate.Unref", false)
	} else if im.im != nil {
		im.im.useLoop("Immediate.Unref")
	}
	return im
}

// HasRef reports whether im keeps the loop alive; false for a stale handle.
func (im Immediate) HasRef() bool {
	p := im.live()
	return p != nil && p.hasRef()
}

// ID returns the id that names the immediate in traces; a stale handle keeps it.
func (im Immediate) ID() uint64 { return im.id }

// useLoop panics, naming method, when the loop that owns the storage is closed.
func (im *immediate) useLoop(method string) {
	if im.owner != nil {
		im.owner.mustOpen(method)
	}
}
