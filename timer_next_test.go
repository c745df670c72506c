package nodeloop_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// A host that runs the next timers of a list inside the callback of the one before
// (SettleTimer, then RunNextTimer while it has nothing of its own to run) gets the
// timers phase's order, events and steps: the same callbacks at the same times, the
// same trace.
func TestRunNextTimerRunsTheListAsTheTimersPhase(t *testing.T) {
	scenarios := []struct {
		name string
		run  func(w *world, timer func(func()) func())
		want []string
		next bool // RunNextTimer runs a timer
	}{
		{"a list runs up to its first timer not due", func(w *world, timer func(func()) func()) {
			for i := range 3 {
				w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt(fmt.Sprint("a", i)) }))
			}
			w.clock.Advance(2 * time.Millisecond)
			w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("late") }))
			w.l.SetTimeout(11*time.Millisecond, timer(func() { w.addAt("other") }))
		}, []string{"a0@10", "a1@10", "a2@10", "late@12", "other@13"}, true},
		{"a cleared next timer is not run, the one after is", func(w *world, timer func(func()) func()) {
			var b *nodeloop.Timer
			w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("a"); w.l.ClearTimeout(b) }))
			b = w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("b") }))
			w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("c") }))
		}, []string{"a@10", "c@10"}, true},
		{"the loop's own tick runs between two timers", func(w *world, timer func(func()) func()) {
			w.l.SetTimeout(10*time.Millisecond, timer(func() {
				w.addAt("a")
				w.l.NextTick(func() { w.addAt("tick") })
			}))
			w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("b") }))
		}, []string{"a@10", "tick@10", "b@10"}, false},
		{"an interval is re-armed before the next timer runs", func(w *world, timer func(func()) func()) {
			n := 0
			var iv *nodeloop.Timer
			iv = w.l.SetInterval(10*time.Millisecond, timer(func() {
				w.addAt("iv")
				if n++; n == 3 {
					w.l.ClearTimeout(iv)
				}
			}))
			w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("t") }))
			w.l.SetTimeout(20*time.Millisecond, timer(func() { w.addAt("u") }))
		}, []string{"iv@10", "t@10", "u@20", "iv@20", "iv@30"}, true},
		{"a timer started by the last of its list makes a new list", func(w *world, timer func(func()) func()) {
			w.l.SetTimeout(10*time.Millisecond, timer(func() {
				w.addAt("a")
				w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("c") }))
			}))
			w.l.SetTimeout(10*time.Millisecond, timer(func() { w.addAt("b") }))
		}, []string{"a@10", "b@10", "c@20"}, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			plain := newWorld(t)
			plain.run(func() { sc.run(plain, func(cb func()) func() { return cb }) })
			plain.want(sc.want...)

			w := newWorld(t)
			ran := 0
			w.run(func() {
				sc.run(w, func(cb func()) func() {
					return func() {
						cb()
						w.l.SettleTimer()
						for w.l.RunNextTimer() {
							ran++
						}
					}
				})
			})
			w.want(sc.want...)
			if (ran > 0) != sc.next {
				t.Errorf("RunNextTimer ran %d timers; want some: %v", ran, sc.next)
			}
			if got, want := fmt.Sprint(w.rec.Events()), fmt.Sprint(plain.rec.Events()); got != want {
				t.Errorf("trace\n  %s\nwant the timers phase's\n  %s", got, want)
			}
		})
	}
}

// RunNextTimer outside a timer's callback, or before SettleTimer, runs nothing; nor
// does it when the next callback would pass the step limit, which the timers phase
// then reports.
func TestRunNextTimerRunsNothingOutOfPlace(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		if w.l.RunNextTimer() {
			t.Errorf("RunNextTimer outside a timer's callback ran a timer")
		}
		w.l.SetTimeout(time.Millisecond, func() {
			w.add("a")
			if w.l.RunNextTimer() {
				t.Errorf("RunNextTimer before SettleTimer ran a timer")
			}
		})
		w.l.SetTimeout(time.Millisecond, func() { w.add("b") })
	})
	w.want("a", "b")

	w = newWorld(t, nodeloop.WithStepLimit(3)) // the main callback, then a and b
	err := w.l.Run(func() {
		for _, name := range []string{"a", "b", "c"} {
			w.l.SetTimeout(time.Millisecond, func() {
				w.add(name)
				w.l.SettleTimer()
				for w.l.RunNextTimer() {
				}
			})
		}
	})
	if err == nil {
		t.Fatalf("Run with a step limit of 3 ran 4 callbacks and returned nil")
	}
	w.want("a", "b")
}
