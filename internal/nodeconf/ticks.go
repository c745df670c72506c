package nodeconf

import "github.com/nodeloop/nodeloop"

// A promise reaction is a microtask: Promise.resolve().then(f) is QueueMicrotask(f),
// and each further .then of a chain is queued by the reaction before it, when that
// one has run. `await null` resumes its async function in one microtask.

func tickBeforeMicrotask(l *nodeloop.Loop, c *console) {
	l.QueueMicrotask(func() { c.log("promise 1") })
	l.QueueMicrotask(func() { c.log("microtask 2") })
	l.NextTick(func() { c.log("tick 1") })
	l.QueueMicrotask(func() { c.log("promise 3") })
	l.NextTick(func() { c.log("tick 2") })
	c.log("main")
}

func tickFromMicrotask(l *nodeloop.Loop, c *console) {
	l.QueueMicrotask(func() {
		c.log("microtask 1")
		l.NextTick(func() { c.log("tick from microtask 1") })
		l.QueueMicrotask(func() { c.log("microtask from microtask 1") })
	})
	l.QueueMicrotask(func() { c.log("microtask 2") })
	c.log("main")
}

func microtaskFromTick(l *nodeloop.Loop, c *console) {
	l.NextTick(func() {
		c.log("tick 1")
		l.QueueMicrotask(func() { c.log("promise from tick 1") })
		l.NextTick(func() { c.log("tick from tick 1") })
	})
	l.NextTick(func() { c.log("tick 2") })
	l.QueueMicrotask(func() {
		c.log("microtask 1")
		l.NextTick(func() {
			c.log("tick from microtask 1")
			l.QueueMicrotask(func() { c.log("microtask from tick from microtask 1") })
		})
	})
	c.log("main")
}

// then is a chain of promise reactions on a resolved promise: each step is queued
// when the one before it has run.
func then(l *nodeloop.Loop, steps ...func()) {
	if len(steps) == 0 {
		return
	}
	l.QueueMicrotask(func() {
		steps[0]()
		then(l, steps[1:]...)
	})
}

func promiseChain(l *nodeloop.Loop, c *console) {
	then(l, func() { c.log("a1") }, func() { c.log("a2") }, func() { c.log("a3") })
	then(l, func() { c.log("b1") }, func() { c.log("b2") })
	l.QueueMicrotask(func() { c.log("c1") })
	c.log("main")
}

func awaitInterleave(l *nodeloop.Loop, c *console) {
	// async function f: its body up to the first await runs at the call; each
	// `await null` continues it in a microtask.
	c.log("f start")
	then(l, func() { c.log("f after await 1") }, func() { c.log("f after await 2") })
	then(l, func() { c.log("p1") }, func() { c.log("p2") })
	l.NextTick(func() { c.log("tick") })
	c.log("main end")
}
