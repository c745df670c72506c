package properties

import (
	"fmt"
	"sort"

	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/traces"
)

// closedErr is the text an operation cut short by a close completes with.
var closedErr = poller.ErrClosed.Error()

// The texts a connect completes with when the loop gives its dial up: a Cancel, or
// DialTimeout's timeout (the loop's error text, pinned by TestDialEndsTrace).
var (
	canceledErr     = poller.ErrCanceled.Error()
	dialTimedOutErr = "connect: nodeloop: dial timed out"
)

// operation is what the trace has shown of one poller operation.
type operation struct {
	start, complete, cb int // positions; -1 until seen
	handle              uint64
	startErr            bool // it failed when started, or the loop gave it up: its error goes to a pending callback
}

// closing is a handle whose close was requested and not yet seen to finish.
type closing struct {
	handle uint64
	pos    int
	due    uint64 // the tick whose tick event proves the close finished
}

// checkExactlyOnce enforces RuleExactlyOnce.
//
// Pool requests: each pool_submit gets exactly one callback from source pool
// with its ID, after the submit, in the poll phase (a canceled request's too). A
// request keeps the loop alive until its callback, so one still without it when a
// Run ends unstopped is reported there.
//
// Operations: each op_start gets exactly one op_complete with its ID, after it,
// and at most one callback from source op with its ID, after the op_complete,
// carrying the op_start's handle, in the poll phase, or in the close phase when the
// op_complete carries the closed error. An op_complete right after its op_start
// is an error found at start, and a connect's op_complete with the canceled or the
// dial-timed-out error is a dial the loop gave up: in both cases its callback is the
// next one from source pending whose ID is the operation's handle, in a pending
// phase, and no op callback may run for it. Callbacks from source op with ID 0 are queued writes that a close
// cut short before they started: they are no operation and are not counted. A
// missing op_complete is reported only once its handle has provably finished
// closing: at its close callback, at the second tick after its close, or when a
// Run ends unstopped after it. A tick that a Run or RunOnce ended in right after
// its timers phase, and that a Run then followed with a tick of its own, had no
// close phase: it does not count among the two.
func (c *checker) checkExactlyOnce() {
	submits := map[uint64]int{}
	outstanding := map[uint64]int{} // submitted, no callback yet
	poolCb := map[uint64]int{}
	ops := map[uint64]*operation{}
	byHandle := map[uint64][]uint64{}
	owed := map[uint64][]int{} // handle → op_complete positions of start errors awaiting their pending callback
	var closes []closing
	told := map[uint64]bool{} // operations reported as never completing
	ended := false            // a run ended since the last tick event

	finish := func(h uint64, at int, why string) {
		for _, id := range byHandle[h] {
			o := ops[id]
			if o.complete < 0 && o.start < at && !told[id] {
				told[id] = true
				c.report(RuleExactlyOnce, fmt.Sprintf("operation %d of handle %d (op_start at seq %d) never completes: the handle finished closing (%s at seq %d) with no op_complete for it", id, h, c.seq(o.start), why, c.seq(at)), o.start, at)
			}
		}
	}

	for i := range c.ev {
		e := &c.ev[i]
		switch {
		case e.Kind == traces.KindPoolSubmit:
			if p, ok := submits[e.ID]; ok {
				c.report(RuleExactlyOnce, fmt.Sprintf("pool request %d is submitted again; it was submitted at seq %d", e.ID, c.seq(p)), p, i)
				continue
			}
			submits[e.ID] = i
			outstanding[e.ID] = i

		case e.Kind == traces.KindPoolStart:
			if p, ok := submits[e.ID]; ok && (e.Started < c.ev[p].Time || e.Started > e.Time) {
				c.report(RuleExactlyOnce, fmt.Sprintf("pool request %d starts at %v, outside its life: it was submitted at %v (seq %d) and the loop learned it was done at %v", e.ID, e.Started, c.ev[p].Time, c.seq(p), e.Time), p, i)
			}

		case isCallback(e, traces.SourcePool):
			switch first, twice := poolCb[e.ID]; {
			case twice:
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs again; it ran at seq %d and a pool request's callback runs once", c.describe(i), c.seq(first)), first, i)
			default:
				if _, ok := submits[e.ID]; !ok {
					c.report(RuleExactlyOnce, fmt.Sprintf("%s runs with no pool_submit before it", c.describe(i)), i)
				}
				poolCb[e.ID] = i
				delete(outstanding, e.ID)
			}
			if e.Phase != traces.PhasePoll {
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs in the %s phase; pool callbacks run in the poll phase", c.describe(i), e.Phase), i)
			}

		case e.Kind == traces.KindOpStart:
			if o, ok := ops[e.ID]; ok {
				c.report(RuleExactlyOnce, fmt.Sprintf("operation %d starts again; it started at seq %d", e.ID, c.seq(o.start)), o.start, i)
				continue
			}
			ops[e.ID] = &operation{start: i, complete: -1, cb: -1, handle: e.Handle}
			byHandle[e.Handle] = append(byHandle[e.Handle], e.ID)

		case e.Kind == traces.KindOpComplete:
			o, ok := ops[e.ID]
			switch {
			case !ok:
				c.report(RuleExactlyOnce, fmt.Sprintf("op_complete %d has no op_start before it", e.ID), i)
			case o.complete >= 0:
				c.report(RuleExactlyOnce, fmt.Sprintf("operation %d completes again; it completed at seq %d and an operation completes once", e.ID, c.seq(o.complete)), o.complete, i)
			default:
				o.complete = i
				if (i == o.start+1 && e.Err != "") || (e.Op == "connect" && (e.Err == canceledErr || e.Err == dialTimedOutErr)) {
					o.startErr = true
					owed[o.handle] = append(owed[o.handle], i)
				}
			}

		case isCallback(e, traces.SourceOp):
			if e.ID == 0 {
				continue // a queued write cut short by a close: no operation
			}
			o, ok := ops[e.ID]
			if !ok {
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs with no op_start before it", c.describe(i)), i)
				continue
			}
			switch {
			case o.cb >= 0:
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs again; it ran at seq %d and an operation's callback runs at most once", c.describe(i), c.seq(o.cb)), o.cb, i)
			case o.startErr:
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs for an operation that failed at start or was given up (op_complete at seq %d), whose error goes to a pending callback", c.describe(i), c.seq(o.complete)), o.complete, i)
			case o.complete < 0:
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs before its operation completes (op_start at seq %d, no op_complete)", c.describe(i), c.seq(o.start)), o.start, i)
			}
			if e.Handle != o.handle {
				c.report(RuleExactlyOnce, fmt.Sprintf("%s names handle %d; its operation started on handle %d (seq %d)", c.describe(i), e.Handle, o.handle, c.seq(o.start)), o.start, i)
			}
			closed := o.complete >= 0 && c.ev[o.complete].Err == closedErr
			if e.Phase != traces.PhasePoll && !(e.Phase == traces.PhaseClose && closed) {
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs in the %s phase; operation callbacks run in the poll phase, or in the close phase when a close cut them short", c.describe(i), e.Phase), i)
			}
			if o.cb < 0 {
				o.cb = i
			}

		case isCallback(e, traces.SourcePending):
			if e.Phase != traces.PhasePending {
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs in the %s phase; pending callbacks run in the pending phase", c.describe(i), e.Phase), i)
			}
			if q := owed[e.ID]; len(q) > 0 {
				owed[e.ID] = q[1:]
			} else {
				c.report(RuleExactlyOnce, fmt.Sprintf("%s runs, but no operation of handle %d failed at start or was given up to owe it", c.describe(i), e.ID), i)
			}

		case e.Kind == traces.KindClose:
			closes = append(closes, closing{e.ID, i, e.Tick + 2})

		case isCallback(e, traces.SourceClose):
			kept := closes[:0]
			for _, cl := range closes {
				if cl.handle == e.ID {
					finish(cl.handle, i, "its close callback")
				} else {
					kept = append(kept, cl)
				}
			}
			closes = kept

		case e.Kind == traces.KindTick:
			if ended && c.runMode(i) != "once" {
				// The tick before this one ended with its timers phase, and this one
				// is a Run's own first: RunOnce would have gone on with the one before.
				for k := range closes {
					closes[k].due++
				}
			}
			ended = false
			kept := closes[:0]
			for _, cl := range closes {
				if cl.due <= e.Tick {
					finish(cl.handle, i, fmt.Sprintf("closed at seq %d, and the close phase that finishes it is over before tick %d", c.seq(cl.pos), e.Tick))
				} else {
					kept = append(kept, cl)
				}
			}
			closes = kept

		case e.Kind == traces.KindEnd && !normalEnd(e):
			ended = true

		case normalEnd(e):
			ended = true
			for _, cl := range closes {
				finish(cl.handle, i, fmt.Sprintf("closed at seq %d, and Run ended unstopped", c.seq(cl.pos)))
			}
			closes = closes[:0]
			for _, id := range sortedByPos(outstanding) {
				p := outstanding[id]
				c.report(RuleExactlyOnce, fmt.Sprintf("pool request %d (submitted at seq %d) has no callback when Run ends unstopped; a request keeps the loop alive until its callback", id, c.seq(p)), p, i)
				delete(outstanding, id)
			}
			handles := make([]uint64, 0, len(owed))
			for h, q := range owed {
				if len(q) > 0 {
					handles = append(handles, h)
				}
			}
			sort.Slice(handles, func(a, b int) bool { return owed[handles[a]][0] < owed[handles[b]][0] })
			for _, h := range handles {
				for _, p := range owed[h] {
					c.report(RuleExactlyOnce, fmt.Sprintf("operation %d of handle %d failed at start or was given up (seq %d) and its pending callback has not run when Run ends unstopped", c.ev[p].ID, h, c.seq(p)), p, i)
				}
				delete(owed, h)
			}
		}
	}
}

// sortedByPos returns the keys of m ordered by their values.
func sortedByPos(m map[uint64]int) []uint64 {
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return m[ids[a]] < m[ids[b]] })
	return ids
}

// checkCloseLast enforces RuleCloseLast: a close callback (source close, ID the
// handle's) follows a close event of its handle, runs at most once per close, and
// no callback of the handle runs after it: watcher callbacks (sources idle,
// prepare and check) and pending callbacks carry the handle as ID, operation
// callbacks carry it as Handle.
func (c *checker) checkCloseLast() {
	open := map[uint64]int{}    // close events not yet matched by a close callback
	closeCb := map[uint64]int{} // the handle's close callback
	told := map[uint64]bool{}
	for i := range c.ev {
		e := &c.ev[i]
		switch {
		case e.Kind == traces.KindClose:
			open[e.ID]++
		case isCallback(e, traces.SourceClose):
			if p, ok := closeCb[e.ID]; ok {
				c.report(RuleCloseLast, fmt.Sprintf("%s runs again; handle %d's close callback ran at seq %d", c.describe(i), e.ID, c.seq(p)), p, i)
				continue
			}
			if open[e.ID] == 0 {
				c.report(RuleCloseLast, fmt.Sprintf("%s runs with no close of handle %d before it", c.describe(i), e.ID), i)
			} else {
				open[e.ID]--
			}
			closeCb[e.ID] = i
		case e.Kind == traces.KindCallback:
			var h uint64
			switch e.Source {
			case traces.SourceIdle, traces.SourcePrepare, traces.SourceCheck, traces.SourcePending:
				h = e.ID
			case traces.SourceOp:
				h = e.Handle
			default:
				continue
			}
			if p, ok := closeCb[h]; ok && !told[h] {
				told[h] = true
				c.report(RuleCloseLast, fmt.Sprintf("%s runs after handle %d's close callback (seq %d); a close callback is a handle's last", c.describe(i), h, c.seq(p)), p, i)
			}
		}
	}
}
