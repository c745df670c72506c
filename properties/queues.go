package properties

import (
	"fmt"

	"github.com/nodeloop/nodeloop/traces"
)

// fifo follows one of the loop's queues through a trace: the ids queued, in
// order, with the events that queued them. It keeps the live entries, and drops
// the dead ones at its front as it goes.
type fifo struct {
	ids   []uint64
	at    []ref
	dead  []bool
	head  int
	index map[uint64]int // live id → its index in ids
}

func (q *fifo) push(id uint64, at ref) {
	if q.index == nil {
		q.index = map[uint64]int{}
	}
	if k, ok := q.index[id]; ok { // queued again while queued: keep the newer
		q.dead[k] = true
	}
	q.index[id] = len(q.ids)
	q.ids = append(q.ids, id)
	q.at = append(q.at, at)
	q.dead = append(q.dead, false)
}

func (q *fifo) has(id uint64) bool {
	_, ok := q.index[id]
	return ok
}

// queuedAt returns the event that queued the live id.
func (q *fifo) queuedAt(id uint64) ref { return q.at[q.index[id]] }

// front returns the index of the oldest live entry, or -1.
func (q *fifo) front() int {
	for q.head < len(q.ids) && q.dead[q.head] {
		q.head++
	}
	if q.head == len(q.ids) {
		return -1
	}
	return q.head
}

func (q *fifo) remove(id uint64) {
	if k, ok := q.index[id]; ok {
		q.dead[k] = true
		delete(q.index, id)
	}
	q.compact()
}

// compact drops the entries before the front once they are most of the slices.
func (q *fifo) compact() {
	q.front()
	if q.head < 64 || q.head*2 < len(q.ids) {
		return
	}
	n := copy(q.ids, q.ids[q.head:])
	copy(q.at, q.at[q.head:])
	copy(q.dead, q.dead[q.head:])
	q.ids, q.at, q.dead = q.ids[:n], q.at[:n], q.dead[:n]
	for id, k := range q.index {
		q.index[id] = k - q.head
	}
	q.head = 0
}

// size returns how many entries the queue holds, dead ones included.
func (q *fifo) size() int { return len(q.ids) - q.head }

// tickQueueState is what RuleTickQueues keeps.
type tickQueueState struct {
	tq, mq fifo
	last   traces.Source // the source of the previous callback
	drain  int           // the first microtask callback of the current drain
	told   map[int]bool  // queue events already reported as waiting
	// thrown: a log event said the last callback threw (traces.MsgThrown), so
	// the next callback may start while the queues hold what was left.
	thrown bool
}

// tell reports whether the queue event at position pos is yet to be reported as
// waiting, and marks it reported.
func (st *tickQueueState) tell(pos int) bool {
	if st.told[pos] {
		return false
	}
	if st.told == nil {
		st.told = map[int]bool{}
	}
	st.told[pos] = true
	return true
}

// checkTickQueues enforces RuleTickQueues, following the nextTick and microtask
// queues through tick_queue and microtask_queue events and the callbacks that
// take from them.
//
// After each macrotask callback the loop drains the whole nextTick queue (ticks
// queued meanwhile included), then the whole microtask queue (microtasks queued
// meanwhile included, while nextTicks they queue wait), and repeats. So: no other
// callback starts while either queue holds something; each queue runs FIFO; a
// microtask never runs while a nextTick waits that was queued before the current
// microtask drain began (a drain is a run of microtask callbacks with no other
// callback between them); and once a drain has begun, no nextTick runs until the
// microtask queue is empty. The one exception is Node's: after a log event
// traces.MsgThrown, the next callback may start while the queues hold what the
// callback that threw left.
func (c *Checker) checkTickQueues(e *traces.Event, i int) {
	st := &c.tickQ
	tq, mq := &st.tq, &st.mq
	if c.n == 0 {
		st.drain = -1
	}
	here := refOf(e, i)
	switch {
	case e.Kind == traces.KindTickQueue:
		tq.push(e.ID, here)
	case e.Kind == traces.KindMicrotaskQueue:
		mq.push(e.ID, here)
	case isCallback(e, traces.SourceNextTick):
		if !tq.has(e.ID) {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s runs but is not queued: never queued, or already run", describe(e)), here)
			break
		}
		if h := tq.front(); tq.ids[h] != e.ID && st.tell(tq.at[h].pos) {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s (queued at seq %d) runs before nextTick %d, queued earlier at seq %d; nextTicks run FIFO", describe(e), tq.queuedAt(e.ID).seq, tq.ids[h], tq.at[h].seq), tq.at[h], here)
		}
		if h := mq.front(); st.last == traces.SourceMicrotask && h >= 0 && st.tell(mq.at[h].pos) {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s runs in the middle of a microtask drain: microtask %d (queued at seq %d) still waits; the whole microtask queue drains first", describe(e), mq.ids[h], mq.at[h].seq), mq.at[h], here)
		}
		tq.remove(e.ID)
	case isCallback(e, traces.SourceMicrotask):
		if st.last != traces.SourceMicrotask {
			st.drain = i
		}
		if !mq.has(e.ID) {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s runs but is not queued: never queued, or already run", describe(e)), here)
			break
		}
		if h := mq.front(); mq.ids[h] != e.ID && st.tell(mq.at[h].pos) {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s (queued at seq %d) runs before microtask %d, queued earlier at seq %d; microtasks run FIFO", describe(e), mq.queuedAt(e.ID).seq, mq.ids[h], mq.at[h].seq), mq.at[h], here)
		}
		if h := tq.front(); h >= 0 && tq.at[h].pos < st.drain && st.tell(tq.at[h].pos) {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s runs while nextTick %d, queued at seq %d before this microtask drain began, waits; every queued nextTick runs first", describe(e), tq.ids[h], tq.at[h].seq), tq.at[h], here)
		}
		mq.remove(e.ID)
	case e.Kind == traces.KindLog && e.Msg == traces.MsgThrown:
		st.thrown = true
	case e.Kind == traces.KindCallback && st.thrown:
		st.thrown = false
	case e.Kind == traces.KindCallback:
		var at []ref
		what := ""
		if h := tq.front(); h >= 0 && st.tell(tq.at[h].pos) {
			at = append(at, tq.at[h])
			what = fmt.Sprintf("nextTick %d (queued at seq %d)", tq.ids[h], tq.at[h].seq)
		}
		if h := mq.front(); h >= 0 && st.tell(mq.at[h].pos) {
			at = append(at, mq.at[h])
			if what != "" {
				what += " and "
			}
			what += fmt.Sprintf("microtask %d (queued at seq %d)", mq.ids[h], mq.at[h].seq)
		}
		if len(at) > 0 {
			c.report(passTickQueues, RuleTickQueues, fmt.Sprintf("%s starts while %s waits; both queues drain before any other callback", describe(e), what), append(at, here)...)
		}
	}
	if e.Kind == traces.KindCallback {
		st.last = e.Source
	}
}

// immediate is what RuleImmediates keeps of one immediate id.
type immediate struct {
	queued     ref
	inCheck    bool   // it was queued during a check phase
	queuedTick uint64 // the tick it was queued in
	cleared    ref
	wasCleared bool
	ran        ref
	hasRun     bool
}

// immediateState is what RuleImmediates keeps.
type immediateState struct {
	q    fifo
	ids  table[immediate]
	told map[int]bool
	// thrownTick is the tick whose check phase logged traces.MsgThrown, 0 if
	// none: Node's check phase then runs the immediates queued during it.
	thrownTick uint64
}

// checkImmediates enforces RuleImmediates and the immediate half of RuleCleared,
// following the immediate queue through immediate_queue and immediate_clear
// events and the callbacks from source immediate.
func (c *Checker) checkImmediates(e *traces.Event, i int) {
	st := &c.imm
	here := refOf(e, i)
	switch {
	case e.Kind == traces.KindImmediateQueue:
		st.q.push(e.ID, here)
		im := st.ids.reset(e.ID)
		im.queued, im.queuedTick = here, e.Tick
		im.inCheck = c.span.in && c.span.phase == traces.PhaseCheck
	case e.Kind == traces.KindLog && e.Msg == traces.MsgThrown:
		if c.span.in && c.span.phase == traces.PhaseCheck {
			st.thrownTick = e.Tick
		}
	case e.Kind == traces.KindImmediateClear:
		if st.q.has(e.ID) {
			st.q.remove(e.ID)
			im := st.ids.put(e.ID)
			im.cleared, im.wasCleared = here, true
			st.ids.retire(e.ID)
		}
	case isCallback(e, traces.SourceImmediate):
		var im immediate
		if p := st.ids.get(e.ID); p != nil {
			im = *p
		}
		switch {
		case im.hasRun:
			c.report(passImmediates, RuleImmediates, fmt.Sprintf("%s runs again; it ran at seq %d and an immediate runs once", describe(e), im.ran.seq), im.ran, here)
		case im.wasCleared:
			c.report(passImmediates, RuleCleared, fmt.Sprintf("%s runs after it was cleared at seq %d", describe(e), im.cleared.seq), im.cleared, here)
		case !st.q.has(e.ID):
			c.report(passImmediates, RuleImmediates, fmt.Sprintf("%s runs but was never queued", describe(e)), here)
		default:
			if h := st.q.front(); st.q.ids[h] != e.ID && !st.told[st.q.at[h].pos] {
				if st.told == nil {
					st.told = map[int]bool{}
				}
				st.told[st.q.at[h].pos] = true
				c.report(passImmediates, RuleImmediates, fmt.Sprintf("%s (queued at seq %d) runs before immediate %d, queued earlier at seq %d; immediates run FIFO", describe(e), im.queued.seq, st.q.ids[h], st.q.at[h].seq), st.q.at[h], here)
			}
			if im.inCheck && e.Tick <= im.queuedTick && e.Tick != st.thrownTick {
				c.report(passImmediates, RuleImmediates, fmt.Sprintf("%s was queued during the check phase of tick %d (seq %d) and runs in tick %d; it runs in a later tick", describe(e), im.queuedTick, im.queued.seq, e.Tick), im.queued, here)
			}
			st.q.remove(e.ID)
		}
		if !im.hasRun {
			p := st.ids.put(e.ID)
			p.ran, p.hasRun = here, true
		}
		st.ids.retire(e.ID)
	}
}
