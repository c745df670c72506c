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
//   - a timer's callback has the loop do its bookkeeping ([nodeloop.Loop.SettleTimer]:
//     re-arming an interval, looking at the next timer of the list) before the
//     ticks run, which is where the loop runs its own nextTicks;
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
//
// # In the simulator
//
// RunMain runs the loop itself. A program that is given a loop to run on, as a
// simulated run's is, takes the main callback from Main instead, calls Idle each
// time the loop has no more work (which emits 'beforeExit') and runs the loop again
// while it returns true, and reads ExitCode at the end. Config.Clock, when set, is
// what Date, performance.now and process.hrtime read, and Config.Random is the
// source of Math.random: `nodeloop sim FILE.js` gives them the run's virtual time,
// charging each reading to the running callback, and the run's choices.
//
// # Traces
//
// On a traced loop, the runtime names what the script made (Loop.SetNamer): a
// callback event carries the function's name and where its handle was made
// (app.js:12), a timer start, an immediate or a nextTick queued the call that made
// it (setTimeout). The runtime's own nextTicks are traced as the loop's are
// (Loop.HostTickQueued, Loop.HostTickRuns); its promise jobs run inside the engine,
// which the trace does not see.
package js
