package properties

import (
	"fmt"
	"sort"
	"time"

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

// tryWriteOp is the operation a Conn.TryWrite records: it completes right after
// it starts and never has a callback.
const tryWriteOp = "try_write"

// operation is what the trace has shown of one poller operation.
type operation struct {
	start, complete, cb ref
	hasComplete, hasCb  bool
	handle              uint64
	startErr            bool // it failed when started, or the loop gave it up: its error goes to a pending callback
	closed              bool // it completed with the closed error
}

// poolRequest is what the trace has shown of one pool request.
type poolRequest struct {
	submit     ref
	submitTime time.Duration
	submitted  bool
	cb         ref
	hasCb      bool
}

// closing is a handle whose close was requested and not yet seen to finish.
type closing struct {
	handle uint64
	at     ref
	due    uint64 // the tick whose tick event proves the close finished
	// onceDue: due counts the tick that began the current run as not finishing the
	// close, which holds unless the run turns out to be a RunOnce.
	onceDue bool
}

// onceFinish is the finish of a closing handle that the current run makes if it
// turns out to be a RunOnce: decided at its end.
type onceFinish struct {
	close ref
	at    ref
	tick  uint64
	ops   []opStart // the operations it would report
}

// opStart is an operation that never completed, and its op_start.
type opStart struct {
	id    uint64
	start ref
}

// owedCallback is an operation that failed at start, or a dial the loop gave up,
// and awaits its pending
// callback.
type owedCallback struct {
	id       uint64
	complete ref
}

// onceState is what RuleExactlyOnce keeps.
type onceState struct {
	pool        table[poolRequest]
	outstanding map[uint64]ref // submitted, no callback yet
	ops         table[operation]
	byHandle    map[uint64][]uint64       // handle → its operations still remembered, in start order
	owed        map[uint64][]owedCallback // handle → start errors awaiting their pending callback
	closes      []closing
	told        map[uint64]bool // operations reported as never completing
	ended       bool            // a run ended since the last tick event
	undecided   []onceFinish
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
// is an error found at start: its callback is the next one from source pending
// whose ID is the operation's handle, in a pending phase, and no op callback may
// run for it. Callbacks from source op with ID 0 are queued writes that a close
// cut short before they started: they are no operation and are not counted. A
// missing op_complete is reported only once its handle has provably finished
// closing: at its close callback, at the second tick after its close, or when a
// Run ends unstopped after it. A tick that a Run or RunOnce ended in right after
// its timers phase, and that a Run then followed with a tick of its own, had no
// close phase: it does not count among the two.
func (c *Checker) checkExactlyOnce(e *traces.Event, i int) {
	st := &c.once
	here := refOf(e, i)
	switch {
	case e.Kind == traces.KindPoolSubmit:
		if r := st.pool.get(e.ID); r != nil && r.submitted {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("pool request %d is submitted again; it was submitted at seq %d", e.ID, r.submit.seq), r.submit, here)
			return
		}
		r := st.pool.put(e.ID)
		r.submit, r.submitTime, r.submitted = here, e.Time, true
		if st.outstanding == nil {
			st.outstanding = map[uint64]ref{}
		}
		st.outstanding[e.ID] = here

	case e.Kind == traces.KindPoolStart:
		if r := st.pool.get(e.ID); r != nil && r.submitted && (e.Started < r.submitTime || e.Started > e.Time) {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("pool request %d starts at %v, outside its life: it was submitted at %v (seq %d) and the loop learned it was done at %v", e.ID, e.Started, r.submitTime, r.submit.seq, e.Time), r.submit, here)
		}

	case isCallback(e, traces.SourcePool):
		r := st.pool.get(e.ID)
		switch {
		case r != nil && r.hasCb:
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs again; it ran at seq %d and a pool request's callback runs once", describe(e), r.cb.seq), r.cb, here)
		default:
			if r == nil || !r.submitted {
				c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs with no pool_submit before it", describe(e)), here)
			}
			r = st.pool.put(e.ID)
			r.cb, r.hasCb = here, true
			delete(st.outstanding, e.ID)
		}
		st.pool.retire(e.ID)
		if e.Phase != traces.PhasePoll {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs in the %s phase; pool callbacks run in the poll phase", describe(e), e.Phase), here)
		}

	case e.Kind == traces.KindOpStart:
		if o := st.ops.get(e.ID); o != nil {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("operation %d starts again; it started at seq %d", e.ID, o.start.seq), o.start, here)
			return
		}
		*st.ops.put(e.ID) = operation{start: here, handle: e.Handle}
		if st.byHandle == nil {
			st.byHandle = map[uint64][]uint64{}
		}
		st.byHandle[e.Handle] = append(st.byHandle[e.Handle], e.ID)

	case e.Kind == traces.KindOpComplete:
		o := st.ops.get(e.ID)
		switch {
		case o == nil:
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("op_complete %d has no op_start before it", e.ID), here)
		case o.hasComplete:
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("operation %d completes again; it completed at seq %d and an operation completes once", e.ID, o.complete.seq), o.complete, here)
		default:
			o.complete, o.hasComplete, o.closed = here, true, e.Err == closedErr
			if (i == o.start.pos+1 && e.Err != "") || (e.Op == "connect" && (e.Err == canceledErr || e.Err == dialTimedOutErr)) {
				o.startErr = true
				if st.owed == nil {
					st.owed = map[uint64][]owedCallback{}
				}
				st.owed[o.handle] = append(st.owed[o.handle], owedCallback{e.ID, here})
			}
			if o.startErr || o.hasCb || e.Op == tryWriteOp {
				c.retireOp(e.ID) // a try_write never has a callback
			}
		}

	case isCallback(e, traces.SourceOp):
		if e.ID == 0 {
			return // a queued write cut short by a close: no operation
		}
		o := st.ops.get(e.ID)
		if o == nil {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs with no op_start before it", describe(e)), here)
			return
		}
		switch {
		case o.hasCb:
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs again; it ran at seq %d and an operation's callback runs at most once", describe(e), o.cb.seq), o.cb, here)
		case o.startErr:
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs for an operation that failed at start or was given up (op_complete at seq %d), whose error goes to a pending callback", describe(e), o.complete.seq), o.complete, here)
		case !o.hasComplete:
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs before its operation completes (op_start at seq %d, no op_complete)", describe(e), o.start.seq), o.start, here)
		}
		if e.Handle != o.handle {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s names handle %d; its operation started on handle %d (seq %d)", describe(e), e.Handle, o.handle, o.start.seq), o.start, here)
		}
		if e.Phase != traces.PhasePoll && !(e.Phase == traces.PhaseClose && o.closed) {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs in the %s phase; operation callbacks run in the poll phase, or in the close phase when a close cut them short", describe(e), e.Phase), here)
		}
		if !o.hasCb {
			o.cb, o.hasCb = here, true
		}
		if o.hasComplete {
			c.retireOp(e.ID)
		}

	case isCallback(e, traces.SourcePending):
		if e.Phase != traces.PhasePending {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs in the %s phase; pending callbacks run in the pending phase", describe(e), e.Phase), here)
		}
		if q := st.owed[e.ID]; len(q) > 0 {
			if len(q) == 1 {
				delete(st.owed, e.ID)
			} else {
				st.owed[e.ID] = q[1:]
			}
		} else {
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("%s runs, but no operation of handle %d failed at start or was given up to owe it", describe(e), e.ID), here)
		}

	case e.Kind == traces.KindClose:
		st.closes = append(st.closes, closing{handle: e.ID, at: here, due: e.Tick + 2})

	case isCallback(e, traces.SourceClose):
		kept := st.closes[:0]
		for _, cl := range st.closes {
			if cl.handle == e.ID {
				c.finishHandle(cl.handle, here, "its close callback")
			} else {
				kept = append(kept, cl)
			}
		}
		st.closes = kept
		// The handle is done: its operations that completed are too.
		for _, id := range append([]uint64(nil), st.byHandle[e.ID]...) {
			if o := st.ops.get(id); o != nil && o.hasComplete {
				c.retireOp(id)
			}
		}

	case e.Kind == traces.KindTick:
		if st.ended {
			// The tick before this one ended with its timers phase, and this one
			// is a Run's own first unless the run is a RunOnce, which would have
			// gone on with the one before: that is known at the run's end.
			for k := range st.closes {
				st.closes[k].due++
				st.closes[k].onceDue = true
			}
		}
		st.ended = false
		kept := st.closes[:0]
		for _, cl := range st.closes {
			switch {
			case cl.due <= e.Tick:
				c.finishHandle(cl.handle, here, fmt.Sprintf("closed at seq %d, and the close phase that finishes it is over before tick %d", cl.at.seq, e.Tick))
			case cl.onceDue && cl.due-1 <= e.Tick:
				st.undecided = append(st.undecided, onceFinish{close: cl.at, at: here, tick: e.Tick, ops: c.unfinishedOps(cl.handle, here)})
				kept = append(kept, cl)
			default:
				kept = append(kept, cl)
			}
		}
		st.closes = kept

	case e.Kind == traces.KindEnd && !normalEnd(e):
		c.settleRun(e.Mode)
		st.ended = true

	case normalEnd(e):
		c.settleRun(e.Mode)
		st.ended = true
		for _, cl := range st.closes {
			c.finishHandle(cl.handle, here, fmt.Sprintf("closed at seq %d, and Run ended unstopped", cl.at.seq))
		}
		st.closes = st.closes[:0]
		for _, id := range sortedByPos(st.outstanding) {
			p := st.outstanding[id]
			c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("pool request %d (submitted at seq %d) has no callback when Run ends unstopped; a request keeps the loop alive until its callback", id, p.seq), p, here)
			delete(st.outstanding, id)
		}
		handles := make([]uint64, 0, len(st.owed))
		for h := range st.owed {
			handles = append(handles, h)
		}
		sort.Slice(handles, func(a, b int) bool { return st.owed[handles[a]][0].complete.pos < st.owed[handles[b]][0].complete.pos })
		for _, h := range handles {
			for _, p := range st.owed[h] {
				c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("operation %d of handle %d failed at start or was given up (seq %d) and its pending callback has not run when Run ends unstopped", p.id, h, p.complete.seq), p.complete, here)
			}
			delete(st.owed, h)
		}
	}
}

// unfinishedOps returns the operations of handle h started before at that have not
// completed and are not yet reported, in start order.
func (c *Checker) unfinishedOps(h uint64, at ref) []opStart {
	var out []opStart
	for _, id := range c.once.byHandle[h] {
		if o := c.once.ops.get(id); o != nil && !o.hasComplete && o.start.pos < at.pos && !c.once.told[id] {
			out = append(out, opStart{id, o.start})
		}
	}
	return out
}

// finishHandle reports every operation of handle h, started before at, that never
// completed: the handle finished closing at at, as why says.
func (c *Checker) finishHandle(h uint64, at ref, why string) {
	c.reportUnfinished(h, c.unfinishedOps(h, at), at, why)
}

func (c *Checker) reportUnfinished(h uint64, ops []opStart, at ref, why string) {
	st := &c.once
	for _, o := range ops {
		if st.told[o.id] {
			continue
		}
		if st.told == nil {
			st.told = map[uint64]bool{}
		}
		st.told[o.id] = true
		c.report(passExactlyOnce, RuleExactlyOnce, fmt.Sprintf("operation %d of handle %d (op_start at seq %d) never completes: the handle finished closing (%s at seq %d) with no op_complete for it", o.id, h, o.start.seq, why, at.seq), o.start, at)
	}
}

// settleRun decides, at the end of a run of the given mode ("" for a trace that
// stops before it), the finishes that waited for it.
func (c *Checker) settleRun(mode string) {
	st := &c.once
	if mode == "once" {
		for _, f := range st.undecided {
			kept := st.closes[:0]
			for _, cl := range st.closes {
				if cl.at == f.close {
					c.reportUnfinished(cl.handle, f.ops, f.at, fmt.Sprintf("closed at seq %d, and the close phase that finishes it is over before tick %d", cl.at.seq, f.tick))
				} else {
					kept = append(kept, cl)
				}
			}
			st.closes = kept
		}
		for k := range st.closes {
			if st.closes[k].onceDue {
				st.closes[k].due--
			}
		}
	}
	for k := range st.closes {
		st.closes[k].onceDue = false
	}
	st.undecided = st.undecided[:0]
}

// finishExactlyOnce settles RuleExactlyOnce at the end of the trace.
func (c *Checker) finishExactlyOnce() { c.settleRun("") }

// retireOp marks operation id finished and drops it from its handle's list.
func (c *Checker) retireOp(id uint64) {
	st := &c.once
	o := st.ops.get(id)
	if o == nil {
		return
	}
	h := o.handle
	ids := st.byHandle[h]
	for k, x := range ids {
		if x == id {
			ids = append(ids[:k], ids[k+1:]...)
			break
		}
	}
	if len(ids) == 0 {
		delete(st.byHandle, h)
	} else {
		st.byHandle[h] = ids
	}
	st.ops.retire(id)
}

// sortedByPos returns the keys of m ordered by the positions of their events.
func sortedByPos(m map[uint64]ref) []uint64 {
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return m[ids[a]].pos < m[ids[b]].pos })
	return ids
}

// closeLastState is what RuleCloseLast keeps.
type closeLastState struct {
	open    map[uint64]int // handle → its close events not yet matched by a close callback
	closeCb table[ref]     // handle → its close callback
	told    map[uint64]bool
}

// checkCloseLast enforces RuleCloseLast: a close callback (source close, ID the
// handle's) follows a close event of its handle, runs at most once per close, and
// no callback of the handle runs after it: watcher callbacks (sources idle,
// prepare and check) and pending callbacks carry the handle as ID, operation
// callbacks carry it as Handle.
func (c *Checker) checkCloseLast(e *traces.Event, i int) {
	st := &c.closes
	here := refOf(e, i)
	switch {
	case e.Kind == traces.KindClose:
		if st.open == nil {
			st.open = map[uint64]int{}
		}
		st.open[e.ID]++
	case isCallback(e, traces.SourceClose):
		if p := st.closeCb.get(e.ID); p != nil {
			c.report(passCloseLast, RuleCloseLast, fmt.Sprintf("%s runs again; handle %d's close callback ran at seq %d", describe(e), e.ID, p.seq), *p, here)
			return
		}
		if st.open[e.ID] == 0 {
			c.report(passCloseLast, RuleCloseLast, fmt.Sprintf("%s runs with no close of handle %d before it", describe(e), e.ID), here)
		} else if st.open[e.ID]--; st.open[e.ID] == 0 {
			delete(st.open, e.ID)
		}
		*st.closeCb.put(e.ID) = here
		st.closeCb.retire(e.ID)
	case e.Kind == traces.KindCallback:
		var h uint64
		switch e.Source {
		case traces.SourceIdle, traces.SourcePrepare, traces.SourceCheck, traces.SourcePending:
			h = e.ID
		case traces.SourceOp:
			h = e.Handle
		default:
			return
		}
		if p := st.closeCb.get(h); p != nil && !st.told[h] {
			if st.told == nil {
				st.told = map[uint64]bool{}
			}
			st.told[h] = true
			c.report(passCloseLast, RuleCloseLast, fmt.Sprintf("%s runs after handle %d's close callback (seq %d); a close callback is a handle's last", describe(e), h, p.seq), *p, here)
		}
	}
}
