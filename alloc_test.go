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
	if create > 1 || withTick != 0 {
		t.Errorf("SetImmediate: %v allocations (want <= 1); with the tick that runs it: %v (want 0: the storage of one that ran is reused)", create, withTick)
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

// A posted function costs no allocation in steady state, on the simulated loop and on
// the operating system's, the Post and the poll phase that runs it together.
func TestAllocsPost(t *testing.T) {
	real, err := nodeloop.New(nodeloop.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { real.Close() })
	for _, tt := range []struct {
		name string
		l    *nodeloop.Loop
	}{{"simulated", noTrace(t).l}, {"os", real}} {
		ran := 0
		fn := func() { ran++ }
		n := testing.AllocsPerRun(5000, func() {
			if err := tt.l.Post(fn); err != nil {
				t.Fatal(err)
			}
			runOnce(t, tt.l, false)
		})
		if n != 0 {
			t.Errorf("%s: Post and the tick that runs it: %v allocations, want 0", tt.name, n)
		}
		if ran < 5000 {
			t.Fatalf("%s: %d posted functions ran, want >= 5000", tt.name, ran)
		}
	}
}

// A pool job made by Work costs less than one allocation on the loop's own pool, the
// submission, the worker's run, the hand-back and the done callback included: its
// request comes from a block of them, allocated once for dozens of requests.
func TestAllocsPoolJob(t *testing.T) {
	l, err := nodeloop.New(nodeloop.WithWorkers(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	done := 0
	work := func() (int, error) { return 7, nil }
	finish := func(v int, err error) {
		if v == 7 && err == nil {
			done++
		}
	}
	job := func() {
		want := done + 1
		nodeloop.Work(l, work, finish)
		for done < want {
			runOnce(t, l, true)
		}
	}
	job() // the workers start with the first job
	if n := testing.AllocsPerRun(2000, job); n != 0 {
		t.Errorf("a pool job: %v allocations, want 0 (its share of its request's block)", n)
	}
}
