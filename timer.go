package nodeloop

import (
	"math"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// Timer is a timeout or an interval made by SetTimeout or SetInterval, or one a host
// keeps in a structure of its own and starts with StartTimer.
//
// A loop may hold a million timers at once, so a Timer is kept to 64 bytes, a
// timerSlabTimers slab of them filling one 4 KiB size class: it is its own node in the
// list of its delay (no separate node, no pointer to the list, which the loop finds
// by the delay), and its delay is whole milliseconds in 32 bits beside the interval
// flag.
type Timer struct {
	prev, next *Timer        // its neighbours in the list of its delay; nil when in none
	deadline   time.Duration // on the loop's time line: its start plus its delay
	handle                   // active: in a list, or an interval in its callback; closed: cleared
	cb         func()
	delayMs    uint32 // the coerced delay in milliseconds; for an interval, also the period
	interval   bool
	nested     bool // AllowNested was called: RunNextTimer may run it
}

// delay returns t's coerced delay.
func (t *Timer) delay() time.Duration { return time.Duration(t.delayMs) * time.Millisecond }

// linked reports whether t is in a list.
func (t *Timer) linked() bool { return t.next != nil }

// maxDelayMillis is Node's TIMEOUT_MAX: 2^31-1 ms, about 24.8 days.
const maxDelayMillis = math.MaxInt32

// coerceDelay applies Node's rules: fractions of a millisecond are dropped, and a delay
// below 1 ms or above TIMEOUT_MAX becomes 1 ms. It returns the delay in milliseconds.
func coerceDelay(d time.Duration) uint32 {
	ms := d / time.Millisecond
	if ms < 1 || ms > maxDelayMillis {
		ms = 1
	}
	return uint32(ms)
}

// timerList is Node's TimersList: the timers of one delay, in start order. Timers of
// one delay are due in the order they started, so a start appends and the timers
// phase takes them from the front, up to the first not yet due.
//
// The list's expiry is when the timers phase next looks at it. It is its first
// timer's deadline when the list is made, and again each time the timers phase stops
// at a timer not yet due; a clear or a Refresh of its first timer leaves it earlier,
// so that the list is looked at, and given a new id, at the old time. Lists run in
// (expiry, id) order, ids counting up as lists are made and looked at again.
type timerList struct {
	timers Timer // sentinel: timers.next is the first, timers.prev the last
	delay  time.Duration
	expiry time.Duration
	id     uint64
	slot   uint32 // in Loop.timerLists, for life: a freed list keeps it
	live   bool   // in the B-tree and in Loop.timerListOf
}

// timerListKey is a list's place in the B-tree. The key is kept inline, next to its
// neighbours in the tree's node, so that a search compares without touching the
// lists themselves; it holds no pointer (the list is found through its slot), so the
// garbage collector never scans the tree and moving keys needs no write barrier.
type timerListKey struct {
	expiry time.Duration
	id     uint64
	slot   uint32 // index in Loop.timerLists
}

// timerListLess orders lists by expiry, then by id: Node's compareTimersLists.
func timerListLess(a, b timerListKey) bool {
	if a.expiry != b.expiry {
		return a.expiry < b.expiry
	}
	return a.id < b.id
}

func (tl *timerList) key() timerListKey { return timerListKey{tl.expiry, tl.id, tl.slot} }

// first returns the list's earliest started timer, or nil when it is empty.
func (tl *timerList) first() *Timer {
	if tl.empty() {
		return nil
	}
	return tl.timers.next
}

// empty reports whether tl holds no timer.
func (tl *timerList) empty() bool { return tl.timers.next == &tl.timers }

// insertTail puts t, in no list, at the end of tl.
func (tl *timerList) insertTail(t *Timer) {
	h := &tl.timers
	t.prev, t.next = h.prev, h
	h.prev.next = t
	h.prev = t
}

// timerListSlabLists is how many timer lists the loop allocates at once.
const timerListSlabLists = 64

// newTimerList makes the list of delay, expiring at expiry, with a fresh id. It
// reuses a freed list, and takes a new one from the loop's slab only when none is
// free: the loop holds as many lists as delays were ever in use at once.
func (l *Loop) newTimerList(delay, expiry time.Duration) *timerList {
	var tl *timerList
	if n := len(l.freeTimerLists); n > 0 {
		tl = l.freeTimerLists[n-1]
		l.freeTimerLists = l.freeTimerLists[:n-1]
	} else {
		if len(l.timerListSlab) == 0 {
			l.timerListSlab = make([]timerList, timerListSlabLists)
		}
		tl = &l.timerListSlab[0]
		l.timerListSlab = l.timerListSlab[1:]
		tl.slot = uint32(len(l.timerLists))
		tl.timers.prev, tl.timers.next = &tl.timers, &tl.timers
		l.timerLists = append(l.timerLists, tl)
	}
	l.timerListSeq++
	tl.delay, tl.expiry, tl.id, tl.live = delay, expiry, l.timerListSeq, true
	l.timerListOf[delay] = tl
	l.timerTree.ReplaceOrInsert(tl.key())
	return tl
}

// dropTimerList takes tl, which is empty, out of the tree and out of Loop.timerListOf:
// the next timer of its delay makes a new list, with a new id. The list is freed for
// reuse, unless the timers phase is running it (it frees it when done).
func (l *Loop) dropTimerList(tl *timerList) {
	l.timerTree.Delete(tl.key())
	delete(l.timerListOf, tl.delay)
	tl.live = false
	if tl != l.timerListRunning {
		l.freeTimerLists = append(l.freeTimerLists, tl)
	}
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
	return l.startTimer(l.newTimer(), d, false, cb, l.fresh())
}

// startTimer starts t, a zero Timer, with cb, as a timeout or an interval, at now,
// a fresh reading of the clock. Its callers read it, so that the simulator names
// the reading by the method the program called (SetTimeout, SetInterval,
// StartTimer).
func (l *Loop) startTimer(t *Timer, d time.Duration, interval bool, cb func(), now time.Duration) *Timer {
	*t = Timer{handle: l.newHandle(), cb: cb, delayMs: coerceDelay(d), interval: interval}
	l.site(t.id)
	t.arm(now)
	return t
}

// StartTimer starts t, a zero Timer that the caller allocated, as SetTimeout starts
// the timer it makes, or as SetInterval with interval set, and returns t. It is for
// a host that keeps many timers in structures of its own, a Timer in each, and
// gives them all one callback, which finds the timer it runs for with
// RunningTimer: the loop then makes nothing per timer, neither the Timer nor a
// closure. t must not be started again, even once it fired or was cleared; a
// Timer that is not zero panics.
func (l *Loop) StartTimer(t *Timer, d time.Duration, interval bool, cb func()) *Timer {
	l.mustOpen("StartTimer")
	if cb == nil {
		nilCallback("StartTimer")
	}
	if t.l != nil {
		panic("nodeloop: StartTimer given a Timer already started; give it a zero Timer, or Refresh this one")
	}
	return l.startTimer(t, d, interval, cb, l.fresh())
}

// RunningTimer returns the timer whose callback is running, as its callback starts:
// for a callback that StartTimer gave many timers, the one it runs for. It is nil
// outside a timer's callback, and after SettleTimer.
func (l *Loop) RunningTimer() *Timer { return l.timerRunning }

// timerSlabTimers is how many timers the loop allocates at once: as many 64-byte
// timers as fit in the allocator's 4096-byte size class beside the 8-byte header Go
// puts before an object of pointers larger than 512 bytes. 64 of them would take the
// 4864-byte class, 12 bytes more per timer.
const timerSlabTimers = 63

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
	return l.startTimer(l.newTimer(), d, true, cb, l.fresh())
}

// ClearTimeout stops t, a timeout or an interval: its callback will not run again,
// even if t was already due in the current timers phase. It accepts nil and timers
// already cleared or fired.
func (l *Loop) ClearTimeout(t *Timer) {
	l.mustOpen("ClearTimeout")
	if t == nil {
		return
	}
	if t.l != l {
		panic("nodeloop: ClearTimeout given a timer of another loop; clear it on its own loop")
	}
	t.closed = true
	running := t == l.timerRunning
	if !t.active && !running {
		return
	}
	active := t.active
	t.unlink()
	// As Node's unenroll: the list of t's delay goes when this leaves it empty and t
	// keeps the loop alive; an unref'd timer's list stays, empty, until the timers
	// phase looks at it. A timer in its own callback is in no list, and the list it
	// ran from goes if it is empty.
	if !t.unref {
		if tl := l.timerListOf[t.delay()]; tl != nil && tl.empty() {
			l.dropTimerList(tl)
		}
	}
	t.setActive(false)
	if active && l.tracer != nil {
		l.emitID(traces.KindTimerClear, traces.SourceNone, t.id)
	}
}

// arm schedules t at start+delay, start counted in whole milliseconds, at the end of
// the list of its delay (made if there is none), as Node's insert.
func (t *Timer) arm(start time.Duration) {
	l := t.l
	t.setActive(true)
	// Node counts in whole milliseconds of libuv's clock: a timer starts at the
	// millisecond it was made in, so timers made within one millisecond with one
	// delay share a deadline and go in start order.
	start -= start % time.Millisecond
	delay := t.delay()
	t.deadline = start + delay
	if t.deadline < start { // saturate rather than wrap
		t.deadline = math.MaxInt64
	}
	tl := l.timerListLast // timers are often started in runs of one delay
	if tl == nil || !tl.live || tl.delay != delay {
		if tl = l.timerListOf[delay]; tl == nil {
			tl = l.newTimerList(delay, t.deadline)
		}
		l.timerListLast = tl
	}
	t.unlink()
	tl.insertTail(t)
	if l.tracer != nil {
		e := traces.Event{Kind: traces.KindTimerStart, ID: t.id, Delay: delay, Deadline: t.deadline}
		if t.interval {
			e.Repeat = delay
		}
		l.emit(e)
	}
}

// unlink takes t out of its list, if it is in one; the list stays, empty or not.
func (t *Timer) unlink() {
	if t.next != nil {
		t.prev.next = t.next
		t.next.prev = t.prev
		t.prev, t.next = nil, nil
	}
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

// Refresh restarts t from now with its delay, moving it to the end of the timers of
// its delay, and re-activates a timeout that already fired. A cleared timer stays
// cleared, as in Node. An interval that refreshes itself in its callback is re-armed
// all the same when the callback returns, from the start of the run, as in Node. A
// due timer that a nextTick or microtask of the timer before it in its list refreshes
// runs at once all the same, the restart lost, as in Node: the timers phase has
// already taken it. It returns t.
func (t *Timer) Refresh() *Timer {
	t.use("Timer.Refresh")
	if t.closed {
		return t
	}
	t.arm(t.l.fresh())
	return t
}

// runTimers is the timers phase, which starts a tick: Node's processTimers. It
// refreshes the cached time, then takes the timer lists in (expiry, id) order while
// the first has expired, and runs each (runTimerList). The nextTicks and microtasks a
// timer's callback queues run before the next callback, once the loop has looked at
// what follows it in its list, as in Node. A timer started while the phase runs starts
// at or after the cached time, so it is not due in this phase; the one exception is
// Node's too: a due timer restarted by the nextTicks of the timer before it in its
// list runs at once (runTimerList).
func (l *Loop) runTimers() {
	if l.timerTree.Len() > 0 || !l.osPoller {
		l.updateTime()
	} else {
		l.timeStale = true // no timer needs the time; Now reads it when asked
	}
	l.startTick(traces.PhaseTimers)
	l.enterPhase(traces.PhaseTimers)
	for {
		k, ok := l.timerTree.Min()
		if !ok || k.expiry > l.now {
			break
		}
		if l.ticks.len()+l.micro.len() > 0 {
			l.drainTicks() // the last callback's; they may have cleared the list
			continue
		}
		l.runTimerList(l.timerLists[k.slot])
	}
	l.leaveCallback()
}

// runTimerList is Node's listOnTimeout: it runs the due timers of tl from the front
// (lookTimerList). It stops early when a callback made the list go. The nextTicks and
// microtasks of a callback run when the loop has taken the next timer for running, or
// has stopped at the list's end or at a timer not due; a host that keeps its own
// nextTick queue has the loop do that bookkeeping first with SettleTimer.
func (l *Loop) runTimerList(tl *timerList) {
	l.timerListRunning = tl
	var t *Timer // the next timer to run, taken for running while due
	for tl.live {
		if t == nil {
			if t = l.lookTimerList(tl); t == nil {
				break
			}
		}
		if l.ticks.len()+l.micro.len() > 0 {
			// The previous callback's, run once the loop has taken t, due, for
			// running. When they clear t, the loop looks at the list again; when
			// they restart it, t runs all the same, now, as in Node, whose
			// listOnTimeout has taken it already: the restart is lost.
			l.drainTicks()
		}
		if !t.active {
			t = nil
			continue
		}
		t.unlink()
		next, settled := l.fire(t)
		if settled && next == nil {
			break // SettleTimer found the list's end or a timer not due
		}
		t = next
	}
	l.timerListRunning = nil
	if !tl.live {
		l.freeTimerLists = append(l.freeTimerLists, tl)
	}
}

// lookTimerList returns the first timer of tl when it is due. At the first timer not
// yet due it gives the list that timer's deadline as its expiry and a new id, which
// puts it behind the lists already waiting for that time; a list it finds empty goes.
// Both return nil.
func (l *Loop) lookTimerList(tl *timerList) *Timer {
	t := tl.first()
	if t == nil {
		l.dropTimerList(tl)
		return nil
	}
	if t.deadline > l.now {
		// Node takes the later of this and now+1 ms; the deadline, a whole
		// millisecond later than now, is never the earlier.
		l.timerTree.Delete(tl.key())
		l.timerListSeq++
		tl.expiry, tl.id = t.deadline, l.timerListSeq
		l.timerTree.ReplaceOrInsert(tl.key())
		return nil
	}
	return t
}

// fire runs the callback of t, a due timer already out of its list. An interval's
// next run counts from the start of this one, so a slow callback does not shift it;
// as in Node, the interval takes its place in line when the callback returns, behind
// the timers the callback started, unless the callback cleared it. Its nextTicks and
// microtasks wait for the caller. When the callback called SettleTimer, settled is
// true and next is the list's next timer it took for running, nil if none.
func (l *Loop) fire(t *Timer) (next *Timer, settled bool) {
	l.timerRunning = t
	l.timerSettled = false
	if t.interval {
		l.timerStart = l.fresh()
		l.enterCallback(traces.SourceInterval, t.id)
	} else {
		t.setActive(false)
		l.enterCallback(traces.SourceTimer, t.id)
	}
	t.cb()
	if l.timerSettled {
		next, l.timerTaken, l.timerSettled = l.timerTaken, nil, false
		return next, true
	}
	l.timerRunning = nil
	if t.interval && !t.closed {
		t.arm(l.timerStart)
	}
	return nil, false
}

// SettleTimer, called by a timer's callback in the timers phase, does at once what
// the loop does when the callback returns and before it runs the callback's
// nextTicks and microtasks: it re-arms an interval not cleared, then looks at the
// next timer of the list, taking it for running when it is due (a restart by a
// nextTick then comes too late, as in Node), or else cutting the list there or
// dropping it. It is for a host that keeps its own nextTick queue and must drain it
// inside the callback, the js package: calling SettleTimer before that drain puts
// the host's ticks where the loop runs its own. Elsewhere, and called a second
// time, it does nothing.
func (l *Loop) SettleTimer() {
	t := l.timerRunning
	if t == nil || l.timerSettled {
		return
	}
	l.timerSettled = true
	l.timerRunning = nil
	if t.interval && !t.closed {
		t.arm(l.timerStart)
	}
	if tl := l.timerListRunning; tl != nil && tl.live {
		l.timerTaken = l.lookTimerList(tl)
	}
}

// NextTimerTaken, called by a timer's callback in the timers phase after
// SettleTimer, reports whether the loop took the next timer of the callback's list
// for running: it runs next, before the phase looks at another list. Called
// elsewhere it reports false. It is for a host that follows Node when a timer's
// callback threw and the program handled the exception: Node runs the next timer
// of the list at once, and drains its nextTicks and microtasks first when the
// next timer is another list's, or when the phase ends.
func (l *Loop) NextTimerTaken() bool {
	return l.timerListRunning != nil && l.timerSettled && l.timerTaken != nil && l.timerTaken.active
}

// AllowNested lets RunNextTimer run t inside the callback of the timer before it in
// its list, and returns t. It is for a host whose timers' callbacks can run there
// (the js package's); other timers of the list (a Conn's idle timeout, a dial's)
// are run by the timers phase.
func (t *Timer) AllowNested() *Timer {
	t.nested = true
	return t
}

// RunNextTimer, called by a timer's callback after SettleTimer, runs at once, inside
// that callback, the next timer SettleTimer took for running, as the timers phase
// would run it next, and reports whether it ran one; it then settles that timer
// itself if its callback did not. It is for a host whose callbacks are costly to
// enter one by one and that has found nothing to run between two of them (no
// nextTick, no microtask, the js package between two timers of a list): the events,
// the steps and the order are those of the timers phase. It runs nothing and
// reports false when there is no timer taken, when the taken one was cleared (the
// timers phase looks at the list again) or was not made with AllowNested, when the
// loop's own nextTicks or microtasks wait, and when the next callback would pass
// the step limit; the timers phase then goes on as usual.
func (l *Loop) RunNextTimer() bool {
	t := l.timerTaken
	if !l.timerSettled || t == nil || !t.active || !t.nested || l.ticks.len()+l.micro.len() > 0 ||
		(l.stepsMax != 0 && l.steps >= l.stepsMax) {
		return false
	}
	tl := l.timerListRunning
	l.timerTaken, l.timerSettled = nil, false
	t.unlink()
	next, settled := l.fire(t)
	if !settled {
		next = nil
		if tl.live {
			next = l.lookTimerList(tl)
		}
	}
	// The callback that called this is settled, with the list looked at after t.
	l.timerTaken, l.timerSettled = next, true
	return true
}
