// Package bench holds nodeloop's side-by-side benchmarks: the same workloads run by
// nodeloop and by named peers in one run, so that every figure is read as a ratio
// against a peer measured on the same machine at the same time, never as an absolute
// number checked by a timed test.
//
// # The workloads
//
// The benchmarks, each with a default size (see [Benchmarks]):
//
//   - [Immediates]: N chained immediates, each queued by the one before it, so every
//     turn is one full loop iteration (Node's setImmediate; libuv's check handle plus
//     the idle handle that keeps the poll timeout at zero).
//   - [ImmediatesListener]: the same chain with one TCP listener on 127.0.0.1 open
//     and idle throughout, as a server's loop between requests: the poller has a
//     descriptor that could become ready on every turn (in Go, a goroutine blocked
//     in Accept beside the channel hand-off).
//   - [Timers]: N one-shot timers started up front and run to completion, in the
//     manner of libuv's million-timers benchmark (the delay grows by 1 ms every 1,000
//     timers). Wall time cannot fall below the last delay, so CPU time is the figure
//     to compare.
//   - [TimersMem]: the timers of [Timers], each implementation in a process of its
//     own that reports its peak resident set size before the first timer and at the
//     end, and the bytes of peak per timer (Extra fields base_kib, rss_kib,
//     bytes_per_timer). nodeloop's and Go's run as a child of the running program.
//   - [Pool]: N trivial jobs submitted to a four-worker pool all at once and run to
//     completion.
//   - [PingPong]: N round trips of 4-byte messages over TCP on 127.0.0.1, both ends in
//     one process.
//   - [HTTP]: N HTTP/1.1 requests on 16 keep-alive connections from one Go load
//     client that checks every response byte for byte: a minimal server on the loop,
//     net/http, and Node's http module (peers/node/http_server.js, driven from
//     [Workloads]); libuv has no peer. Compare requests per wall second: the CPU
//     column counts the client with the server.
//   - [Post1], [Post4], [Post16] (together [PostGroup], "post" wherever a list of
//     benchmarks is read, see [Expand]): N messages posted to the loop from 1, 4 or 16
//     goroutines (threads) at once, the loop counting them: Loop.Post; in libuv a
//     mutex-protected queue and uv_async_send, as libuv programs hand their loop
//     work; in Go a buffered channel read by one goroutine. One peer program serves
//     all three, given the poster count after the operation count.
//   - [PostRTT]: N round trips of a post: another goroutine posts, waits until the
//     function ran, and posts again (in libuv, a semaphore the async callback
//     posts).
//   - The JavaScript benchmarks ([JSGroup], "js"): one script each in peers/js,
//     run unchanged by node and by `nodeloop run` in a process of their own, each
//     timing its measured part with process.hrtime.bigint and process.cpuUsage:
//     [JSImmediates], [JSTimers], [JSTicks] (nextTick and promise steps
//     alternating), [JSPingPong] (net); and [JSStart], the start of an empty
//     script, each operation one whole process timed from outside. nodeloop's rows
//     need the nodeloop command, which nodeloop bench gives them ([WithNodeloop]).
//
// Node.js has no peer for the post benchmarks: its threads share nothing with the
// loop but messages (worker_threads' postMessage copies and serializes each one), so
// no Node program does what the others do; [Run] leaves a peer out of the rows of a
// benchmark it has no program for.
//
// # The implementations
//
// An implementation ("impl") is named by a short word:
//
//   - "libuv": C programs on the system's libuv (peers/libuv/*.c), compiled at run
//     time with gcc and pkg-config into a temporary directory.
//   - "node": Node.js scripts (peers/node/*.js) run with the node on PATH.
//   - "go": plain Go with goroutines and channels, in this package (goref.go).
//   - "nodeloop": the loop itself (nodeloop.go), as New makes it: on the operating
//     system's clock, poller and pool.
//
// The in-process implementations, nodeloop's and Go's, are the rows of one table,
// [Workloads]; [Config.Workloads] replaces it for a run.
//
// The C and JavaScript sources are embedded in the package, so a binary that imports
// it can run the peers from any directory. bench/setup.sh installs their toolchain on
// Debian 12 (gcc, pkg-config, libuv1-dev, and nodejs unless a node is on PATH); when
// one is missing, [Peers.Check] and [Run] return an error wrapping [ErrUnavailable]
// that names the script.
//
// Each external peer takes its operation count as its first argument and prints one
// line on stdout:
//
//	RESULT name=immediates impl=libuv ops=10000000 ns=12464734718 cpu_ns=12460863000 version=1.44.2
//
// ns is the wall time of the measured part (CLOCK_MONOTONIC, process.hrtime.bigint),
// cpu_ns the process's user plus system CPU time over it (getrusage,
// process.cpuUsage), threadpool threads included. Further key=value fields are kept
// in [Result.Extra]. [ParseResult] reads such a line.
//
// # Measuring alike
//
// Every implementation does the same work with the same operation count, once, with
// no warm-up round, on real time, and is timed over the same part of the workload as
// the libuv peer times itself: from after the loop is made to the end of uv_run (the
// ping-pong from the connected client's first write to the last answer). An
// in-process run starts with [StartSpan], which first hands the memory earlier runs
// freed back to the system, so that it starts as cold as a peer in a new process.
//
// # Running and reading
//
// [Run] runs every requested implementation of every requested benchmark, one after
// the other, and returns one [Result] per pair. [Table] prints them side by side with
// each row's time per operation divided by a chosen baseline's (libuv, say), and
// [RatioTable] prints a subject (nodeloop, say) against every other implementation.
// A ratio above 1 means more time per operation than the implementation it is
// divided by.
//
// The plain Go peers also run as Go benchmarks:
//
//	go test ./internal/bench -run '^$' -bench Go
package bench
