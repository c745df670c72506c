package nodeloop_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// libuv test-loop-alive.c: a loop with a timer, or with a pool request, is alive
// until it ran; a new loop is not.
func TestLoopAlive(t *testing.T) {
	w := newWorld(t)
	if w.l.Alive() {
		t.Fatal("a new loop is alive")
	}
	w.l.SetTimeout(100*time.Millisecond, func() {})
	if !w.l.Alive() {
		t.Fatal("a loop with a timer is not alive")
	}
	w.run(nil)
	if w.l.Alive() {
		t.Fatal("alive after Run")
	}
	ran := false
	nodeloop.Work(w.l, func() (int, error) { return 1, nil }, func(int, error) { ran = true })
	if !w.l.Alive() {
		t.Fatal("a loop with a pool request is not alive")
	}
	w.run(nil)
	if w.l.Alive() || !ran {
		t.Fatalf("after Run: alive=%v ran=%v", w.l.Alive(), ran)
	}
}

// The loop checks liveness before tick 1: only unref'd things means Run returns at
// once, however late it is.
func TestRunReturnsAtOnceWithOnlyUnrefdHandles(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(0, func() { t.Error("timer ran") }).Unref()
		w.l.SetImmediate(func() { t.Error("immediate ran") }).Unref()
		w.l.Idle(func() { t.Error("idle ran") }).Unref()
		w.clock.Advance(time.Hour)
	})
	if n := len(w.events(traces.KindTick)); n != 0 {
		t.Fatalf("%d ticks ran", n)
	}
}

// libuv test-run-once.c: RunOnce(true) until it reports the loop dead.
func TestRunOnce(t *testing.T) {
	w := newWorld(t)
	const numTicks = 64
	n := 0
	var idle *nodeloop.Watcher
	idle = w.l.Idle(func() {
		if n++; n == numTicks {
			idle.Stop()
		}
	})
	for {
		alive, err := w.l.RunOnce(true)
		if err != nil {
			t.Fatal(err)
		}
		if !alive {
			break
		}
	}
	if n != numTicks {
		t.Fatalf("idle ran %d times, want %d", n, numTicks)
	}
}

// libuv test-run-nowait.c: RunOnce(false) does not wait for a timer not yet due.
func TestRunNowait(t *testing.T) {
	w := newWorld(t)
	n := 0
	w.l.SetInterval(100*time.Millisecond, func() { n++ })
	alive, err := w.l.RunOnce(false)
	if err != nil || !alive || n != 0 {
		t.Fatalf("RunOnce(false) = %v, %v, timer ran %d times; want true, nil, 0", alive, err, n)
	}
	if w.elapsed() != 0 {
		t.Fatalf("RunOnce(false) moved time to %v", w.elapsed())
	}
}

// With one 1 ms timer, RunOnce(true) waits about 1 ms in poll and then runs it;
// RunOnce(false) runs it only if already due; an interval fires at most once per call.
func TestRunOnceModesWithOneTimer(t *testing.T) {
	w := newWorld(t)
	n := 0
	w.l.SetTimeout(time.Millisecond, func() { n++ })
	if alive, _ := w.l.RunOnce(false); !alive || n != 0 {
		t.Fatalf("RunOnce(false): alive=%v ran=%d; want true, 0", alive, n)
	}
	alive, err := w.l.RunOnce(true)
	if err != nil || alive || n != 1 || w.elapsed() != time.Millisecond {
		t.Fatalf("RunOnce(true) = %v, %v; ran %d at %v; want false, nil, 1 at 1ms", alive, err, n, w.elapsed())
	}
	w.l.SetTimeout(time.Millisecond, func() { n++ })
	w.clock.Advance(time.Millisecond)
	if alive, _ := w.l.RunOnce(false); alive || n != 2 {
		t.Fatalf("RunOnce(false) with a due timer: alive=%v ran=%d; want false, 2", alive, n)
	}
}

// libuv test-loop-stop.c: Stop ends Run after the current tick; NOWAIT then runs a
// tick; Run resumes.
func TestLoopStop(t *testing.T) {
	w := newWorld(t)
	timerCalls, prepareCalls := 0, 0
	var prep *nodeloop.Watcher
	prep = w.l.Prepare(func() {
		if prepareCalls++; prepareCalls == 10 {
			prep.Stop()
		}
	})
	var tm *nodeloop.Timer
	tm = w.l.SetInterval(100*time.Millisecond, func() {
		timerCalls++
		if timerCalls == 1 {
			w.l.Stop()
		} else if timerCalls == 10 {
			w.l.ClearTimeout(tm)
		}
	})
	w.run(nil)
	if timerCalls != 1 {
		t.Fatalf("after Stop: timer ran %d times, want 1", timerCalls)
	}
	alive, err := w.l.RunOnce(false)
	if err != nil || !alive || prepareCalls < 2 {
		t.Fatalf("RunOnce(false) = %v, %v, prepare ran %d; want true, nil, >1", alive, err, prepareCalls)
	}
	w.run(nil)
	if timerCalls != 10 || prepareCalls != 10 {
		t.Fatalf("timer ran %d, prepare %d; want 10, 10", timerCalls, prepareCalls)
	}
}

// libuv loop_stop_before_run: Stop before Run makes it return before any tick.
func TestLoopStopBeforeRun(t *testing.T) {
	w := newWorld(t)
	w.l.SetTimeout(0, func() { t.Error("timer ran") })
	w.l.Stop()
	w.run(nil)
	if !w.l.Alive() {
		t.Fatal("the loop is not alive after a stopped Run")
	}
}

// A stop requested before the poll phase makes its timeout 0.
func TestStopMakesPollTimeoutZero(t *testing.T) {
	w := newWorld(t)
	w.l.SetTimeout(time.Hour, func() {})
	w.l.Prepare(func() { w.l.Stop() })
	w.run(nil)
	if len(w.waits) != 1 || w.waits[0] != 0 {
		t.Fatalf("polls %v, want one with timeout 0", w.waits)
	}
}

// Run is not reentrant: calling it from a callback is an error.
func TestRunNotReentrant(t *testing.T) {
	w := newWorld(t)
	var inner, inner2 error
	w.run(func() {
		inner = w.l.Run(func() {})
		_, inner2 = w.l.RunOnce(false)
	})
	if !errors.Is(inner, nodeloop.ErrRunning) || !errors.Is(inner2, nodeloop.ErrRunning) {
		t.Fatalf("nested Run = %v, RunOnce = %v; want ErrRunning", inner, inner2)
	}
}

// A callback that panics ends Run with a *CallbackPanic; the loop stays closable.
func TestCallbackPanic(t *testing.T) {
	w := newWorld(t)
	err := w.l.Run(func() {
		w.l.SetTimeout(5*time.Millisecond, func() { panic("boom") })
	})
	var cp *nodeloop.CallbackPanic
	if !errors.As(err, &cp) {
		t.Fatalf("Run = %v, want a *CallbackPanic", err)
	}
	if cp.Value != "boom" || cp.Tick != 2 || cp.Phase != traces.PhaseTimers || !strings.Contains(string(cp.Stack), "run_test.go") {
		t.Fatalf("CallbackPanic = %+v, want value boom in tick 2's timers phase with a stack", cp)
	}
	if err := w.l.Run(nil); !errors.Is(err, nodeloop.ErrStopped) {
		t.Fatalf("Run after a panic = %v, want ErrStopped", err)
	}
	if err := w.l.Close(); err != nil {
		t.Fatalf("Close after a panic: %v", err)
	}
}

// Bad input from the program is a panic that starts with "nodeloop:"; bad delays are
// coerced, never an error.
func TestMisusePanics(t *testing.T) {
	w := newWorld(t)
	for name, f := range map[string]func(){
		"SetTimeout(nil)":     func() { w.l.SetTimeout(0, nil) },
		"SetInterval(nil)":    func() { w.l.SetInterval(0, nil) },
		"SetImmediate(nil)":   func() { w.l.SetImmediate(nil) },
		"NextTick(nil)":       func() { w.l.NextTick(nil) },
		"QueueMicrotask(nil)": func() { w.l.QueueMicrotask(nil) },
		"Post(nil)":           func() { w.l.Post(nil) },
		"Work(nil, done)":     func() { nodeloop.Work[int](w.l, nil, func(int, error) {}) },
		"Work(work, nil)":     func() { nodeloop.Work(w.l, func() (int, error) { return 0, nil }, nil) },
		"ReadFile(nil)":       func() { w.l.ReadFile("x", nil) },
		"WriteFile(nil)":      func() { w.l.WriteFile("x", nil, nil) },
	} {
		mustPanic(t, name, f)
	}
	other := newWorld(t)
	tm := other.l.SetTimeout(0, func() {})
	mustPanic(t, "ClearTimeout(other loop's timer)", func() { w.l.ClearTimeout(tm) })

	closed := newWorld(t)
	tm = closed.l.SetTimeout(0, func() {})
	if err := closed.l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := closed.l.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	if err := closed.l.Post(func() {}); !errors.Is(err, nodeloop.ErrClosed) {
		t.Fatalf("Post after Close = %v, want ErrClosed", err)
	}
	for name, f := range map[string]func(){
		"Run":            func() { closed.l.Run(nil) },
		"RunOnce":        func() { closed.l.RunOnce(false) },
		"SetTimeout":     func() { closed.l.SetTimeout(0, func() {}) },
		"SetImmediate":   func() { closed.l.SetImmediate(func() {}) },
		"NextTick":       func() { closed.l.NextTick(func() {}) },
		"QueueMicrotask": func() { closed.l.QueueMicrotask(func() {}) },
		"Idle":           func() { closed.l.Idle(func() {}) },
		"Work":           func() { nodeloop.Work(closed.l, func() (int, error) { return 0, nil }, func(int, error) {}) },
		"ReadFile":       func() { closed.l.ReadFile("x", func([]byte, error) {}) },
		"Timer.Refresh":  func() { tm.Refresh() },
		"Stop":           func() { closed.l.Stop() },
		"Log":            func() { closed.l.Log("x") },
	} {
		mustPanic(t, name+" after Close", f)
	}
}

// Pending never goes negative, counts referenced things, and is 0 when Run ends.
func TestPendingCounts(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		if got := w.l.Pending(); got != 0 {
			t.Errorf("Pending = %d in an empty main", got)
		}
		tm := w.l.SetTimeout(time.Second, func() {})
		w.l.SetImmediate(func() {})
		v := w.l.Check(func() {})
		nodeloop.Work(w.l, func() (int, error) { return 0, nil }, func(int, error) {
			if got := w.l.Pending(); got != 2 { // the timer and the check watcher
				t.Errorf("Pending = %d inside the done callback, want 2", got)
			}
			v.Close(nil)
			w.l.ClearTimeout(tm)
		})
		if got := w.l.Pending(); got != 4 {
			t.Errorf("Pending = %d, want 4", got)
		}
	})
	w.checkPending()
}

// The cached time is refreshed before the timers phase and after the poller's wait,
// never between two callbacks of one phase; SetTimeout counts from a fresh reading.
func TestCachedTime(t *testing.T) {
	w := newWorld(t)
	var seen []time.Duration
	w.run(func() {
		w.l.SetTimeout(5*time.Millisecond, func() {
			seen = append(seen, w.elapsed())
			w.clock.Advance(3 * time.Millisecond) // a slow callback
		})
		w.l.SetTimeout(5*time.Millisecond, func() {
			seen = append(seen, w.elapsed())
			// 3 ms later than the cached time: the new timer counts from 8 ms.
			w.l.SetTimeout(10*time.Millisecond, func() { seen = append(seen, w.elapsed()) })
		})
	})
	if len(seen) != 3 || seen[0] != 5*time.Millisecond || seen[1] != 5*time.Millisecond || seen[2] < 18*time.Millisecond {
		t.Fatalf("Now() seen %v, want 5ms, 5ms (cached through the phase), then >= 18ms", seen)
	}
	starts := w.events(traces.KindTimerStart)
	if last := starts[len(starts)-1]; last.Deadline != 18*time.Millisecond {
		t.Fatalf("nested timer's deadline %v, want 18ms (fresh reading 8ms + 10ms)", last.Deadline)
	}
}

// Handles waiting for their close callback make the poll timeout 0.
func TestClosingHandleMakesPollTimeoutZero(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(time.Second, func() {})
		w.l.Check(func() {}).Close(func() {})
	})
	if len(w.waits) < 2 || w.waits[0] != 0 || w.waits[1] != time.Second {
		t.Fatalf("poll timeouts %v, want 0 (a handle closing) then 1s", w.waits)
	}
}
