package nodeconf

import "github.com/nodeloop/nodeloop"

func immediateFIFONested(l *nodeloop.Loop, c *console) {
	l.SetImmediate(func() {
		c.log("immediate a")
		l.SetImmediate(func() {
			c.log("immediate from a")
			l.SetImmediate(func() { c.log("immediate from immediate from a") })
		})
	})
	l.SetImmediate(func() { c.log("immediate b") })
	l.SetImmediate(func() { c.log("immediate c") })
	c.log("main")
}

func immediateTicksBetween(l *nodeloop.Loop, c *console) {
	for _, name := range []string{"a", "b"} {
		l.SetImmediate(func() {
			c.log("immediate " + name)
			l.QueueMicrotask(func() { c.log("promise " + name) })
			l.NextTick(func() { c.log("tick " + name) })
		})
	}
	c.log("main")
}

func clearImmediate(l *nodeloop.Loop, c *console) {
	var b nodeloop.Immediate
	l.SetImmediate(func() {
		c.log("a clears b")
		l.ClearImmediate(b)
		l.ClearImmediate(nodeloop.Immediate{}) // clearImmediate(undefined)
	})
	b = l.SetImmediate(func() { c.log("b") })
	l.SetImmediate(func() { c.log("c") })
	d := l.SetImmediate(func() { c.log("d") })
	l.ClearImmediate(d)
	c.log("main")
}

func clearImmediateFromTick(l *nodeloop.Loop, c *console) {
	var b nodeloop.Immediate
	l.SetImmediate(func() {
		c.log("a")
		l.NextTick(func() {
			c.log("tick from a clears b")
			l.ClearImmediate(b)
		})
	})
	b = l.SetImmediate(func() { c.log("b") })
	l.SetImmediate(func() { c.log("c") })
}

func immediateUnrefExit(l *nodeloop.Loop, c *console) {
	c.onExit(func() { c.log("exit") })
	l.SetImmediate(func() { c.log("never: unref immediate") }).Unref()
	c.log("main")
}

func immediateUnrefWithTimer(l *nodeloop.Loop, c *console) {
	l.ReadFile(script("immediate_unref_with_timer"), func([]byte, error) {
		l.SetImmediate(func() { c.log("unref immediate") }).Unref()
		l.SetTimeout(5*ms, func() { c.log("timeout 5 ms") })
		c.log("read callback")
	})
}
