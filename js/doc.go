// Package js runs Node.js programs, CommonJS scripts, on a [nodeloop.Loop] with the
// pure-Go ECMAScript engine goja, in Node's order.
//
// Node's order of nextTicks against promise reactions is kept without any hook into
// the engine's promise job queue, which the engine drains by itself whenever a call
// from Go returns with no JavaScript frame left on its stack, and which the runtime
// never touches:
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
//   - when a timer's callback and its ticks leave no promise job, no rejection and
//     no tick behind, its checkpoint would do nothing: the next timer of the list
//     then runs inside the same trampoline ([nodeloop.Loop.RunNextTimer]), and so
//     on while that holds, which spares a call from Go into the engine per timer.
//     The engine offers no way to ask whether jobs wait; the runtime reads the
//     length of its queue, and never the jobs, and gives each timer its own
//     trampoline when it cannot;
//   - when the trampoline returns, the engine drains its job queue: that is the
//     microtask checkpoint. While ticks remain (queued by microtasks), the
//     trampoline runs again to drain them, and the engine its jobs after it;
//   - then unhandled rejections are processed as Node 20's default mode does: an
//     'unhandledRejection' listener gets each, or it is thrown as an uncaught
//     exception. NODE_OPTIONS=--unhandled-rejections=MODE chooses another of
//     Node's modes, as it does for node: strict, none, warn or
//     warn-with-error-code. A handler added to a rejection already reported
//     emits 'rejectionHandled' (or, without a listener, a
//     PromiseRejectionHandledWarning) after the microtasks queued meanwhile;
//   - an exception that leaves a callback or a tick, once an 'uncaughtException'
//     listener handled it, ends the drain there, as in Node: the ticks, the
//     microtasks (held out of the engine's queue) and the rejections left run
//     after the next callback of the batch, which runs first (the next immediate;
//     the next timer of the list, or else they run before the next list); Node's
//     check phase drains them before its first immediate, and runs the immediates
//     queued since when its last one threw ([nodeloop.Loop.ContinueImmediates]).
//     The handler queues an Immediate that does nothing (its callback is noop),
//     as Node's does, and the trace logs the throw ([traces.MsgThrown]).
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
// # Built-in modules
//
// Besides the globals, require gives timers, events, util, assert, process,
// perf_hooks and these, each a file mod_NAME.go with its JavaScript in lib/:
//
//   - buffer: Buffer, global too, a Uint8Array subclass as Node's, its encodings
//     (utf8, hex, base64, base64url, latin1, ascii, utf16le) done in Go;
//   - fs and fs/promises: the file functions on the loop's pool, their callbacks
//     entering JavaScript in the poll phase through the same path as every loop
//     callback, and the Sync forms a script uses at startup, with Node's errors
//     (err.code, err.errno, err.syscall, err.path). Every one of them, the Sync
//     forms and descriptors included, works on the loop's file system: the
//     operating system's, or the fs.FS the loop was given ([nodeloop.WithFS],
//     [nodeloop.Loop.FS]), a script's path being named in it by [FSName]. On an
//     fs.FS a descriptor holds no data: each read reads the file and each write
//     writes it through the fs.FS's methods. A Stats holds what fs.FileInfo
//     says, every time being mtime (the epoch on an fs.FS that keeps no times);
//   - path, with POSIX rules;
//   - crypto: createHash and createHmac, pbkdf2 on the pool (crypto/pbkdf2),
//     randomBytes, randomUUID, randomInt and getRandomValues, whose bytes come
//     from Config.Random when it is set (6 bytes a draw), else from the
//     operating system;
//   - net: TCP servers and sockets on the loop's, a Socket being an EventEmitter
//     with the stream methods scripts use rather than a full Duplex; a write
//     the system takes at once calls back in a nextTick, as in Node, and one
//     that waits for the system in the poll phase, after 'drain' (on Windows
//     every write waits: its poller has no write at once);
//   - timers/promises, and the globals AbortController, AbortSignal,
//     EventTarget, Event and DOMException. The engine has no for await...of and
//     no async generators: setInterval's iterator is driven with next and
//     return, and either syntax fails as a SyntaxError naming it.
//
// A ThreadPool given to the loop (nodeloop.WithPool) and bound to the runtime is
// sized by the script's UV_THREADPOOL_SIZE at the first job, as libuv's pool.
//
// # In the simulator
//
// RunMain runs the loop itself. A program that is given a loop to run on, as a
// simulated run's is, takes the main callback from Main instead, calls Idle each
// time the loop has no more work (which emits 'beforeExit') and runs the loop again
// while it returns true, and reads ExitCode at the end. Config.Clock, when set, is
// what Date, performance.now and process.hrtime read, and Config.Random is the
// source of Math.random and of crypto's random bytes: `nodeloop sim FILE.js` gives
// them the run's virtual time, charging each reading to the running callback, and
// the run's choices. The files are the simulated run's disk (sim.Config.FS), which
// the loop was given: a Sync form reads and writes it at once, in no virtual time,
// as it blocks the loop in Node; the other forms take their pool job's time.
//
// [Program] makes a script a host of a sim.World: it runs on the host's loop, from
// the start again at each restart, its net on the world's network, its fs on the
// host's disk (fs.fsync makes a write durable there), its randomness from the
// world's choices and its Date from the host's wall clock; process.exit ends that
// host alone.
//
// # Limits
//
// Runaway recursion ends at Config.MaxCallStackSize frames with a RangeError
// "Maximum call stack size exceeded", printed as Node prints an uncaught one, exit
// code 1; the engine's recursion uses no Go stack, so the process survives it. The
// engine makes that error uncatchable: a try/catch or finally around the
// recursion does not see it, where Node's catch would, and the program ends.
//
// An endless synchronous loop that reads no clock (while (true) {}) spends no
// virtual time and runs no callback, so neither a simulated run's time limit nor
// its step limit can end it, and the engine has no instruction counter. Config.
// SyncLimit ends it: a watchdog, armed only while JavaScript runs, interrupts the
// engine when one callback (with its ticks and microtasks) has run for longer than
// the limit of real time, and the program stops with a [SyncLimitError] naming
// where it was. This one limit is real time, not virtual, because nothing else
// measures a loop that reads no clock; so it is set far above what any callback
// should take (nodeloop sim's default is 10 s), a run under it is the run
// without it, and a run that passes it depends on the machine's speed and cannot
// be replayed.
//
// # Traces
//
// On a traced loop, the runtime names what the script made (Loop.SetNamer): a
// callback event carries the function's name and where its handle was made
// (app.js:12), a timer start, an immediate or a nextTick queued the call that made
// it (setTimeout). The runtime's own nextTicks and queueMicrotask callbacks are
// traced as the loop's are (Loop.HostTickQueued, Loop.HostTickRuns,
// Loop.HostMicrotaskQueued, Loop.HostMicrotaskRuns), named as the other
// callbacks. Promise reactions are not: the engine queues and runs them itself,
// with no hook that would let the runtime see one queued or starting, so the trace
// does not see them.
package js
