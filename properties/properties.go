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
	{RuleTimerOrder, "in one timers phase, the timers of one delay run in start order, one after another, as Node's list of that delay"},
	{RuleTimerSamePhase, "a timer started during a timers phase (an interval's re-arm included) does not run in that phase, but a due one restarted by the nextTicks of the timer before it, as in Node"},
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
	// Events are the positions of the events involved in the trace, from 0 (the
	// indexes into the slice given to Check, or the order of Checker.Add), in
	// increasing order.
	Events []int
	// Seqs are the seq numbers of those events, in the same order, so that a
	// Violation can be read without the slice it came from.
	Seqs []uint64
	// Msg says what is wrong, naming the events by their seq numbers.
	Msg string
	// Host and Run name, in a simulated world's trace (CheckWorld), the host
	// whose loop broke the rule and the run of its program, from 1 (each restart
	// begins another); the Seqs are that run's. They are "" and 0 in the trace
	// of one loop.
	Host string
	Run  int
}

// ViolationsError returns nil when vs is empty, else an error listing them, one a
// line, after "the trace breaks N invariants:".
func ViolationsError(vs []Violation) error {
	if len(vs) == 0 {
		return nil
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return fmt.Errorf("the trace breaks %d invariants:\n  %s", len(vs), strings.Join(lines, "\n  "))
}

// String returns the rule, the seq numbers of the events involved and what is
// wrong, as in
//
//	timer-deadline at seq 4, 9: timer callback 3 (seq 9) runs at 999µs, before its deadline 1ms (timer_start at seq 4)
//
// after "host NAME, run N: " in a world's trace.
func (v Violation) String() string {
	var b strings.Builder
	if v.Host != "" {
		fmt.Fprintf(&b, "host %s, run %d: ", v.Host, v.Run)
	}
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
// events. It is a [Checker] given every event in turn; the trace of a simulated
// world of several hosts (one whose events name hosts) it checks as CheckWorld
// does, per host and per run of each host's program.
func Check(events []traces.Event) []Violation {
	if isWorld(events) {
		return CheckWorld(events)
	}
	c := NewChecker()
	for i := range events {
		c.Add(events[i])
	}
	return c.Finish()
}

// doneKeptMax is how many finished ids (timers that ran or were cleared, immediates
// and pool requests that ran, operations that completed, handles whose close
// callback ran) each table of a Checker remembers, to report a second run,
// completion or submission of one with the seq of the first. Past it the oldest
// finished id is forgotten (see [Checker]).
const doneKeptMax = 1 << 12

// Checker checks a trace one event at a time, for traces too long to hold in
// memory: it finds what [Check] finds. Its state is bounded by what is live in the
// trace at the event it has reached (queued callbacks, armed timers, open
// operations, closing handles), by the violations found, and by a memory of the
// latest 4096 finished ids of each kind (timers, immediates, pool requests,
// operations, closed handles), not by the trace's length. An id finished longer ago
// is forgotten: a later event of it is then taken for one of an id never seen, and
// a second run or completion is reported as an immediate never queued, a pool
// callback with no submit, a timer with no timer_start, an operation with no
// op_start, and a callback of a handle closed that long ago not at all. A trace the
// loop wrote has no such event.
//
// Make one with [NewChecker], call Add for each event in order from the trace's
// first, then Finish. A Checker is not safe for concurrent use.
type Checker struct {
	n        int          // the events added; the position of the next
	prev     traces.Event // the event before the one being added, when n > 0
	out      []Violation
	pass     []int // pass[k] is the rule pass that found out[k], for the order of Finish
	finished bool

	span    spanState
	seqs    sequenceState
	phases  phaseState
	pending pendingState
	timers  timerState
	tickQ   tickQueueState
	imm     immediateState
	once    onceState
	closes  closeLastState
}

// The rule passes, in the order Check has always run them: violations with the same
// first event and rule are ordered by pass.
const (
	passSequence = iota
	passPhaseOrder
	passPending
	passTimers
	passTickQueues
	passImmediates
	passExactlyOnce
	passCloseLast
)

// NewChecker returns a Checker at the start of a trace.
func NewChecker() *Checker { return &Checker{} }

// Add checks the next event of the trace. It panics after Finish.
func (c *Checker) Add(e traces.Event) {
	if c.finished {
		panic("nodeloop: properties.Checker.Add after Finish; make a new Checker with NewChecker for another trace")
	}
	i := c.n
	c.span.add(&e, i)
	c.checkSequence(&e, i)
	c.checkPhaseOrder(&e, i)
	c.checkPending(&e, i)
	c.checkTimers(&e, i)
	c.checkTickQueues(&e, i)
	c.checkImmediates(&e, i)
	c.checkExactlyOnce(&e, i)
	c.checkCloseLast(&e, i)
	c.prev = e
	c.n++
}

// Events returns how many events have been added.
func (c *Checker) Events() int { return c.n }

// Violations returns the violations found so far, ordered as Check orders them. A
// violation that later events decide (how the current run ends, whether the current
// phase goes on) is not among them until then; Finish settles every one. The slice
// is a fresh copy.
func (c *Checker) Violations() []Violation {
	out := append([]Violation(nil), c.out...)
	pass := append([]int(nil), c.pass...)
	sortViolations(out, pass)
	return out
}

// Finish ends the trace: it settles what the events so far prove, taking the trace
// to stop there, and returns every violation, ordered by the first event involved
// and then by rule. Add panics after it; Finish again returns the same violations.
func (c *Checker) Finish() []Violation {
	if !c.finished {
		c.finished = true
		c.finishPending()
		c.finishExactlyOnce()
	}
	return c.Violations()
}

// sortViolations orders out by first event, then rule, then pass, then the order
// they were found in; pass is reordered alongside.
func sortViolations(out []Violation, pass []int) {
	idx := make([]int, len(out))
	for k := range idx {
		idx[k] = k
	}
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := &out[idx[x]], &out[idx[y]]
		if a.Events[0] != b.Events[0] {
			return a.Events[0] < b.Events[0]
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return pass[idx[x]] < pass[idx[y]]
	})
	sorted := make([]Violation, len(out))
	sortedPass := make([]int, len(out))
	for k, j := range idx {
		sorted[k], sortedPass[k] = out[j], pass[j]
	}
	copy(out, sorted)
	copy(pass, sortedPass)
}

// ref is one event of the trace, by position and seq number: what a Checker keeps of
// an event it has passed, to name it in a violation.
type ref struct {
	pos int
	seq uint64
}

// refOf returns the ref of e, the event at position i.
func refOf(e *traces.Event, i int) ref { return ref{i, e.Seq} }

// spanState follows the phase spans of a trace. A span is one run of one phase:
// from the event that opens it (a tick event, or the first event of a later phase
// of the tick) to its last event. An end event closes the span it belongs to;
// events after it, until a new span opens, belong to none.
type spanState struct {
	have   bool // a span has opened
	open   bool // the current span is not closed by an end event
	id     int  // counts the spans opened; the current one's number
	tick   uint64
	phase  traces.Phase
	first  ref  // the current span's first event
	in     bool // the event being added belongs to the current span
	opened bool // the event being added opened the current span
}

// add places e, the event at position i, in a span.
func (s *spanState) add(e *traces.Event, i int) {
	s.in, s.opened = false, false
	switch {
	case e.Kind == traces.KindTick:
		s.begin(e, i)
	case e.Phase == traces.PhaseMain:
	case s.have && e.Tick == s.tick && e.Phase == s.phase:
		s.in = s.open
	default:
		s.begin(e, i)
	}
	if e.Kind == traces.KindEnd {
		s.open = false
	}
}

func (s *spanState) begin(e *traces.Event, i int) {
	s.have, s.open, s.in, s.opened = true, true, true, true
	s.id++
	s.tick, s.phase, s.first = e.Tick, e.Phase, refOf(e, i)
}

// report records a violation of rule, found by pass, involving the events refs.
func (c *Checker) report(pass int, rule string, msg string, refs ...ref) {
	refs = append([]ref(nil), refs...)
	sort.Slice(refs, func(a, b int) bool { return refs[a].pos < refs[b].pos })
	var pos []int
	var seqs []uint64
	for k, r := range refs {
		if k == 0 || r.pos != refs[k-1].pos {
			pos = append(pos, r.pos)
			seqs = append(seqs, r.seq)
		}
	}
	c.out = append(c.out, Violation{Rule: rule, Events: pos, Seqs: seqs, Msg: msg})
	c.pass = append(c.pass, pass)
}

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
func describe(e *traces.Event) string {
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

// table is a Checker's state for each id of one kind of thing (timers, immediates,
// pool requests, operations, handles): every live id's, and up to doneKeptMax
// finished ones', the oldest forgotten first.
type table[T any] struct {
	m    map[uint64]*tableEntry[T]
	ring []doneMark // the finished ids from head, oldest first
	head int
	last uint64 // the stamp of the latest retire
}

type tableEntry[T any] struct {
	v    T
	done uint64 // the stamp of its retire; 0 while live
}

type doneMark struct{ id, stamp uint64 }

// get returns id's state, or nil.
func (t *table[T]) get(id uint64) *T {
	if e := t.m[id]; e != nil {
		return &e.v
	}
	return nil
}

// put returns id's state, made zero if there was none, and marks it live.
func (t *table[T]) put(id uint64) *T {
	if t.m == nil {
		t.m = make(map[uint64]*tableEntry[T])
	}
	e := t.m[id]
	if e == nil {
		e = new(tableEntry[T])
		t.m[id] = e
	}
	e.done = 0
	return &e.v
}

// reset makes id's state zero and live.
func (t *table[T]) reset(id uint64) *T {
	v := t.put(id)
	*v = *new(T)
	return v
}

// retire marks id finished; when more than doneKeptMax are, the oldest is
// forgotten.
func (t *table[T]) retire(id uint64) {
	e := t.m[id]
	if e == nil || e.done != 0 {
		return
	}
	t.last++
	e.done = t.last
	t.ring = append(t.ring, doneMark{id, t.last})
	for len(t.ring)-t.head > doneKeptMax {
		d := t.ring[t.head]
		t.head++
		if old := t.m[d.id]; old != nil && old.done == d.stamp {
			delete(t.m, d.id)
		}
	}
	if t.head > 1024 && t.head*2 > len(t.ring) {
		t.ring = append(t.ring[:0], t.ring[t.head:]...)
		t.head = 0
	}
}

// size returns how many ids the table holds, live and finished.
func (t *table[T]) size() int { return len(t.m) }

// retained returns how many entries the Checker's state holds: ids in its tables,
// queued entries, closing handles, remembered reports and violations. It is for the
// test that the state stays bounded on a long trace.
func (c *Checker) retained() int {
	return c.timers.timers.size() +
		c.tickQ.tq.size() + c.tickQ.mq.size() + len(c.tickQ.told) +
		c.imm.q.size() + c.imm.ids.size() + len(c.imm.told) +
		c.once.pool.size() + len(c.once.outstanding) + c.once.ops.size() + len(c.once.byHandle) +
		len(c.once.owed) + len(c.once.closes) + len(c.once.told) + len(c.once.undecided) +
		len(c.closes.open) + c.closes.closeCb.size() + len(c.closes.told) +
		len(c.out)
}
