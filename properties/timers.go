package properties

import (
	"fmt"
	"sort"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// checkTimers enforces RuleTimerOrder, RuleTimerSamePhase, RuleTimerDeadline and
// the timer half of RuleCleared, for every callback from source timer or
// interval that runs in a timers phase (one elsewhere is RulePhaseOrder's).
//
// A timer's deadline and start order are those of the timer_start in force when
// its timers phase began collecting due timers: the latest timer_start with its
// ID strictly before the phase's first event. Refresh and an interval's re-arm
// write new timer_start events with the same ID; the re-arm of an interval comes
// right before its callback, carries the next deadline, and is not the one the
// callback ran for. Its start order is the position of that timer_start.
func (c *checker) checkTimers() {
	starts := map[uint64][]int{}
	clears := map[uint64][]int{}
	for i := range c.ev {
		switch e := &c.ev[i]; e.Kind {
		case traces.KindTimerStart:
			starts[e.ID] = append(starts[e.ID], i)
		case traces.KindTimerClear:
			clears[e.ID] = append(clears[e.ID], i)
		}
	}
	curSpan, prevCb, prevStart := -1, -1, -1
	for i := range c.ev {
		e := &c.ev[i]
		if e.Kind != traces.KindCallback || (e.Source != traces.SourceTimer && e.Source != traces.SourceInterval) {
			continue
		}
		sp := c.span[i]
		if sp < 0 || c.spans[sp].phase != traces.PhaseTimers {
			continue
		}
		if sp != curSpan {
			curSpan, prevCb, prevStart = sp, -1, -1
		}
		first := c.spans[sp].first
		ss := starts[e.ID]
		k := sort.SearchInts(ss, first)
		inForce := -1
		if k > 0 {
			inForce = ss[k-1]
		}
		rearm := -1
		if p := i - 1; e.Source == traces.SourceInterval && p >= 0 && c.ev[p].Kind == traces.KindTimerStart &&
			c.ev[p].ID == e.ID && c.ev[p].Repeat > 0 {
			rearm = p
		}
		during := -1
		for _, s := range ss[k:] {
			if s >= i {
				break
			}
			if s != rearm {
				during = s
				break
			}
		}

		switch {
		case during >= 0:
			c.report(RuleTimerSamePhase, fmt.Sprintf("%s was started at seq %d, during the timers phase that began at seq %d, and runs in that same phase", c.describe(i), c.seq(during), c.seq(first)), during, i)
		case inForce < 0:
			c.report(RuleTimerSamePhase, fmt.Sprintf("%s has no timer_start before its timers phase (which began at seq %d)", c.describe(i), c.seq(first)), i)
		}

		if inForce >= 0 {
			if dl := c.ev[inForce].Deadline; e.Time < dl {
				c.report(RuleTimerDeadline, fmt.Sprintf("%s runs at %v, before its deadline %v (timer_start at seq %d)", c.describe(i), e.Time, dl, c.seq(inForce)), inForce, i)
			}
			if prevCb >= 0 && timerBefore(c.ev[inForce].Deadline, inForce, c.ev[prevStart].Deadline, prevStart) {
				c.report(RuleTimerOrder, fmt.Sprintf("%s (deadline %v, started at seq %d) runs after %s (deadline %v, started at seq %d) in one timers phase; they run in (deadline, start) order",
					c.describe(i), c.ev[inForce].Deadline, c.seq(inForce), c.describe(prevCb), c.ev[prevStart].Deadline, c.seq(prevStart)), prevCb, i)
			}
			prevCb, prevStart = i, inForce
		}

		// RuleCleared: the latest timer_clear before the callback must be older
		// than the latest timer_start that is not this callback's re-arm.
		lastStart := -1
		j := sort.SearchInts(ss, i) - 1
		if j >= 0 && ss[j] == rearm {
			j--
		}
		if j >= 0 {
			lastStart = ss[j]
		}
		cs := clears[e.ID]
		if n := sort.SearchInts(cs, i); n > 0 && cs[n-1] > lastStart {
			c.report(RuleCleared, fmt.Sprintf("%s runs after it was cleared at seq %d, and no timer_start re-armed it since", c.describe(i), c.seq(cs[n-1])), cs[n-1], i)
		}
	}
}

// timerBefore reports whether a timer with deadline d1 started at position p1
// comes before one with deadline d2 started at p2.
func timerBefore(d1 time.Duration, p1 int, d2 time.Duration, p2 int) bool {
	if d1 != d2 {
		return d1 < d2
	}
	return p1 < p2
}
