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
	for _, t := range l.timerSlots {
		if t != nil && t.ref {
			add(timerKind(t), t.id)
		}
	}
	for _, t := range l.due {
		if t != nil && t.due && t.ref {
			add(timerKind(t), t.id)
		}
	}
	for n := l.immQ.next; n != &l.immQ; n = n.next {
		if n.v.ref {
			add("immediate", n.v.id)
		}
	}
	for _, list := range []*node[*Watcher]{&l.idleQ, &l.prepareQ, &l.check} {
		for n := list.next; n != list; n = n.next {
			if n.v.ref {
				add(n.v.src.String(), n.v.id)
			}
		}
	}
	for n := l.reqs.next; n != &l.reqs; n = n.next {
		add("request", n.v.job.ID)
	}
	for n := l.socks.next; n != &l.socks; n = n.next {
		if kind, id, alive := n.v.alive(); alive {
			add(kind, id)
		}
	}
	for i := l.pendingQ.head; i < len(l.pendingQ.buf); i++ {
		add("pending", l.pendingQ.buf[i].id)
	}
	for _, c := range l.closing {
		add("closing", c.(interface{ handleID() uint64 }).handleID())
	}
	for range l.posted.Load() {
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

// sockHandle is a socket handle on the loop's list of open sockets.
type sockHandle interface {
	alive() (kind string, id uint64, alive bool)
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

// ID returns the id that names the immediate in traces.
func (im *Immediate) ID() uint64 { return im.id }

// ID returns the id that names the watcher in traces.
func (w *Watcher) ID() uint64 { return w.id }

// ID returns the id that names the listener in traces.
func (ln *Listener) ID() uint64 { return ln.id }

// ID returns the id that names the connection in traces.
func (c *Conn) ID() uint64 { return c.id }
