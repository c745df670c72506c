// Package nodeloop is the event loop of Node.js in Go: libuv's phases, timers,
// immediates, nextTick and microtasks, a worker pool, and (with package poller)
// non-blocking sockets, built against three small interfaces (Clock, poller.Poller and
// Pool) so that one program runs on the real operating system or inside a
// deterministic simulator.
//
// # The iteration
//
// Run runs main as the first callback, then iterates while the loop is alive. Each
// tick runs these phases, in this order:
//
//	timers → pending → idle → prepare → poll → check → close
//
// After main and after every single callback, the loop drains the nextTick queue,
// then the microtask queue, and repeats while either has work, as Node does. The
// rules are those of Node.js 20 on libuv 1.45; docs/semantics.md in the module
// states each one with the tests that pin it, and docs/architecture.md maps the
// packages and where to extend them.
//
// # Goroutines
//
// One goroutine runs the loop: the one that calls Run. Every method except Post is
// called from it, from main or from a callback. Misuse (a nil callback, a method
// called after Close) is a programming error and panics with a message that starts
// "nodeloop:" and says what to do instead. Errors from outside (the network, files)
// are error values given to callbacks, never panics.
//
// # Handles
//
// Timers, immediates, watchers, listeners and connections are handles. A handle keeps
// the loop alive while it is active (a timer armed, an immediate queued, a watcher
// started, a listener open, a connection with a read or a write in flight) and
// referenced: Unref lets the loop end with it still active, Ref undoes that, and
// HasRef tells which of the two was called last. Every handle type answers them the
// same way. After the handle's own Close (for a timer ClearTimeout, for an immediate
// ClearImmediate) Ref and Unref change only what HasRef reports; after the loop's
// Close they panic, as every method does but plain questions such as HasRef, Active
// and ID. Pending counts what keeps the loop alive, and Handles lists it.
//
// # Time
//
// The loop reads its Clock only before the timers phase, after each wait of the poll
// phase and when a timer starts. With fakeclock and fakepoller, time is virtual and
// moves only inside the poller's wait, so an hour of timers takes milliseconds.
package nodeloop
