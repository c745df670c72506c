package properties

import (
	"fmt"

	"github.com/nodeloop/nodeloop/traces"
)

// checkSequence enforces RuleSequence: seq starts at 1 and grows by one; the tick
// grows by one at each tick event and changes at no other event.
func (c *checker) checkSequence() {
	var tick uint64
	for i := range c.ev {
		e := &c.ev[i]
		switch {
		case i == 0 && e.Seq != 1:
			c.report(RuleSequence, fmt.Sprintf("the trace starts at seq %d, not 1: it must start with the loop's first event", e.Seq), i)
		case i > 0 && e.Seq != c.ev[i-1].Seq+1:
			c.report(RuleSequence, fmt.Sprintf("seq %d follows seq %d; seq grows by one", e.Seq, c.ev[i-1].Seq), i-1, i)
		}
		switch {
		case e.Kind == traces.KindTick:
			if e.Tick != tick+1 {
				c.report(RuleSequence, fmt.Sprintf("a tick event starts tick %d after tick %d; ticks count up by one", e.Tick, tick), i)
			}
			tick = e.Tick
		case e.Tick < tick:
			// A stray event from an earlier tick: report it, and go on in the
			// current tick.
			c.report(RuleSequence, fmt.Sprintf("%s event in tick %d after tick %d began; ticks never decrease", e.Kind, e.Tick, tick), i)
		case e.Tick > tick:
			c.report(RuleSequence, fmt.Sprintf("%s event in tick %d with no tick event after tick %d", e.Kind, e.Tick, tick), i)
			tick = e.Tick
		}
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

// checkPhaseOrder enforces RulePhaseOrder: within one tick the phases of events
// outside PhaseMain never go back; events before tick 1 are in PhaseMain; a tick
// begins in the timers phase (or, for tick 1 begun by RunOnce, the pending
// phase); callbacks run in their source's phase.
func (c *checker) checkPhaseOrder() {
	var (
		tick      uint64
		latest    traces.Phase // the latest phase seen in this tick
		latestPos = -1         // the last event seen in it
		prev      traces.Phase // the phase of the previous event outside PhaseMain
	)
	for i := range c.ev {
		e := &c.ev[i]
		if e.Kind == traces.KindCallback {
			if want, ok := callbackPhase[e.Source]; ok && e.Phase != want {
				c.report(RulePhaseOrder, fmt.Sprintf("%s runs in the %s phase; %s callbacks run in the %s phase", c.describe(i), e.Phase, e.Source, want), i)
			}
		}
		if e.Kind == traces.KindTick {
			if e.Phase != traces.PhaseTimers && !(e.Phase == traces.PhasePending && e.Tick == 1) {
				c.report(RulePhaseOrder, fmt.Sprintf("tick %d begins in the %s phase; a tick begins with the timers phase (only RunOnce's first tick with the pending phase)", e.Tick, e.Phase), i)
			}
			tick, latest, latestPos, prev = e.Tick, e.Phase, i, e.Phase
			continue
		}
		if e.Phase == traces.PhaseMain {
			continue
		}
		if e.Tick == 0 {
			c.report(RulePhaseOrder, fmt.Sprintf("%s event in the %s phase before tick 1; before the first tick everything is in the main phase", e.Kind, e.Phase), i)
			continue
		}
		if e.Tick != tick || latestPos < 0 {
			// A tick with no tick event: RuleSequence reports it; order the
			// phases from here.
			tick, latest, latestPos, prev = e.Tick, e.Phase, i, e.Phase
			continue
		}
		switch {
		case e.Phase < latest:
			if e.Phase != prev {
				c.report(RulePhaseOrder, fmt.Sprintf("%s event in the %s phase after the %s phase of tick %d (seq %d); phases never go back within a tick", e.Kind, e.Phase, latest, tick, c.seq(latestPos)), latestPos, i)
			}
		default:
			latest, latestPos = e.Phase, i
		}
		prev = e.Phase
	}
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
func (c *checker) checkPending() {
	first := true    // no tick yet since the current run began
	sawMain := false // the current run began with a main callback: it is a Run
	for i := range c.ev {
		e := &c.ev[i]
		if e.Pending < 0 {
			c.report(RulePending, fmt.Sprintf("%s event has pending %d; pending is never negative", e.Kind, e.Pending), i)
		}
		if normalEnd(e) && e.Pending != 0 {
			c.report(RulePending, fmt.Sprintf("Run ended, neither stopped nor failed, with pending %d; it ends only when nothing keeps the loop alive", e.Pending), i)
		}
		switch {
		case e.Kind == traces.KindEnd:
			first, sawMain = true, false
		case e.Kind == traces.KindCallback && e.Source == traces.SourceMain:
			sawMain = true
		case e.Kind == traces.KindTick:
			mode := c.runMode(i)
			checked := sawMain || mode == "run" || (mode == "once" && e.Phase == traces.PhasePending)
			if first && e.Pending == 0 && checked {
				c.report(RulePending, fmt.Sprintf("tick %d, the first of a Run, begins with pending 0; the liveness check before it should have ended the run", e.Tick), i)
			}
			first = false
		}
	}
	for _, s := range c.spans {
		j := s.last
		if s.phase != traces.PhaseTimers || c.ev[j].Kind == traces.KindEnd || j+1 >= len(c.ev) {
			continue
		}
		n := &c.ev[j+1]
		if n.Kind != traces.KindEnd && n.Tick == s.tick && n.Phase > traces.PhaseTimers &&
			c.ev[j].Pending == 0 && n.Pending == 0 {
			c.report(RulePending, fmt.Sprintf("the loop goes on to the %s phase of tick %d with pending 0; the liveness check after the timers phase (last event seq %d) should have ended the run", n.Phase, s.tick, c.seq(j)), j, j+1)
		}
	}
}

// runMode returns the mode ("run" or "once") of the run holding the event at i, or
// "" when the trace stops before that run ends.
func (c *checker) runMode(i int) string {
	if end := c.runEnd[i]; end >= 0 {
		return c.ev[end].Mode
	}
	return ""
}
