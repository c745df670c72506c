package nodeloop_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// NextTick and QueueMicrotask never run inside the call that queued them.
func TestNextTickNotInsideCall(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.NextTick(func() { w.add("tick") })
		w.l.QueueMicrotask(func() { w.add("micro") })
		w.add("main")
	})
	w.want("main", "tick", "micro")
}

// The whole nextTick queue (with ticks added while draining), then the whole
// microtask queue, repeated while either has work: Node's processTicksAndRejections.
func TestTicksThenMicrotasksRepeated(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.NextTick(func() {
			w.add("A")
			w.l.QueueMicrotask(func() { w.add("C") })
			w.l.NextTick(func() { w.add("D") })
		})
		w.l.QueueMicrotask(func() {
			w.add("B")
			w.l.NextTick(func() { w.add("E") })
			w.l.QueueMicrotask(func() { w.add("F") })
		})
	})
	w.want("A", "D", "B", "C", "F", "E")
}

// After every single callback (each timer, immediate, pool completion, watcher, close
// callback), the queues drain before the next callback starts.
func TestTicksDrainedAfterEveryCallback(t *testing.T) {
	w := newWorld(t)
	both := func(name string) func() {
		return func() {
			w.add(name)
			w.l.NextTick(func() { w.add(name + ".tick") })
			w.l.QueueMicrotask(func() { w.add(name + ".micro") })
		}
	}
	w.run(func() {
		w.l.SetTimeout(0, both("t1"))
		w.l.SetTimeout(0, both("t2"))
		w.l.SetTimeout(5*time.Millisecond, func() {
			w.l.SetImmediate(both("i1"))
			w.l.SetImmediate(both("i2"))
			nodeloop.Work(w.l, func() (int, error) { return 0, nil }, func(int, error) {
				both("p1")()
				var c *nodeloop.Watcher
				c = w.l.Check(func() {
					both("check")()
					c.Close(both("close"))
				})
			})
		})
	})
	w.want("t1", "t1.tick", "t1.micro", "t2", "t2.tick", "t2.micro",
		"i1", "i1.tick", "i1.micro", "i2", "i2.tick", "i2.micro",
		"p1", "p1.tick", "p1.micro", "check", "check.tick", "check.micro",
		"close", "close.tick", "close.micro")
	// (I) no macrotask callback starts while a nextTick or microtask is queued: every
	// tick and microtask recorded ran right after the callback that queued it.
	w.checkPending()
}

// A recursive nextTick starves the loop as in Node; WithStepLimit turns the hang
// into an error.
func TestRecursiveNextTickHitsStepLimit(t *testing.T) {
	w := newWorld(t, nodeloop.WithStepLimit(10000))
	ran := false
	var again func()
	again = func() { w.l.NextTick(again) }
	err := w.l.Run(func() {
		w.l.SetTimeout(0, func() { ran = true })
		again()
	})
	if !errors.Is(err, nodeloop.ErrStepLimit) {
		t.Fatalf("Run = %v, want an error wrapping ErrStepLimit", err)
	}
	if ran {
		t.Fatal("a timer ran while nextTicks starved the loop")
	}
}

// Immediates run FIFO in the check phase; one queued during the check phase runs in
// the next tick; a cleared one never runs; unref'd ones do not keep the loop alive.
func TestImmediates(t *testing.T) {
	w := newWorld(t)
	var tickOfFirst, tickOfNested uint64
	w.run(func() {
		w.l.SetImmediate(func() {
			w.add("1")
			tickOfFirst = tickOf(w)
			w.l.SetImmediate(func() { w.add("nested"); tickOfNested = tickOf(w) })
		})
		im := w.l.SetImmediate(func() { w.add("cleared") })
		w.l.SetImmediate(func() { w.add("3") })
		w.l.ClearImmediate(im)
		w.l.ClearImmediate(im)
		w.l.ClearImmediate(nodeloop.Immediate{})
	})
	w.want("1", "3", "nested")
	if tickOfNested != tickOfFirst+1 {
		t.Fatalf("nested immediate ran in tick %d, queued in tick %d: want the next tick", tickOfNested, tickOfFirst)
	}

	w = newWorld(t)
	w.run(func() {
		im := w.l.SetImmediate(func() { w.add("unref") }).Unref()
		if im.HasRef() || w.l.Pending() != 0 {
			t.Errorf("unref'd immediate: HasRef=%v Pending=%d", im.HasRef(), w.l.Pending())
		}
	})
	w.want()

	w = newWorld(t)
	w.run(func() {
		w.l.SetImmediate(func() { w.add("unref") }).Unref().Ref()
	})
	w.want("unref")
}

// Pending immediates make the poll timeout 0 even with a timer pending.
func TestImmediateMakesPollTimeoutZero(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(time.Second, func() {})
		w.l.SetImmediate(func() {})
	})
	if len(w.waits) < 2 || w.waits[0] != 0 || w.waits[1] != time.Second {
		t.Fatalf("poll timeouts %v, want 0 then 1s", w.waits)
	}
}

// Inside a pool (or I/O) callback, an immediate always runs before a 0 ms timeout:
// poll → check → next tick's timers.
func TestImmediateBeforeTimeoutFromPoolCallback(t *testing.T) {
	for i := 0; i < 3; i++ {
		w := newWorld(t)
		w.run(func() {
			nodeloop.Work(w.l, func() (int, error) { return 0, nil }, func(int, error) {
				w.l.SetTimeout(0, func() { w.add("timeout") })
				w.l.SetImmediate(func() { w.add("immediate") })
			})
		})
		w.want("immediate", "timeout")
	}
}

// An immediate queued by a check watcher, in the check phase, runs in the next tick;
// a nextTick queued before Run runs before main.
func TestImmediateFromCheckWatcherAndTickBeforeRun(t *testing.T) {
	w := newWorld(t)
	var queuedIn, ranIn uint64
	var c *nodeloop.Watcher
	c = w.l.Check(func() {
		c.Close(nil)
		queuedIn = tickOf(w)
		w.l.SetImmediate(func() { ranIn = tickOf(w) })
	})
	w.l.NextTick(func() { w.add("tick before Run") })
	w.run(func() {
		w.add("main")
		w.l.SetImmediate(func() { w.add("immediate from main") }) // the poll does not wait
	})
	if ranIn != queuedIn+1 {
		t.Fatalf("immediate queued in tick %d ran in tick %d, want the next", queuedIn, ranIn)
	}
	w.want("tick before Run", "main", "immediate from main")
}
