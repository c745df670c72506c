package properties

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/nodeloop/nodeloop/traces"
)

// The names of the rules Check enforces, as they appear in Violation.Rule. Each is
// explained in the package documentation and, in one line, by Rules.
const (
	RuleSequence       = "sequence"
	RulePhaseOrder     = "phase-order"
	RulePending        = "pending"
	RuleTimerOrder     = "timer-order"
	RuleTimerSamePhase = "timer-same-phase"
	RuleTimerDeadline  = "timer-deadline"
	RuleTickQueues     = "tick-queues"
	RuleImmediates     = "immediates"
	RuleCleared        = "cleared"
	RuleExactlyOnce    = "exactly-once"
	RuleCloseLast      = "close-last"
)

// Rule names one invariant Check enforces and says in one line what it requires.
type Rule struct {
	Name        string // one of the Rule constants
	Description string // what a trace must show, in one line
}

// rules is the list Rules returns, in the order Check runs them.
var rules = []Rule{
	{RuleSequence, "seq counts 1, 2, 3, ...; the tick changes only at a tick event, by one"},
	{RulePhaseOrder, "within a tick, phases run timers, pending, idle, prepare, poll, check, close, never reordered; callbacks run in their own phase"},
	{RulePending, "pending is never negative, is 0 when Run ends unstopped, and the loop never goes on when a liveness check would have found it 0"},
	{RuleTimerOrder, "the timers of one timers phase run in (deadline, start order) order"},
	{RuleTimerSamePhase, "a timer started during a timers phase (an interval's re-arm included) does not run in that phase"},
	{RuleTimerDeadline, "no timer runs before the deadline it had when its timers phase began"},
	{RuleTickQueues, "no other callback starts while a nextTick or microtask is queued; nextTicks and microtasks run FIFO, all queued nextTicks before a microtask drain and the whole drain before the next nextTick"},
	{RuleImmediates, "immediates run FIFO, once each, and one queued during a check phase runs in a later tick"},
	{RuleCleared, "a cleared immediate never runs; a cleared timer never runs unless a later timer_start re-arms it"},
	{RuleExactlyOnce, "each pool request gets one done callback, having started within its life, and each operation one completion and at most one callback, in the phase its outcome calls for"},
	{RuleCloseLast, "a handle's close callback runs once, after its close, and no callback of the handle runs after it"},
}

// Rules returns every rule Check enforces, with a one-line description, in the
// order Check runs them. The slice is a fresh copy.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

// Violation is one broken invariant found in a trace.
type Violation struct {
	// Rule is the broken rule, one of the Rule constants.
	Rule string
	// Events are the positions (indexes into the slice given to Check) of the
	// events involved, in increasing order.
	Events []int
	// Seqs are the seq numbers of those events, in the same order, so that a
	// Violation can be read without the slice it came from.
	Seqs []uint64
	// Msg says what is wrong, naming the events by their seq numbers.
	Msg string
}

// String returns the rule, the seq numbers of the events involved and what is
// wrong, as in
//
//	timer-deadline at seq 4, 9: timer callback 3 (seq 9) runs at 999µs, before its deadline 1ms (timer_start at seq 4)
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Rule)
	for i, s := range v.Seqs {
		if i == 0 {
			b.WriteString(" at seq ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(s, 10))
	}
	b.WriteString(": ")
	b.WriteString(v.Msg)
	return b.String()
}

// Check returns every violation of the loop's invariants (the rules marked (I) in
// docs/semantics.md that a trace can show) in events, a trace from its first event,
// ordered by the first event involved and then by rule. A trace cut short, or one
// of RunOnce calls, is checked for what its events prove: nothing is reported for
// what might still have happened after its last event. Check does not modify
// events.
func Check(events []traces.Event) []Violation {
	c := newChecker(events)
	c.checkSequence()
	c.checkPhaseOrder()
	c.checkPending()
	c.checkTimers()
	c.checkTickQueues()
	c.checkImmediates()
	c.checkExactlyOnce()
	c.checkCloseLast()
	sort.SliceStable(c.out, func(i, j int) bool {
		a, b := c.out[i], c.out[j]
		if a.Events[0] != b.Events[0] {
			return a.Events[0] < b.Events[0]
		}
		return a.Rule < b.Rule
	})
	return c.out
}

// checker holds a trace and what the rules share: the phase each event belongs to
// and the violations found so far.
type checker struct {
	ev  []traces.Event
	out []Violation

	// span[i] is the index in spans of the phase span event i belongs to, or -1
	// when it belongs to none (PhaseMain, or between two runs).
	span  []int
	spans []span
	// runEnd[i] is the position of the first end event at or after i, or -1.
	runEnd []int
}

// span is one run of one phase: from the event that opens it (a tick event, or the
// first event of a later phase of the tick) to its last event. An end event closes
// the span it belongs to; events after it, until a new span opens, belong to none.
type span struct {
	tick        uint64
	phase       traces.Phase
	first, last int
}

func newChecker(ev []traces.Event) *checker {
	c := &checker{ev: ev, span: make([]int, len(ev)), runEnd: make([]int, len(ev))}
	cur, open := -1, false
	for i, e := range ev {
		c.span[i] = -1
		switch {
		case e.Kind == traces.KindTick:
			c.spans = append(c.spans, span{tick: e.Tick, phase: e.Phase, first: i, last: i})
			cur, open = len(c.spans)-1, true
			c.span[i] = cur
		case e.Phase == traces.PhaseMain:
		case cur >= 0 && e.Tick == c.spans[cur].tick && e.Phase == c.spans[cur].phase:
			if open {
				c.span[i] = cur
				c.spans[cur].last = i
			}
		default:
			c.spans = append(c.spans, span{tick: e.Tick, phase: e.Phase, first: i, last: i})
			cur, open = len(c.spans)-1, true
			c.span[i] = cur
		}
		if e.Kind == traces.KindEnd {
			open = false
		}
	}
	next := -1
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Kind == traces.KindEnd {
			next = i
		}
		c.runEnd[i] = next
	}
	return c
}

// report records a violation of rule involving the events at positions pos.
func (c *checker) report(rule string, msg string, pos ...int) {
	pos = append([]int(nil), pos...)
	sort.Ints(pos)
	uniq := pos[:0]
	for i, p := range pos {
		if i == 0 || p != pos[i-1] {
			uniq = append(uniq, p)
		}
	}
	seqs := make([]uint64, len(uniq))
	for i, p := range uniq {
		seqs[i] = c.ev[p].Seq
	}
	c.out = append(c.out, Violation{Rule: rule, Events: uniq, Seqs: seqs, Msg: msg})
}

// seq returns the seq number of the event at position i, for messages.
func (c *checker) seq(i int) uint64 { return c.ev[i].Seq }

// normalEnd reports whether e is the end of a Run that returned because the loop
// was no longer alive: not stopped, no error.
func normalEnd(e *traces.Event) bool {
	return e.Kind == traces.KindEnd && e.Mode == "run" && !e.Stopped && e.Err == ""
}

// isCallback reports whether e is a callback event from source s.
func isCallback(e *traces.Event, s traces.Source) bool {
	return e.Kind == traces.KindCallback && e.Source == s
}

// describe names a callback event for messages: "timer 3 (seq 12)".
func (c *checker) describe(i int) string {
	e := &c.ev[i]
	switch {
	case e.Kind != traces.KindCallback:
		return fmt.Sprintf("%s %d (seq %d)", e.Kind, e.ID, e.Seq)
	case e.Source == traces.SourceOp:
		return fmt.Sprintf("op callback %d of handle %d (seq %d)", e.ID, e.Handle, e.Seq)
	case e.Source == traces.SourceMain || e.Source == traces.SourcePost:
		return fmt.Sprintf("%s callback (seq %d)", e.Source, e.Seq)
	default:
		return fmt.Sprintf("%s callback %d (seq %d)", e.Source, e.ID, e.Seq)
	}
}
