package nodeloop_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// The loop checks liveness after every timers phase: when the last timer's callback
// leaves nothing alive, Run ends in that timers phase, and the tick's later phases
// (here an unref'd prepare watcher's) do not run.
func TestLoopEndsAfterTimersPhase(t *testing.T) {
	w := newWorld(t)
	var prepares []uint64
	w.run(func() {
		w.l.SetTimeout(5*time.Millisecond, func() { w.add("timer") })
		w.l.Prepare(func() { prepares = append(prepares, tickOf(w)) }).Unref()
	})
	w.want("timer")
	if fmt.Sprint(prepares) != "[1]" {
		t.Fatalf("the prepare watcher ran in ticks %v, want [1]: the loop must end in tick 2's timers phase", prepares)
	}
	evs := w.rec.Events()
	last := evs[len(evs)-1]
	if last.Kind != traces.KindEnd || last.Tick != 2 || last.Phase != traces.PhaseTimers {
		t.Fatalf("the run ends with %+v, want its end event in tick 2's timers phase", last)
	}
}

// The poll timeout is 0 when, by the time the loop reaches the poll phase, it is no
// longer alive or has callbacks waiting for the pending phase, though a timer is
// (or was) an hour away.
func TestPollTimeoutZeroWhenNotAliveOrPending(t *testing.T) {
	for _, tc := range []struct {
		name string
		// prepare runs in the first prepare phase; stop clears the hour-long timer.
		prepare func(w *world, stop func())
		want    []time.Duration
	}{
		{
			name: "the prepare callback clears the only timer",
			prepare: func(w *world, stop func()) {
				stop()
			},
			want: []time.Duration{0},
		},
		{
			name: "the prepare callback dials a bad address",
			prepare: func(w *world, stop func()) {
				w.l.Dial("udp9", "127.0.0.1:1", func(_ *nodeloop.Conn, err error) {
					if err == nil {
						w.t.Errorf("a dial on network udp9 succeeded")
					}
					stop()
				})
			},
			// Tick 1's poll does not wait, for the pending callback; tick 2's, after
			// that callback cleared the timer, does not wait, for nothing is alive.
			want: []time.Duration{0, 0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.run(func() {
				tm := w.l.SetTimeout(time.Hour, func() { t.Error("the hour-long timer ran") })
				once := false
				w.l.Prepare(func() {
					if once {
						return
					}
					once = true
					tc.prepare(w, func() { w.l.ClearTimeout(tm) })
				}).Unref()
			})
			if fmt.Sprint(w.waits) != fmt.Sprint(tc.want) {
				t.Fatalf("poll timeouts %v, want %v", w.waits, tc.want)
			}
		})
	}
}

// A timer's start is counted in whole milliseconds of the loop's clock, as Node's
// getLibuvNow: a 2 ms timer started at 1.5 ms is due at 3 ms, not 3.5 ms.
func TestTimerStartCountsWholeMilliseconds(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.clock.Advance(1500 * time.Microsecond)
		w.l.SetTimeout(2*time.Millisecond, func() { w.add(fmt.Sprint("timer@", w.elapsed())) })
	})
	w.want("timer@3ms")
	starts := w.events(traces.KindTimerStart)
	if len(starts) != 1 || starts[0].Deadline != 3*time.Millisecond {
		t.Fatalf("timer_start events %+v, want one with deadline 3ms", starts)
	}
}

// A handle waiting for its close callback keeps the loop alive: closing the last
// watcher from the last timer's callback still runs its close callback, in the close
// phase of the same tick.
func TestClosingHandleKeepsLoopAlive(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		prep := w.l.Prepare(func() {})
		prep.Unref()
		w.l.SetTimeout(time.Millisecond, func() {
			w.add("timer")
			prep.Close(func() { w.add("closed") })
		})
	})
	w.want("timer", "closed")
	for _, e := range w.events(traces.KindCallback) {
		if e.Source == traces.SourceClose && e.Phase != traces.PhaseClose {
			t.Fatalf("the close callback ran in the %s phase", e.Phase)
		}
	}
}

// RunOnce(true) blocks in the poll phase only when the iteration began with no
// pending callback and no active idle watcher, as libuv's UV_RUN_ONCE: a callback
// deferred to the pending phase makes it return without waiting for the hour-long
// timer.
func TestRunOnceDoesNotBlockAfterPendingCallbacks(t *testing.T) {
	w := newWorld(t)
	ran := false
	w.l.SetTimeout(time.Hour, func() { ran = true })
	dialed := false
	w.l.Dial("udp9", "127.0.0.1:1", func(_ *nodeloop.Conn, err error) { dialed = err != nil })
	alive, err := w.l.RunOnce(true)
	if err != nil || !alive || !dialed || ran {
		t.Fatalf("RunOnce(true) = %v, %v; dial callback with an error %v, timer ran %v; want true, nil, true, false", alive, err, dialed, ran)
	}
	if fmt.Sprint(w.waits) != "[0s]" || w.elapsed() != 0 {
		t.Fatalf("poll timeouts %v, time %v; want one wait of 0 at 0", w.waits, w.elapsed())
	}
	alive, err = w.l.RunOnce(true)
	if err != nil || alive || !ran || w.elapsed() != time.Hour {
		t.Fatalf("second RunOnce(true) = %v, %v at %v, timer ran %v; want false, nil at 1h, the timer run", alive, err, w.elapsed(), ran)
	}
}

// A first tick begun by RunOnce starts in the pending phase, and its timers phase
// is the one RunOnce runs at its end.
func TestRunOnceFirstTickStartsInPending(t *testing.T) {
	w := newWorld(t)
	w.l.SetTimeout(time.Millisecond, func() { w.add("timer") })
	if _, err := w.l.RunOnce(true); err != nil {
		t.Fatal(err)
	}
	w.want("timer")
	ticks := w.events(traces.KindTick)
	if len(ticks) != 2 || ticks[0].Tick != 1 || ticks[0].Phase != traces.PhasePending ||
		ticks[1].Tick != 2 || ticks[1].Phase != traces.PhaseTimers {
		t.Fatalf("tick events %+v, want tick 1 in the pending phase, then tick 2 in the timers phase", ticks)
	}
	for _, e := range w.events(traces.KindCallback) {
		if e.Source == traces.SourceTimer && e.Tick != 2 {
			t.Fatalf("the timer ran in tick %d, want 2", e.Tick)
		}
	}
}
