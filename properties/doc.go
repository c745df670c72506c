// Package properties checks recorded traces of a nodeloop.Loop against the loop's
// invariants: the rules marked (I) in docs/semantics.md that a trace can show.
//
// [Check] takes the events of a trace (a traces.Recorder's, or a decoded file's)
// and returns every [Violation] it finds, each naming its rule, the positions and
// seq numbers of the events involved, and what is wrong. It works on real and
// simulated traces alike, on traces of Run and of RunOnce, and on traces cut
// short: a rule reports only what the events present prove, never what might
// still have happened after the last one. [Rules] lists the rules with a line
// each; this page says what each one checks and where it stops.
//
//	for _, v := range properties.Check(rec.Events()) {
//		t.Error(v)
//	}
//
// A trace too long to hold in memory goes through a [Checker] instead, one event
// at a time as a traces.Decoder reads it: it finds what Check finds, keeping only
// what is live at the event it has reached (queued callbacks, armed timers, open
// operations, closing handles) and a bounded memory of finished ids, so that
// checking a trace of millions of events takes the memory of a short one.
//
// The trace of a simulated world of several hosts (sim.World) holds every host's
// loop, each restart of a host beginning a new run of its program. [CheckWorld]
// (and Check, given such a trace) checks each run of each host apart, as the trace
// of a loop of its own, and each violation names its host and run; a
// [WorldChecker] does so one event at a time.
//
// [Test] goes one step further for a program of one's own: it runs the program in
// the simulator on many schedules and faults drawn by rapid, checks each trace, and
// shrinks a failure to a small case. The program draws its own workload with
// sim.Choose, sim.Duration and sim.Bool, which rapid then draws and shrinks with
// the schedule; Test's options reach every field of sim.Config (WithConfig for
// those without an option of their own). [TestWorld] does the same for a world of
// several hosts: it builds the world on choices rapid draws, checks every run of
// every host and the world's own check, and shrinks a failure as Test does.
// [Sweep] runs a program over a range of seeds from go test's flags, shardable
// across machines. Check, Checker, CheckWorld, WorldChecker, ViolationsError,
// Rules, Violation, Test, TestWorld, ShrunkChoices, Errorf, Sweep and their
// options are the whole package; the reference model that the project's own tests
// compare the loop against is internal to the module.
//
// # Reading a trace
//
// A trace must start with the loop's first event. Check splits it into runs and
// phase spans. An end event closes a Run or RunOnce call; the events after it,
// until the loop enters a phase again, were made between two calls and belong to
// no phase, although they carry the phase the loop was last in. A phase span is
// one stretch of one phase: it opens at a tick event, or at the first event of a
// tick in another phase than the one before, and ends at its last event or at an
// end event. Events in PhaseMain (the main callback, and a Run's draining of
// nextTicks before its first tick) belong to no tick's phase order.
//
// # Rules
//
// sequence ([RuleSequence]): seq is 1 at the first event and grows by one; the
// tick grows by one at each tick event and changes at no other event.
//
// phase-order ([RulePhaseOrder]): within a tick, the phases of the events outside
// PhaseMain run timers, pending, idle, prepare, poll, check, close; any may be
// missing, none may come back after a later one (the events written between two
// calls carry the phase the loop was in, so they never count as going back). A
// tick begins in the timers phase, but for tick 1 begun by RunOnce, which begins
// in the pending phase; events before tick 1 are in PhaseMain. Callbacks run in
// their source's phase: main in main, timer and interval in timers, idle,
// prepare and check watchers in theirs, immediate in check, close in close, post
// in poll (pool, op and pending callbacks are the exactly-once rule's).
//
// pending ([RulePending]): Pending is never negative. A Run that ends neither
// stopped (an end event without Stopped) nor failed (no Err) ends with pending 0. The loop checks
// liveness before each tick of Run and before RunOnce's first tick, and after
// every timers phase. A tick event is written right after its check with nothing
// between them that changes the count, so the tick event's own Pending is what
// the check saw, and it must not be 0; the one exception is the timers phase
// RunOnce runs at its end without a check (a tick in a run that RunOnce's end
// event closes, or one the trace stops in before the run goes past it). After a
// timers phase the loop goes on only if it is alive: when the last event of a
// timers phase and the first event of the following phase of that tick both
// show 0, the rule reports them. Limits: Ref, Unref, Post and a handle closed
// without a callback change the count without an event, so a 0 followed by a
// rise, or a fall to 0 between two events, proves nothing, and the rule reads
// only the events next to a check. A Post from another goroutine can land between
// a check and its event, which only raises the count; it can make a real Run end
// with pending 1, which this rule then reports.
//
// timer-order ([RuleTimerOrder]): Node keeps one list of timers per delay, in start
// order, and its timers phase runs the due timers of one list after another. So in
// one timers phase the timer and interval callbacks of one delay run in increasing
// start order, and with no callback of a timer of another delay between two of
// them. A timer's delay and start order are those of the timer_start in force when
// the phase began collecting due timers: its latest timer_start strictly before the
// phase span's first event (the tick event). Refresh and an interval's re-arm write
// new timer_start events with the same ID; a Refresh before the phase moves the
// timer behind the ones of its delay started before it. The start order is the
// position of that timer_start. Limits: the order of the lists, by expiry and id,
// is not checked: a clear makes the list of its delay go only when the timer was
// referenced, and Ref and Unref leave no event.
//
// timer-same-phase ([RuleTimerSamePhase]): a timer started (or restarted) during
// a timers phase does not run in it, but for Node's own exception: a timer due when
// the phase began, restarted in the nextTick and microtask callbacks that follow
// the callback of a timer of its delay, runs right after them (Node had taken it for
// running before they ran). The re-arm of an interval, written right
// before its callback, is not counted against that callback, but it is against
// any later one in the same phase: an interval runs at most once per phase. A
// timer callback with no timer_start before its phase is reported too.
//
// timer-deadline ([RuleTimerDeadline]): a timer callback's Time (the loop's cached
// time, read before the phase began) is at least the Deadline of the timer_start
// in force when its phase began, as defined above. The re-arm right before an
// interval's callback carries the next deadline and is never the one compared.
//
// tick-queues ([RuleTickQueues]): tick_queue and microtask_queue events add IDs to
// the two queues; nextTick and microtask callbacks take them out. After each
// macrotask callback the loop drains the whole nextTick queue, ticks queued
// meanwhile included, then the whole microtask queue, microtasks queued meanwhile
// included while the nextTicks they queue wait, and repeats. So: no other callback
// starts while either queue holds an ID; each queue runs FIFO and only what was
// queued; a microtask never runs while a nextTick waits that was queued before
// the current microtask drain began (a drain is a run of microtask callbacks with
// no other callback between them); and no nextTick runs in the middle of a drain,
// while the microtask queue is not empty. Each waiting entry is reported once.
//
// immediates ([RuleImmediates]): immediates run FIFO by their immediate_queue
// events, cleared ones left out, and each runs once and only when queued. One
// queued in a check phase span runs in a later tick.
//
// cleared ([RuleCleared]): an immediate cleared by immediate_clear never runs. A
// timer whose latest timer_clear is later than its latest timer_start (not
// counting an interval's re-arm right before the callback) does not run.
//
// exactly-once ([RuleExactlyOnce]): each pool_submit gets exactly one callback from
// source pool with its ID, after it, in the poll phase, canceled requests
// included; a request keeps the loop alive until then, so one without its callback
// when a Run ends unstopped is reported there; its pool_start's started lies
// between its pool_submit's time and the pool_start's own. Each op_start gets exactly one
// op_complete with its ID, after it, and at most one callback from source op with
// its ID, after the op_complete and naming the op_start's handle, in the poll
// phase, or in the close phase when the op_complete carries the closed error. An
// op_complete right after its op_start is an error found at start, and a connect's
// op_complete with the canceled or the dial-timed-out error is a dial the loop gave
// up: its callback is the next one from source pending whose ID is the handle, in a
// pending phase, and no op callback may run for that operation; one still owed when a Run ends
// unstopped is reported. Callbacks from source op with ID 0 are queued writes a
// close cut short before they started: they are no operation and are ignored. A
// try_write, the bytes a Conn.TryWrite wrote at once, completes right after its
// op_start and never has a callback. An op_start without op_complete is reported only when its handle has provably
// finished closing: at the handle's close callback, at the second tick event
// after its close, or at the end of a Run that ends unstopped after its close. A
// tick that a Run or RunOnce ended in right after its timers phase, followed by a
// Run (whose first tick begins with a timers phase of its own), had no close phase
// and does not count among the two.
// Limits: a trace does not record which goroutine ran a callback, so the rule
// that callbacks run on the loop's goroutine, never a worker's, is out of reach.
// A pending callback names its handle, not its operation, so when one handle has
// several errors at start, which callback delivered which is not checked, only
// their number.
//
// close-last ([RuleCloseLast]): a close callback (source close, ID the handle's)
// follows a close event of that handle, once per close, and no callback of the
// handle runs after it: watcher callbacks (sources idle, prepare, check) and
// pending callbacks carry the handle as ID, op callbacks carry it as Handle.
//
// # When Test fails
//
// rapid shrinks each draw towards 0, the calm option, and Test then moves what is
// left of a failure that needs a sum of delays into one choice and lowers it, so a
// shrunk case has only the choices off their defaults that the failure needs. Test
// reports it as:
//
//   - what failed: the callback's panic with its stack trimmed to the program's own
//     frames, the messages of [Errorf], the verdict of a stalled run, the broken
//     invariants, the assertion's error;
//   - the choices off their defaults, one label=value a line ("pool.duration=2901",
//     "cpu.cost before timers=1990", "fault reset=1");
//   - the failing run's trace file and the nodeloop view command that opens it;
//   - the go test command that replays the case once from its choice log, in well
//     under a second: -nodeloop.choices=FILE makes Test run that log instead of
//     searching.
//
// The files go to a new temporary directory, or to testdata/nodeloop/TEST/ under
// -nodeloop.keep. [Errorf] is the assertion of a callback: it fails the case and
// lets the run go on, so that the rest of the run shows what came of it.
package properties
