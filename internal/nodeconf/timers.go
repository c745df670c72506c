package nodeconf

import (
	"fmt"
	"strconv"
	"time"

	"github.com/nodeloop/nodeloop"
)

// A script's delays are milliseconds; Go's are time.Durations.
const ms = time.Millisecond

func timersByDelay(l *nodeloop.Loop, c *console) {
	for _, d := range []int{200, 10, 100, 50} {
		l.SetTimeout(time.Duration(d)*ms, func() { c.log("timeout " + strconv.Itoa(d)) })
	}
	c.log("main")
}

func timersEqualDelay(l *nodeloop.Loop, c *console) {
	for i := 1; i <= 5; i++ {
		l.SetTimeout(20*ms, func() {
			c.log("timeout " + strconv.Itoa(i))
			if i == 1 {
				l.SetTimeout(20*ms, func() { c.log("timeout 6, started by timeout 1") })
			}
		})
	}
	c.log("main")
}

func timerDelayCoercion(l *nodeloop.Loop, c *console) {
	l.SetTimeout(0, func() { c.log("delay 0") })
	l.SetTimeout(-5*ms, func() { c.log("delay -5") })
	// A Duration cannot be NaN; Node coerces NaN as it coerces 0, so 0 stands for it.
	l.SetTimeout(0, func() { c.log("delay NaN") })
	l.SetTimeout(1<<31*ms, func() { c.log("delay 2**31") })
	l.SetTimeout(1700*time.Microsecond, func() { c.log("delay 1.7") })
	l.SetTimeout(3*ms, func() { c.log("delay 3") })
	c.log("main")
}

func timerListsOrder(l *nodeloop.Loop, c *console) {
	l.SetTimeout(10*ms, func() { c.log("a: 10 ms, started at 0") })
	busy(l, 6*ms)
	l.SetTimeout(5*ms, func() { c.log("b: 5 ms, started at 6") })
	l.SetTimeout(10*ms, func() { c.log("c: 10 ms, started at 6") })
	busy(l, 30*ms)
	c.log("main")
}

func refreshFromTick(l *nodeloop.Loop, c *console) {
	var b *nodeloop.Timer
	l.SetTimeout(10*ms, func() {
		c.log("a")
		l.NextTick(func() { b.Refresh() })
	})
	b = l.SetTimeout(10*ms, func() { c.log("b") })
	l.SetTimeout(20*ms, func() { c.log("m: 20 ms") })
	busy(l, 15*ms)
	c.log("main")
}

func timerListExpiryAfterClear(l *nodeloop.Loop, c *console) {
	a1 := l.SetTimeout(20*ms, func() { c.log("a1") })
	l.SetTimeout(30*ms, func() { c.log("b: 30 ms, started at 0") })
	busy(l, 15*ms)
	l.SetTimeout(20*ms, func() { c.log("a2: 20 ms, started at 15") })
	l.ClearTimeout(a1)
	busy(l, 35*ms)
	c.log("main")
}

func timerListUnrefClear(l *nodeloop.Loop, c *console) {
	u := l.SetTimeout(20*ms, func() { c.log("u") })
	u.Unref()
	l.ClearTimeout(u)
	r := l.SetTimeout(25*ms, func() { c.log("r") })
	l.ClearTimeout(r)
	l.SetTimeout(30*ms, func() { c.log("b: 30 ms, started at 0") })
	busy(l, 15*ms)
	l.SetTimeout(20*ms, func() { c.log("u2: 20 ms, started at 15") })
	l.SetTimeout(25*ms, func() { c.log("r2: 25 ms, started at 15") })
	busy(l, 45*ms)
	c.log("main")
}

func clearTimeoutSamePhase(l *nodeloop.Loop, c *console) {
	var b *nodeloop.Timer
	l.SetTimeout(1*ms, func() {
		c.log("a clears b")
		l.ClearTimeout(b)
		l.ClearTimeout(b)
		l.ClearTimeout(nil)
	})
	b = l.SetTimeout(1*ms, func() { c.log("b") })
	l.SetTimeout(1*ms, func() { c.log("c") })
	busy(l, 5*ms)
	c.log("main")
}

func clearTimeoutFromTick(l *nodeloop.Loop, c *console) {
	var b *nodeloop.Timer
	l.SetTimeout(1*ms, func() {
		c.log("a")
		l.QueueMicrotask(func() {
			c.log("microtask from a clears b")
			l.ClearTimeout(b)
		})
	})
	b = l.SetTimeout(1*ms, func() { c.log("b") })
	l.SetTimeout(1*ms, func() { c.log("c") })
	busy(l, 5*ms)
}

func timerStartedInTimersPhase(l *nodeloop.Loop, c *console) {
	l.SetTimeout(1*ms, func() {
		c.log("timeout a")
		l.SetTimeout(0, func() { c.log("timeout from a") })
		l.SetImmediate(func() { c.log("immediate from a") })
		l.NextTick(func() { c.log("tick from a") })
	})
	c.log("main")
}

func microtasksBetweenTimers(l *nodeloop.Loop, c *console) {
	for _, name := range []string{"a", "b", "c"} {
		l.SetTimeout(1*ms, func() {
			c.log("timeout " + name)
			l.NextTick(func() { c.log("tick " + name) })
			l.QueueMicrotask(func() { c.log("promise " + name) })
		})
	}
	c.log("main")
}

func intervalClearInside(l *nodeloop.Loop, c *console) {
	n := 0
	var iv *nodeloop.Timer
	iv = l.SetInterval(0, func() {
		n++
		c.log(fmt.Sprintf("interval %d", n))
		if n == 3 {
			l.ClearTimeout(iv)
			c.log("cleared")
			l.SetTimeout(5*ms, func() { c.log("timeout after clear") })
		}
	})
	c.log("main")
}

func intervalRearmOrder(l *nodeloop.Loop, c *console) {
	n := 0
	var iv *nodeloop.Timer
	iv = l.SetInterval(10*ms, func() {
		n++
		c.log(fmt.Sprintf("interval %d", n))
		if n == 1 {
			l.SetTimeout(10*ms, func() { c.log("timeout started by interval 1") })
		}
		if n == 2 {
			l.ClearTimeout(iv)
		}
	})
	c.log("main")
}

func intervalRefreshInside(l *nodeloop.Loop, c *console) {
	n := 0
	var iv *nodeloop.Timer
	iv = l.SetInterval(10*ms, func() {
		n++
		c.log("interval " + strconv.Itoa(n))
		if n == 1 {
			iv.Refresh()
			l.SetTimeout(10*ms, func() { c.log("timeout started by interval 1") })
		}
		if n == 2 {
			l.ClearTimeout(iv)
		}
	})
	c.log("main")
}

func intervalOncePerPhase(l *nodeloop.Loop, c *console) {
	l.ReadFile(script("interval_once_per_phase"), func([]byte, error) {
		runs := 0
		var iv *nodeloop.Timer
		iv = l.SetInterval(1*ms, func() {
			runs++
			c.log(fmt.Sprintf("interval %d", runs))
			if runs == 3 {
				l.ClearTimeout(iv)
			} else {
				busy(l, 3*ms)
			}
		})
		ims := 0
		var next func()
		next = func() {
			ims++
			c.log(fmt.Sprintf("immediate %d", ims))
			if ims < 3 {
				l.SetImmediate(next)
			}
		}
		l.SetImmediate(next)
		busy(l, 3*ms)
	})
}

func refreshMovesBack(l *nodeloop.Loop, c *console) {
	a := l.SetTimeout(20*ms, func() { c.log("a") })
	l.SetTimeout(20*ms, func() { c.log("b") })
	l.SetTimeout(20*ms, func() { c.log("c") })
	a.Refresh()
	c.log("main")
}

func refreshInCallback(l *nodeloop.Loop, c *console) {
	n := 0
	var t *nodeloop.Timer
	t = l.SetTimeout(2*ms, func() {
		n++
		c.log(fmt.Sprintf("fired %d", n))
		if n < 3 {
			t.Refresh()
		}
	})
	c.log("main")
}

func refreshAfterFire(l *nodeloop.Loop, c *console) {
	n := 0
	var t *nodeloop.Timer
	t = l.SetTimeout(2*ms, func() {
		n++
		c.log(fmt.Sprintf("t fired %d", n))
		if n == 1 {
			l.SetImmediate(func() {
				c.log("immediate refreshes t")
				t.Refresh()
			})
		}
	})
	u := l.SetTimeout(2*ms, func() { c.log("u fired") })
	l.ClearTimeout(u)
	u.Refresh()
	c.log("main")
}

func unrefOnlyExit(l *nodeloop.Loop, c *console) {
	c.onExit(func() { c.log("exit") })
	l.SetTimeout(1*ms, func() { c.log("unref 1 ms") }).Unref()
	l.SetInterval(1*ms, func() { c.log("unref interval") }).Unref()
	c.log("main")
}

func unrefRef(l *nodeloop.Loop, c *console) {
	c.onExit(func() { c.log("exit") })
	b := l.SetTimeout(5*ms, func() { c.log("b: unref, 5 ms") }).Unref()
	c.log(fmt.Sprintf("b.hasRef %t", b.HasRef()))
	a := l.SetTimeout(50*ms, func() { c.log("a: unref then ref, 50 ms") })
	c.log(fmt.Sprintf("a.hasRef %t", a.Unref().HasRef()))
	c.log(fmt.Sprintf("a.hasRef %t", a.Ref().HasRef()))
	l.SetTimeout(10*time.Second, func() { c.log("c: unref, 10 s") }).Unref()
	c.log("main")
}

func refreshDueTimer(l *nodeloop.Loop, c *console) {
	var b *nodeloop.Timer
	l.SetTimeout(1*ms, func() {
		c.log("a refreshes b")
		b.Refresh()
		l.SetImmediate(func() { c.log("immediate from a") })
	})
	b = l.SetTimeout(1*ms, func() { c.log("b") })
	l.SetTimeout(1*ms, func() { c.log("c") })
	busy(l, 5*ms)
	c.log("main")
}

func intervalClearedByTimer(l *nodeloop.Loop, c *console) {
	var iv, iv2, t *nodeloop.Timer
	n := 0
	l.SetTimeout(1*ms, func() {
		c.log("a clears the interval")
		l.ClearTimeout(iv)
	})
	iv = l.SetInterval(1*ms, func() { c.log("interval") })
	iv2 = l.SetInterval(1*ms, func() {
		n++
		c.log(fmt.Sprintf("interval 2 run %d", n))
		if n == 1 {
			l.ClearTimeout(t)
		}
		if n == 2 {
			l.ClearTimeout(iv2)
		}
	})
	t = l.SetTimeout(1*ms, func() { c.log("t") })
	busy(l, 5*ms)
	c.log("main")
}
