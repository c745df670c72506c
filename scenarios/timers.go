package scenarios

import (
	"fmt"
	"time"

	"github.com/nodeloop/nodeloop"
)

// Timers is a storm of timers, intervals, immediates, nextTicks and microtasks that
// start, clear and refresh each other, with no I/O. Its order depends on no timing:
// every timer whose callback queues an immediate is 40 ms or more from any other, so
// even a loop that wakes late runs them in separate phases. It runs alike on every
// back end, in about a second.
func Timers(l *nodeloop.Loop, out Output) func() {
	say := func(s string) { out.Print("main", s) }
	return func() {
		for i := range 5 {
			l.SetTimeout(time.Duration(200*(5-i))*time.Millisecond, func() {
				say(fmt.Sprintf("timeout %d", i))
				l.NextTick(func() { say(fmt.Sprintf("tick after timeout %d", i)) })
				l.SetImmediate(func() { say(fmt.Sprintf("immediate from timeout %d", i)) })
			})
		}
		runs := 0
		var iv *nodeloop.Timer
		iv = l.SetInterval(240*time.Millisecond, func() {
			runs++
			say(fmt.Sprintf("interval run %d", runs))
			l.QueueMicrotask(func() { say(fmt.Sprintf("microtask of interval run %d", runs)) })
			if runs == 3 {
				l.ClearTimeout(iv)
			}
		})
		doomed := l.SetTimeout(500*time.Millisecond, func() { say("never: cleared") })
		l.SetTimeout(100*time.Millisecond, func() {
			l.ClearTimeout(doomed)
			say("cleared the 500 ms timeout")
		})
		late := l.SetTimeout(360*time.Millisecond, func() { say("refreshed timeout") })
		l.SetTimeout(140*time.Millisecond, func() { late.Refresh() })
		im := l.SetImmediate(func() { say("never: cleared immediate") })
		l.SetImmediate(func() {
			say("immediate 1")
			l.SetImmediate(func() { say("immediate queued by immediate 1") })
		})
		l.ClearImmediate(im)
		l.NextTick(func() { say("tick from main") })
		l.QueueMicrotask(func() { say("microtask from main") })
	}
}
