package properties

import (
	"sort"
	"strings"

	"github.com/nodeloop/nodeloop/traces"
)

// CheckWorld returns every violation of the loop's invariants in events, the trace
// of a simulated world of several hosts (sim.World): it checks each host's events
// apart, and each run of a host's program apart (a restart, the world's log event
// "restart NAME", begins another, as sim.HostRuns splits them), as Check checks
// the trace of one loop. The world's own events (those that name no host: its
// crashes, partitions, messages and choices) are not the loop's and are not
// checked. Each violation names its host and run (Violation.Host, Violation.Run);
// its Events are positions in events. They are ordered by the first event
// involved, then by rule. It is a [WorldChecker] given every event in turn.
func CheckWorld(events []traces.Event) []Violation {
	c := NewWorldChecker()
	for i := range events {
		c.Add(events[i])
	}
	return c.Finish()
}

// WorldChecker checks a world's trace one event at a time, as [CheckWorld] does,
// with a [Checker] for each run of each host: its state is theirs, and the
// position in the world's trace of each event of a host, to name it in a
// violation.
//
// Make one with [NewWorldChecker], call Add for each event in order from the
// trace's first, then Finish. A WorldChecker is not safe for concurrent use.
type WorldChecker struct {
	n        int
	hosts    []*hostCheck // in the order of their first event or restart
	out      []Violation  // the violations of the runs that ended
	finished bool
}

// hostCheck is the check of one host's current run.
type hostCheck struct {
	name string
	run  int // from 1
	c    *Checker
	pos  []int // pos[k] is the world position of the run's event k
}

// NewWorldChecker returns a WorldChecker at the start of a world's trace.
func NewWorldChecker() *WorldChecker { return &WorldChecker{} }

// host returns the check of the host named name, made at its first run if need be.
func (w *WorldChecker) host(name string) *hostCheck {
	for _, h := range w.hosts {
		if h.name == name {
			return h
		}
	}
	h := &hostCheck{name: name, run: 1, c: NewChecker()}
	w.hosts = append(w.hosts, h)
	return h
}

// Add checks the next event of the world's trace. It panics after Finish.
func (w *WorldChecker) Add(e traces.Event) {
	if w.finished {
		panic("nodeloop: properties.WorldChecker.Add after Finish; make a new WorldChecker with NewWorldChecker for another trace")
	}
	i := w.n
	w.n++
	if e.Host == "" {
		if name, ok := strings.CutPrefix(e.Msg, "restart "); ok && e.Kind == traces.KindLog {
			h := w.host(name)
			w.end(h)
			h.run++
			h.c, h.pos = NewChecker(), nil
		}
		return
	}
	h := w.host(e.Host)
	h.pos = append(h.pos, i)
	h.c.Add(e)
}

// Event is Add as a nodeloop.Tracer: give a WorldChecker to sim.Config.Tracer to
// check a world as it runs, holding one position per event of the hosts' current
// runs, not the trace.
func (w *WorldChecker) Event(e *traces.Event) { w.Add(*e) }

// end settles the current run of h and keeps its violations.
func (w *WorldChecker) end(h *hostCheck) {
	for _, v := range h.c.Finish() {
		for k, p := range v.Events {
			v.Events[k] = h.pos[p]
		}
		v.Host, v.Run = h.name, h.run
		w.out = append(w.out, v)
	}
}

// Events returns how many events have been added, the world's own included.
func (w *WorldChecker) Events() int { return w.n }

// Hosts returns the names of the hosts seen so far, in the order of their first
// event.
func (w *WorldChecker) Hosts() []string {
	var out []string
	for _, h := range w.hosts {
		out = append(out, h.name)
	}
	return out
}

// Runs returns how many runs of a host's program have been seen, over every host.
func (w *WorldChecker) Runs() int {
	n := 0
	for _, h := range w.hosts {
		n += h.run
	}
	return n
}

// Finish ends the trace, settling the current run of every host as
// Checker.Finish does, and returns every violation, ordered as CheckWorld orders
// them. Add panics after it; Finish again returns the same violations.
func (w *WorldChecker) Finish() []Violation {
	if !w.finished {
		w.finished = true
		for _, h := range w.hosts {
			w.end(h)
		}
		sort.SliceStable(w.out, func(a, b int) bool {
			x, y := &w.out[a], &w.out[b]
			if x.Events[0] != y.Events[0] {
				return x.Events[0] < y.Events[0]
			}
			return x.Rule < y.Rule
		})
	}
	return append([]Violation(nil), w.out...)
}

// isWorld reports whether events are a world's: some event names a host.
func isWorld(events []traces.Event) bool {
	for i := range events {
		if events[i].Host != "" {
			return true
		}
	}
	return false
}
