package properties_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/traces"
)

const ms = time.Millisecond

// Shorter names for the kinds, sources and phases the tables use most.
const (
	timers  = traces.PhaseTimers
	pending = traces.PhasePending
	idle    = traces.PhaseIdle
	poll    = traces.PhasePoll
	check   = traces.PhaseCheck
	closeP  = traces.PhaseClose

	srcTimer    = traces.SourceTimer
	srcInterval = traces.SourceInterval
	srcTick     = traces.SourceNextTick
	srcMicro    = traces.SourceMicrotask
	srcImm      = traces.SourceImmediate
	srcPool     = traces.SourcePool
	srcPending  = traces.SourcePending
	srcClose    = traces.SourceClose
	srcIdle     = traces.SourceIdle
)

var closedErr = net.ErrClosed.Error()

// The texts of a dial the loop gave up: canceled, or timed out.
var (
	canceledErr     = nodeloop.ErrCanceled.Error()
	dialTimedOutErr = "connect: nodeloop: dial timed out"
)

// cleanRun is a short correct trace: a timer started in main runs in tick 2.
func cleanRun(b *builder) {
	b.main()
	b.timeout(1, ms)
	b.toPoll()
	b.now = ms
	b.newTick()
	b.enter(timers)
	b.call(srcTimer, 1)
	b.endRun()
}

func TestSequence(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"a clean run", func(b *builder) []found {
			cleanRun(b)
			return nil
		}},
		{"seq skips one", func(b *builder) []found {
			cleanRun(b)
			last := len(b.ev) - 1
			b.ev[last].Seq++
			return one(properties.RuleSequence, last-1, last)
		}},
		{"the trace starts at seq 2", func(b *builder) []found {
			cleanRun(b)
			for i := range b.ev {
				b.ev[i].Seq++
			}
			return one(properties.RuleSequence, 0)
		}},
		{"a tick event skips a tick", func(b *builder) []found {
			b.main()
			b.tick++
			x := b.newTick()
			b.enter(poll)
			b.endRun()
			return one(properties.RuleSequence, x)
		}},
		{"an event from an earlier tick", func(b *builder) []found {
			b.main()
			b.toPoll()
			b.newTick()
			x := b.event(traces.KindLog, 0)
			b.ev[x].Tick = 1
			b.endRun()
			return one(properties.RuleSequence, x)
		}},
		{"the tick changes without a tick event", func(b *builder) []found {
			b.main()
			b.toPoll()
			b.tick = 2
			x := b.event(traces.KindLog, 0)
			b.endRun()
			return one(properties.RuleSequence, x)
		}},
	})
}

func TestPhaseOrder(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"every phase in order", func(b *builder) []found {
			b.main()
			b.newTick()
			for _, p := range []traces.Phase{pending, idle, traces.PhasePrepare, poll, check, closeP} {
				b.enter(p)
			}
			b.endRun()
			return nil
		}},
		{"phases omitted", func(b *builder) []found {
			b.main()
			b.toPoll()
			b.enter(closeP)
			b.newTick()
			b.enter(check)
			b.endRun()
			return nil
		}},
		{"RunOnce begins tick 1 in the pending phase and resumes after each timers phase", func(b *builder) []found {
			b.timeout(1, ms)
			b.newTickIn(pending)
			b.enter(poll)
			b.event(traces.KindPoll, 0)
			b.newTick()
			b.end("once", false, "")
			b.event(traces.KindLog, 0) // between two calls
			b.enter(poll)
			b.event(traces.KindPoll, 0)
			b.newTick()
			b.end("once", false, "")
			return nil
		}},
		{"a second Run's main inside a tick", func(b *builder) []found {
			b.main()
			b.toPoll()
			b.end("run", true, "")
			b.main()
			b.newTick()
			b.endRun()
			return nil
		}},
		{"timers after poll", func(b *builder) []found {
			b.main()
			p := b.toPoll()
			x := b.enter(timers)
			b.event(traces.KindLog, 0)
			b.endRun()
			return one(properties.RulePhaseOrder, p, x)
		}},
		{"poll after check", func(b *builder) []found {
			b.main()
			b.newTick()
			c := b.enter(check)
			x := b.enter(poll)
			b.enter(closeP)
			b.endRun()
			return one(properties.RulePhaseOrder, c, x)
		}},
		{"a phase other than main before tick 1", func(b *builder) []found {
			b.main()
			b.phase = poll
			x := b.event(traces.KindLog, 0)
			b.phase = traces.PhaseMain
			b.endRun()
			return one(properties.RulePhaseOrder, x)
		}},
		{"a tick begins in the poll phase", func(b *builder) []found {
			b.main()
			x := b.newTickIn(poll)
			b.endRun()
			return one(properties.RulePhaseOrder, x)
		}},
		{"tick 2 begins in the pending phase", func(b *builder) []found {
			b.main()
			b.toPoll()
			x := b.newTickIn(pending)
			b.endRun()
			return one(properties.RulePhaseOrder, x)
		}},
		{"a timer callback in the poll phase", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms
			b.toPoll()
			x := b.call(srcTimer, 1)
			b.endRun()
			return one(properties.RulePhaseOrder, x)
		}},
		{"an immediate in the close phase", func(b *builder) []found {
			b.main()
			b.event(traces.KindImmediateQueue, 1)
			b.newTick()
			b.enter(closeP)
			x := b.call(srcImm, 1)
			b.endRun()
			return one(properties.RulePhaseOrder, x)
		}},
	})
}

func TestPending(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"negative", func(b *builder) []found {
			b.main()
			b.pending = -1
			x := b.event(traces.KindLog, 0)
			b.endRun()
			return one(properties.RulePending, x)
		}},
		{"Run ends unstopped with pending 2", func(b *builder) []found {
			b.main()
			b.pending = 2
			x := b.end("run", false, "")
			return one(properties.RulePending, x)
		}},
		{"a tick of Run begins with pending 0", func(b *builder) []found {
			b.main()
			b.pending = 0
			x := b.newTick()
			b.endRun()
			return one(properties.RulePending, x)
		}},
		{"RunOnce's first tick begins with pending 0", func(b *builder) []found {
			b.pending = 0
			x := b.newTickIn(pending)
			b.enter(poll)
			b.event(traces.KindPoll, 0)
			b.newTick() // RunOnce's closing timers phase: no check before it
			b.end("once", false, "")
			return one(properties.RulePending, x)
		}},
		{"the loop goes on after a timers phase that left pending 0", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.pending = 0
			c := b.call(srcTimer, 1)
			x := b.enter(poll)
			b.endRun()
			return one(properties.RulePending, c, x)
		}},
		{"a cut trace: a tick with pending 0 that the run goes past", func(b *builder) []found {
			b.main()
			b.pending = 0
			x := b.newTick()
			b.pending = 1
			b.enter(poll)
			return one(properties.RulePending, x)
		}},
		{"a stopped Run ends with pending 3", func(b *builder) []found {
			b.main()
			b.pending = 3
			b.end("run", true, "")
			return nil
		}},
		{"a failed Run ends with pending 2", func(b *builder) []found {
			b.main()
			b.pending = 2
			b.end("run", false, "nodeloop: callback panicked")
			return nil
		}},
		{"RunOnce's closing timers phase begins with pending 0", func(b *builder) []found {
			b.main()
			b.end("run", true, "")
			b.newTickIn(pending)
			b.enter(poll)
			b.event(traces.KindPoll, 0)
			b.pending = 0
			b.newTick()
			b.end("once", false, "")
			return nil
		}},
		{"a cut trace: a tick with pending 0 that may be RunOnce's last", func(b *builder) []found {
			b.main()
			b.toPoll()
			b.pending = 0
			b.newTick()
			return nil
		}},
		{"the last timer leaves pending 0 and Run ends", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.pending = 0
			b.call(srcTimer, 1)
			b.endRun()
			return nil
		}},
		{"pending rises without an event (Ref, Post) before a tick", func(b *builder) []found {
			b.main()
			b.pending = 0
			b.event(traces.KindLog, 0)
			b.pending = 1
			b.toPoll()
			b.endRun()
			return nil
		}},
	})
}

func TestTimerOrder(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"equal deadlines in start order", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.call(srcTimer, 2)
			b.endRun()
			return nil
		}},
		{"equal deadlines against start order", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			c1 := b.call(srcTimer, 2)
			c2 := b.call(srcTimer, 1)
			b.endRun()
			return one(properties.RuleTimerOrder, c1, c2)
		}},
		{"a later deadline first, of another delay", func(b *builder) []found {
			// Node's list of 2 ms runs first when it expires first, or as here at
			// the same time with a lower id: which, the trace cannot tell.
			b.main()
			b.timeout(1, 2*ms)
			b.timeout(2, ms)
			b.now = 2 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.call(srcTimer, 2)
			b.endRun()
			return nil
		}},
		{"the later start of one delay first", func(b *builder) []found {
			b.main()
			b.timeout(1, 2*ms)
			b.now = ms
			b.timeout(2, 2*ms)
			b.now = 3 * ms
			b.newTick()
			b.enter(timers)
			c1 := b.call(srcTimer, 2)
			c2 := b.call(srcTimer, 1)
			b.endRun()
			return one(properties.RuleTimerOrder, c1, c2)
		}},
		{"one delay's timers in one run, then another's", func(b *builder) []found {
			b.main()
			b.timeout(1, 3*ms)
			b.timeout(2, 3*ms)
			b.timeout(3, ms)
			b.now = 3 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.call(srcTimer, 2)
			b.add(traces.Event{Kind: traces.KindTickQueue, ID: 9})
			b.add(traces.Event{Kind: traces.KindCallback, Source: traces.SourceNextTick, ID: 9})
			b.call(srcTimer, 3)
			b.endRun()
			return nil
		}},
		{"one delay's timers split by another's", func(b *builder) []found {
			b.main()
			b.timeout(1, 3*ms)
			b.timeout(2, 3*ms)
			b.timeout(3, ms)
			b.now = 3 * ms
			b.newTick()
			b.enter(timers)
			c1 := b.call(srcTimer, 1)
			c3 := b.call(srcTimer, 3)
			c2 := b.call(srcTimer, 2)
			b.endRun()
			return []found{{Rule: properties.RuleTimerOrder, Events: []int{c1, c3, c2}}}
		}},
		{"one delay in each of two phases", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, 2*ms)
			b.timeout(3, 2*ms)
			b.now = 2 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 2)
			b.call(srcTimer, 1)
			b.timeout(4, 2*ms)
			b.now = 4 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 3)
			b.call(srcTimer, 4)
			b.endRun()
			return nil
		}},
		{"a refresh moves a timer behind", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.timeout(1, ms) // Refresh
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 2)
			b.call(srcTimer, 1)
			b.endRun()
			return nil
		}},
		{"a refreshed timer runs ahead", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.timeout(1, ms) // Refresh
			b.now = ms
			b.newTick()
			b.enter(timers)
			c1 := b.call(srcTimer, 1)
			c2 := b.call(srcTimer, 2)
			b.endRun()
			return one(properties.RuleTimerOrder, c1, c2)
		}},
		{"an interval's re-arm does not move it behind", func(b *builder) []found {
			b.main()
			b.interval(1, ms)
			b.timeout(2, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.interval(1, ms) // the re-arm, right before its callback
			b.call(srcInterval, 1)
			b.call(srcTimer, 2)
			b.endRun()
			return nil
		}},
	})
}

func TestTimerSamePhase(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"a timer started in the phase runs in it", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			s := b.add(traces.Event{Kind: traces.KindTimerStart, ID: 2, Delay: ms, Deadline: ms})
			c := b.call(srcTimer, 2)
			b.endRun()
			return one(properties.RuleTimerSamePhase, s, c)
		}},
		{"an interval runs twice in one phase", func(b *builder) []found {
			b.main()
			b.interval(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			r1 := b.interval(1, ms)
			b.call(srcInterval, 1)
			b.interval(1, ms)
			c2 := b.call(srcInterval, 1)
			b.endRun()
			return one(properties.RuleTimerSamePhase, r1, c2)
		}},
		{"a due timer restarted by the nextTick of the timer before it", func(b *builder) []found {
			// Node runs it at once: its listOnTimeout took it before the nextTicks ran.
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.add(traces.Event{Kind: traces.KindTickQueue, ID: 9})
			b.add(traces.Event{Kind: traces.KindCallback, Source: traces.SourceNextTick, ID: 9})
			b.add(traces.Event{Kind: traces.KindTimerStart, ID: 2, Delay: ms, Deadline: 2 * ms})
			b.call(srcTimer, 2)
			b.endRun()
			return nil
		}},
		{"a due timer restarted by the timer before it", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			s := b.add(traces.Event{Kind: traces.KindTimerStart, ID: 2, Delay: ms, Deadline: 2 * ms})
			b.add(traces.Event{Kind: traces.KindTickQueue, ID: 9})
			b.add(traces.Event{Kind: traces.KindCallback, Source: traces.SourceNextTick, ID: 9})
			c := b.call(srcTimer, 2)
			b.endRun()
			return one(properties.RuleTimerSamePhase, s, c)
		}},
		{"a timer of another delay restarted by a nextTick", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, 2*ms)
			b.now = 2 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.add(traces.Event{Kind: traces.KindTickQueue, ID: 9})
			b.add(traces.Event{Kind: traces.KindCallback, Source: traces.SourceNextTick, ID: 9})
			s := b.add(traces.Event{Kind: traces.KindTimerStart, ID: 2, Delay: 2 * ms, Deadline: 4 * ms})
			c := b.call(srcTimer, 2)
			b.endRun()
			return one(properties.RuleTimerSamePhase, s, c)
		}},
		{"a timer that was never started", func(b *builder) []found {
			b.main()
			b.now = ms
			b.newTick()
			b.enter(timers)
			c := b.call(srcTimer, 9)
			b.endRun()
			return one(properties.RuleTimerSamePhase, c)
		}},
		{"a timer started in a timers phase runs in the next", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.timeout(2, ms)
			b.enter(poll)
			b.now = 2 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 2)
			b.endRun()
			return nil
		}},
	})
}

func TestTimerDeadline(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"a timer runs before its deadline", func(b *builder) []found {
			b.main()
			s := b.timeout(1, 2*ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			c := b.call(srcTimer, 1)
			b.endRun()
			return one(properties.RuleTimerDeadline, s, c)
		}},
		{"a timer runs at its deadline", func(b *builder) []found {
			b.main()
			b.timeout(1, 2*ms)
			b.now = 2 * ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.endRun()
			return nil
		}},
		{"an interval's re-arm carries the next deadline", func(b *builder) []found {
			b.main()
			b.interval(1, 2*ms)
			b.now = 2 * ms
			b.newTick()
			b.enter(timers)
			b.interval(1, 2*ms)
			b.call(srcInterval, 1)
			b.endRun()
			return nil
		}},
		{"an interval runs early behind its re-arm", func(b *builder) []found {
			b.main()
			s := b.interval(1, 2*ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.interval(1, 2*ms)
			c := b.call(srcInterval, 1)
			b.endRun()
			return one(properties.RuleTimerDeadline, s, c)
		}},
		{"a refresh pushes the deadline back", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms / 2
			b.timeout(1, ms)
			b.now = 3 * ms / 2
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.endRun()
			return nil
		}},
		{"a refreshed timer runs at its first deadline", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.now = ms / 2
			s := b.timeout(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			c := b.call(srcTimer, 1)
			b.endRun()
			return one(properties.RuleTimerDeadline, s, c)
		}},
	})
}

func TestTickQueues(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"Node's drain order", func(b *builder) []found {
			b.main()
			b.event(traces.KindTickQueue, 1)
			b.event(traces.KindMicrotaskQueue, 2)
			b.event(traces.KindMicrotaskQueue, 3)
			b.call(srcTick, 1)
			b.event(traces.KindMicrotaskQueue, 4)
			b.event(traces.KindTickQueue, 5)
			b.call(srcTick, 5)
			b.call(srcMicro, 2)
			b.event(traces.KindTickQueue, 6) // waits for the microtask drain
			b.event(traces.KindMicrotaskQueue, 7)
			b.call(srcMicro, 3)
			b.call(srcMicro, 4)
			b.call(srcMicro, 7)
			b.call(srcTick, 6)
			b.endRun()
			return nil
		}},
		{"after a throw the next callback starts while what it left waits", func(b *builder) []found {
			b.main()
			b.timeout(2, ms)
			b.timeout(3, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 2)
			b.event(traces.KindTickQueue, 1)
			b.add(traces.Event{Kind: traces.KindLog, Msg: traces.MsgThrown})
			b.call(srcTimer, 3)
			b.call(srcTick, 1)
			b.endRun()
			return nil
		}},
		{"a throw excuses only the next callback", func(b *builder) []found {
			b.main()
			b.timeout(2, ms)
			b.timeout(3, ms)
			b.timeout(4, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 2)
			q := b.event(traces.KindTickQueue, 1)
			b.add(traces.Event{Kind: traces.KindLog, Msg: traces.MsgThrown})
			b.call(srcTimer, 3)
			c := b.call(srcTimer, 4)
			b.call(srcTick, 1)
			b.endRun()
			return one(properties.RuleTickQueues, q, c)
		}},
		{"a timer runs while a nextTick waits", func(b *builder) []found {
			b.main()
			b.timeout(2, ms)
			q := b.event(traces.KindTickQueue, 1)
			b.now = ms
			b.newTick()
			b.enter(timers)
			c := b.call(srcTimer, 2)
			b.call(srcTick, 1)
			b.endRun()
			return one(properties.RuleTickQueues, q, c)
		}},
		{"an immediate runs while a microtask waits", func(b *builder) []found {
			b.main()
			b.event(traces.KindImmediateQueue, 2)
			q := b.event(traces.KindMicrotaskQueue, 1)
			b.toPoll()
			b.enter(check)
			c := b.call(srcImm, 2)
			b.endRun()
			return one(properties.RuleTickQueues, q, c)
		}},
		{"nextTicks out of order", func(b *builder) []found {
			b.main()
			q1 := b.event(traces.KindTickQueue, 1)
			b.event(traces.KindTickQueue, 2)
			c := b.call(srcTick, 2)
			b.call(srcTick, 1)
			b.endRun()
			return one(properties.RuleTickQueues, q1, c)
		}},
		{"microtasks out of order", func(b *builder) []found {
			b.main()
			q1 := b.event(traces.KindMicrotaskQueue, 1)
			b.event(traces.KindMicrotaskQueue, 2)
			c := b.call(srcMicro, 2)
			b.call(srcMicro, 1)
			b.endRun()
			return one(properties.RuleTickQueues, q1, c)
		}},
		{"a microtask runs while an older nextTick waits", func(b *builder) []found {
			b.main()
			q := b.event(traces.KindTickQueue, 1)
			b.event(traces.KindMicrotaskQueue, 2)
			c := b.call(srcMicro, 2)
			b.call(srcTick, 1)
			b.endRun()
			return one(properties.RuleTickQueues, q, c)
		}},
		{"a nextTick runs in the middle of a microtask drain", func(b *builder) []found {
			b.main()
			b.event(traces.KindMicrotaskQueue, 1)
			q := b.event(traces.KindMicrotaskQueue, 2)
			b.call(srcMicro, 1)
			b.event(traces.KindTickQueue, 3)
			c := b.call(srcTick, 3)
			b.call(srcMicro, 2)
			b.endRun()
			return one(properties.RuleTickQueues, q, c)
		}},
		{"a nextTick that was never queued", func(b *builder) []found {
			b.main()
			c := b.call(srcTick, 5)
			b.endRun()
			return one(properties.RuleTickQueues, c)
		}},
	})
}

func TestImmediates(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"FIFO across a clear; one queued in the check phase runs next tick", func(b *builder) []found {
			b.main()
			b.event(traces.KindImmediateQueue, 1)
			b.event(traces.KindImmediateQueue, 2)
			b.event(traces.KindImmediateQueue, 3)
			b.event(traces.KindImmediateClear, 2)
			b.toPoll()
			b.enter(check)
			b.call(srcImm, 1)
			b.event(traces.KindImmediateQueue, 4)
			b.call(srcImm, 3)
			b.toPoll()
			b.enter(check)
			b.call(srcImm, 4)
			b.endRun()
			return nil
		}},
		{"queued in the check phase and run in it", func(b *builder) []found {
			b.main()
			b.event(traces.KindImmediateQueue, 1)
			b.toPoll()
			b.enter(check)
			b.call(srcImm, 1)
			q := b.event(traces.KindImmediateQueue, 2)
			c := b.call(srcImm, 2)
			b.endRun()
			return one(properties.RuleImmediates, q, c)
		}},
		{"out of order", func(b *builder) []found {
			b.main()
			q1 := b.event(traces.KindImmediateQueue, 1)
			b.event(traces.KindImmediateQueue, 2)
			b.toPoll()
			b.enter(check)
			c := b.call(srcImm, 2)
			b.call(srcImm, 1)
			b.endRun()
			return one(properties.RuleImmediates, q1, c)
		}},
		{"runs twice", func(b *builder) []found {
			b.main()
			b.event(traces.KindImmediateQueue, 1)
			b.toPoll()
			b.enter(check)
			c1 := b.call(srcImm, 1)
			c2 := b.call(srcImm, 1)
			b.endRun()
			return one(properties.RuleImmediates, c1, c2)
		}},
		{"never queued", func(b *builder) []found {
			b.main()
			b.toPoll()
			b.enter(check)
			c := b.call(srcImm, 1)
			b.endRun()
			return one(properties.RuleImmediates, c)
		}},
	})
}

func TestCleared(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"a cleared immediate runs", func(b *builder) []found {
			b.main()
			b.event(traces.KindImmediateQueue, 1)
			cl := b.event(traces.KindImmediateClear, 1)
			b.toPoll()
			b.enter(check)
			c := b.call(srcImm, 1)
			b.endRun()
			return one(properties.RuleCleared, cl, c)
		}},
		{"a cleared timer runs", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			cl := b.event(traces.KindTimerClear, 1)
			b.now = ms
			b.newTick()
			b.enter(timers)
			c := b.call(srcTimer, 1)
			b.endRun()
			return one(properties.RuleCleared, cl, c)
		}},
		{"a timer cleared by an earlier callback of its phase runs", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.timeout(2, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			cl := b.event(traces.KindTimerClear, 2)
			c := b.call(srcTimer, 2)
			b.endRun()
			return one(properties.RuleCleared, cl, c)
		}},
		{"a cleared interval runs behind its re-arm", func(b *builder) []found {
			b.main()
			b.interval(1, ms)
			cl := b.event(traces.KindTimerClear, 1)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.interval(1, ms)
			c := b.call(srcInterval, 1)
			b.endRun()
			return one(properties.RuleCleared, cl, c)
		}},
		{"a cleared timer armed again runs", func(b *builder) []found {
			b.main()
			b.timeout(1, ms)
			b.event(traces.KindTimerClear, 1)
			b.timeout(1, ms)
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 1)
			b.endRun()
			return nil
		}},
	})
}

func TestExactlyOnce(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"pool requests, one canceled", func(b *builder) []found {
			b.main()
			b.event(traces.KindPoolSubmit, 1)
			b.event(traces.KindPoolSubmit, 2)
			b.add(traces.Event{Kind: traces.KindPoolCancel, ID: 2, Canceled: true})
			b.toPoll()
			b.add(traces.Event{Kind: traces.KindWake, Items: 2})
			b.add(traces.Event{Kind: traces.KindPoolStart, ID: 1, Worker: 1})
			b.add(traces.Event{Kind: traces.KindPoolDone, ID: 1, Worker: 1})
			b.call(srcPool, 1)
			b.call(srcPool, 2)
			b.endRun()
			return nil
		}},
		{"a pool request starts before it was submitted", func(b *builder) []found {
			b.main()
			b.now = 2 * time.Millisecond
			s := b.event(traces.KindPoolSubmit, 1)
			b.toPoll()
			b.now = 5 * time.Millisecond
			p := b.add(traces.Event{Kind: traces.KindPoolStart, ID: 1, Worker: 1, Started: time.Millisecond})
			b.add(traces.Event{Kind: traces.KindPoolDone, ID: 1, Worker: 1})
			b.call(srcPool, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, s, p)
		}},
		{"a pool request starts after the loop learned it was done", func(b *builder) []found {
			b.main()
			s := b.event(traces.KindPoolSubmit, 1)
			b.toPoll()
			b.now = 5 * time.Millisecond
			p := b.add(traces.Event{Kind: traces.KindPoolStart, ID: 1, Worker: 1, Started: 6 * time.Millisecond})
			b.add(traces.Event{Kind: traces.KindPoolDone, ID: 1, Worker: 1})
			b.call(srcPool, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, s, p)
		}},
		{"a pool request starts within its life", func(b *builder) []found {
			b.main()
			b.now = time.Millisecond
			b.event(traces.KindPoolSubmit, 1)
			b.toPoll()
			b.now = 5 * time.Millisecond
			b.add(traces.Event{Kind: traces.KindPoolStart, ID: 1, Worker: 1, Started: 2 * time.Millisecond})
			b.add(traces.Event{Kind: traces.KindPoolDone, ID: 1, Worker: 1})
			b.call(srcPool, 1)
			b.endRun()
			return nil
		}},
		{"a pool callback runs twice", func(b *builder) []found {
			b.main()
			b.event(traces.KindPoolSubmit, 1)
			b.toPoll()
			c1 := b.call(srcPool, 1)
			c2 := b.call(srcPool, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, c1, c2)
		}},
		{"a pool callback with no submit", func(b *builder) []found {
			b.main()
			b.toPoll()
			c := b.call(srcPool, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, c)
		}},
		{"a pool callback in the check phase", func(b *builder) []found {
			b.main()
			b.event(traces.KindPoolSubmit, 1)
			b.newTick()
			b.enter(check)
			c := b.call(srcPool, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, c)
		}},
		{"a pool request has no callback when Run ends", func(b *builder) []found {
			b.main()
			s := b.event(traces.KindPoolSubmit, 1)
			b.toPoll()
			e := b.endRun()
			return one(properties.RuleExactlyOnce, s, e)
		}},
		{"a pool request in flight at a stop", func(b *builder) []found {
			b.main()
			b.event(traces.KindPoolSubmit, 1)
			b.toPoll()
			b.end("run", true, "")
			return nil
		}},
		{"a trace cut with a request and an operation in flight", func(b *builder) []found {
			b.main()
			b.event(traces.KindPoolSubmit, 1)
			b.opStart(3, 2)
			b.toPoll()
			return nil
		}},
		{"a close cuts a read and two writes short", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.opStart(3, 1)
			b.toPoll()
			b.event(traces.KindClose, 1)
			b.enter(closeP)
			b.opComplete(2, 1, closedErr)
			b.opCall(2, 1)
			b.opComplete(3, 1, closedErr)
			b.opCall(3, 1)
			b.opCall(0, 1) // the queued write: no operation
			b.call(srcClose, 1)
			b.endRun()
			return nil
		}},
		{"an error at start goes to the pending phase", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.opComplete(2, 1, "missing port in address")
			b.newTick()
			b.enter(pending)
			b.call(srcPending, 1)
			b.enter(poll)
			b.endRun()
			return nil
		}},
		{"a dial timed out in the timers phase calls back in the pending phase", func(b *builder) []found {
			b.main()
			b.connectStart(2, 1)
			b.timeout(3, ms)
			b.toPoll()
			b.now = ms
			b.newTick()
			b.enter(timers)
			b.call(srcTimer, 3)
			b.connectComplete(2, 1, dialTimedOutErr)
			b.enter(pending)
			b.call(srcPending, 1)
			b.enter(poll)
			b.endRun()
			return nil
		}},
		{"a dial canceled from a callback calls back in the next pending phase", func(b *builder) []found {
			b.main()
			b.connectStart(2, 1)
			b.opStart(4, 5)
			b.toPoll()
			b.opComplete(4, 5, "")
			b.opCall(4, 5)
			b.connectComplete(2, 1, canceledErr)
			b.newTick()
			b.enter(pending)
			b.call(srcPending, 1)
			b.enter(poll)
			b.endRun()
			return nil
		}},
		{"a canceled dial's callback runs as an operation's", func(b *builder) []found {
			b.main()
			b.connectStart(2, 1)
			b.toPoll()
			cc := b.connectComplete(2, 1, canceledErr)
			c := b.opCall(2, 1)
			e := b.endRun()
			return []found{{properties.RuleExactlyOnce, []int{cc, c}}, {properties.RuleExactlyOnce, []int{cc, e}}}
		}},
		{"a canceled dial's callback never runs", func(b *builder) []found {
			b.main()
			b.connectStart(2, 1)
			b.toPoll()
			cc := b.connectComplete(2, 1, canceledErr)
			e := b.endRun()
			return one(properties.RuleExactlyOnce, cc, e)
		}},
		{"a read canceled in the poller owes no pending callback", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.toPoll()
			b.opComplete(2, 1, canceledErr)
			b.newTick()
			b.enter(pending)
			c := b.call(srcPending, 1)
			b.enter(poll)
			b.endRun()
			return one(properties.RuleExactlyOnce, c)
		}},
		{"an operation completes twice", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.toPoll()
			c1 := b.opComplete(2, 1, "")
			b.opCall(2, 1)
			c2 := b.opComplete(2, 1, "")
			b.endRun()
			return one(properties.RuleExactlyOnce, c1, c2)
		}},
		{"an op_complete with no op_start", func(b *builder) []found {
			b.main()
			b.toPoll()
			c := b.opComplete(2, 1, "")
			b.endRun()
			return one(properties.RuleExactlyOnce, c)
		}},
		{"an operation's callback runs twice", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.toPoll()
			b.opComplete(2, 1, "")
			c1 := b.opCall(2, 1)
			c2 := b.opCall(2, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, c1, c2)
		}},
		{"an operation's callback before its completion", func(b *builder) []found {
			b.main()
			s := b.opStart(2, 1)
			b.toPoll()
			c := b.opCall(2, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, s, c)
		}},
		{"an operation's callback in the close phase without the closed error", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.toPoll()
			b.opComplete(2, 1, "EOF")
			b.enter(closeP)
			c := b.opCall(2, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, c)
		}},
		{"an operation's callback names another handle", func(b *builder) []found {
			b.main()
			s := b.opStart(2, 1)
			b.toPoll()
			b.opComplete(2, 1, "")
			c := b.opCall(2, 7)
			b.endRun()
			return one(properties.RuleExactlyOnce, s, c)
		}},
		{"an error at start also delivered by an operation callback", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			cp := b.opComplete(2, 1, "missing port in address")
			b.newTick()
			b.enter(pending)
			b.call(srcPending, 1)
			b.enter(poll)
			c := b.opCall(2, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, cp, c)
		}},
		{"a pending callback no error at start owes", func(b *builder) []found {
			b.main()
			b.newTick()
			b.enter(pending)
			c := b.call(srcPending, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, c)
		}},
		{"an operation never completes: its handle's close callback ran", func(b *builder) []found {
			b.main()
			s := b.opStart(2, 1)
			b.toPoll()
			b.event(traces.KindClose, 1)
			b.enter(closeP)
			cc := b.call(srcClose, 1)
			b.endRun()
			return one(properties.RuleExactlyOnce, s, cc)
		}},
		{"an operation never completes: its handle closed two ticks ago", func(b *builder) []found {
			b.main()
			s := b.opStart(2, 1)
			b.toPoll()
			b.event(traces.KindClose, 1)
			b.toPoll()
			x := b.newTick()
			b.endRun()
			return one(properties.RuleExactlyOnce, s, x)
		}},
		{"a close two ticks back, one of them cut after its timers phase by RunOnce's end and a Run", func(b *builder) []found {
			b.event(traces.KindTickQueue, 9)
			b.call(srcTick, 9)
			b.opStart(2, 1)
			b.newTickIn(pending)
			b.enter(closeP)
			b.event(traces.KindClose, 1) // closed in the close phase: finishes in the next one
			b.newTick()                  // RunOnce's closing timers phase
			b.end("once", false, "")
			b.newTick() // Run's own first timers phase
			b.enter(closeP)
			b.opComplete(2, 1, closedErr)
			b.call(srcClose, 1)
			b.newTick()
			b.endRun()
			return nil
		}},
		{"an operation never completes: closed two ticks back, one of them cut by RunOnce's end and a Run", func(b *builder) []found {
			b.event(traces.KindTickQueue, 9)
			b.call(srcTick, 9)
			s := b.opStart(2, 1)
			b.newTickIn(pending)
			b.enter(closeP)
			b.event(traces.KindClose, 1)
			b.newTick()
			b.end("once", false, "")
			b.newTick()
			b.enter(closeP)
			x := b.newTick()
			b.endRun()
			return one(properties.RuleExactlyOnce, s, x)
		}},
		{"an operation never completes: Run ended after its handle's close", func(b *builder) []found {
			b.main()
			s := b.opStart(2, 1)
			b.toPoll()
			b.event(traces.KindClose, 1)
			e := b.endRun()
			return one(properties.RuleExactlyOnce, s, e)
		}},
		{"an error at start never delivered when Run ends", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			cp := b.opComplete(2, 1, "missing port in address")
			b.toPoll()
			e := b.endRun()
			return one(properties.RuleExactlyOnce, cp, e)
		}},
	})
}

func TestCloseLast(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"a watcher closes itself", func(b *builder) []found {
			b.main()
			b.add(traces.Event{Kind: traces.KindWatcher, ID: 1, Source: srcIdle, Active: true})
			b.newTick()
			b.enter(idle)
			b.call(srcIdle, 1)
			b.add(traces.Event{Kind: traces.KindWatcher, ID: 1, Source: srcIdle})
			b.event(traces.KindClose, 1)
			b.enter(closeP)
			b.call(srcClose, 1)
			b.endRun()
			return nil
		}},
		{"a watcher runs after its close callback", func(b *builder) []found {
			b.main()
			b.event(traces.KindClose, 1)
			b.newTick()
			b.enter(closeP)
			cc := b.call(srcClose, 1)
			b.newTick()
			b.enter(idle)
			c := b.call(srcIdle, 1)
			b.endRun()
			return one(properties.RuleCloseLast, cc, c)
		}},
		{"an operation's callback after its handle's close callback", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.event(traces.KindClose, 1)
			b.newTick()
			b.enter(closeP)
			b.opComplete(2, 1, closedErr)
			cc := b.call(srcClose, 1)
			b.toPoll()
			c := b.opCall(2, 1)
			b.endRun()
			return one(properties.RuleCloseLast, cc, c)
		}},
		{"a pending callback after its handle's close callback", func(b *builder) []found {
			b.main()
			b.opStart(2, 1)
			b.opComplete(2, 1, "missing port in address")
			b.event(traces.KindClose, 1)
			b.newTick()
			b.enter(closeP)
			cc := b.call(srcClose, 1)
			b.newTick()
			b.enter(pending)
			c := b.call(srcPending, 1)
			b.endRun()
			return one(properties.RuleCloseLast, cc, c)
		}},
		{"two close callbacks for one close", func(b *builder) []found {
			b.main()
			b.event(traces.KindClose, 1)
			b.newTick()
			b.enter(closeP)
			c1 := b.call(srcClose, 1)
			c2 := b.call(srcClose, 1)
			b.endRun()
			return one(properties.RuleCloseLast, c1, c2)
		}},
		{"a close callback with no close", func(b *builder) []found {
			b.main()
			b.newTick()
			b.enter(closeP)
			c := b.call(srcClose, 1)
			b.endRun()
			return one(properties.RuleCloseLast, c)
		}},
	})
}

// A Violation's String names the rule, the seq numbers and the problem.
func TestViolationString(t *testing.T) {
	b := newBuilder()
	b.main()
	b.timeout(1, 2*ms)
	b.now = ms
	b.newTick()
	b.enter(timers)
	b.call(srcTimer, 1)
	b.endRun()
	vs := properties.Check(b.ev)
	if len(vs) != 1 {
		t.Fatalf("Check found %d violations, want 1: %v", len(vs), vs)
	}
	got := vs[0].String()
	want := "timer-deadline at seq 3, 6: timer callback 1 (seq 6) runs at 1ms, before its deadline 2ms (timer_start at seq 3)"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// Rules lists every rule once, each with a one-line description, and Check
// reports no rule outside it.
func TestRules(t *testing.T) {
	names := []string{
		properties.RuleSequence, properties.RulePhaseOrder, properties.RulePending,
		properties.RuleTimerOrder, properties.RuleTimerSamePhase, properties.RuleTimerDeadline,
		properties.RuleTickQueues, properties.RuleImmediates, properties.RuleCleared,
		properties.RuleExactlyOnce, properties.RuleCloseLast,
	}
	rules := properties.Rules()
	if len(rules) != len(names) {
		t.Fatalf("Rules() has %d rules, want %d", len(rules), len(names))
	}
	for i, r := range rules {
		if r.Name != names[i] {
			t.Errorf("Rules()[%d].Name = %q, want %q", i, r.Name, names[i])
		}
		if r.Description == "" || strings.ContainsRune(r.Description, '\n') {
			t.Errorf("rule %q: description %q, want one non-empty line", r.Name, r.Description)
		}
	}
	rules[0].Name = "changed"
	if properties.Rules()[0].Name != properties.RuleSequence {
		t.Errorf("changing the slice Rules returned changed the next one")
	}
}
