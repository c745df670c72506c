package nodeloop

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/nodeloop/nodeloop/internal/looptrace"
	"github.com/nodeloop/nodeloop/traces"
)

// Handle describes one thing that keeps the loop alive, for a program or a simulator
// that wants to say why a loop did not end.
type Handle struct {
	// Kind is "timer", "interval", "immediate", "idle", "prepare", "check",
	// "request", "listener", "conn", "dial", "pending" (a callback deferred to the
	// pending phase), "closing" (a handle waiting for its close callback) or "post".
	Kind string
	// ID names it in the trace.
	ID uint64
	// Created is the file:line of the program's call that made it, when the loop was
	// made WithCallers; empty otherwise.
	Created string
}

func (h Handle) String() string {
	s := fmt.Sprintf("%s %d", h.Kind, h.ID)
	if h.Created != "" {
		s += " (made at " + h.Created + ")"
	}
	return s
}

// WithCallers makes the loop remember where the program made each handle and
// request, for Handles to report. It costs a stack walk per handle made: for tests
// and simulations, not for production.
func WithCallers() Option { return func(o *options) { o.callers = true } }

// Handles returns the referenced things that keep the loop alive, in the order they
// were made. Its length is Pending().
func (l *Loop) Handles() []Handle {
	var hs []Handle
	add := func(kind string, id uint64) {
		hs = append(hs, Handle{Kind: kind, ID: id, Created: l.sites[id]})
	}
	for _, tl := range l.timerLists {
		for t := tl.timers.next; t != &tl.timers; t = t.next {
			if t.counted() {
				add(timerKind(t), t.id)
			}
		}
	}
	if t := l.timerRunning; t != nil && !t.linked() && t.counted() {
		add(timerKind(t), t.id) // an interval in its callback
	}
	for _, list := range []*node[*immediate]{&l.immQ, &l.immRun} {
		for n := list.next; n != list; n = n.next {
			if n.v.counted() {
				add("immediate", n.v.id)
			}
		}
	}
	for _, list := range []*node[*Watcher]{&l.idleQ, &l.prepareQ, &l.check, &l.watcherRun} {
		for n := list.next; n != list; n = n.next {
			if n.v.counted() {
				add(n.v.src.String(), n.v.id)
			}
		}
	}
	l.reqSlabs.inFlight(func(r *Request) { add("request", r.ID()) })
	for n := l.socks.next; n != &l.socks; n = n.next {
		if h := n.v.base(); h.counted() {
			add(n.v.kind(), h.id)
		}
	}
	for _, q := range []*queue[task]{&l.pendingQ, &l.runQ} {
		for i := range q.len() {
			add("pending", q.at(i).id)
		}
	}
	for _, q := range []*queue[closer]{&l.closing, &l.closingRun} {
		for i := range q.len() {
			add("closing", q.at(i).base().id)
		}
	}
	for range l.postsPending() {
		hs = append(hs, Handle{Kind: "post"})
	}
	slices.SortStableFunc(hs, func(a, b Handle) int { return cmp.Compare(a.ID, b.ID) })
	return hs
}

func timerKind(t *Timer) string {
	if t.interval {
		return "interval"
	}
	return "timer"
}

// site remembers where the program made the thing named id, when WithCallers is on:
// the first caller outside this package.
func (l *Loop) site(id uint64) {
	if l.sites == nil {
		return
	}
	var pcs [16]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/nodeloop/nodeloop.") {
			l.sites[id] = fmt.Sprintf("%s:%d", f.File, f.Line)
			return
		}
		if !more {
			return
		}
	}
}

// sockHandle is a socket handle on the loop's list of open sockets: a listener, a
// connection or a dial.
type sockHandle interface {
	base() *handle
	kind() string // its Handle.Kind
}

// handle is the bookkeeping every handle of the loop shares (timers, immediates,
// watchers, listeners, connections, dials and pool requests): its loop, its id, and
// whether it keeps the loop alive. A handle counts in the loop's Pending while it is
// both active and referenced. What active means is the type's (a timer armed, an
// immediate queued, a watcher started, a listener open, a connection or a dial with
// an operation in flight, a request not yet done), but every change of it goes
// through setActive and every Ref and Unref through setRef, so the count cannot
// drift; and every method checks its use through use, useOpen and startClose, so a
// use after Close is caught the same way, with the same message, for every type.
type handle struct {
	l      *Loop
	id     uint64
	unref  bool // Unref was called last: the handle does not keep the loop alive
	active bool // doing what the loop waits for; counted in l.refs unless unref
	closed bool // Close was called (for a timer, ClearTimeout): it never becomes active again
}

// newHandle returns a fresh referenced, inactive handle of l.
func (l *Loop) newHandle() handle { return handle{l: l, id: l.nextID()} }

// base gives the loop's lists and the poller's completions the handle of what they
// hold.
func (h *handle) base() *handle { return h }

// counted reports whether h keeps the loop alive now.
func (h *handle) counted() bool { return h.active && !h.unref }

// setActive makes h active or not, keeping the loop's count right.
func (h *handle) setActive(active bool) {
	if active == h.active {
		return
	}
	h.active = active
	if h.unref {
		return
	}
	if active {
		h.l.refs++
	} else {
		h.l.refs--
	}
}

// setRef is Ref (ref true) and Unref, for the method named: after the loop's Close
// it panics; after the handle's own Close it only changes what HasRef reports.
func (h *handle) setRef(method string, ref bool) {
	h.use(method)
	if ref != h.unref {
		return
	}
	h.unref = !ref
	if !h.active {
		return
	}
	if ref {
		h.l.refs++
	} else {
		h.l.refs--
	}
}

// hasRef is HasRef: whether h keeps the loop alive while active. It is a question,
// answered after Close too.
func (h *handle) hasRef() bool { return !h.unref }

// use panics when the loop is closed, naming method ("Timer.Ref").
func (h *handle) use(method string) { h.l.mustOpen(method) }

// useOpen is use for a method that also needs h open: after h's Close it panics.
// noun names the handle's type to the program ("connection").
func (h *handle) useOpen(method, noun string) {
	h.use(method)
	if h.closed {
		panic("nodeloop: " + method + " after Close; a closed " + noun + " cannot be used again, make a new one")
	}
}

// startClose begins a Close: it panics when the loop is closed or h was closed
// already, and marks h closed. The type then stops what h was doing and calls
// queueClose.
func (h *handle) startClose(method, noun string) {
	h.use(method)
	if h.closed {
		panic("nodeloop: " + method + " called twice; close a " + noun + " once")
	}
	h.closed = true
}

// queueClose ends a Close: h stops being active, and c, the handle's type, waits for
// its close callback in the next close phase.
func (h *handle) queueClose(c closer) {
	h.setActive(false)
	h.l.closeHandle(h.id, c)
}

func init() { looptrace.Record = func(l any, e traces.Event) { l.(*Loop).record(e) } }

// record adds e, an event from outside the loop such as a simulated world's decision,
// to the trace, stamped with the loop's position. It does nothing without a tracer.
// Only the simulator and the replayer reach it, through package looptrace.
func (l *Loop) record(e traces.Event) {
	if l.tracer != nil {
		l.emit(e)
	}
}

// ID returns the id that names the timer in traces.
func (t *Timer) ID() uint64 { return t.id }

// ID returns the id that names the watcher in traces.
func (w *Watcher) ID() uint64 { return w.id }

// ID returns the id that names the listener in traces.
func (ln *Listener) ID() uint64 { return ln.id }

// ID returns the id that names the connection in traces.
func (c *Conn) ID() uint64 { return c.id }
