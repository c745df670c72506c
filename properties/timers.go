package properties

import (
	"fmt"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// timerStart is what the timer rules keep of a timer_start.
type timerStart struct {
	at       ref
	deadline time.Duration
	delay    time.Duration
	repeat   time.Duration
}

// timer is what the timer rules keep of one timer id.
type timer struct {
	last, prev       timerStart // its latest two timer_starts
	hasLast, hasPrev bool
	// epoch is the first event of the span that was the latest to open when the
	// timer was last started. inForce is the latest timer_start before that span
	// and firstIn the first one in it: for a callback in that span, the start in
	// force when it began and the first start during it.
	epoch      int
	inForce    timerStart
	hasInForce bool
	firstIn    ref
	clear      ref // its latest timer_clear
	hasClear   bool
}

// timerState is what the timer rules keep.
type timerState struct {
	timers table[timer]
	// The previous timer callback of the current timers span, and the start it
	// ran for.
	span      int // the span's number
	prevCb    traces.Event
	prevPos   int
	prevStart timerStart
	hasPrev   bool
	// done holds, for each delay whose timers ran in the current span before those
	// of another delay, the last callback of that delay.
	done map[time.Duration]ref
	// drainFrom is the position of the first nextTick or microtask callback after
	// the previous timer callback of the span, or -1.
	drainFrom int
}

// checkTimers enforces RuleTimerOrder (checkTimerOrder), RuleTimerSamePhase, RuleTimerDeadline and
// the timer half of RuleCleared, for every callback from source timer or
// interval that runs in a timers phase (one elsewhere is RulePhaseOrder's).
//
// A timer's deadline and start order are those of the timer_start in force when
// its timers phase began collecting due timers: the latest timer_start with its
// ID strictly before the phase's first event. Refresh and an interval's re-arm
// write new timer_start events with the same ID; the re-arm of an interval comes
// right before its callback, carries the next deadline, and is not the one the
// callback ran for. Its start order is the position of that timer_start.
func (c *Checker) checkTimers(e *traces.Event, i int) {
	st := &c.timers
	switch e.Kind {
	case traces.KindTimerStart:
		t := st.timers.put(e.ID)
		epoch := -1
		if c.span.have {
			epoch = c.span.first.pos
		}
		if !t.hasLast || t.epoch != epoch {
			t.inForce, t.hasInForce = t.last, t.hasLast
			t.epoch, t.firstIn = epoch, refOf(e, i)
		}
		t.prev, t.hasPrev = t.last, t.hasLast
		t.last, t.hasLast = timerStart{refOf(e, i), e.Deadline, e.Delay, e.Repeat}, true
		return
	case traces.KindTimerClear:
		t := st.timers.put(e.ID)
		t.clear, t.hasClear = refOf(e, i), true
		st.timers.retire(e.ID)
		return
	case traces.KindCallback:
		if e.Source == traces.SourceNextTick || e.Source == traces.SourceMicrotask {
			if st.hasPrev && st.drainFrom < 0 && c.span.in && c.span.id == st.span {
				st.drainFrom = i
			}
			return
		}
		if e.Source != traces.SourceTimer && e.Source != traces.SourceInterval {
			return
		}
	default:
		return
	}
	if !c.span.in || c.span.phase != traces.PhaseTimers {
		return
	}
	if c.span.id != st.span {
		st.span, st.hasPrev, st.drainFrom = c.span.id, false, -1
		clear(st.done)
	}
	first := c.span.first
	here := refOf(e, i)
	var t timer
	if p := st.timers.get(e.ID); p != nil {
		t = *p
	}
	inForce, hasInForce := t.last, t.hasLast
	during, hasDuring := ref{}, false
	if t.hasLast && t.epoch == first.pos {
		inForce, hasInForce = t.inForce, t.hasInForce
		during, hasDuring = t.firstIn, true
	}
	rearm := -1
	if i > 0 && e.Source == traces.SourceInterval && c.prev.Kind == traces.KindTimerStart &&
		c.prev.ID == e.ID && c.prev.Repeat > 0 {
		rearm = i - 1
	}
	if hasDuring && during.pos == rearm {
		// The re-arm is the event just before the callback: no other start
		// comes between it and the callback.
		hasDuring = false
	}

	switch {
	case hasDuring && hasInForce && inForce.deadline <= e.Time && st.hasPrev &&
		st.prevStart.delay == inForce.delay && st.drainFrom >= 0 && during.pos > st.drainFrom:
		// Node's listOnTimeout takes a due timer for running, then runs the
		// nextTicks and microtasks of the timer before it in its list: a restart
		// there is lost, and the timer runs at once.
	case hasDuring:
		c.report(passTimers, RuleTimerSamePhase, fmt.Sprintf("%s was started at seq %d, during the timers phase that began at seq %d, and runs in that same phase", describe(e), during.seq, first.seq), during, here)
	case !hasInForce:
		c.report(passTimers, RuleTimerSamePhase, fmt.Sprintf("%s has no timer_start before its timers phase (which began at seq %d)", describe(e), first.seq), here)
	}

	if hasInForce {
		if dl := inForce.deadline; e.Time < dl {
			c.report(passTimers, RuleTimerDeadline, fmt.Sprintf("%s runs at %v, before its deadline %v (timer_start at seq %d)", describe(e), e.Time, dl, inForce.at.seq), inForce.at, here)
		}
		c.checkTimerOrder(e, i, inForce)
	}

	// RuleCleared: the latest timer_clear before the callback must be older than
	// the latest timer_start that is not this callback's re-arm.
	lastStart := -1
	switch {
	case t.hasLast && t.last.at.pos != rearm:
		lastStart = t.last.at.pos
	case t.hasLast && t.hasPrev:
		lastStart = t.prev.at.pos
	}
	if t.hasClear && t.clear.pos > lastStart {
		c.report(passTimers, RuleCleared, fmt.Sprintf("%s runs after it was cleared at seq %d, and no timer_start re-armed it since", describe(e), t.clear.seq), t.clear, here)
	}

	// A timeout that ran is finished until a timer_start re-arms it; an interval
	// that ran was re-armed just before.
	if rearm < 0 {
		st.timers.retire(e.ID)
	}
}

// checkTimerOrder is RuleTimerOrder for e, the timer callback at position i of the
// current timers span, which ran for the timer_start inForce. Node keeps one list
// of timers per delay, in start order, and its timers phase runs one list's due
// timers after another's: so the timers of one delay run in start order, and once
// the timers of another delay have run after them, none of that delay runs again in
// the phase. Which list runs first depends on each list's expiry and id, which a
// clear changes depending on whether the timer was referenced, which the trace
// does not say; the rule leaves the order of the lists unchecked.
func (c *Checker) checkTimerOrder(e *traces.Event, i int, inForce timerStart) {
	st := &c.timers
	here := refOf(e, i)
	prev := refOf(&st.prevCb, st.prevPos)
	switch {
	case !st.hasPrev:
	case st.prevStart.delay == inForce.delay:
		if inForce.at.pos < st.prevStart.at.pos {
			c.report(passTimers, RuleTimerOrder, fmt.Sprintf("%s (delay %v, started at seq %d) runs after %s (delay %v, started at seq %d) in one timers phase; timers of one delay run in start order",
				describe(e), inForce.delay, inForce.at.seq, describe(&st.prevCb), st.prevStart.delay, st.prevStart.at.seq), prev, here)
		}
	default:
		if st.done == nil {
			st.done = map[time.Duration]ref{}
		}
		st.done[st.prevStart.delay] = prev
		if last, ok := st.done[inForce.delay]; ok {
			c.report(passTimers, RuleTimerOrder, fmt.Sprintf("%s (delay %v) runs after %s, a timer of delay %v, which ran after timers of delay %v in the same timers phase; the timers of one delay run one after another",
				describe(e), inForce.delay, describe(&st.prevCb), st.prevStart.delay, inForce.delay), last, prev, here)
		}
	}
	st.prevCb, st.prevStart, st.hasPrev = *e, inForce, true
	st.prevPos, st.drainFrom = i, -1
}
