package nodeloop_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// host makes timers, the timers phase's own or those of a host that runs them
// nested.
type host struct {
	after, every func(time.Duration, func()) *nodeloop.Timer
}

// A host that runs the next timers of a list inside the callback of the one before
// (SettleTimer, then RunNextTimer while it has nothing of its own to run) gets the
// timers phase's order, events and steps: the same callbacks at the same times, the
// same trace.
func TestRunNextTimerRunsTheListAsTheTimersPhase(t *testing.T) {
	scenarios := []struct {
		name string
		run  func(w *world, h host)
		want []string
		next bool // RunNextTimer runs a timer
	}{
		{"a list runs up to its first timer not due", func(w *world, h host) {
			for i := range 3 {
				h.after(10*time.Millisecond, func() { w.addAt(fmt.Sprint("a", i)) })
			}
			w.clock.Advance(2 * time.Millisecond)
			h.after(10*time.Millisecond, func() { w.addAt("late") })
			h.after(11*time.Millisecond, func() { w.addAt("other") })
		}, []string{"a0@10", "a1@10", "a2@10", "late@12", "other@13"}, true},
		{"a cleared next timer is not run, the one after is", func(w *world, h host) {
			var b *nodeloop.Timer
			h.after(10*time.Millisecond, func() { w.addAt("a"); w.l.ClearTimeout(b) })
			b = h.after(10*time.Millisecond, func() { w.addAt("b") })
			h.after(10*time.Millisecond, func() { w.addAt("c") })
		}, []string{"a@10", "c@10"}, true},
		{"the loop's own tick runs between two timers", func(w *world, h host) {
			h.after(10*time.Millisecond, func() {
				w.addAt("a")
				w.l.NextTick(func() { w.addAt("tick") })
			})
			h.after(10*time.Millisecond, func() { w.addAt("b") })
		}, []string{"a@10", "tick@10", "b@10"}, false},
		{"an interval is re-armed before the next timer runs", func(w *world, h host) {
			n := 0
			var iv *nodeloop.Timer
			iv = h.every(10*time.Millisecond, func() {
				w.addAt("iv")
				if n++; n == 3 {
					w.l.ClearTimeout(iv)
				}
			})
			h.after(10*time.Millisecond, func() { w.addAt("t") })
			h.after(20*time.Millisecond, func() { w.addAt("u") })
		}, []string{"iv@10", "t@10", "u@20", "iv@20", "iv@30"}, true},
		{"a timer started by the last of its list makes a new list", func(w *world, h host) {
			h.after(10*time.Millisecond, func() {
				w.addAt("a")
				h.after(10*time.Millisecond, func() { w.addAt("c") })
			})
			h.after(10*time.Millisecond, func() { w.addAt("b") })
		}, []string{"a@10", "b@10", "c@20"}, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			plain := newWorld(t)
			plain.run(func() { sc.run(plain, host{after: plain.l.SetTimeout, every: plain.l.SetInterval}) })
			plain.want(sc.want...)

			w := newWorld(t)
			ran := 0
			wrap := func(cb func()) func() {
				return func() {
					cb()
					w.l.SettleTimer()
					for w.l.RunNextTimer() {
						ran++
					}
				}
			}
			w.run(func() {
				sc.run(w, host{
					after: func(d time.Duration, cb func()) *nodeloop.Timer { return w.l.SetTimeout(d, wrap(cb)).AllowNested() },
					every: func(d time.Duration, cb func()) *nodeloop.Timer { return w.l.SetInterval(d, wrap(cb)).AllowNested() },
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
// does it for a timer not made with AllowNested, or when the next callback would
// pass the step limit, which the timers phase then reports.
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

	w = newWorld(t)
	w.run(func() {
		w.l.SetTimeout(time.Millisecond, func() {
			w.add("a")
			w.l.SettleTimer()
			if w.l.RunNextTimer() {
				t.Errorf("RunNextTimer ran a timer not made with AllowNested")
			}
		}).AllowNested()
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
			}).AllowNested()
		}
	})
	if err == nil {
		t.Fatalf("Run with a step limit of 3 ran 4 callbacks and returned nil")
	}
	w.want("a", "b")
}
