package nodeloop_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// noTrace is a world without a tracer, as the hot path runs in production.
func noTrace(t *testing.T) *world {
	w := newWorld(t, nodeloop.WithTracer(nil), nodeloop.WithStepLimit(0))
	return w
}

func runOnce(t *testing.T, l *nodeloop.Loop, block bool) {
	if _, err := l.RunOnce(block); err != nil {
		t.Fatal(err)
	}
}

func TestAllocsRunOnceIdle(t *testing.T) {
	w := noTrace(t)
	if n := testing.AllocsPerRun(1000, func() { runOnce(t, w.l, false) }); n != 0 {
		t.Errorf("RunOnce(false) on an empty loop: %v allocations, want 0", n)
	}
	w.l.SetTimeout(time.Hour, func() {}) // alive, nothing due
	if n := testing.AllocsPerRun(1000, func() { runOnce(t, w.l, false) }); n != 0 {
		t.Errorf("RunOnce(false) on an alive idle loop: %v allocations, want 0", n)
	}
	l, _ := newReal(t, 0)
	l.SetTimeout(time.Hour, func() {})
	if n := testing.AllocsPerRun(1000, func() { runOnce(t, l, false) }); n != 0 {
		t.Errorf("RunOnce(false) on the OS poller: %v allocations, want 0", n)
	}
}

func TestAllocsTimerFiring(t *testing.T) {
	w := noTrace(t)
	fired := 0
	cb := func() { fired++ }
	w.l.SetInterval(time.Millisecond, cb)
	if n := testing.AllocsPerRun(1000, func() { runOnce(t, w.l, true) }); n != 0 {
		t.Errorf("an interval firing: %v allocations, want 0", n)
	}
	w2 := noTrace(t)
	tm := w2.l.SetTimeout(time.Millisecond, cb)
	if n := testing.AllocsPerRun(1000, func() { tm.Refresh(); runOnce(t, w2.l, true) }); n != 0 {
		t.Errorf("a refreshed timeout firing: %v allocations, want 0", n)
	}
	if fired < 2000 {
		t.Fatalf("timers fired %d times, want >= 2000", fired)
	}
}

func TestAllocsImmediateTick(t *testing.T) {
	w := noTrace(t)
	ran := 0
	cb := func() { ran++ }
	create := testing.AllocsPerRun(1000, func() { w.l.SetImmediate(cb) })
	runOnce(t, w.l, false)
	withTick := testing.AllocsPerRun(1000, func() { w.l.SetImmediate(cb); runOnce(t, w.l, false) })
	if create > 1 || withTick != create {
		t.Errorf("SetImmediate: %v allocations (want <= 1); with the tick that runs it: %v (want the same)", create, withTick)
	}
	if ran < 2000 {
		t.Fatalf("immediates ran %d times", ran)
	}
}

func TestAllocsCreateTimer(t *testing.T) {
	w := noTrace(t)
	cb := func() {}
	if n := testing.AllocsPerRun(1000, func() { w.l.ClearTimeout(w.l.SetTimeout(time.Second, cb)) }); n > 1 {
		t.Errorf("SetTimeout: %v allocations, want <= 1", n)
	}
	if n := testing.AllocsPerRun(1000, func() { w.l.ClearImmediate(w.l.SetImmediate(cb)) }); n > 1 {
		t.Errorf("SetImmediate: %v allocations, want <= 1", n)
	}
}
