package nodeloop_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// Phases run in the order timers → pending → idle → prepare → poll → check → close.
func TestPhaseOrder(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		var idle, prep, check *nodeloop.Watcher
		idle = w.l.Idle(func() { w.add("idle"); idle.Close(nil) })
		prep = w.l.Prepare(func() { w.add("prepare"); prep.Close(nil) })
		check = w.l.Check(func() { w.add("check"); check.Close(func() { w.add("close") }) })
		w.l.SetImmediate(func() { w.add("immediate") })
		nodeloop.Work(w.l, func() (int, error) { return 0, nil }, func(int, error) {
			w.add("poll")
			w.l.SetTimeout(0, func() { w.add("timers") })
		})
	})
	w.want("idle", "prepare", "check", "immediate", "close", "poll", "timers")
	// (I) within every tick the phases appear in order.
	last := map[uint64]traces.Phase{}
	for _, e := range w.rec.Events() {
		if e.Phase == traces.PhaseMain {
			continue
		}
		if p, ok := last[e.Tick]; ok && e.Phase < p {
			t.Fatalf("event %d: phase %s after %s in tick %d", e.Seq, e.Phase, p, e.Tick)
		}
		last[e.Tick] = e.Phase
	}
}

// libuv idle_starvation: an idle watcher keeps the poll timeout at 0, yet the timer
// still fires; here each idle run burns 1 ms of virtual time.
func TestIdleStarvation(t *testing.T) {
	w := newWorld(t)
	idleRuns, timerRuns, closes := 0, 0, 0
	closed := func() { closes++ }
	w.run(func() {
		var idle, check *nodeloop.Watcher
		idle = w.l.Idle(func() { idleRuns++; w.clock.Advance(time.Millisecond) })
		check = w.l.Check(func() {})
		w.l.SetTimeout(50*time.Millisecond, func() {
			idle.Close(closed)
			check.Close(closed)
			timerRuns++
		})
	})
	if idleRuns == 0 || timerRuns != 1 || closes != 2 {
		t.Fatalf("idle ran %d, timer %d, closes %d; want >0, 1, 2", idleRuns, timerRuns, closes)
	}
	for _, p := range w.events(traces.KindPoll) {
		if p.Timeout != 0 {
			t.Fatalf("a poll waited %v with an idle watcher active", p.Timeout)
		}
	}
}

// Watchers of one kind run most recently started first, as libuv's; one started
// during its own phase first runs in the next tick; they stop and close themselves or
// each other from inside a callback.
func TestWatcherOrderAndStartDuringPhase(t *testing.T) {
	w := newWorld(t)
	ticks := 0
	w.run(func() {
		var a, b, c *nodeloop.Watcher
		a = w.l.Prepare(func() {
			w.add("a")
			if c == nil {
				c = w.l.Prepare(func() { w.add("c") })
			}
		})
		b = w.l.Prepare(func() { w.add("b") })
		var idle *nodeloop.Watcher
		idle = w.l.Idle(func() {
			if ticks++; ticks == 3 {
				a.Stop()
				b.Close(nil)
				c.Close(nil)
				idle.Close(nil)
			}
		})
		_ = idle
	})
	// Tick 1: b (started last) then a, which starts c; tick 2: c, b, a; in tick 3 the
	// idle watcher (whose phase comes first) stops or closes them all.
	w.want("b", "a", "c", "b", "a")
}

// libuv test-close-order.c, with watchers: a handle closed in a timers callback and
// two closed in a check callback: every close callback runs after the check
// callbacks of its tick, most recently closed first.
func TestCloseOrder(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		var p1, p2, check *nodeloop.Watcher
		p1 = w.l.Prepare(func() {})
		p2 = w.l.Prepare(func() {})
		p1.Unref()
		p2.Unref()
		var long = w.l.SetTimeout(100*time.Second, func() { t.Error("long timer ran") })
		w.l.SetTimeout(0, func() {
			w.add("timer")
			p1.Close(func() { w.add("close p1") })
		})
		w.clock.Advance(time.Millisecond) // libuv's 0 ms timer is due in the first phase
		check = w.l.Check(func() {
			w.add("check")
			check.Close(func() { w.add("close check") })
			p2.Close(func() { w.add("close p2") })
			w.l.ClearTimeout(long)
		})
	})
	w.want("timer", "check", "close p2", "close check", "close p1")
	w.checkPending()
}

// A handle closed during the close phase finishes in the next tick; a close callback
// runs after every other callback of its handle.
func TestCloseDuringClosePhase(t *testing.T) {
	w := newWorld(t)
	var first, second uint64
	w.run(func() {
		var a, b *nodeloop.Watcher
		b = w.l.Idle(func() {})
		a = w.l.Idle(func() {
			w.add("a")
			a.Close(func() {
				w.add("close a")
				first = tickOf(w)
				b.Close(func() { w.add("close b"); second = tickOf(w) })
			})
		})
	})
	w.want("a", "close a", "close b")
	if second != first+1 {
		t.Fatalf("close b ran in tick %d, close a in %d: want the next tick", second, first)
	}
}

func TestWatcherMisuse(t *testing.T) {
	w := newWorld(t)
	v := w.l.Idle(func() {})
	v.Close(nil)
	mustPanic(t, "Close twice", func() { v.Close(nil) })
	mustPanic(t, "Start after Close", func() { v.Start() })
	for name, f := range map[string]func(){
		"Idle(nil)":    func() { w.l.Idle(nil) },
		"Prepare(nil)": func() { w.l.Prepare(nil) },
		"Check(nil)":   func() { w.l.Check(nil) },
	} {
		mustPanic(t, name, f)
	}
}
