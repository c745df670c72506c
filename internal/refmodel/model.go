package refmodel

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// OpKind says what an Op does.
type OpKind uint8

// The operations a Program's callbacks perform. Kinds that make a callback (a
// timer, an immediate, a queued task, a pool job, a watcher, a socket operation)
// carry child Ops that the callback runs each time it runs.
//
// The socket kinds name their handle as the others do: a listen op's handle is its
// newest listener, and a listen or dial op also names the newest connection its
// callback was given (the one a listener accepted, or the one a dial made). Read,
// write and closeConn act on that connection, dial and closeListener on the
// listener.
const (
	OpTimeout        OpKind = iota // SetTimeout(Delay); the callback runs Ops
	OpInterval                     // SetInterval(Delay); runs Ops, clears itself after Count runs
	OpClearTimer                   // ClearTimeout of the timer made last by op Target
	OpRefresh                      // Refresh of the timer made last by op Target (first run of this op only)
	OpImmediate                    // SetImmediate; the callback runs Ops
	OpClearImmediate               // ClearImmediate of the immediate made last by op Target
	OpNextTick                     // NextTick; the callback runs Ops
	OpMicrotask                    // QueueMicrotask; the callback runs Ops
	OpJob                          // a pool job lasting Duration; its done callback runs Ops
	OpCancelJob                    // Cancel of the job submitted last by op Target
	OpIdle                         // an idle watcher: runs Ops, and after Count runs stops (or closes, if Close)
	OpPrepare                      // a prepare watcher, as OpIdle
	OpCheck                        // a check watcher, as OpIdle
	OpStop                         // Stop
	OpListen                       // Listen on a fresh local TCP address; the callback of each accepted connection runs Ops
	OpDial                         // Dial the address of the listener made last by op Target, with DialTimeout(Delay) when Delay > 0; the callback runs Ops
	OpWrite                        // Write Size bytes on the connection of op Target; the callback runs Ops
	OpRead                         // Read on the connection of op Target, and again on it after each read that returned data, Count reads at most; each callback runs Ops
	OpCloseConn                    // Close the connection of op Target; the close callback runs Ops
	OpCloseListener                // Close the listener made last by op Target; the close callback runs Ops
	OpCancelDial                   // Cancel of the dial made last by op Target
)

var opKindNames = [...]string{
	OpTimeout: "timeout", OpInterval: "interval", OpClearTimer: "clearTimeout", OpRefresh: "refresh",
	OpImmediate: "immediate", OpClearImmediate: "clearImmediate", OpNextTick: "tick",
	OpMicrotask: "microtask", OpJob: "job", OpCancelJob: "cancel", OpIdle: "idle",
	OpPrepare: "prepare", OpCheck: "check", OpStop: "stop", OpListen: "listen", OpDial: "dial",
	OpWrite: "write", OpRead: "read", OpCloseConn: "closeConn", OpCloseListener: "closeListener",
	OpCancelDial: "cancelDial",
}

func (k OpKind) String() string {
	if int(k) < len(opKindNames) {
		return opKindNames[k]
	}
	return fmt.Sprintf("OpKind(%d)", int(k))
}

// Op is one action of a Program, run by the callback that holds it (the main
// callback for Program.Ops). ID names the op: it labels the callbacks the op makes,
// and clear, refresh, cancel and socket ops find their handle through it. An op run
// more than once (inside an interval, say) makes a new handle each time; Target
// then means the newest. An op whose Target made nothing yet does nothing, and so
// does a read, write or closeConn whose connection the program already closed, a
// read while one is in flight on the connection, and a closeListener of a listener
// already closed (the loop would panic at each of these).
type Op struct {
	Kind OpKind
	// ID is unique in the Program, from 1.
	ID int
	// Delay is the timeout's or interval's delay, before Node's coercion, or a
	// dial's timeout (0 for none), before DialTimeout's rounding up to whole
	// milliseconds.
	Delay time.Duration
	// Count is how many times an interval or a watcher runs before it clears,
	// stops or closes itself, or how many reads a read op makes at most; 0 means 1.
	Count int
	// Close makes a watcher close itself after Count runs instead of stopping; its
	// close callback logs "<kind> <ID> closed".
	Close bool
	// Duration is a pool job's virtual run time on its worker; more than 0.
	Duration time.Duration
	// Size is a write's length in bytes; more than 0.
	Size int
	// Target is the ID of the op whose handle a clear, refresh, cancel or socket op
	// acts on.
	Target int
	// Ops are run by every run of the callback this op makes.
	Ops []Op
}

// Label is what the callbacks op makes log: "<kind> <ID>". A canceled job's done
// callback logs Label + " canceled", a watcher's close callback Label + " closed".
// A dial's callback logs Label, or Label + " refused", " canceled" (Cancel gave it
// up) or " timedout" (its timeout passed first). A read's callback logs
// Label and the number of bytes read ("read 7 512"), or Label and the error:
// " EOF", " reset" (ECONNRESET), " closed" (ErrClosed, when the program closed the
// connection with the read in flight). A write's logs Label, or Label and " closed",
// " reset" (ECONNRESET) or " pipe" (EPIPE).
func (o *Op) Label() string { return fmt.Sprintf("%s %d", o.Kind, o.ID) }

// Program is a loop program as data: Ops run in the main callback, which logs
// "main" first. Every callback logs its label before it runs its ops, so a run is
// described by the list of labels it logs.
type Program struct {
	Ops []Op
	// Latency is the delay of every message of the simulated network (a
	// connection request, its answer, a piece of data, an end of stream, a reset):
	// the simulator's fixed latency, its least and greatest latency both.
	Latency time.Duration
	// Once, when not empty, drives the loop with RunOnce instead of Run: main is
	// queued with NextTick before the first call, then RunOnce(Once[i]) is called
	// for each i in turn while the loop is alive. When the loop is still alive
	// after them, ThenRun calls Run(nil); otherwise RunOnce(true) is called until
	// the loop is not alive. Empty Once means Run(main).
	Once []bool
	// ThenRun ends a RunOnce-driven program with Run(nil); see Once.
	ThenRun bool
}

// String shows p one op a line, children indented, for failure messages.
func (p Program) String() string {
	var b strings.Builder
	var write func(ops []Op, depth int)
	write = func(ops []Op, depth int) {
		for i := range ops {
			o := &ops[i]
			b.WriteString(strings.Repeat("  ", depth))
			b.WriteString(o.Label())
			switch o.Kind {
			case OpTimeout:
				fmt.Fprintf(&b, " delay=%v", o.Delay)
			case OpInterval:
				fmt.Fprintf(&b, " delay=%v count=%d", o.Delay, max(o.Count, 1))
			case OpClearTimer, OpRefresh, OpClearImmediate, OpCancelJob, OpCloseConn, OpCloseListener, OpCancelDial:
				fmt.Fprintf(&b, " target=%d", o.Target)
			case OpDial:
				fmt.Fprintf(&b, " target=%d", o.Target)
				if o.Delay > 0 {
					fmt.Fprintf(&b, " timeout=%v", o.Delay)
				}
			case OpJob:
				fmt.Fprintf(&b, " duration=%v", o.Duration)
			case OpIdle, OpPrepare, OpCheck:
				fmt.Fprintf(&b, " count=%d close=%v", max(o.Count, 1), o.Close)
			case OpWrite:
				fmt.Fprintf(&b, " target=%d size=%d", o.Target, o.Size)
			case OpRead:
				fmt.Fprintf(&b, " target=%d count=%d", o.Target, max(o.Count, 1))
			}
			b.WriteByte('\n')
			write(o.Ops, depth+1)
		}
	}
	fmt.Fprintf(&b, "latency %v, driven by ", p.Latency)
	switch {
	case len(p.Once) == 0:
		b.WriteString("Run(main)")
	default:
		for i, block := range p.Once {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "RunOnce(%v)", block)
		}
		if p.ThenRun {
			b.WriteString(", then Run(nil)")
		} else {
			b.WriteString(", then RunOnce(true) until not alive")
		}
	}
	b.WriteString("\nmain\n")
	write(p.Ops, 1)
	return b.String()
}

// Prediction is what the model says a run of a Program does.
type Prediction struct {
	// Log is the labels the callbacks log, in order.
	Log []string
	// Stuck is set when the loop is left alive with nothing that can ever end its
	// wait (a prepare or check watcher alone, an open listener nobody dials, a read
	// nobody answers): Run or RunOnce fails, and the simulator reports it.
	Stuck bool
	// Runaway is set when the run passed the model's callback or tick limit; a
	// Program generated for the tests never should.
	Runaway bool
	// End is the virtual time when the last Run or RunOnce returns, since the
	// first began.
	End time.Duration
	// Ticks is the number of ticks run (a RunOnce-driven program's first tick
	// begins in the pending phase, every other in the timers phase).
	Ticks uint64
}

// Limits of the model, past which Predict gives up on a program
// (Prediction.Runaway).
const (
	modelCallbacksMax = 200_000
	modelTicksMax     = 1_000_000
)

// Predict runs p in the reference model, on a pool of workers (at least 1) in
// virtual time starting at 0 with callbacks costing no time, as sim.Run does with a
// zero CallbackCost, and returns what it logs.
//
// # The model
//
// Run: the main callback runs p.Ops, then the nextTick and microtask queues drain;
// the loop goes on while it is alive (checked before tick 1 and after every timers
// phase) and not stopped. A tick is timers → pending → idle → prepare → poll →
// check → close. The pending phase runs the callbacks deferred to it before it began,
// in order: those of dials given up (canceled or timed out). After every callback
// but a queued task itself, the whole nextTick queue runs, then the whole microtask
// queue, again while either has work.
//
// RunOnce: main runs as a nextTick drained at the start of the first call. A call
// does nothing more when the loop is not alive or stopped; otherwise it runs
// pending → idle → prepare → poll → check → close (beginning tick 1 in the pending
// phase when no tick ran yet) and then a timers phase, which begins the next tick.
// Its poll waits as Run's would when block is set and no pending callback was
// queued and no idle watcher active as the call began; otherwise it does not wait.
// Every call, and Run, clears the stop when it returns, so a Stop inside a RunOnce
// only makes its poll's timeout 0.
// A Run after RunOnce calls begins with a timers phase, as Run does.
//
// Timers: delays are coerced as Node's (below 1 ms or above 2^31−1 ms become 1 ms,
// fractions of a millisecond are dropped); a timer's deadline is its start truncated
// to the millisecond plus its delay. Timers live in Node's lists: one list per delay,
// its timers in start order, with an expiry and an id. Starting a timer (or
// restarting it) takes it out of its list and appends it to the list of its delay;
// when there is none, a new list is made, expiring at the timer's deadline, with the
// next id. Clearing a timer takes it out of its list; when the list of its delay is
// then empty and the timer keeps the loop alive, that list goes (an unreferenced
// timer's stays, empty). The timers phase takes the list of least (expiry, id) while
// its expiry has come, and runs it: while its first timer is due, that timer leaves
// the list and its callback runs; at the first timer not due the list takes that
// timer's deadline as its expiry and the next id; a list left empty goes. The
// nextTicks and microtasks of a timer's callback run after that look at the list
// has taken the next due timer, before its callback; when they clear that timer,
// the list is looked at again; when they restart it, it runs all the same, its
// restart lost (it is out of its list, as a timer in its callback). An interval is re-armed from the time its
// run started when its callback returns, before its nextTicks, unless the callback
// cleared it (a Refresh in its callback changes nothing). Refresh restarts a timer
// from now and does nothing to a cleared one. A dial's timeout is a timer of the
// loop's own, started when the dial starts, with the timeout rounded up to whole
// milliseconds (at most 2^31−1 ms) as its delay; it does not keep the loop alive,
// and when it runs it logs nothing and gives the dial up if the dial is still in
// flight.
//
// Immediates run FIFO in the check phase, after the check watchers; the phase takes
// the queue as it stood when it began. Watchers of a kind run most recently started
// first; the phase takes the list as it stood; a stopped or closed watcher not yet
// run in the phase does not run. Close callbacks run most recently closed first,
// those closed during the close phase in the next tick; a connection's close first
// runs the callbacks of its read and of its writes (in flight or queued) with
// ErrClosed, then its close callback.
//
// The wait: the poll phase waits 0 when the loop is stopped or not alive, or has
// pending callbacks, queued immediates, active idle watchers or handles to close;
// otherwise until the earliest expiry of a timer list, or forever when there is
// none.
// Everything that happens later in the simulated world is an event at a virtual
// instant: a job finishing, a network message arriving. The wait returns at once when operations have finished
// (some finish at the instant they start, see modelnet.go) or a job finished or was
// canceled since the last wait; otherwise it moves time to the earliest event, if
// that is not past the timeout, runs every event due then, in the order they were
// scheduled, and looks again; otherwise it moves time to the timeout and returns.
// Waiting forever with no event left is the stuck verdict. The poll phase then runs
// the callbacks of the socket operations, in the order they finished, and then the
// done callbacks of jobs, in the order they finished or were canceled (jobs
// canceled by those socket callbacks included).
//
// The pool: workers take jobs FIFO, the free worker with the lowest number first; a
// job finishes Duration after it started, and its worker takes the next queued job
// at once.
func Predict(p Program, workers int) Prediction {
	m := &model{
		workers:   max(workers, 1),
		latency:   p.Latency,
		timers:    map[int]*mTimer{},
		imms:      map[int]*mImmediate{},
		jobs:      map[int]*mJob{},
		refreshed: map[int]bool{},
		mNet:      mNet{listeners: map[int]*mListener{}, conns: map[int]*mConn{}, dialOps: map[int]*mDial{}},
	}
	m.busy = make([]bool, m.workers)
	m.run(p)
	return Prediction{Log: m.log, Stuck: m.stuck, Runaway: m.runaway, End: m.now, Ticks: m.tick}
}

type mTimer struct {
	op       *Op
	fire     func() // a dial's timeout: what it does instead of a callback that logs
	delay    time.Duration
	deadline time.Duration
	runs     int
	list     *mTimerList // the list it waits in, or nil
	running  bool        // inside its callback
	cleared  bool
}

func (t *mTimer) interval() bool { return t.fire == nil && t.op.Kind == OpInterval }

func (t *mTimer) armed() bool { return t.list != nil || t.running && t.interval() }

// keepsAlive reports whether t keeps the loop alive: armed, and not a dial's
// timeout, which the loop unreferences.
func (t *mTimer) keepsAlive() bool { return t.armed() && t.fire == nil }

// mTimerList is Node's list of the timers of one delay.
type mTimerList struct {
	delay  time.Duration
	expiry time.Duration
	id     uint64
	timers []*mTimer // in start order
}

type mImmediate struct {
	op     *Op
	queued bool // not run nor cleared yet
}

type mWatcher struct {
	op     *Op
	runs   int
	active bool
}

type mJob struct {
	op       *Op
	queued   bool // waiting for a worker
	inFlight bool // submitted, done callback not run yet
	canceled bool
}

// mEvent is something the simulated world does at a virtual instant; seq orders
// the events of one instant as they were scheduled.
type mEvent struct {
	at  time.Duration
	seq uint64
	fn  func()
}

type model struct {
	workers int
	latency time.Duration
	now     time.Duration
	tick    uint64
	log     []string
	calls   int
	stopped bool
	stuck   bool
	runaway bool

	all       []*mTimer       // every timer made, to scan
	lists     []*mTimerList   // the timer lists, in no order
	listID    uint64          // the last list id given
	timers    map[int]*mTimer // by op ID, the newest
	imms      map[int]*mImmediate
	jobs      map[int]*mJob
	refreshed map[int]bool // refresh ops that already ran

	ticks, micro []*Op

	immQ     []*mImmediate
	watchers [3][]*mWatcher // idle, prepare, check lists, head first
	running  []*mWatcher    // the watchers the current phase still has to run
	closing  []func()       // what each handle closed does in the close phase
	pending  []func()       // the callbacks deferred to the next pending phase

	events   []mEvent
	eventSeq uint64
	woken    bool

	busy     []bool
	queue    []*mJob
	async    []*mJob
	inFlight int

	mNet
}

// errRunaway ends a model run that passed modelCallbacksMax or modelTicksMax.
type errRunaway struct{}

func (m *model) run(p Program) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errRunaway); !ok {
				panic(r)
			}
			m.runaway = true
		}
	}()
	m.macrotask("main", func() { m.exec(p.Ops) })
	if len(p.Once) == 0 {
		m.runLoop()
		return
	}
	for _, block := range p.Once {
		if alive := m.runOnce(block); !alive || m.stuck {
			return
		}
	}
	if p.ThenRun {
		m.runLoop()
		return
	}
	for m.runOnce(true) && !m.stuck {
	}
}

// runLoop is Run once its main callback (if any) returned.
func (m *model) runLoop() {
	defer func() { m.stopped = false }()
	if !m.alive() || m.stopped {
		return
	}
	for {
		m.runTimers()
		if !m.alive() || m.stopped {
			return
		}
		if !m.iterate(true, true) {
			return
		}
	}
}

// runOnce is one RunOnce(block) call; it reports whether the loop is alive after
// it.
func (m *model) runOnce(block bool) bool {
	if m.alive() && !m.stopped {
		if !m.iterate(false, block) {
			return true
		}
		m.runTimers()
	}
	m.stopped = false
	return m.alive()
}

// iterate runs pending to close; under RunOnce (run false), its poll waits only
// with block and, as it began, no pending callback and no idle watcher active. It
// reports false when the loop is stuck.
func (m *model) iterate(run, block bool) bool {
	if m.tick == 0 {
		m.tick++ // RunOnce begins tick 1 in the pending phase
	}
	canSleep := len(m.watchers[0]) == 0 && len(m.pending) == 0
	m.runPending()
	m.runWatchers(0)
	m.runWatchers(1)
	var timeout time.Duration
	if run || (block && canSleep) {
		timeout = m.pollTimeout()
	}
	if !m.poll(timeout) {
		m.stuck = true
		return false
	}
	m.runCheck()
	m.runClosing()
	return true
}

// callback logs label and runs fn.
func (m *model) callback(label string, fn func()) {
	m.calls++
	if m.calls > modelCallbacksMax {
		panic(errRunaway{})
	}
	m.log = append(m.log, label)
	fn()
}

// macrotask runs one loop callback, then the nextTick and microtask queues.
func (m *model) macrotask(label string, fn func()) {
	m.callback(label, fn)
	m.drain()
}

func (m *model) alive() bool {
	for _, t := range m.all {
		if t.keepsAlive() {
			return true
		}
	}
	for _, list := range m.watchers {
		if len(list) > 0 {
			return true
		}
	}
	return m.immediatesQueued() || len(m.running) > 0 || m.inFlight > 0 || len(m.closing) > 0 ||
		len(m.pending) > 0 || m.netAlive()
}

func (m *model) immediatesQueued() bool {
	for _, im := range m.immQ {
		if im.queued {
			return true
		}
	}
	return false
}

// exec runs a callback's ops.
func (m *model) exec(ops []Op) {
	for i := range ops {
		o := &ops[i]
		switch o.Kind {
		case OpTimeout, OpInterval:
			t := &mTimer{op: o, delay: modelDelay(o.Delay)}
			m.all = append(m.all, t)
			m.timers[o.ID] = t
			m.arm(t, m.now)
		case OpClearTimer:
			if t := m.timers[o.Target]; t != nil {
				m.clearTimer(t)
			}
		case OpRefresh:
			if m.refreshed[o.ID] {
				break
			}
			m.refreshed[o.ID] = true
			if t := m.timers[o.Target]; t != nil && !t.cleared {
				m.arm(t, m.now)
			}
		case OpImmediate:
			im := &mImmediate{op: o, queued: true}
			m.imms[o.ID] = im
			m.immQ = append(m.immQ, im)
		case OpClearImmediate:
			if im := m.imms[o.Target]; im != nil {
				im.queued = false
			}
		case OpNextTick:
			m.ticks = append(m.ticks, o)
		case OpMicrotask:
			m.micro = append(m.micro, o)
		case OpJob:
			j := &mJob{op: o, queued: true, inFlight: true}
			m.jobs[o.ID] = j
			m.inFlight++
			m.queue = append(m.queue, j)
			m.dispatch()
		case OpCancelJob:
			if j := m.jobs[o.Target]; j != nil && j.queued && !j.canceled {
				j.queued, j.canceled = false, true
				m.queue = slices.DeleteFunc(m.queue, func(q *mJob) bool { return q == j })
				m.async = append(m.async, j)
				m.woken = true
			}
		case OpIdle, OpPrepare, OpCheck:
			w := &mWatcher{op: o, active: true}
			k := watcherIndex(o.Kind)
			m.watchers[k] = append([]*mWatcher{w}, m.watchers[k]...)
		case OpStop:
			m.stopped = true
		case OpListen, OpDial, OpWrite, OpRead, OpCloseConn, OpCloseListener, OpCancelDial:
			m.execNet(o)
		}
	}
}

// modelDelay is Node's coercion of a timer's delay.
func modelDelay(d time.Duration) time.Duration {
	ms := int64(d / time.Millisecond)
	if ms < 1 || ms > math.MaxInt32 {
		ms = 1
	}
	return time.Duration(ms) * time.Millisecond
}

// arm (re)starts t at start: a deadline counted from the millisecond start falls
// in, at the end of the list of its delay.
func (m *model) arm(t *mTimer, start time.Duration) {
	m.unlist(t)
	t.deadline = start - start%time.Millisecond + t.delay
	list := m.listOf(t.delay)
	if list == nil {
		m.listID++
		list = &mTimerList{delay: t.delay, expiry: t.deadline, id: m.listID}
		m.lists = append(m.lists, list)
	}
	list.timers = append(list.timers, t)
	t.list = list
}

// listOf returns the list of delay d, or nil.
func (m *model) listOf(d time.Duration) *mTimerList {
	for _, list := range m.lists {
		if list.delay == d {
			return list
		}
	}
	return nil
}

// unlist takes t out of its list, if it is in one.
func (m *model) unlist(t *mTimer) {
	if t.list != nil {
		t.list.timers = slices.DeleteFunc(t.list.timers, func(x *mTimer) bool { return x == t })
		t.list = nil
	}
}

func (m *model) dropList(list *mTimerList) {
	m.lists = slices.DeleteFunc(m.lists, func(x *mTimerList) bool { return x == list })
}

func (m *model) clearTimer(t *mTimer) {
	wasArmed := t.armed() || t.running
	t.cleared = true
	if !wasArmed {
		return
	}
	m.unlist(t)
	if t.fire == nil { // the loop's own timers do not keep it alive
		if list := m.listOf(t.delay); list != nil && len(list.timers) == 0 {
			m.dropList(list)
		}
	}
}

// drain runs the nextTicks and microtasks queued.
func (m *model) drain() {
	for len(m.ticks)+len(m.micro) > 0 {
		for len(m.ticks) > 0 {
			o := m.ticks[0]
			m.ticks = m.ticks[1:]
			m.callback(o.Label(), func() { m.exec(o.Ops) })
		}
		for len(m.micro) > 0 {
			o := m.micro[0]
			m.micro = m.micro[1:]
			m.callback(o.Label(), func() { m.exec(o.Ops) })
		}
	}
}

// firstList returns the list of least (expiry, id), or nil.
func (m *model) firstList() *mTimerList {
	var first *mTimerList
	for _, list := range m.lists {
		if first == nil || list.expiry < first.expiry || list.expiry == first.expiry && list.id < first.id {
			first = list
		}
	}
	return first
}

func (m *model) runTimers() {
	m.tick++
	if m.tick > modelTicksMax {
		panic(errRunaway{})
	}
	for {
		list := m.firstList()
		if list == nil || list.expiry > m.now {
			break
		}
		m.drain()
		m.runList(list)
	}
	m.drain()
}

// runList runs the due timers of list, first to last.
func (m *model) runList(list *mTimerList) {
	for {
		if len(list.timers) == 0 {
			if slices.Contains(m.lists, list) {
				m.dropList(list)
			}
			return
		}
		t := list.timers[0]
		if t.deadline > m.now {
			m.listID++
			list.expiry, list.id = t.deadline, m.listID
			return
		}
		if len(m.ticks)+len(m.micro) > 0 {
			m.drain()
			if t.cleared {
				continue
			}
			// t was taken for running before the drain: a restart in it is lost.
		}
		m.unlist(t)
		m.runTimer(t)
	}
}

// runTimer runs the callback of t, a due timer out of its list; its nextTicks and
// microtasks wait.
func (m *model) runTimer(t *mTimer) {
	t.running = true
	defer func() { t.running = false }()
	switch {
	case t.fire != nil:
		t.fire() // the loop's own callback: it logs nothing and queues no task
	case t.interval():
		start := m.now
		m.callback(t.op.Label(), func() {
			t.runs++
			m.exec(t.op.Ops)
			if t.runs >= max(t.op.Count, 1) {
				m.clearTimer(t)
			}
		})
		if !t.cleared {
			m.arm(t, start)
		}
	default:
		m.callback(t.op.Label(), func() { m.exec(t.op.Ops) })
	}
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func watcherIndex(k OpKind) int { return int(k - OpIdle) }

// runWatchers runs the watchers of one kind active when the phase begins.
func (m *model) runWatchers(k int) {
	m.running, m.watchers[k] = m.watchers[k], nil
	for len(m.running) > 0 {
		w := m.running[0]
		m.running = m.running[1:]
		m.watchers[k] = append(m.watchers[k], w)
		m.macrotask(w.op.Label(), func() {
			w.runs++
			m.exec(w.op.Ops)
			if w.runs >= max(w.op.Count, 1) && w.active {
				m.stopWatcher(w)
				if w.op.Close {
					m.closing = append(m.closing, func() { m.macrotask(w.op.Label()+" closed", func() {}) })
				}
			}
		})
	}
}

func (m *model) stopWatcher(w *mWatcher) {
	w.active = false
	not := func(x *mWatcher) bool { return x == w }
	k := watcherIndex(w.op.Kind)
	m.watchers[k] = slices.DeleteFunc(m.watchers[k], not)
	m.running = slices.DeleteFunc(m.running, not)
}

func (m *model) pollTimeout() time.Duration {
	if m.stopped || !m.alive() || m.immediatesQueued() || len(m.watchers[0]) > 0 || len(m.closing) > 0 ||
		len(m.pending) > 0 {
		return 0
	}
	list := m.firstList()
	if list == nil {
		return -1
	}
	return max(list.expiry-m.now, 0)
}

// at schedules fn at the virtual instant t, after the events already scheduled
// for it.
func (m *model) at(t time.Duration, fn func()) {
	m.eventSeq++
	m.events = append(m.events, mEvent{at: t, seq: m.eventSeq, fn: fn})
}

// nextEvent returns the index of the earliest event, or -1.
func (m *model) nextEvent() int {
	first := -1
	for i, e := range m.events {
		if first < 0 || e.at < m.events[first].at || (e.at == m.events[first].at && e.seq < m.events[first].seq) {
			first = i
		}
	}
	return first
}

// runDue runs every event due now, those they schedule for now included.
func (m *model) runDue() {
	for {
		i := m.nextEvent()
		if i < 0 || m.events[i].at > m.now {
			return
		}
		e := m.events[i]
		m.events = slices.Delete(m.events, i, i+1)
		e.fn()
	}
}

// poll waits up to timeout (forever when negative), then runs the callbacks of the
// socket operations and jobs that finished. It reports false when it would wait
// forever.
func (m *model) poll(timeout time.Duration) bool {
	limit := m.now + timeout
	for !m.woken && len(m.finished) == 0 {
		if i := m.nextEvent(); i >= 0 && (timeout < 0 || m.events[i].at <= limit) {
			m.now = max(m.now, m.events[i].at)
			m.runDue()
			continue
		}
		if timeout < 0 {
			return false
		}
		m.now = max(m.now, limit)
		break
	}
	m.woken = false
	ops := m.finished
	m.finished = nil
	for _, op := range ops {
		m.completeOp(op)
	}
	done := m.async
	m.async = nil
	for _, j := range done {
		j.inFlight = false
		m.inFlight--
		label := j.op.Label()
		if j.canceled {
			label += " canceled"
		}
		m.macrotask(label, func() { m.exec(j.op.Ops) })
	}
	return true
}

// dispatch starts queued jobs on free workers, lowest worker first; each finishes
// Duration later and frees its worker for the next.
func (m *model) dispatch() {
	for w := range m.busy {
		if len(m.queue) == 0 {
			return
		}
		if m.busy[w] {
			continue
		}
		j := m.queue[0]
		m.queue = m.queue[1:]
		j.queued = false
		m.busy[w] = true
		m.at(m.now+j.op.Duration, func() {
			m.busy[w] = false
			m.async = append(m.async, j)
			m.woken = true
			m.dispatch()
		})
	}
}

// runCheck runs the check watchers, then the immediates queued before the phase.
func (m *model) runCheck() {
	run := m.immQ
	m.immQ = nil
	m.runWatchers(2)
	for _, im := range run {
		if !im.queued {
			continue
		}
		im.queued = false
		m.macrotask(im.op.Label(), func() { m.exec(im.op.Ops) })
	}
}

// runPending runs the callbacks deferred to the pending phase before it began, in
// the order they were deferred.
func (m *model) runPending() {
	list := m.pending
	m.pending = nil
	for _, fn := range list {
		fn()
	}
}

// runClosing runs the close callbacks of the handles closed before the phase,
// most recently closed first.
func (m *model) runClosing() {
	list := m.closing
	m.closing = nil
	for i := len(list) - 1; i >= 0; i-- {
		list[i]()
	}
}
