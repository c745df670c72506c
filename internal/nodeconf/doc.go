// Package nodeconf is a conformance corpus: small Node.js 20 scripts, the output
// Node prints for each, and the same programs written on nodeloop, whose output
// must match Node's line for line.
//
// # The corpus
//
// testdata/NAME.js is a script that prints one line per event with console.log;
// testdata/NAME.out is exactly what `node NAME.js` prints on standard output. Every
// scenario is deterministic in Node: it prints the same lines on every run, also
// when every core is busy. A scenario that needs time to pass inside a callback
// busy-waits for it, with margins, so that its order never depends on how fast the
// machine is; what would be a race (a 0 ms timeout against an immediate from the
// main module, the interleaving of a TCP server's and a client's events) is left
// out or printed so that it cannot show.
//
// scenarios maps each NAME to its Go version, run by TestConformance:
//
//   - on the operating system's back ends (nodeloop.New), compared with NAME.out;
//   - in the simulator (sim.Run with seeds 1 to 5, files from the embedded
//     testdata directory), compared with NAME.out, except for the scenarios in
//     wallTime, which would need wall-clock time that virtual time does not have
//     (none does: a busy-wait is sim.Busy, which moves virtual time).
//
// A scenario in knownDifferences is one where nodeloop prints something else than
// Node although the two programs are equivalent: the entry says which rule of the
// loop differs from Node. The test logs its diff instead of failing, and fails
// once the outputs agree, so that the entry goes when the loop is fixed. The map
// is empty: every scenario prints what Node prints, on both back ends.
//
// # Re-recording
//
// With Node.js 20 installed, run
//
//	./record.sh            # every scenario
//	./record.sh NAME ...   # some
//
// from this directory. It runs each script 20 times (RUNS=n to change), then 20
// times more under a CPU hog on every core, and writes NAME.out only if every run
// printed the same; otherwise it shows the diff and fails. Without node it says so
// and exits with status 2. To add a scenario, write testdata/NAME.js, record it,
// and add NAME to scenarios.
//
// # From Node's APIs to nodeloop's
//
//	process.nextTick(f)              Loop.NextTick(f)
//	queueMicrotask(f)                Loop.QueueMicrotask(f)
//	Promise.resolve().then(f)        Loop.QueueMicrotask(f); a chained .then is
//	                                 queued by the reaction before it, `await null`
//	                                 resumes in one microtask (see then)
//	setTimeout(f, ms)                Loop.SetTimeout(ms*time.Millisecond, f); NaN,
//	                                 which a Duration cannot hold, is written as 0,
//	                                 which Node coerces alike
//	setInterval(f, ms)               Loop.SetInterval
//	clearTimeout, clearInterval      Loop.ClearTimeout (nil for null)
//	timer.refresh, unref, ref,       Timer.Refresh, Unref, Ref, HasRef
//	timer.hasRef
//	setImmediate, clearImmediate     Loop.SetImmediate, Loop.ClearImmediate
//	immediate.unref                  Immediate.Unref
//	fs.readFile(__filename, cb)      Loop.ReadFile("testdata/NAME.js", cb): an OS
//	                                 path relative to this directory, or a path in
//	                                 the simulator's fs.FS
//	crypto.pbkdf2(...)               nodeloop.Work running crypto/pbkdf2.Key
//	UV_THREADPOOL_SIZE=n             the scenario's workers: WithWorkers(n), or
//	                                 sim.Config.Workers
//	net.createServer, server.listen  Loop.Listen, 'listening' from a NextTick
//	server.close(cb)                 Listener.Close(nil), cb from a NextTick
//	net.connect                      Loop.Dial
//	socket 'data', 'end'             Conn.Read, repeated until io.EOF
//	socket.write                     Conn.Write
//	socket.destroy, 'close'          Conn.Close and its callback (close phase)
//	err.code                         errCode: errors.Is against fs.ErrNotExist
//	                                 (ENOENT) and syscall errnos
//	console.log                      console.log
//	process.on('exit', f)            console.onExit: f runs after Run returns
//	while (performance.now() < end)  busy: sim.Busy, wall-clock time on the
//	                                 operating system, virtual time in the
//	                                 simulator
//
// net.go says more about the net module, whose streams nodeloop does not have.
package nodeconf
