// Package js runs Node.js programs, CommonJS scripts, on a [nodeloop.Loop] with the
// pure-Go ECMAScript engine goja, in Node's order.
//
// Node's order of nextTicks against promise reactions is kept without any hook into
// the engine's promise job queue, which the engine drains by itself whenever a call
// from Go returns with no JavaScript frame left on its stack:
//
//   - the nextTick queue is kept in Go, in this package;
//   - every loop callback runs through a small JavaScript trampoline called from
//     Go. The trampoline calls back into Go, which invokes the callback (catching
//     what it throws) and then runs every queued tick, as nested calls made while the
//     trampoline's frame is on the stack, so that the engine runs no promise job in
//     between;
//   - when the trampoline returns, the engine drains its job queue: that is the
//     microtask checkpoint. While ticks remain (queued by microtasks), the
//     trampoline runs again to drain them, and the engine its jobs after it;
//   - then unhandled rejections are processed as Node 20's default mode does: an
//     'unhandledRejection' listener gets each, or it is thrown as an uncaught
//     exception.
//
// queueMicrotask shares the engine's one job queue (it is a reaction of a promise
// already resolved), so microtasks and promise reactions keep their relative order.
// The loop's own NextTick and QueueMicrotask carry no JavaScript work: they drain
// after the engine has run its jobs.
//
// A run ends as Node's does: with the exit code of process.exit, process.exitCode,
// 1 for an uncaught exception (printed with its stack on stderr in Node's shape),
// 7 when an 'uncaughtException' listener throws; 'beforeExit' runs the loop again
// while listeners give it work, and the 'exit' listeners run once. Nothing a script
// does panics the Go process.
package js
