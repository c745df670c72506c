package nodeloop_test

import (
	"math"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/traces"
)

// libuv test-timer.c: timer_order. Timers with equal deadlines fire in start order,
// whichever handle is started first.
func TestTimerOrder(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(0, func() { w.add("a") })
		w.l.SetTimeout(0, func() { w.add("b") })
	})
	w.run(func() {
		w.l.SetTimeout(0, func() { w.add("b") })
		w.l.SetTimeout(0, func() { w.add("a") })
	})
	w.want("a", "b", "b", "a")
}

// Ten thousand timers with one deadline all fire, in start order: a map keyed by
// deadline would drop all but one.
func TestTimersWithOneDeadlineAllFireInStartOrder(t *testing.T) {
	const n = 10000
	w := newWorld(t)
	var fired []int
	w.run(func() {
		for i := 0; i < n; i++ {
			w.l.SetTimeout(5*time.Millisecond, func() { fired = append(fired, i) })
		}
	})
	if len(fired) != n {
		t.Fatalf("%d of %d timers fired", len(fired), n)
	}
	for i, v := range fired {
		if v != i {
			t.Fatalf("timer %d fired in position %d", v, i)
		}
	}
	w.checkPending()
}

// libuv timer_start_twice: restarting an armed timer fires it once.
func TestTimerStartTwice(t *testing.T) {
	w := newWorld(t)
	n := 0
	w.run(func() {
		tm := w.l.SetTimeout(10*time.Millisecond, func() { n++ })
		tm.Refresh()
		tm.Refresh()
	})
	if n != 1 {
		t.Fatalf("restarted timer fired %d times, want 1", n)
	}
}

// Delays are Node's: below 1 ms or above TIMEOUT_MAX become 1 ms, fractions are
// truncated. (libuv's timer_huge_timeout, in Node's terms.)
func TestDelayCoercion(t *testing.T) {
	for _, tc := range []struct {
		d, want time.Duration
	}{
		{-time.Hour, time.Millisecond},
		{-1, time.Millisecond},
		{0, time.Millisecond},
		{time.Microsecond, time.Millisecond},
		{999 * time.Microsecond, time.Millisecond},
		{time.Millisecond, time.Millisecond},
		{1900 * time.Microsecond, time.Millisecond},
		{2500 * time.Microsecond, 2 * time.Millisecond},
		{time.Duration(math.MaxInt32) * time.Millisecond, time.Duration(math.MaxInt32) * time.Millisecond},
		{time.Duration(math.MaxInt32+1) * time.Millisecond, time.Millisecond},
		{time.Duration(math.MaxInt64), time.Millisecond},
		{time.Duration(math.MinInt64), time.Millisecond},
	} {
		w := newWorld(t)
		var at time.Duration
		w.run(func() {
			w.l.SetTimeout(tc.d, func() { at = w.elapsed() })
		})
		if at != tc.want {
			t.Errorf("SetTimeout(%v) fired at %v, want %v", tc.d, at, tc.want)
		}
		starts := w.events(traces.KindTimerStart)
		if len(starts) != 1 || starts[0].Delay != tc.want {
			t.Errorf("SetTimeout(%v): timer_start events %+v, want one with delay %v", tc.d, starts, tc.want)
		}
	}
}

// libuv timer_huge_timeout: huge timeouts on unref'd timers do not keep the loop
// waiting, and a huge interval is coerced like a timeout.
func TestTimerHugeTimeout(t *testing.T) {
	w := newWorld(t)
	n := 0
	w.run(func() {
		w.l.SetTimeout(time.Duration(math.MaxInt64), func() { n++ }).Unref()
		iv := w.l.SetInterval(time.Duration(math.MaxInt64), func() { n++ })
		w.l.SetTimeout(3500*time.Microsecond, func() { w.l.ClearTimeout(iv) })
	})
	// The unref'd 1 ms timeout fires once at 1 ms; the 1 ms interval at 1 and 2 ms;
	// at 3 ms the clearing timeout (started first) runs before the interval's third.
	if n != 3 {
		t.Fatalf("callbacks ran %d times, want 3", n)
	}
	if got := w.elapsed(); got != 3*time.Millisecond {
		t.Fatalf("loop ended at %v, want 3ms", got)
	}
}

// libuv timer_no_double_call_once: an interval two periods late fires once per
// RunOnce.
func TestTimerNoDoubleCallOnce(t *testing.T) { testNoDoubleCall(t, true) }

// libuv timer_no_double_call_nowait.
func TestTimerNoDoubleCallNowait(t *testing.T) { testNoDoubleCall(t, false) }

func testNoDoubleCall(t *testing.T, block bool) {
	w := newWorld(t)
	n := 0
	w.l.SetInterval(10*time.Millisecond, func() { n++ })
	w.clock.Advance(20 * time.Millisecond)
	alive, err := w.l.RunOnce(block)
	if err != nil || !alive {
		t.Fatalf("RunOnce(%v) = %v, %v; want true, nil", block, alive, err)
	}
	if n != 1 {
		t.Fatalf("interval fired %d times in one RunOnce, want 1", n)
	}
}

// libuv timer_no_run_on_unref: an unref'd timer does not run, however late Run is.
func TestTimerNoRunOnUnref(t *testing.T) {
	w := newWorld(t)
	w.l.SetTimeout(0, func() { t.Fatal("unref'd timer ran") }).Unref()
	w.clock.Advance(time.Second)
	w.run(nil)
	w.run(func() {
		w.l.SetTimeout(0, func() { t.Fatal("unref'd timer ran") }).Unref()
	})
}

// libuv timer_from_check: a timer restarted from a check callback runs after the
// prepare watcher the check started.
func TestTimerFromCheck(t *testing.T) {
	w := newWorld(t)
	var tm, prepare, check = struct{ n int }{}, struct{ n int }{}, struct{ n int }{}
	w.run(func() {
		var timer = w.l.SetTimeout(50*time.Millisecond, func() {
			if prepare.n != 1 || check.n != 1 || tm.n != 0 {
				t.Errorf("timer: prepare=%d check=%d timer=%d, want 1 1 0", prepare.n, check.n, tm.n)
			}
			tm.n++
		})
		var cw interface{ Stop() }
		cw = w.l.Check(func() {
			cw.Stop()
			timer.Refresh() // uv_timer_stop + uv_timer_start(50)
			var pw interface{ Stop() }
			pw = w.l.Prepare(func() {
				pw.Stop()
				if check.n != 1 || tm.n != 0 {
					t.Errorf("prepare: check=%d timer=%d, want 1 0", check.n, tm.n)
				}
				prepare.n++
			})
			check.n++
		})
	})
	if prepare.n != 1 || check.n != 1 || tm.n != 1 {
		t.Fatalf("prepare=%d check=%d timer=%d, want 1 1 1", prepare.n, check.n, tm.n)
	}
}

// libuv test-ref.c timer_ref, timer_ref2: an unref'd timer, started or not, does not
// keep the loop alive; Ref undoes Unref; HasRef reports it.
func TestTimerRef(t *testing.T) {
	w := newWorld(t)
	var tm = w.l.SetInterval(42*time.Millisecond, func() { t.Fatal("unref'd interval ran") })
	if !tm.HasRef() {
		t.Fatal("a new timer has no ref")
	}
	if tm.Unref() != tm || tm.HasRef() {
		t.Fatal("Unref did not drop the ref")
	}
	if w.l.Alive() || w.l.Pending() != 0 {
		t.Fatalf("Alive=%v Pending=%d with only an unref'd timer", w.l.Alive(), w.l.Pending())
	}
	w.run(nil)
	n := 0
	tm2 := w.l.SetTimeout(5*time.Millisecond, func() { n++ }).Unref().Ref()
	if !tm2.HasRef() || w.l.Pending() != 1 {
		t.Fatalf("after Unref().Ref(): HasRef=%v Pending=%d, want true 1", tm2.HasRef(), w.l.Pending())
	}
	w.run(nil)
	if n != 1 {
		t.Fatalf("ref'd timer ran %d times", n)
	}
	w.l.ClearTimeout(tm)
}

// A timer cleared by an earlier callback of the same timers phase never runs, though
// it was already collected as due.
func TestDueTimerClearedByEarlierCallbackNeverRuns(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		var b = w.l.SetTimeout(5*time.Millisecond, func() { w.add("b") })
		w.l.SetTimeout(5*time.Millisecond, func() { w.add("c") })
		// a is due at 4ms, b and c at 5ms; a 2ms callback makes all three due at once.
		w.l.SetTimeout(4*time.Millisecond, func() {
			w.add("a")
			w.l.ClearTimeout(b)
			w.l.ClearTimeout(b) // idempotent
			w.l.ClearTimeout(nil)
		})
		w.clock.Advance(10 * time.Millisecond) // all three are due in the first phase
	})
	w.want("a", "c")
}

// Timers collected together run in one phase; a timer started inside the phase never
// runs in that phase, whatever its delay; no timer fires before its deadline.
func TestTimerStartedDuringPhaseWaitsForNextPhase(t *testing.T) {
	w := newWorld(t)
	var ticks []uint64
	w.run(func() {
		w.l.SetTimeout(1*time.Millisecond, func() {
			ticks = append(ticks, tickOf(w))
			w.clock.Advance(5 * time.Millisecond) // a slow callback
			w.l.SetTimeout(1*time.Millisecond, func() { ticks = append(ticks, tickOf(w)) })
		})
	})
	if len(ticks) != 2 || ticks[1] <= ticks[0] {
		t.Fatalf("ticks %v: the timer started during the phase must run in a later tick", ticks)
	}
	for _, e := range w.events(traces.KindCallback) {
		if e.Source != traces.SourceTimer {
			continue
		}
		for _, s := range w.events(traces.KindTimerStart) {
			if s.ID == e.ID && e.Time < s.Deadline {
				t.Fatalf("timer %d fired at %v before its deadline %v", e.ID, e.Time, s.Deadline)
			}
		}
	}
}

func tickOf(w *world) uint64 {
	evs := w.rec.Events()
	return evs[len(evs)-1].Tick
}

// An interval is re-armed at start-of-callback time + period, so a slow callback does
// not shift its next deadline; clearing it inside its own callback stops it. As in
// libuv, the poll after a slow callback waits from the time cached before it, so the
// run after it is late by the callback's duration.
func TestIntervalRearmedBeforeCallback(t *testing.T) {
	w := newWorld(t)
	n := 0
	var iv *nodeloop.Timer
	w.run(func() {
		iv = w.l.SetInterval(10*time.Millisecond, func() {
			n++
			w.addAt("iv")
			if !iv.Active() {
				t.Errorf("interval not active inside its own callback")
			}
			w.clock.Advance(3 * time.Millisecond) // work that takes 3 ms
			if n == 3 {
				w.l.ClearTimeout(iv)
				if iv.Active() {
					t.Errorf("interval still active after clearing it in its callback")
				}
			}
		})
	})
	w.want("iv@10", "iv@23", "iv@36")
	// Each run's re-arm is recorded when its callback returns (Node's place in line),
	// with deadline = start of the run + 10ms.
	evs := w.rec.Events()
	var runAt time.Duration
	rearms := 0
	for _, e := range evs {
		switch {
		case e.Kind == traces.KindCallback && e.Source == traces.SourceInterval:
			runAt = e.Time
		case e.Kind == traces.KindTimerStart && e.ID == iv.ID() && runAt > 0:
			if rearms++; e.Deadline != runAt+10*time.Millisecond {
				t.Fatalf("re-arm after the run at %v has deadline %v, want +10ms", runAt, e.Deadline)
			}
		}
	}
	if rearms != 2 {
		t.Fatalf("%d re-arms, want 2 (the third run clears the interval)", rearms)
	}
}

// An interval fires at most once per timers phase, however late.
func TestIntervalAtMostOncePerPhase(t *testing.T) {
	w := newWorld(t)
	n := 0
	w.run(func() {
		iv := w.l.SetInterval(time.Millisecond, func() { n++ })
		w.l.SetTimeout(time.Millisecond, func() {
			w.clock.Advance(10 * time.Millisecond)
		})
		w.l.SetTimeout(12*time.Millisecond, func() { w.l.ClearTimeout(iv) })
	})
	// Ticks at 1 ms (fires; the timeout then burns 10 ms), 11 ms (once, though ten
	// periods are due) and 12 ms: three runs of the interval at most.
	if n > 3 {
		t.Fatalf("interval ran %d times, want at most 3", n)
	}
}

// A 1-hour interval that fires 24 times and clears itself runs a virtual day.
func TestHourIntervalOnVirtualTime(t *testing.T) {
	w := newWorld(t)
	n := 0
	start := time.Now()
	var iv *nodeloop.Timer
	w.run(func() {
		iv = w.l.SetInterval(time.Hour, func() {
			if n++; n == 24 {
				w.l.ClearTimeout(iv)
			}
		})
	})
	if n != 24 || w.elapsed() != 24*time.Hour {
		t.Fatalf("fired %d times, loop time %v; want 24 and 24h", n, w.elapsed())
	}
	t.Logf("24 virtual hours in %v of wall time", time.Since(start))
}

// Refresh restarts from now with the same delay and moves the timer behind others
// with the same deadline; it re-activates a fired timeout; a cleared timer stays
// cleared.
func TestRefresh(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		a := w.l.SetTimeout(5*time.Millisecond, func() { w.addAt("a") })
		w.l.SetTimeout(5*time.Millisecond, func() { w.addAt("b") })
		a.Refresh() // same instant, so same deadline as b, but behind it
	})
	w.want("b@5", "a@5")

	w = newWorld(t)
	w.run(func() {
		var a = w.l.SetTimeout(2*time.Millisecond, func() { w.addAt("a") })
		w.l.SetTimeout(3*time.Millisecond, func() {
			if a.Active() {
				t.Errorf("fired timeout still active")
			}
			a.Refresh() // fires again at 3+2
		})
	})
	w.want("a@2", "a@5")

	w = newWorld(t)
	w.run(func() {
		a := w.l.SetTimeout(2*time.Millisecond, func() { w.addAt("a") })
		w.l.ClearTimeout(a)
		if a.Refresh() != a || a.Active() {
			t.Errorf("Refresh revived a cleared timer")
		}
	})
	w.want()
}

// Unref'd timers do not keep the loop alive but still run while it is alive.
func TestUnrefTimerRunsWhileLoopAlive(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(2*time.Millisecond, func() { w.addAt("unref") }).Unref()
		w.l.SetTimeout(5*time.Millisecond, func() { w.addAt("ref") })
		w.l.SetTimeout(9*time.Millisecond, func() { w.addAt("late") }).Unref()
	})
	w.want("unref@2", "ref@5")
	w.checkPending()
}

// Node runs timers list by list, one list per delay, lists by (expiry, id): when the
// loop is late, a timer runs before one of another delay due earlier, and the
// timers of one delay run one after another.
func TestTimerListsOrder(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(10*time.Millisecond, func() { w.add("a") })
		w.clock.Advance(6 * time.Millisecond)
		w.l.SetTimeout(5*time.Millisecond, func() { w.add("b") })  // due at 11
		w.l.SetTimeout(10*time.Millisecond, func() { w.add("c") }) // due at 16, in a's list
		w.clock.Advance(30 * time.Millisecond)
	})
	w.want("a", "c", "b")
}

// When the timers phase finds a list's first timer not yet due, the list takes that
// timer's deadline and a new id, before the nextTicks and microtasks of the timer
// that ran last: a list they make for the same time comes after it, and one its
// callback made comes before.
func TestTimerListCutBeforeTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inTick bool
		want   []string
	}{
		{"c started by a's callback", false, []string{"a@10", "c@15", "b@15"}},
		{"c started by a nextTick of a's callback", true, []string{"a@10", "b@15", "c@15"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.run(func() {
				w.l.SetTimeout(10*time.Millisecond, func() {
					w.addAt("a")
					startC := func() { w.l.SetTimeout(5*time.Millisecond, func() { w.addAt("c") }) }
					if tc.inTick {
						w.l.NextTick(startC)
					} else {
						startC()
					}
				})
				w.clock.Advance(5 * time.Millisecond)
				w.l.SetTimeout(10*time.Millisecond, func() { w.addAt("b") }) // a's list, due at 15
			})
			w.want(tc.want...)
		})
	}
}

// A due timer that a nextTick or microtask of the timer before it in its list
// restarts runs at once all the same, its restart lost, as in Node: the loop has
// taken it for running before they run. One they clear does not run.
func TestTimerRestartedByTickOfPreviousTimerRunsAtOnce(t *testing.T) {
	w := newWorld(t)
	var b, c *nodeloop.Timer
	w.run(func() {
		w.l.SetTimeout(10*time.Millisecond, func() {
			w.addAt("a")
			w.l.NextTick(func() { b.Refresh() })
		})
		b = w.l.SetTimeout(10*time.Millisecond, func() {
			w.addAt("b")
			w.l.QueueMicrotask(func() { w.l.ClearTimeout(c) })
		})
		c = w.l.SetTimeout(10*time.Millisecond, func() { w.addAt("c") })
		w.l.SetTimeout(10*time.Millisecond, func() { w.addAt("d") })
	})
	w.want("a@10", "b@10", "d@10")
	if b.Active() {
		t.Fatalf("b is active after it ran: its restart should be lost")
	}
}

// Clearing the first timer of a list leaves its expiry: the loop wakes then, and
// the list, given a new id, goes behind a list that expires when its timer is due.
func TestTimerListExpiryStaysAfterClear(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		a1 := w.l.SetTimeout(10*time.Millisecond, func() { w.addAt("a1") })
		w.l.SetTimeout(15*time.Millisecond, func() { w.addAt("b") }) // its list expires at 15
		w.clock.Advance(5 * time.Millisecond)
		w.l.SetTimeout(10*time.Millisecond, func() { w.addAt("a2") }) // a1's list, due at 15
		w.l.ClearTimeout(a1)
	})
	w.want("b@15", "a2@15")
	if got := w.waits; len(got) == 0 || got[0] != 5*time.Millisecond {
		t.Fatalf("poll timeouts %v: the first wait must end at 10 ms, the cleared timer's deadline", got)
	}
}

// The lists of timers cost nothing in steady state: a list that empties is reused for
// the next delay that needs one.
func TestAllocsTimerLists(t *testing.T) {
	w := noTrace(t)
	fired := 0
	cb := func() { fired++ }
	a := w.l.SetTimeout(time.Millisecond, cb)
	b := w.l.SetTimeout(2*time.Millisecond, cb)
	runOnce(t, w.l, true)
	runOnce(t, w.l, true)
	n := testing.AllocsPerRun(1000, func() {
		a.Refresh()
		b.Refresh()
		runOnce(t, w.l, true)
		runOnce(t, w.l, true)
	})
	if n != 0 {
		t.Errorf("two timeouts of two delays refreshed and fired: %v allocations, want 0", n)
	}
	if fired < 2000 {
		t.Fatalf("timers fired %d times, want >= 2000", fired)
	}
}

// BenchmarkTimersDistinctDelays creates and fires 100,000 timers on the fake clock,
// each with a delay of its own, the worst case for lists of timers by delay: one
// list per timer. One op is one timer.
func BenchmarkTimersDistinctDelays(b *testing.B) {
	const timers = 100_000
	b.ReportAllocs()
	fired := 0
	cb := func() { fired++ }
	for b.Loop() {
		clock := fakeclock.New()
		l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fakepoller.New(clock)))
		if err != nil {
			b.Fatal(err)
		}
		err = l.Run(func() {
			for i := range timers {
				l.SetTimeout(time.Duration(1+(i*7919)%timers)*time.Millisecond, cb)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	if fired != b.N*timers {
		b.Fatalf("%d of %d timers fired", fired, b.N*timers)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*timers), "ns/timer")
}
