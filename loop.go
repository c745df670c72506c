package nodeloop

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	rtrace "runtime/trace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/btree"

	"github.com/nodeloop/nodeloop/internal/looptrace"
	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/realclock"
	"github.com/nodeloop/nodeloop/traces"
)

// Clock is where the loop reads the time. The loop reads it only at the points
// docs/semantics.md names: before the timers phase, after every return from the poller's
// wait, and when a timer is started; on the operating system's poller it skips the
// first two when nothing needs the time. realclock.Clock is the default; fakeclock.Clock
// makes time virtual.
type Clock interface {
	Now() time.Time
}

// elapsedClock is a Clock that tells the time elapsed since one of its readings more
// cheaply than Now and Sub: realclock's, which reads the monotonic clock alone. The
// loop reads the time that way when its Clock is one.
type elapsedClock interface {
	Clock
	Since(t time.Time) time.Duration
}

// Tracer receives every event of the loop, in order, on the loop's goroutine.
// traces.Recorder is one. The event is the loop's own and is valid only during the
// call: a Tracer that keeps it keeps a copy, and never changes it. A Tracer must not
// call back into the loop.
type Tracer interface {
	Event(e *traces.Event)
}

// Limits of the loop, each with its unit last.
const (
	// DefaultWorkers is the pool size when neither WithWorkers nor the environment
	// variable says otherwise, as libuv's UV_THREADPOOL_SIZE default.
	DefaultWorkers = 4
	// MaxWorkers is the largest pool WithWorkers and NODELOOP_THREADPOOL_SIZE accept.
	MaxWorkers = 1024
	// pollCompletionsMax is the room kept for completions per wait on the operating
	// system's poller; another poller's waits start with room for
	// fakeCompletionsMin and grow it as they need, since a simulation makes a loop
	// per seed and a simulated wait returns a few.
	pollCompletionsMax = 1024
	fakeCompletionsMin = 16
	// poolSpinsMax is the most times the loop yields its processor, waiting for a
	// pool job in flight to finish, before it blocks in the poller.
	poolSpinsMax = 8
	// asyncSpinsMax is the most times the loop looks at its queue, waiting for work
	// from another goroutine that is likely soon, before it yields.
	asyncSpinsMax = 128
	// spinTurnsMax is the most zero-timeout waits in a row that the loop answers
	// itself, without the kernel, while nothing outside the kernel is ready: the
	// operating system's readiness is seen within spinTurnsMax+1 turns that do not
	// wait, and at once by a turn that does.
	spinTurnsMax = 15
	// timerBTreeDegree is the degree of the timer lists' B-tree.
	timerBTreeDegree = 32
)

// WorkersEnv is the environment variable that sets the default pool size, 1 to
// MaxWorkers; 0 means 1, as UV_THREADPOOL_SIZE in libuv.
const WorkersEnv = "NODELOOP_THREADPOOL_SIZE"

type options struct {
	clock   Clock
	poller  poller.Poller
	pool    Pool
	workers int
	tracer  Tracer
	fsys    fs.FS
	steps   uint64
	callers bool
	thread  bool
}

// Option configures a Loop made by New.
type Option func(*options)

// WithClock makes the loop read time from c instead of the operating system's clock.
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithPoller makes the loop use p for I/O and for waiting instead of the operating
// system's poller. The loop closes p when it is closed.
func WithPoller(p poller.Poller) Option { return func(o *options) { o.poller = p } }

// WithPool makes the loop run pool requests on p instead of its own worker pool. The
// loop closes p when it is closed. It cannot be combined with WithWorkers.
func WithPool(p Pool) Option { return func(o *options) { o.pool = p } }

// WithWorkers sets the size of the loop's own worker pool, 1 to MaxWorkers. It
// overrides NODELOOP_THREADPOOL_SIZE.
func WithWorkers(n int) Option { return func(o *options) { o.workers = n } }

// WithTracer sends every event of the loop to t.
func WithTracer(t Tracer) Option { return func(o *options) { o.tracer = t } }

// WithFS makes the loop's file operations (ReadFile, WriteFile, AppendFile, Fsync,
// Rename, Remove, Mkdir, ReadDir) use fsys instead of the operating system's files.
// ReadFile and ReadDir work on any fs.FS; each of the others needs the method of
// WriteFS it uses, and fails with an error matching errors.ErrUnsupported naming the
// operation on an fs.FS without it, such as a read-only one.
func WithFS(fsys fs.FS) Option { return func(o *options) { o.fsys = fsys } }

// WithStepLimit makes Run and RunOnce return an error wrapping ErrStepLimit once the
// loop has run n callbacks in all, so that a runaway program (a recursive nextTick,
// an endless chain of immediates) ends instead of hanging. 0, the default, means no
// limit.
func WithStepLimit(n uint64) Option { return func(o *options) { o.steps = n } }

// WithLockedThread gives the loop an OS thread of its own: New locks the calling
// goroutine to its thread (runtime.LockOSThread) until Close, and the operating
// system's poller is made for that thread alone (poller.NewForThread). That
// goroutine then makes every call to the loop (New, Run and RunOnce, the calls of
// the loop's callbacks, Close) but Post and the other methods documented as safe
// from any goroutine; a Run from another goroutine fails with an error naming
// NewForThread. It is for a server that gives the loop a goroutine for its whole
// life: on Linux's io_uring (NODELOOP_POLLER=io_uring) the kernel then runs the
// completion work of the loop's requests when the loop asks for completions
// (IORING_SETUP_DEFER_TASKRUN), the cheapest way io_uring has, which TCP
// ping-pong measures at about 5% faster than an unlocked ring; on epoll, kqueue and
// IOCP it changes the cost of nothing measurable. With WithPoller it does nothing.
func WithLockedThread() Option { return func(o *options) { o.thread = true } }

// ErrStepLimit is wrapped by the error Run and RunOnce return when the limit set by
// WithStepLimit is reached.
var ErrStepLimit = errors.New("nodeloop: step limit reached")

// Loop is Node's event loop. Make one with New, program it from a main callback given
// to Run, and Close it when Run has returned.
//
// One goroutine runs the loop: the one that calls Run or RunOnce. Every method except
// Post must be called from that goroutine (from main, from a callback, or between
// runs). Post is safe from any goroutine.
type Loop struct {
	clock   Clock
	elapsed elapsedClock // clock, when it is one
	poller  poller.Poller
	pool    Pool
	tracer  Tracer
	rec     *traces.Recorder // tracer, when it is a Recorder: called directly
	fsys    fs.FS

	start time.Time
	now   time.Duration // the cached time, since start

	running  bool
	closed   bool
	broken   bool
	stopFlag bool
	tick     uint64
	phase    traces.Phase
	seq      uint64 // trace sequence
	lastID   uint64 // handle, request and task ids
	refs     int    // referenced things that keep the loop alive, but posts
	steps    uint64 // callbacks run
	stepsMax uint64
	announce bool         // the current phase still has to be named in the trace
	ev       traces.Event // the event being given to the tracer
	evFields evFields     // which of ev's fields may hold something, besides its position
	current  *CallbackPanic

	// callbacks counts the callback events the loop makes, traced or not: the
	// callbacks that passed the step limit, and a host's own ticks and microtasks.
	callbacks uint64
	// countOnly is set, with a tracer that is never called, on a loop whose events
	// nobody reads but whose trace positions must be those of a traced run (a
	// CallbackPanic's Seq): the loop numbers its events and makes none.
	countOnly bool

	timerTree        *btree.BTreeG[timerListKey]  // the live timer lists
	timerLists       []*timerList                 // every list made, by slot, live or free
	timerListOf      map[time.Duration]*timerList // the live list of each delay
	freeTimerLists   []*timerList
	timerListSlab    []timerList   // lists not yet handed out
	timerListSeq     uint64        // the last list id given
	timerListRunning *timerList    // the list the timers phase is running
	timerListLast    *timerList    // the list a timer was last started in, live or not
	timerRunning     *Timer        // the timer whose callback is running
	namer            Namer         // SetNamer's
	timerStart       time.Duration // when the running interval's run started
	timerSettled     bool          // SettleTimer did the running timer's bookkeeping
	timerTaken       *Timer        // the next due timer SettleTimer took, if any
	timerSlab        []Timer       // timers not yet handed out

	ticks    queue[task]
	micro    queue[task]
	pendingQ queue[task]
	runQ     queue[task]

	immQ, immRun           node[*immediate]
	immRunning             bool         // the check phase is running the immediates of immRun
	immFree                []*immediate // storage of immediates that ran or were cleared
	idleQ, prepareQ, check node[*Watcher]
	watcherRun             node[*Watcher]
	closing, closingRun    queue[closer]

	ops []*poller.Op

	rtCtx    context.Context // runtime/trace: the loop's task, while tracing
	rtTask   *rtrace.Task
	rtRegion *rtrace.Region

	socks node[sockHandle]  // listeners, connections and dials not yet closed
	sites map[uint64]string // where handles were made, WithCallers
	state any               // package sim's own, through internal/loopstate

	async    asyncQueue
	sleeping atomic.Bool // the loop is in, or about to enter, a blocking wait
	osPoller bool        // the poller is the operating system's, made by New
	locked   bool        // New locked its goroutine to its thread (WithLockedThread)
	// spin is the operating system's poller when it can tell that a zero-timeout
	// wait would find nothing without the kernel; spinTurns counts the zero-timeout
	// waits skipped since the kernel was last asked (see poll).
	spin      interface{ ReadyWithoutKernel() bool }
	spinTurns int
	// timeStale is set when a refresh of the cached time was skipped because
	// nothing needed it; Now refreshes it first.
	timeStale  bool
	postClosed bool // Close has begun
	asyncRan   bool // the last poll phase ran work from other goroutines

	reqSlabs reqSlabs // pool requests: the blocks they come from, and those in flight
	poolDone poolDone // the loop's own pool's finished jobs
}

// asyncItem is work handed to the loop from another goroutine, run in the poll phase:
// a finished pool job or a posted function. It travels through the asyncQueue.
type asyncItem struct {
	job *Job
	fn  func()
}

// closer is a handle waiting for its close callback.
type closer interface {
	finishClose() (id uint64, cb func())
	base() *handle
}

// New returns a Loop configured by opts. By default it reads the operating system's
// clock, waits in the operating system's poller and runs pool requests on DefaultWorkers
// goroutines (or as many as NODELOOP_THREADPOOL_SIZE says).
func New(opts ...Option) (*Loop, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.pool != nil && o.workers != 0 {
		return nil, errors.New("nodeloop: WithWorkers and WithPool both given; size the pool you pass instead")
	}
	if o.pool == nil {
		n := o.workers
		if n == 0 {
			var err error
			if n, err = workersFromEnv(); err != nil {
				return nil, err
			}
		} else if n < 1 || n > MaxWorkers {
			return nil, fmt.Errorf("nodeloop: WithWorkers(%d): the pool size must be 1 to %d", n, MaxWorkers)
		}
		o.pool = NewPool(n)
	}
	if o.clock == nil {
		o.clock = realclock.New()
	}
	osPoller := o.poller == nil
	locked := osPoller && o.thread
	if o.poller == nil {
		newPoller := poller.New
		if locked {
			runtime.LockOSThread()
			newPoller = poller.NewForThread
		}
		p, err := newPoller()
		if err != nil {
			if locked {
				runtime.UnlockOSThread()
			}
			o.pool.Close()
			return nil, fmt.Errorf("nodeloop: no poller for this system (use WithPoller): %w", err)
		}
		o.poller = p
	}
	l := &Loop{
		clock:    o.clock,
		poller:   o.poller,
		pool:     o.pool,
		tracer:   o.tracer,
		fsys:     o.fsys,
		stepsMax: o.steps,
		timerTree: btree.NewWithFreeListG(timerBTreeDegree, timerListLess,
			btree.NewFreeListG[timerListKey](btree.DefaultFreeListSize)),
		timerListOf: map[time.Duration]*timerList{},
		osPoller:    osPoller,
		locked:      locked,
	}
	if osPoller {
		l.ops = make([]*poller.Op, 0, pollCompletionsMax)
	} else {
		l.ops = make([]*poller.Op, 0, fakeCompletionsMin)
	}
	_, l.poolDone.batched = o.pool.(*WorkerPool)
	if sp, ok := o.poller.(interface{ ReadyWithoutKernel() bool }); ok && osPoller {
		l.spin = sp
	}
	l.rec, _ = o.tracer.(*traces.Recorder)
	l.start = l.clock.Now()
	l.elapsed, _ = l.clock.(elapsedClock)
	for _, h := range []*node[*immediate]{&l.immQ, &l.immRun} {
		h.init()
	}
	for _, h := range []*node[*Watcher]{&l.idleQ, &l.prepareQ, &l.check, &l.watcherRun} {
		h.init()
	}
	l.socks.init()
	if o.callers {
		l.sites = map[uint64]string{}
	}
	return l, nil
}

// workersFromEnv reads NODELOOP_THREADPOOL_SIZE.
func workersFromEnv() (int, error) {
	s, ok := os.LookupEnv(WorkersEnv)
	if !ok || s == "" {
		return DefaultWorkers, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxWorkers {
		return 0, fmt.Errorf("nodeloop: %s=%q: want a whole number from 1 to %d (0 means 1)", WorkersEnv, s, MaxWorkers)
	}
	if n == 0 {
		n = 1
	}
	return n, nil
}

// Now returns the loop's cached time: refreshed before each timers phase and after
// each wait of the poll phase, never between two callbacks of one phase. When no timer
// is armed, or a wait did not block, the loop skips the clock read until something
// needs the time; Now then reads it once, at the first call after the skipped refresh.
func (l *Loop) Now() time.Time { return l.start.Add(l.cachedNow()) }

// Pending returns the number of referenced things that keep the loop alive: active
// referenced handles, in-flight pool requests, pending callbacks, handles waiting for
// their close callback and posted functions not yet run.
func (l *Loop) Pending() int { return l.refs + l.postsPending() }

// postsPending returns the number of posted functions not yet run.
func (l *Loop) postsPending() int {
	if l.postClosed {
		return 0 // Close took them
	}
	return l.async.posts()
}

// Alive reports whether the loop has anything that keeps it running: Pending() > 0.
func (l *Loop) Alive() bool { return l.Pending() > 0 }

// Log records msg in the trace as the program's own output.
func (l *Loop) Log(msg string) {
	l.mustOpen("Log")
	if l.tracer != nil {
		l.emit(traces.Event{Kind: traces.KindLog, Msg: msg})
	}
}

// Stop makes Run return at its next check of liveness, which follows the next timers
// phase, as libuv's uv_stop. A stop requested before a poll makes that poll's timeout
// zero. RunOnce clears it.
func (l *Loop) Stop() {
	l.mustOpen("Stop")
	l.stopFlag = true
	if l.tracer != nil {
		l.emit(traces.Event{Kind: traces.KindStop})
	}
}

// Post queues fn to run on the loop's goroutine and wakes the loop if it is waiting.
// It is the one method safe from any goroutine.
//
// Post returns nil when it accepted fn, and an accepted fn runs exactly once: in the
// poll phase of a later tick, or, when the loop is closed before it got there, in
// Close (see Close). Functions posted by one goroutine run in the order it posted
// them. A posted function keeps the loop alive until it runs.
//
// Post returns an error, and fn never runs, when Close has begun: the error matches
// ErrClosed and reads "nodeloop: Post on a closed loop". A Post concurrent with Close
// is one or the other, never accepted and lost. The only other error is the poller's
// failure to wake a waiting loop: fn was accepted all the same, and runs when the loop
// next wakes, or in Close.
//
// A Post neither allocates nor takes a lock: it appends fn to a lock-free queue and
// asks the poller to wake the loop only when the loop is waiting in it. While the
// posters are many thousand functions ahead of the loop, one Post in many also yields
// its processor (runtime.Gosched), so that the loop, one goroutine among the posting
// ones, gets to run them.
func (l *Loop) Post(fn func()) error {
	if fn == nil {
		nilCallback("Post")
	}
	if !l.async.push(asyncItem{fn: fn}) {
		return errPostClosed
	}
	err := l.wakeIfAsleep()
	if l.async.yieldDue() {
		runtime.Gosched() // let the loop catch up
	}
	return err
}

// wakeIfAsleep wakes the loop if it is in, or about to enter, a blocking wait. It
// follows a push: the loop sets sleeping before it looks at the queue a last time, and
// the push comes before this look at sleeping, so one of the two sees the other. The
// first pusher to see it set clears it and wakes the loop; the others, seeing it
// clear, leave the loop's wake-up to that one.
func (l *Loop) wakeIfAsleep() error {
	if !l.sleeping.Load() || !l.sleeping.CompareAndSwap(true, false) {
		return nil
	}
	if err := l.poller.Wake(); err != nil {
		return fmt.Errorf("nodeloop: Post: waking the loop: %w", err)
	}
	return nil
}

// Close runs the functions Post accepted that the loop has not run yet, then
// releases the poller, the pool and every socket. It waits for the pool's workers to
// finish the job each is running. Call it from the loop's goroutine once Run has
// returned: calling it from a callback panics (call Stop, and Close after Run
// returns). Closing twice does nothing.
//
// From the moment Close begins, Post refuses new functions. The ones it accepted
// before run on Close's goroutine, in the order they were accepted, each followed by
// the nextTicks and microtasks it queues, as in a last poll phase: the loop and its
// handles are still open while they run, so a posted function may use them, close
// them, or hand a result to a callback. What they start beyond that (timers, I/O,
// pool requests) never runs, as anything else still pending at Close; a Post from
// one of them returns ErrClosed. A loop stopped by a panicking callback or by the step
// limit runs nothing more: Close then drops the posted functions and returns a
// *DroppedPostsError counting them. When a posted function panics in Close, Close
// stops running them and returns the *CallbackPanic joined with a
// *DroppedPostsError counting the ones left; it closes the loop either way.
func (l *Loop) Close() error {
	if l.running {
		panic("nodeloop: Close called from a callback; call Stop, then Close after Run returns")
	}
	if l.postClosed {
		return nil
	}
	end := l.async.close()
	left := l.async.postsBefore(end)
	l.postClosed = true
	postErr := l.runPostedAtClose(end, left)
	l.closed = true
	if l.rtTask != nil {
		l.rtTask.End()
	}
	err := errors.Join(postErr, l.pool.Close(), l.poller.Close())
	if l.locked {
		runtime.UnlockOSThread()
	}
	return err
}

// runPostedAtClose runs the left posted functions accepted before position end of
// the closed queue, and drops the finished pool jobs in it, whose done callbacks never
// run after Close.
func (l *Loop) runPostedAtClose(end uint64, left int) (err error) {
	if left == 0 {
		return nil
	}
	if l.broken {
		return &DroppedPostsError{N: left}
	}
	l.running = true
	if l.rtCtx != nil {
		l.rtRegion = rtrace.StartRegion(l.rtCtx, l.phase.String())
	}
	defer func() {
		l.running = false
		l.stopFlag = false
		if l.rtRegion != nil {
			l.rtRegion.End()
			l.rtRegion = nil
		}
		if r := recover(); r != nil {
			l.broken = true
			err = errors.Join(l.panicError(r), &DroppedPostsError{N: left})
		}
	}()
	if l.tick == 0 {
		l.startTick(traces.PhasePending)
	}
	l.enterPhase(traces.PhasePoll)
	if l.tracer != nil {
		l.emit(traces.Event{Kind: traces.KindWake, Items: left})
	}
	for {
		it, ok := l.async.waitFor(end)
		if !ok {
			return nil
		}
		if it.fn == nil {
			continue
		}
		left--
		l.call(traces.SourcePost, 0, it.fn)
	}
}

func (l *Loop) mustOpen(method string) {
	if l.closed {
		panic("nodeloop: " + method + " called after Close; make a new Loop with New")
	}
}

// nextID returns a fresh id for a handle, request or task.
func (l *Loop) nextID() uint64 {
	l.lastID++
	return l.lastID
}

// emit sends e to the tracer with the loop's position filled in. Call it only when
// l.tracer is not nil.
func (l *Loop) emit(e traces.Event) {
	if l.announce {
		l.announcePhase()
	}
	if l.countOnly {
		l.seq++
		return
	}
	l.ev, l.evFields = e, evAny
	l.send()
}

// evFields says which fields of the loop's event may hold something besides its
// position (seq, tick, phase, pending, time) and kind, so that the next event clears
// no more of it than it must: clearing the whole event, pointers and all, costs the
// garbage collector's barriers on every one of its strings while it marks.
type evFields uint8

const (
	evID    evFields = iota // the source and id: an event of emitID
	evSmall                 // those and the fields the frequent events of event set
	evAny                   // any field
)

// clearFields clears the fields of the loop's event that evFields says may hold
// something, but its position and kind.
func (l *Loop) clearFields() {
	switch l.evFields {
	case evAny:
		l.ev = traces.Event{}
	case evSmall:
		e := &l.ev
		e.Handle, e.Op, e.Bytes, e.Err = 0, "", 0, ""
		e.Timeout, e.Completions, e.Items = 0, 0, 0
		e.Choice, e.Options, e.Pick = "", 0, 0
		fallthrough
	default:
		l.ev.Source, l.ev.ID = traces.SourceNone, 0
	}
}

// event returns the loop's event, made ready for one of kind k that carries more than
// a source and an id: the current phase's event announced first if it is due, and
// every field cleared. The caller fills it in place and calls send, so that a frequent
// event is not copied whole into the loop's event, garbage collector barriers and all.
// The caller sets no field but those clearFields clears for evSmall; an event with
// others goes through emit.
func (l *Loop) event(k traces.Kind) *traces.Event {
	if l.announce {
		l.announcePhase()
	}
	if l.countOnly {
		return &l.ev // filled in for nothing: send only numbers it
	}
	l.clearFields()
	l.ev.Kind, l.evFields = k, evSmall
	return &l.ev
}

// traceOpStart records the start of op, for the handle with the given id.
func (l *Loop) traceOpStart(op *poller.Op, handle uint64) {
	if l.countOnly {
		l.number()
		return
	}
	e := l.event(traces.KindOpStart)
	e.ID, e.Op, e.Handle = op.ID, op.Kind.String(), handle
	l.send()
}

// traceTryWrite records a write that finished inside Conn.TryWrite as an operation
// of its own, a try_write whose op_complete follows its op_start and which has no
// callback.
func (l *Loop) traceTryWrite(handle uint64, n int) {
	id := l.nextID()
	e := l.event(traces.KindOpStart)
	e.ID, e.Op, e.Handle = id, tryWriteOp, handle
	l.send()
	e = l.event(traces.KindOpComplete)
	e.ID, e.Op, e.Handle, e.Bytes = id, tryWriteOp, handle, n
	l.send()
}

// tryWriteOp is the operation name of a Conn.TryWrite in traces.
const tryWriteOp = "try_write"

// recordChoice adds a simulated world's decision to the trace, as record does with an
// event, without a copy of the whole event. It does nothing without a tracer.
func (l *Loop) recordChoice(what string, options, pick int) {
	if l.countOnly {
		l.number()
	} else if l.tracer != nil {
		e := l.event(traces.KindChoice)
		e.Choice, e.Options, e.Pick = what, options, pick
		l.send()
	}
}

func init() {
	looptrace.Choice = func(l any, what string, options, pick int) { l.(*Loop).recordChoice(what, options, pick) }
	looptrace.Counts = func(l any) (ticks, callbacks uint64) {
		loop := l.(*Loop)
		return loop.tick, loop.callbacks
	}
	looptrace.CountOnly = func(l any) {
		loop := l.(*Loop)
		if loop.tracer != nil {
			panic("nodeloop: looptrace.CountOnly on a loop with a tracer; make the loop without one")
		}
		loop.tracer, loop.countOnly = uncalledTracer{}, true
	}
}

// uncalledTracer is the tracer of a loop that only numbers its events (countOnly).
type uncalledTracer struct{}

func (uncalledTracer) Event(*traces.Event) {}

// emitID is emit for the events that carry no more than a source and an id, the most
// frequent ones: it writes them in place, and clears the rest of the event only when
// an event before it used it.
func (l *Loop) emitID(k traces.Kind, src traces.Source, id uint64) {
	if l.countOnly {
		l.number()
		return
	}
	if l.announce {
		l.announcePhase()
	}
	if l.evFields != evID {
		l.clearFields()
		l.evFields = evID
	}
	l.ev.Kind, l.ev.Source, l.ev.ID = k, src, id
	l.send()
}

// announcePhase emits the current phase's event.
func (l *Loop) announcePhase() {
	l.announce = false
	l.emitID(traces.KindPhase, traces.SourceNone, 0)
}

// Namer names what a host runtime's program made, for the trace: given a callback,
// timer start, immediate queue, tick queue or microtask queue event's kind and id, it returns the Name and Site
// fields of the event (see traces.Event), or two empty strings to leave it unnamed.
type Namer func(kind traces.Kind, id uint64) (name, site string)

// SetNamer makes fn name the loop's callback, timer start, immediate queue, tick
// queue and microtask queue events, as a host that runs another language's program on the loop (the js
// package) does with its functions and the places that made its handles. fn runs
// when the event is made, on the loop's goroutine, and only when the loop is
// traced; a timer start and an immediate queue are made inside the SetTimeout,
// SetInterval, Refresh or SetImmediate call, before it returns the handle. nil
// removes the namer.
func (l *Loop) SetNamer(fn Namer) { l.namer = fn }

// number gives the next event, and the phase's event before it if that is due, its
// position in the trace of a loop that only numbers its events (countOnly).
func (l *Loop) number() {
	if l.announce {
		l.announce = false
		l.seq++
	}
	l.seq++
}

// send fills in l.ev's position and gives it to the tracer.
func (l *Loop) send() {
	if l.countOnly {
		l.seq++
		return
	}
	if l.namer != nil {
		switch l.ev.Kind {
		case traces.KindCallback, traces.KindTimerStart, traces.KindImmediateQueue, traces.KindTickQueue, traces.KindMicrotaskQueue:
			if name, site := l.namer(l.ev.Kind, l.ev.ID); name != "" || site != "" {
				l.ev.Name, l.ev.Site, l.evFields = name, site, evAny
			}
		}
	}
	l.seq++
	l.ev.Seq, l.ev.Tick, l.ev.Phase, l.ev.Pending, l.ev.Time = l.seq, l.tick, l.phase, l.Pending(), l.cachedNow()
	if l.rec != nil {
		l.rec.Event(&l.ev)
	} else {
		l.tracer.Event(&l.ev)
	}
}

// enterPhase makes p the current phase. Its phase event is written before the first
// event that happens in it, so a phase with nothing to do leaves no trace.
func (l *Loop) enterPhase(p traces.Phase) {
	l.phase = p
	l.announce = true
	if l.rtCtx != nil {
		l.rtRegion.End()
		l.rtRegion = rtrace.StartRegion(l.rtCtx, p.String())
	}
}

// updateTime refreshes the cached time. Time on the loop's line never goes back.
func (l *Loop) updateTime() {
	l.timeStale = false
	var t time.Duration
	if l.elapsed != nil {
		t = l.elapsed.Since(l.start)
	} else {
		t = l.clock.Now().Sub(l.start)
	}
	if t > l.now {
		l.now = t
	}
}

// cachedNow is the cached time, read first if a refresh was skipped.
func (l *Loop) cachedNow() time.Duration {
	if l.timeStale {
		l.updateTime()
	}
	return l.now
}

// fresh reads the clock without touching the cache. It reads it itself, as
// updateTime does, for the simulator names a reading by the loop's method that
// made it and the caller of that one.
func (l *Loop) fresh() time.Duration {
	var t time.Duration
	if l.elapsed != nil {
		t = l.elapsed.Since(l.start)
	} else {
		t = l.clock.Now().Sub(l.start)
	}
	if t > l.now {
		return t
	}
	return l.now
}

// call runs one macrotask callback, then drains the nextTick and microtask queues.
func (l *Loop) call(src traces.Source, id uint64, fn func()) {
	l.enterCallback(src, id)
	fn()
	l.leaveCallback()
}

// enterCallback and leaveCallback surround a macrotask callback whose arguments make
// a closure for call wasteful.
func (l *Loop) enterCallback(src traces.Source, id uint64) {
	l.step()
	if l.tracer != nil {
		l.emitID(traces.KindCallback, src, id)
	}
}

// enterOpCallback is enterCallback for the callback of a socket operation: id is the
// operation's (0 for a queued write that never started), handle its socket's.
func (l *Loop) enterOpCallback(id, handle uint64) {
	l.step()
	if l.countOnly {
		l.number()
	} else if l.tracer != nil {
		e := l.event(traces.KindCallback)
		e.Source, e.ID, e.Handle = traces.SourceOp, id, handle
		l.send()
	}
}

func (l *Loop) leaveCallback() {
	if l.ticks.len()+l.micro.len() > 0 {
		l.drainTicks()
	}
}

// step counts a callback against the step limit.
func (l *Loop) step() {
	l.steps++
	if l.stepsMax != 0 && l.steps > l.stepsMax {
		panic(stepLimit{})
	}
	l.callbacks++
}

type stepLimit struct{}

// drainTicks runs the whole nextTick queue, then the whole microtask queue, and
// repeats while either has work, as Node's processTicksAndRejections.
func (l *Loop) drainTicks() {
	for l.ticks.len()+l.micro.len() > 0 {
		for l.ticks.len() > 0 {
			t := l.ticks.pop()
			l.step()
			if l.tracer != nil {
				l.emitID(traces.KindCallback, traces.SourceNextTick, t.id)
			}
			t.fn()
		}
		for l.micro.len() > 0 {
			t := l.micro.pop()
			l.step()
			if l.tracer != nil {
				l.emitID(traces.KindCallback, traces.SourceMicrotask, t.id)
			}
			t.fn()
		}
	}
}

// NextTick queues cb to run after the current callback returns, before any other
// callback of the loop and before the microtasks, as process.nextTick.
func (l *Loop) NextTick(cb func()) {
	l.mustOpen("NextTick")
	if cb == nil {
		nilCallback("NextTick")
	}
	id := l.nextID()
	l.ticks.push(task{fn: cb, id: id})
	if l.tracer != nil {
		l.emitID(traces.KindTickQueue, traces.SourceNone, id)
	}
}

// HostTickQueued gives a nextTick of a host's own queue an id and traces its
// queueing as NextTick does, for a host that keeps its own nextTick queue and drains
// it inside its callbacks (the js package); HostTickRuns traces the start of that
// tick's callback. They keep the trace of the host's program as complete as a Go
// program's, for the trace's invariants and its views. The loop runs nothing.
func (l *Loop) HostTickQueued() uint64 {
	id := l.nextID()
	if l.tracer != nil {
		l.emitID(traces.KindTickQueue, traces.SourceNone, id)
	}
	return id
}

// HostTickRuns traces the start of the callback of the host's nextTick id, which
// HostTickQueued gave it.
func (l *Loop) HostTickRuns(id uint64) {
	l.callbacks++
	if l.tracer != nil {
		l.emitID(traces.KindCallback, traces.SourceNextTick, id)
	}
}

// HostMicrotaskQueued gives a microtask of a host's own queue an id and traces its
// queueing as QueueMicrotask does, for a host whose microtasks run inside its
// callbacks, after its nextTicks (the js package, whose engine keeps them);
// HostMicrotaskRuns traces the start of that microtask's callback. As
// HostTickQueued, they keep the host's trace complete; the loop runs nothing.
func (l *Loop) HostMicrotaskQueued() uint64 {
	id := l.nextID()
	if l.tracer != nil {
		l.emitID(traces.KindMicrotaskQueue, traces.SourceNone, id)
	}
	return id
}

// HostMicrotaskRuns traces the start of the callback of the host's microtask id,
// which HostMicrotaskQueued gave it.
func (l *Loop) HostMicrotaskRuns(id uint64) {
	l.callbacks++
	if l.tracer != nil {
		l.emitID(traces.KindCallback, traces.SourceMicrotask, id)
	}
}

// QueueMicrotask queues cb to run after the current callback and its nextTicks, as
// queueMicrotask (and a resolved promise's reaction).
func (l *Loop) QueueMicrotask(cb func()) {
	l.mustOpen("QueueMicrotask")
	if cb == nil {
		nilCallback("QueueMicrotask")
	}
	id := l.nextID()
	l.micro.push(task{fn: cb, id: id})
	if l.tracer != nil {
		l.emitID(traces.KindMicrotaskQueue, traces.SourceNone, id)
	}
}

// run modes, as libuv's uv_run_mode.
type runMode uint8

const (
	runDefault runMode = iota
	runOnce
	runNowait
)

// Run runs main, if it is not nil, as the loop's first callback (Node's main module),
// then runs the loop until nothing keeps it alive or Stop is called. It returns nil,
// the poller's error, a *CallbackPanic when a callback panicked, ErrRunning when
// called from a callback, or an error wrapping ErrStepLimit.
func (l *Loop) Run(main func()) (err error) {
	if err := l.enter(); err != nil {
		return err
	}
	defer l.leave(&err, "run")
	l.updateTime()
	l.enterPhase(traces.PhaseMain)
	l.drainTicks() // queued before Run, outside any callback
	if main != nil {
		l.call(traces.SourceMain, 0, main)
	}
	if !l.Alive() || l.stopFlag {
		return nil
	}
	// Liveness is checked before the first tick and after every timers phase, as
	// libuv's uv_run checks it before its first iteration and at the end of each.
	for {
		l.runTimers()
		if !l.Alive() || l.stopFlag {
			return nil
		}
		if err := l.iterate(runDefault); err != nil {
			return err
		}
	}
}

// RunOnce runs one iteration from the current position: the pending, idle, prepare,
// poll, check and close phases, then the next timers phase. With block it waits in
// the poll phase as Run would (libuv's UV_RUN_ONCE); without, it does not wait
// (UV_RUN_NOWAIT). It reports whether the loop is still alive.
func (l *Loop) RunOnce(block bool) (alive bool, err error) {
	if err := l.enter(); err != nil {
		return false, err
	}
	defer l.leave(&err, "once")
	l.drainTicks()
	if l.Alive() && !l.stopFlag {
		l.updateTime()
		mode := runNowait
		if block {
			mode = runOnce
		}
		if err := l.iterate(mode); err != nil {
			return l.Alive(), err
		}
		l.runTimers()
	}
	return l.Alive(), nil
}

func (l *Loop) enter() error {
	l.mustOpen("Run")
	if l.running {
		return ErrRunning
	}
	if l.broken {
		return ErrStopped
	}
	l.running = true
	if rtrace.IsEnabled() {
		// go test -trace and go tool trace: a task per loop, a region per phase.
		if l.rtTask == nil {
			l.rtCtx, l.rtTask = rtrace.NewTask(context.Background(), "nodeloop")
		}
		l.rtRegion = rtrace.StartRegion(l.rtCtx, l.phase.String())
	}
	return nil
}

// leave ends a Run or RunOnce: it turns a callback's panic into an error and clears
// the stop flag.
func (l *Loop) leave(errp *error, mode string) {
	if r := recover(); r != nil {
		l.broken = true
		*errp = l.panicError(r)
	}
	l.running = false
	if l.rtRegion != nil {
		l.rtRegion.End()
		l.rtRegion = nil
	}
	stopped := l.stopFlag
	l.stopFlag = false
	if l.tracer != nil {
		e := traces.Event{Kind: traces.KindEnd, Mode: mode, Stopped: stopped}
		if *errp != nil {
			e.Err = (*errp).Error()
		}
		l.emit(e)
	}
}

// panicError is the error for r, what a callback panicked with, recovered with the
// callback's stack still on the goroutine.
func (l *Loop) panicError(r any) error {
	if _, ok := r.(stepLimit); ok {
		return fmt.Errorf("%w: %d callbacks run (tick %d, %s phase)", ErrStepLimit, l.stepsMax, l.tick, l.phase)
	}
	return &CallbackPanic{Value: r, Stack: debug.Stack(), Seq: l.seq, Tick: l.tick, Phase: l.phase}
}

// iterate runs the pending, idle, prepare, poll, check and close phases of one tick.
func (l *Loop) iterate(mode runMode) error {
	if l.tick == 0 {
		l.startTick(traces.PhasePending)
	}
	canSleep := l.pendingQ.len() == 0 && l.idleQ.empty()
	l.runPending()
	l.runWatchers(traces.PhaseIdle, &l.idleQ, traces.SourceIdle)
	l.runWatchers(traces.PhasePrepare, &l.prepareQ, traces.SourcePrepare)
	var timeout time.Duration
	if mode == runDefault || (mode == runOnce && canSleep) {
		timeout = l.pollTimeout()
	}
	if err := l.poll(timeout); err != nil {
		return err
	}
	l.runCheck()
	l.runClosing()
	return nil
}

// startTick begins the next tick in phase p.
func (l *Loop) startTick(p traces.Phase) {
	l.tick++
	l.phase = p
	if l.tracer != nil {
		l.announce = false
		l.emitID(traces.KindTick, traces.SourceNone, 0)
	}
}

// pollTimeout is libuv's uv_backend_timeout: zero when there is work that must not
// wait, else the time to the earliest timer, else forever.
func (l *Loop) pollTimeout() time.Duration {
	if l.stopFlag || !l.Alive() || l.pendingQ.len() > 0 || !l.idleQ.empty() ||
		!l.immQ.empty() || l.closing.len() > 0 {
		return 0
	}
	// The earliest list expiry, as Node's timer handle: it can be earlier than every
	// timer's deadline, when a clear or a Refresh left a list's first place.
	k, ok := l.timerTree.Min()
	if !ok {
		return -1
	}
	if d := k.expiry - l.cachedNow(); d > 0 {
		return d
	}
	return 0
}

// runPending runs the callbacks deferred to the pending phase: those queued before
// the phase began; the ones they queue wait for the next tick.
func (l *Loop) runPending() {
	if l.pendingQ.len() == 0 {
		return
	}
	l.enterPhase(traces.PhasePending)
	l.pendingQ, l.runQ = l.runQ, l.pendingQ
	for l.runQ.len() > 0 {
		t := l.runQ.pop()
		l.refs--
		l.call(traces.SourcePending, t.id, t.fn)
	}
}

// defer queues fn for the next pending phase.
func (l *Loop) deferToPending(id uint64, fn func()) {
	l.refs++
	l.pendingQ.push(task{fn: fn, id: id})
}

// poll waits in the poller, then runs the completions it returned and the work posted
// to the loop.
func (l *Loop) poll(timeout time.Duration) error {
	l.enterPhase(traces.PhasePoll)
	var ops []*poller.Op
	var err error
	wait, sleep, polled := timeout, false, false
	if l.osPoller && timeout != 0 {
		l.awaitBatch()
	}
	if l.osPoller && timeout != 0 && l.async.end() == l.async.lastSeen {
		// Before a wait that may block, and before the yield that precedes one,
		// the kernel is asked without waiting: on a busy connection the answer is
		// usually there already, and this wait costs one system call that the Go
		// scheduler does not see, where the yield wakes another thread and the
		// blocking wait hands the processor over to the scheduler.
		l.spinTurns = 0
		ops, err = l.poller.Wait(l.ops[:0], 0)
		if len(ops) > 0 || err != nil {
			wait, polled = 0, true
		}
	}
	if !polled {
		wait, sleep = l.prepareWait(timeout)
		ops, err = l.waitOnce(wait)
	}
	if sleep {
		l.sleeping.Store(false)
	}
	l.async.lastSeen = l.async.end()
	if wait > 0 || !l.osPoller {
		l.updateTime()
	} else {
		// A wait that did not block took no time worth a clock read, and one
		// without a deadline had no timer armed: the next timers phase reads the
		// clock if a timer needs it, and Now reads it when asked.
		l.timeStale = true
	}
	// A wait that was asked not to wait and found nothing left the poll phase with
	// nothing to do, and the trace leaves out such a phase as any other.
	if l.tracer != nil && (timeout != 0 || len(ops) > 0 || err != nil) {
		e := l.event(traces.KindPoll)
		e.Timeout, e.Completions = timeout, len(ops)
		l.send()
	}
	if err != nil {
		return fmt.Errorf("nodeloop: poller wait: %w", err)
	}
	for i, op := range ops {
		ops[i] = nil
		l.completeOp(op)
	}
	l.ops = ops[:0]
	l.runAsync()
	return nil
}

// waitOnce makes the poll phase's one wait of up to wait, skipping a zero-timeout
// one while the poller can tell without the kernel that it would find nothing.
func (l *Loop) waitOnce(wait time.Duration) (ops []*poller.Op, err error) {
	if wait == 0 && l.spin != nil && l.spinTurns < spinTurnsMax && !l.spin.ReadyWithoutKernel() {
		// A turn that does not wait asks the kernel only every spinTurnsMax+1
		// turns: readiness is still seen within that many turns, and a blocking
		// wait, a Wake or an operation finished outside the kernel is never
		// skipped.
		l.spinTurns++
		return l.ops[:0], nil
	}
	l.spinTurns = 0
	return l.poller.Wait(l.ops[:0], wait)
}

// prepareWait returns the timeout to wait with and whether the loop marked itself
// sleeping for the wait, which it must clear after.
//
// Work handed to the loop since the last wait returned makes the wait return at once,
// as the wake-up it once asked for every time did: the operating system's poller is
// simply asked not to wait, and another poller is woken, so that a simulated one sees
// the same wake-up as before. Otherwise, for a wait that may block, the loop yields
// its processor first, so that a goroutine it readied (a poster waiting for its
// function to run) runs now instead of waiting for the scheduler to take the
// processor back from a thread blocked in the kernel; then it sets sleeping and looks
// at the queue once more, which closes the race with a push that saw sleeping unset.
func (l *Loop) prepareWait(timeout time.Duration) (wait time.Duration, sleep bool) {
	if l.async.end() != l.async.lastSeen {
		return l.wakeNow(timeout), false
	}
	if l.osPoller && timeout == 0 {
		return 0, false
	}
	if l.spin != nil && l.spin.ReadyWithoutKernel() {
		// The wait returns at once with what the poller holds (an operation that
		// finished when it started, say): it cannot block, so there is nothing to
		// yield for, and a yield would wake another thread only for it to sleep.
		return timeout, false
	}
	if l.osPoller && l.awaitAsync() {
		return 0, false
	}
	l.sleeping.Store(true)
	if l.async.end() != l.async.lastSeen || l.async.hasReady() {
		l.sleeping.Store(false)
		return l.wakeNow(timeout), false
	}
	l.async.forget()
	return timeout, true
}

// awaitAsync waits a little, without sleeping, for work from other goroutines, and
// reports whether some came. When work is likely soon (the last poll phase ran
// posted functions or finished jobs, or pool jobs are in flight), it first looks at
// the queue asyncSpinsMax times, for a poster running on another processor; then it
// yields once, so that a goroutine this loop readied runs at once rather than wait
// for the scheduler to take the processor back from a thread blocked in the kernel;
// with pool jobs in flight it yields up to poolSpinsMax times more, each letting a
// worker run here. All of it costs less than a sleep in the kernel and a wake-up.
func (l *Loop) awaitAsync() bool {
	if l.asyncRan || l.reqSlabs.live > 0 {
		for range asyncSpinsMax {
			if l.async.hasReady() {
				return true
			}
		}
	}
	runtime.Gosched()
	if l.async.hasReady() {
		return true
	}
	for i := 0; i < poolSpinsMax && l.reqSlabs.live > 0; i++ {
		runtime.Gosched()
		if l.async.hasReady() {
			return true
		}
	}
	return false
}

// wakeNow makes a wait of timeout return at once and returns the timeout to give it.
func (l *Loop) wakeNow(timeout time.Duration) time.Duration {
	if l.osPoller {
		return 0
	}
	l.poller.Wake()
	return timeout
}

// completeOp runs the callback of a finished poller operation. Operations of a closed
// handle finished when it closed; the poller's late report of them is dropped.
func (l *Loop) completeOp(op *poller.Op) {
	if c, ok := op.Data.(*Conn); ok {
		// The most frequent, called without the interface's lookup. A closed
		// connection's operations end in its close phase.
		if !c.closed {
			l.traceOpDone(op, c.id, op.N, op.Err)
			c.opDone(op)
		}
		return
	}
	h, ok := op.Data.(opHandler)
	if !ok {
		return
	}
	if h.base().closed {
		// A connection accepted before the listener closed, or made before the dial
		// was canceled, and reported after, has nobody to take it: close it, or its
		// peer would wait forever.
		if (op.Kind == poller.Accept || op.Kind == poller.Connect) && op.Err == nil && op.Conn != 0 {
			l.poller.CloseSocket(op.Conn)
		}
		return
	}
	l.traceOpDone(op, h.base().id, op.N, op.Err)
	h.opDone(op)
}

// traceOpDone records an operation's completion.
func (l *Loop) traceOpDone(op *poller.Op, handle uint64, n int, err error) {
	if l.tracer != nil || l.countOnly {
		l.recordOpDone(op, handle, n, err)
	}
}

// recordOpDone is traceOpDone's work on a loop that records or counts its events.
func (l *Loop) recordOpDone(op *poller.Op, handle uint64, n int, err error) {
	if l.countOnly {
		l.number()
	} else if l.tracer != nil {
		e := l.event(traces.KindOpComplete)
		e.ID, e.Op, e.Handle, e.Bytes = op.ID, op.Kind.String(), handle, n
		if err != nil {
			e.Err = err.Error()
		}
		l.send()
	}
}

// opHandler is what a poller operation's Data holds: the handle that started it.
type opHandler interface {
	opDone(op *poller.Op)
	base() *handle
}

// runAsync runs the finished pool jobs and posted functions, in the order they
// arrived.
func (l *Loop) runAsync() {
	limit := l.async.startDrain()
	l.asyncRan = l.async.head != limit
	if !l.asyncRan {
		return
	}
	n := -1 // no bound but the queue's
	if l.tracer != nil {
		if n = l.async.readyBefore(limit); n == 0 {
			return
		}
		l.event(traces.KindWake).Items = n
		l.send()
	}
	for ; n != 0; n-- {
		it, ok := l.async.pop(limit)
		if !ok {
			return
		}
		if it.job != nil {
			l.finishJob(it.job)
		} else {
			l.call(traces.SourcePost, 0, it.fn)
		}
	}
}

// runCheck runs the check watchers, then the immediates queued before the phase
// began (an immediate queued by a check watcher waits for the next tick). Node's
// immediates are a check watcher started when the loop is made, so they come after
// every watcher started later.
func (l *Loop) runCheck() {
	l.immQ.moveTo(&l.immRun)
	l.runWatchers(traces.PhaseCheck, &l.check, traces.SourceCheck)
	if l.immRun.empty() {
		return
	}
	if l.phase != traces.PhaseCheck {
		l.enterPhase(traces.PhaseCheck)
	}
	l.immRunning = true
	for !l.immRun.empty() {
		n := l.immRun.next
		n.remove()
		im := n.v
		im.setActive(false)
		l.call(traces.SourceImmediate, im.id, im.cb)
		l.freeImmediate(im)
	}
	l.immRunning = false
}

// runClosing runs the close callbacks of the handles closed before the phase began,
// most recently closed first, as libuv's closing_handles list.
func (l *Loop) runClosing() {
	if l.closing.len() == 0 {
		return
	}
	l.enterPhase(traces.PhaseClose)
	l.closing, l.closingRun = l.closingRun, l.closing
	for l.closingRun.len() > 0 {
		h := l.closingRun.popBack()
		id, cb := h.finishClose()
		l.refs--
		if cb != nil {
			l.call(traces.SourceClose, id, cb)
		}
	}
}

// closeHandle puts h on the list for the next close phase.
func (l *Loop) closeHandle(id uint64, h closer) {
	l.refs++
	l.closing.push(h)
	if l.tracer != nil {
		l.emitID(traces.KindClose, traces.SourceNone, id)
	}
}
