package nodeloop

import (
	"math"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// Timer is a timeout or an interval made by SetTimeout or SetInterval.
type Timer struct {
	deadline time.Duration // on the loop's time line
	seq      uint64        // start order, the tie-break between equal deadlines
	handle                 // active: armed (inTree, due or rearming); closed: cleared
	cb       func()
	delay    time.Duration // coerced; for an interval, also the period
	slot     uint32        // in Loop.timerSlots while in the B-tree
	interval bool
	inTree   bool // waiting in the B-tree
	due      bool // collected by the current timers phase, not yet run
	rearming bool // an interval in its callback, to be re-armed when it returns
}

// maxDelayMillis is Node's TIMEOUT_MAX: 2^31-1 ms, about 24.8 days.
const maxDelayMillis = math.MaxInt32

// coerceDelay applies Node's rules: fractions of a millisecond are dropped, and a delay
// below 1 ms or above TIMEOUT_MAX becomes 1 ms.
func coerceDelay(d time.Duration) time.Duration {
	ms := d / time.Millisecond
	if ms < 1 || ms > maxDelayMillis {
		ms = 1
	}
	return ms * time.Millisecond
}

// timerKey is a timer's place in the B-tree. The key is kept inline, next to its
// neighbours in the tree's node, so that a search compares without touching the
// timers themselves; it holds no pointer (the timer is found through its slot), so
// the garbage collector never scans the tree and moving keys needs no write barrier.
type timerKey struct {
	deadline time.Duration
	seq      uint64
	slot     uint32 // index in Loop.timerSlots
}

// timerLess orders timers by deadline, then by start order.
func timerLess(a, b timerKey) bool {
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	return a.seq < b.seq
}

// insert puts t in the B-tree, in a free slot.
func (l *Loop) insert(t *Timer) {
	var slot uint32
	if n := len(l.freeSlots); n > 0 {
		slot = l.freeSlots[n-1]
		l.freeSlots = l.freeSlots[:n-1]
		l.timerSlots[slot] = t
	} else {
		slot = uint32(len(l.timerSlots))
		l.timerSlots = append(l.timerSlots, t)
	}
	t.slot = slot
	t.inTree = true
	l.timers.ReplaceOrInsert(timerKey{t.deadline, t.seq, slot})
}

// remove takes t out of the B-tree and frees its slot.
func (l *Loop) remove(t *Timer) {
	l.timers.Delete(timerKey{t.deadline, t.seq, t.slot})
	l.freeSlot(t)
}

func (l *Loop) freeSlot(t *Timer) {
	l.timerSlots[t.slot] = nil
	l.freeSlots = append(l.freeSlots, t.slot)
	t.inTree = false
}

// SetTimeout runs cb once, in a timers phase at least d after now, as setTimeout. d is
// coerced as Node does: below 1 ms or above about 24.8 days it becomes 1 ms, and
// fractions of a millisecond are dropped. The delay counts from a fresh reading of
// the clock, not the cached time.
func (l *Loop) SetTimeout(d time.Duration, cb func()) *Timer {
	l.mustOpen("SetTimeout")
	if cb == nil {
		nilCallback("SetTimeout")
	}
	t := l.newTimer()
	*t = Timer{handle: l.newHandle(), cb: cb, delay: coerceDelay(d)}
	l.site(t.id)
	t.arm(l.fresh())
	return t
}

// timerSlabTimers is how many timers the loop allocates at once.
const timerSlabTimers = 64

// newTimer returns a zero Timer from the loop's slab, allocating a new slab when the
// last is used up: one allocation per timerSlabTimers timers. A slab stays in memory
// while any of its timers is referenced.
func (l *Loop) newTimer() *Timer {
	if len(l.timerSlab) == 0 {
		l.timerSlab = make([]Timer, timerSlabTimers)
	}
	t := &l.timerSlab[0]
	l.timerSlab = l.timerSlab[1:]
	return t
}

// SetInterval runs cb every d, as setInterval: the next run is due d after the start
// of this one, so a slow callback does not shift the schedule, and it runs at most
// once per timers phase. As in Node, the interval takes its place among timers with
// the same deadline when its callback returns. d is coerced as in SetTimeout.
func (l *Loop) SetInterval(d time.Duration, cb func()) *Timer {
	l.mustOpen("SetInterval")
	if cb == nil {
		nilCallback("SetInterval")
	}
	t := l.newTimer()
	*t = Timer{handle: l.newHandle(), cb: cb, delay: coerceDelay(d), interval: true}
	l.site(t.id)
	t.arm(l.fresh())
	return t
}

// ClearTimeout stops t, a timeout or an interval: its callback will not run again,
// even if t was already found due in the current timers phase. It accepts nil and
// timers already cleared or fired.
func (l *Loop) ClearTimeout(t *Timer) {
	l.mustOpen("ClearTimeout")
	if t == nil {
		return
	}
	if t.l != l {
		panic("nodeloop: ClearTimeout given a timer of another loop; clear it on its own loop")
	}
	t.closed = true
	if !t.active {
		return
	}
	t.disarm()
	if l.tracer != nil {
		l.emitID(traces.KindTimerClear, traces.SourceNone, t.id)
	}
}

// arm schedules t at start+delay, start counted in whole milliseconds, behind every
// timer already due then.
func (t *Timer) arm(start time.Duration) {
	l := t.l
	t.setActive(true)
	t.due, t.rearming = false, false
	l.timerSeq++
	t.seq = l.timerSeq
	// Node counts in whole milliseconds of libuv's clock: a timer starts at the
	// millisecond it was made in, so timers made within one millisecond with one
	// delay share a deadline and go in start order.
	start -= start % time.Millisecond
	t.deadline = start + t.delay
	if t.deadline < start { // saturate rather than wrap
		t.deadline = math.MaxInt64
	}
	l.insert(t)
	if l.tracer != nil {
		e := traces.Event{Kind: traces.KindTimerStart, ID: t.id, Delay: t.delay, Deadline: t.deadline}
		if t.interval {
			e.Repeat = t.delay
		}
		l.emit(e)
	}
}

// disarm takes t off the schedule.
func (t *Timer) disarm() {
	if t.inTree {
		t.l.remove(t)
	}
	t.due, t.rearming = false, false
	t.setActive(false)
}

// Ref makes t keep the loop alive while it is active (the default) and returns t.
func (t *Timer) Ref() *Timer {
	t.setRef("Timer.Ref", true)
	return t
}

// Unref makes t stop keeping the loop alive: the loop may end with t still active. It
// returns t.
func (t *Timer) Unref() *Timer {
	t.setRef("Timer.Unref", false)
	return t
}

// HasRef reports whether t keeps the loop alive while active.
func (t *Timer) HasRef() bool { return t.hasRef() }

// Active reports whether t is scheduled to run.
func (t *Timer) Active() bool { return t.active }

// Refresh restarts t from now with its delay, moving it behind timers with the same
// deadline, and re-activates a timeout that already fired. A cleared timer stays
// cleared, as in Node. It returns t.
func (t *Timer) Refresh() *Timer {
	l := t.l
	t.use("Timer.Refresh")
	if t.closed {
		return t
	}
	if t.inTree {
		l.remove(t)
	}
	t.arm(l.fresh())
	return t
}

// runTimers is the timers phase, which starts a tick: it refreshes the cached time,
// collects every timer due, then runs them in (deadline, start) order. Timers started
// while it runs, and intervals it re-arms, wait for the next phase.
func (l *Loop) runTimers() {
	l.updateTime()
	l.startTick(traces.PhaseTimers)
	l.enterPhase(traces.PhaseTimers)
	for {
		k, ok := l.timers.Min()
		if !ok || k.deadline > l.now {
			break
		}
		l.timers.DeleteMin()
		t := l.timerSlots[k.slot]
		l.freeSlot(t)
		t.due = true
		l.due.push(t)
	}
	for l.due.len() > 0 {
		t := l.due.front()
		if !t.due {
			l.due.pop()
			continue // cleared or refreshed by an earlier callback of this phase
		}
		if t.interval {
			// The next run counts from the start of this one, so a slow callback does
			// not shift it; as in Node, the interval takes its place in line when the
			// callback returns, behind the timers the callback started. It stays at
			// the front of due until then, for Handles to find.
			start := l.fresh()
			t.due, t.rearming = false, true
			l.call(traces.SourceInterval, t.id, t.cb)
			l.due.pop()
			if t.rearming {
				t.arm(start)
			}
			continue
		}
		l.due.pop()
		t.due = false
		t.setActive(false)
		l.call(traces.SourceTimer, t.id, t.cb)
	}
}
