package properties

import (
	"fmt"

	"github.com/nodeloop/nodeloop/traces"
)

// fifo follows one of the loop's queues through a trace: the ids queued, in
// order, with the positions of the events that queued them.
type fifo struct {
	ids   []uint64
	pos   []int
	dead  []bool
	head  int
	index map[uint64]int // live id → its index in ids
}

func (q *fifo) push(id uint64, pos int) {
	if q.index == nil {
		q.index = map[uint64]int{}
	}
	if k, ok := q.index[id]; ok { // queued again while queued: keep the newer
		q.dead[k] = true
	}
	q.index[id] = len(q.ids)
	q.ids = append(q.ids, id)
	q.pos = append(q.pos, pos)
	q.dead = append(q.dead, false)
}

func (q *fifo) has(id uint64) bool {
	_, ok := q.index[id]
	return ok
}

func (q *fifo) len() int { return len(q.index) }

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
// microtask queue is empty.
func (c *checker) checkTickQueues() {
	var tq, mq fifo
	last := traces.SourceNone // the source of the previous callback
	drain := -1               // the first microtask callback of the current drain
	told := map[int]bool{}    // queue events already reported as waiting
	for i := range c.ev {
		e := &c.ev[i]
		switch {
		case e.Kind == traces.KindTickQueue:
			tq.push(e.ID, i)
		case e.Kind == traces.KindMicrotaskQueue:
			mq.push(e.ID, i)
		case isCallback(e, traces.SourceNextTick):
			if !tq.has(e.ID) {
				c.report(RuleTickQueues, fmt.Sprintf("%s runs but is not queued: never queued, or already run", c.describe(i)), i)
				break
			}
			if h := tq.front(); tq.ids[h] != e.ID && !told[tq.pos[h]] {
				told[tq.pos[h]] = true
				c.report(RuleTickQueues, fmt.Sprintf("%s (queued at seq %d) runs before nextTick %d, queued earlier at seq %d; nextTicks run FIFO", c.describe(i), c.seq(tq.pos[tq.index[e.ID]]), tq.ids[h], c.seq(tq.pos[h])), tq.pos[h], i)
			}
			if h := mq.front(); last == traces.SourceMicrotask && h >= 0 && !told[mq.pos[h]] {
				told[mq.pos[h]] = true
				c.report(RuleTickQueues, fmt.Sprintf("%s runs in the middle of a microtask drain: microtask %d (queued at seq %d) still waits; the whole microtask queue drains first", c.describe(i), mq.ids[h], c.seq(mq.pos[h])), mq.pos[h], i)
			}
			tq.remove(e.ID)
		case isCallback(e, traces.SourceMicrotask):
			if last != traces.SourceMicrotask {
				drain = i
			}
			if !mq.has(e.ID) {
				c.report(RuleTickQueues, fmt.Sprintf("%s runs but is not queued: never queued, or already run", c.describe(i)), i)
				break
			}
			if h := mq.front(); mq.ids[h] != e.ID && !told[mq.pos[h]] {
				told[mq.pos[h]] = true
				c.report(RuleTickQueues, fmt.Sprintf("%s (queued at seq %d) runs before microtask %d, queued earlier at seq %d; microtasks run FIFO", c.describe(i), c.seq(mq.pos[mq.index[e.ID]]), mq.ids[h], c.seq(mq.pos[h])), mq.pos[h], i)
			}
			if h := tq.front(); h >= 0 && tq.pos[h] < drain && !told[tq.pos[h]] {
				told[tq.pos[h]] = true
				c.report(RuleTickQueues, fmt.Sprintf("%s runs while nextTick %d, queued at seq %d before this microtask drain began, waits; every queued nextTick runs first", c.describe(i), tq.ids[h], c.seq(tq.pos[h])), tq.pos[h], i)
			}
			mq.remove(e.ID)
		case e.Kind == traces.KindCallback:
			var pos []int
			what := ""
			if h := tq.front(); h >= 0 && !told[tq.pos[h]] {
				told[tq.pos[h]] = true
				pos = append(pos, tq.pos[h])
				what = fmt.Sprintf("nextTick %d (queued at seq %d)", tq.ids[h], c.seq(tq.pos[h]))
			}
			if h := mq.front(); h >= 0 && !told[mq.pos[h]] {
				told[mq.pos[h]] = true
				pos = append(pos, mq.pos[h])
				if what != "" {
					what += " and "
				}
				what += fmt.Sprintf("microtask %d (queued at seq %d)", mq.ids[h], c.seq(mq.pos[h]))
			}
			if len(pos) > 0 {
				c.report(RuleTickQueues, fmt.Sprintf("%s starts while %s waits; both queues drain before any other callback", c.describe(i), what), append(pos, i)...)
			}
		}
		if e.Kind == traces.KindCallback {
			last = e.Source
		}
	}
}

// checkImmediates enforces RuleImmediates and the immediate half of RuleCleared,
// following the immediate queue through immediate_queue and immediate_clear
// events and the callbacks from source immediate.
func (c *checker) checkImmediates() {
	var q fifo
	queued := map[uint64]int{}
	cleared := map[uint64]int{}
	ran := map[uint64]int{}
	told := map[int]bool{}
	for i := range c.ev {
		e := &c.ev[i]
		switch {
		case e.Kind == traces.KindImmediateQueue:
			q.push(e.ID, i)
			queued[e.ID] = i
			delete(cleared, e.ID)
			delete(ran, e.ID)
		case e.Kind == traces.KindImmediateClear:
			if q.has(e.ID) {
				q.remove(e.ID)
				cleared[e.ID] = i
			}
		case isCallback(e, traces.SourceImmediate):
			first, twice := ran[e.ID]
			cl, wasCleared := cleared[e.ID]
			switch {
			case twice:
				c.report(RuleImmediates, fmt.Sprintf("%s runs again; it ran at seq %d and an immediate runs once", c.describe(i), c.seq(first)), first, i)
			case wasCleared:
				c.report(RuleCleared, fmt.Sprintf("%s runs after it was cleared at seq %d", c.describe(i), c.seq(cl)), cl, i)
			case !q.has(e.ID):
				c.report(RuleImmediates, fmt.Sprintf("%s runs but was never queued", c.describe(i)), i)
			default:
				if h := q.front(); q.ids[h] != e.ID && !told[q.pos[h]] {
					told[q.pos[h]] = true
					c.report(RuleImmediates, fmt.Sprintf("%s (queued at seq %d) runs before immediate %d, queued earlier at seq %d; immediates run FIFO", c.describe(i), c.seq(queued[e.ID]), q.ids[h], c.seq(q.pos[h])), q.pos[h], i)
				}
				qp := queued[e.ID]
				if sp := c.span[qp]; sp >= 0 && c.spans[sp].phase == traces.PhaseCheck && e.Tick <= c.ev[qp].Tick {
					c.report(RuleImmediates, fmt.Sprintf("%s was queued during the check phase of tick %d (seq %d) and runs in tick %d; it runs in a later tick", c.describe(i), c.ev[qp].Tick, c.seq(qp), e.Tick), qp, i)
				}
				q.remove(e.ID)
			}
			if !twice {
				ran[e.ID] = i
			}
		}
	}
}
