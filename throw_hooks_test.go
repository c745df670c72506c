package nodeloop_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// NextTimerTaken tells a timer's callback, after SettleTimer, whether the next
// timer of its list runs next: not when the list ends, when its next timer is not
// due, nor outside the timers phase.
func TestNextTimerTaken(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		report := func(name string) func() {
			return func() {
				w.l.SettleTimer()
				w.add(fmt.Sprint(name, " ", w.l.NextTimerTaken()))
			}
		}
		w.l.SetTimeout(10*time.Millisecond, report("a"))
		w.l.SetTimeout(10*time.Millisecond, report("b"))
		w.l.SetTimeout(11*time.Millisecond, report("other list"))
		w.clock.Advance(time.Millisecond)
		w.l.SetTimeout(10*time.Millisecond, report("not due with a"))
		w.l.SetImmediate(func() { w.add(fmt.Sprint("immediate ", w.l.NextTimerTaken())) })
	})
	w.want("immediate false", "a true", "b false", "other list false", "not due with a false")
}

// ContinueImmediates, called by the last immediate of the check phase's batch,
// runs the immediates queued since in the same phase; ImmediatesPending tells an
// immediate whether more of its batch wait.
func TestContinueImmediates(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetImmediate(func() {
			w.add(fmt.Sprint("a pending ", w.l.ImmediatesPending()))
			w.l.SetImmediate(func() { w.add("queued by a") })
			w.add(fmt.Sprint("a continues ", w.l.ContinueImmediates()))
		})
		w.l.SetImmediate(func() {
			w.add(fmt.Sprint("b pending ", w.l.ImmediatesPending()))
			w.l.SetImmediate(func() { w.add("queued by b") })
			w.l.SetTimeout(time.Millisecond, func() { w.add("timer") })
			// As the js package does, the host logs that b threw.
			w.l.Log(traces.MsgThrown)
			w.add(fmt.Sprint("b continues ", w.l.ContinueImmediates()))
		})
		w.add(fmt.Sprint("main continues ", w.l.ContinueImmediates()))
	})
	w.want("main continues false",
		"a pending true", "a continues false",
		"b pending false", "b continues true",
		"queued by a", "queued by b", "timer")
}
