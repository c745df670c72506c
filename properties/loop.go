package properties

import (
	"fmt"

	"github.com/nodeloop/nodeloop/traces"
)

// sequenceState is what RuleSequence keeps: the current tick.
type sequenceState struct {
	tick uint64
}

// checkSequence enforces RuleSequence: seq starts at 1 and grows by one; the tick
// grows by one at each tick event and changes at no other event.
func (c *Checker) checkSequence(e *traces.Event, i int) {
	st := &c.seqs
	switch {
	case i == 0 && e.Seq != 1:
		c.report(passSequence, RuleSequence, fmt.Sprintf("the trace starts at seq %d, not 1: it must start with the loop's first event", e.Seq), refOf(e, i))
	case i > 0 && e.Seq != c.prev.Seq+1:
		c.report(passSequence, RuleSequence, fmt.Sprintf("seq %d follows seq %d; seq grows by one", e.Seq, c.prev.Seq), refOf(&c.prev, i-1), refOf(e, i))
	}
	switch {
	case e.Kind == traces.KindTick:
		if e.Tick != st.tick+1 {
			c.report(passSequence, RuleSequence, fmt.Sprintf("a tick event starts tick %d after tick %d; ticks count up by one", e.Tick, st.tick), refOf(e, i))
		}
		st.tick = e.Tick
	case e.Tick < st.tick:
		// A stray event from an earlier tick: report it, and go on in the
		// current tick.
		c.report(passSequence, RuleSequence, fmt.Sprintf("%s event in tick %d after tick %d began; ticks never decrease", e.Kind, e.Tick, st.tick), refOf(e, i))
	case e.Tick > st.tick:
		c.report(passSequence, RuleSequence, fmt.Sprintf("%s event in tick %d with no tick event after tick %d", e.Kind, e.Tick, st.tick), refOf(e, i))
		st.tick = e.Tick
	}
}

// callbackPhase is the phase each source's callbacks run in, for the sources
// RulePhaseOrder checks. Pool, operation and pending callbacks are checked by
// RuleExactlyOnce; nextTicks and microtasks run in any phase.
var callbackPhase = map[traces.Source]traces.Phase{
	traces.SourceMain:      traces.PhaseMain,
	traces.SourceTimer:     traces.PhaseTimers,
	traces.SourceInterval:  traces.PhaseTimers,
	traces.SourceIdle:      traces.PhaseIdle,
	traces.SourcePrepare:   traces.PhasePrepare,
	traces.SourceCheck:     traces.PhaseCheck,
	traces.SourceImmediate: traces.PhaseCheck,
	traces.SourceClose:     traces.PhaseClose,
	traces.SourcePost:      traces.PhasePoll,
}

// phaseState is what RulePhaseOrder keeps.
type phaseState struct {
	tick   uint64
	latest traces.Phase // the latest phase seen in this tick
	at     ref          // the event that began it
	begun  bool         // at is set: a tick is being ordered
	prev   traces.Phase // the phase of the previous event outside PhaseMain
}

// checkPhaseOrder enforces RulePhaseOrder: within one tick the phases of events
// outside PhaseMain never go back; events before tick 1 are in PhaseMain; a tick
// begins in the timers phase (or, for tick 1 begun by RunOnce, the pending
// phase); callbacks run in their source's phase.
func (c *Checker) checkPhaseOrder(e *traces.Event, i int) {
	st := &c.phases
	if e.Kind == traces.KindCallback {
		if want, ok := callbackPhase[e.Source]; ok && e.Phase != want {
			c.report(passPhaseOrder, RulePhaseOrder, fmt.Sprintf("%s runs in the %s phase; %s callbacks run in the %s phase", describe(e), e.Phase, e.Source, want), refOf(e, i))
		}
	}
	if e.Kind == traces.KindTick {
		if e.Phase != traces.PhaseTimers && !(e.Phase == traces.PhasePending && e.Tick == 1) {
			c.report(passPhaseOrder, RulePhaseOrder, fmt.Sprintf("tick %d begins in the %s phase; a tick begins with the timers phase (only RunOnce's first tick with the pending phase)", e.Tick, e.Phase), refOf(e, i))
		}
		st.tick, st.latest, st.at, st.begun, st.prev = e.Tick, e.Phase, refOf(e, i), true, e.Phase
		return
	}
	if e.Phase == traces.PhaseMain {
		return
	}
	if e.Tick == 0 {
		c.report(passPhaseOrder, RulePhaseOrder, fmt.Sprintf("%s event in the %s phase before tick 1; before the first tick everything is in the main phase", e.Kind, e.Phase), refOf(e, i))
		return
	}
	if e.Tick != st.tick || !st.begun {
		// A tick with no tick event: RuleSequence reports it; order the phases
		// from here.
		st.tick, st.latest, st.at, st.begun, st.prev = e.Tick, e.Phase, refOf(e, i), true, e.Phase
		return
	}
	switch {
	case e.Phase < st.latest:
		if e.Phase != st.prev {
			c.report(passPhaseOrder, RulePhaseOrder, fmt.Sprintf("%s event in the %s phase after the %s phase of tick %d (seq %d); phases never go back within a tick", e.Kind, e.Phase, st.latest, st.tick, st.at.seq), st.at, refOf(e, i))
		}
	default:
		st.latest, st.at = e.Phase, refOf(e, i)
	}
	st.prev = e.Phase
}

// pendingState is what RulePending keeps.
type pendingState struct {
	started bool // a tick has begun since the current run began
	sawMain bool // the current run began with a main callback: it is a Run

	// firstTick is the first tick of the current run when it began with pending 0
	// and whether that is a violation waits for the run's mode, at its end.
	firstTick       ref
	firstTickNo     uint64
	firstTickUndone bool // firstTick waits for the run's end
	firstInPending  bool // firstTick began in the pending phase

	// The last event of the current timers span, and the event after it.
	timersSpan bool // the current span is a timers phase
	spanTick   uint64
	last, next pendingMark
	hasNext    bool
	needNext   bool
}

// pendingMark is what RulePending keeps of an event.
type pendingMark struct {
	at      ref
	kind    traces.Kind
	tick    uint64
	phase   traces.Phase
	pending int
}

func markOf(e *traces.Event, i int) pendingMark {
	return pendingMark{refOf(e, i), e.Kind, e.Tick, e.Phase, e.Pending}
}

// checkPending enforces RulePending.
//
// Pending is never negative, and a Run that ended unstopped and without error ends
// with pending 0. Run checks liveness before its first tick and after every timers
// phase: its first tick never begins with pending 0 (a tick event is written right
// after the check, with nothing in between that could change the count); so does a
// RunOnce's first tick when the RunOnce begins it (in the pending phase). Later
// ticks begin unconditionally: the timers phase that starts them is libuv's run of
// timers at the end of the previous iteration, which comes before the check. After
// a timers phase the loop goes on only when the check found the loop alive; a
// continuation whose last timers event and first following event both show 0 is
// reported (one of the two alone proves nothing: Ref, Unref and Post change the
// count without an event).
func (c *Checker) checkPending(e *traces.Event, i int) {
	st := &c.pending
	if e.Pending < 0 {
		c.report(passPending, RulePending, fmt.Sprintf("%s event has pending %d; pending is never negative", e.Kind, e.Pending), refOf(e, i))
	}
	if normalEnd(e) && e.Pending != 0 {
		c.report(passPending, RulePending, fmt.Sprintf("Run ended, neither stopped nor failed, with pending %d; it ends only when nothing keeps the loop alive", e.Pending), refOf(e, i))
	}
	switch {
	case e.Kind == traces.KindEnd:
		c.settleFirstTick(e.Mode)
		st.started, st.sawMain = false, false
	case e.Kind == traces.KindCallback && e.Source == traces.SourceMain:
		st.sawMain = true
	case e.Kind == traces.KindTick:
		if !st.started && e.Pending == 0 {
			st.firstTick, st.firstTickNo, st.firstInPending = refOf(e, i), e.Tick, e.Phase == traces.PhasePending
			if st.sawMain {
				c.reportFirstTick()
			} else {
				st.firstTickUndone = true
			}
		}
		st.started = true
	}

	// The liveness check after a timers phase.
	if st.needNext {
		st.next, st.hasNext, st.needNext = markOf(e, i), true, false
	}
	switch {
	case c.span.opened:
		c.endTimersSpan()
		st.timersSpan, st.spanTick = e.Phase == traces.PhaseTimers, e.Tick
		st.last, st.hasNext, st.needNext = markOf(e, i), false, true
	case c.span.in && st.timersSpan:
		st.last, st.hasNext, st.needNext = markOf(e, i), false, true
	}
}

// settleFirstTick decides the first tick that waits for the mode of its run.
func (c *Checker) settleFirstTick(mode string) {
	st := &c.pending
	if !st.firstTickUndone {
		return
	}
	st.firstTickUndone = false
	if mode == "run" || (mode == "once" && st.firstInPending) {
		c.reportFirstTick()
	}
}

func (c *Checker) reportFirstTick() {
	st := &c.pending
	c.report(passPending, RulePending, fmt.Sprintf("tick %d, the first of a Run, begins with pending 0; the liveness check before it should have ended the run", st.firstTickNo), st.firstTick)
}

// endTimersSpan checks the end of the current span when it is a timers phase.
func (c *Checker) endTimersSpan() {
	st := &c.pending
	if !st.timersSpan || !st.hasNext || st.last.kind == traces.KindEnd {
		return
	}
	st.timersSpan = false
	n := st.next
	if n.kind != traces.KindEnd && n.tick == st.spanTick && n.phase > traces.PhaseTimers &&
		st.last.pending == 0 && n.pending == 0 {
		c.report(passPending, RulePending, fmt.Sprintf("the loop goes on to the %s phase of tick %d with pending 0; the liveness check after the timers phase (last event seq %d) should have ended the run", n.phase, st.spanTick, st.last.at.seq), st.last.at, n.at)
	}
}

// finishPending settles RulePending at the end of the trace: the run still going
// has no known mode, and the last span ends.
func (c *Checker) finishPending() {
	c.settleFirstTick("")
	c.endTimersSpan()
}
