package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/loopstate"
	"github.com/nodeloop/nodeloop/internal/looptrace"
	"github.com/nodeloop/nodeloop/traces"
)

// Defaults of a Config's zero fields.
const (
	DefaultWorkers   = 4
	DefaultTimeLimit = 24 * time.Hour
	DefaultStepLimit = 10_000_000
)

// Range is a closed interval of durations; the zero Range is always 0.
type Range struct{ Min, Max time.Duration }

// Config is one simulated run's configuration. Its zero value is a calm world: seed
// 0, DefaultWorkers workers, the default latencies, no faults, no callback cost.
type Config struct {
	// Seed seeds the choices, unless Choices is set.
	Seed uint64
	// Choices, if not nil, decides instead of the seeded generator: Rapid(t) in a
	// property test, Replay(log) to repeat a run, ReplayFrom(log, …) to repeat it
	// on a program edited since.
	Choices fakepoller.Choices
	// Workers is the simulated pool's size; 0 means DefaultWorkers.
	Workers int
	// Latency bounds each network message's delay; the zero Range means 10 µs to
	// 2 ms.
	Latency Range
	// JobTime bounds each pool job's duration; the zero Range means 100 µs to 5 ms.
	JobTime Range
	// CallbackCost, when not zero, charges the program a virtual CPU time drawn
	// from it before each reading of the clock by the loop (before each timers
	// phase, after each wait, at each timer's start): the time callbacks took since
	// the last reading. Orders that depend on how long callbacks take, such as a
	// 0 ms timeout against an immediate set from main, are then explored. A
	// reading with no program run since the last charge (no callback started,
	// and the charge not made inside one) costs nothing and draws nothing. Each draw is named by its reading: "cpu.cost before
	// timers", "cpu.cost after wait", "cpu.cost at timer start", "cpu.cost before
	// interval", "cpu.cost before run".
	CallbackCost Range
	// Faults are the failures to inject; Run refuses a probability outside 0..1
	// or finer than one in a million.
	Faults Faults
	// Swarm draws, per seed, which faults are on and how likely, from the seed
	// itself (swarm testing): each seed sees a different mix.
	Swarm bool
	// TimeLimit bounds the virtual time of the run; 0 means DefaultTimeLimit.
	TimeLimit time.Duration
	// StepLimit bounds the number of callbacks; 0 means DefaultStepLimit.
	StepLimit uint64
	// FS is what the loop's file operations (ReadFile, WriteFile, AppendFile,
	// Fsync, ...) see; nil means the OS's files, which a deterministic program
	// should not touch. A *Disk is the disk as the run starts: the run works on a
	// copy, drawing from the run's choices and injecting Faults.Disk, and leaves
	// it in Result.Disk, so that every run of a sweep starts from the same disk.
	FS fs.FS
	// Program holds the program's own settings that change what it does, by name
	// (a JavaScript run's "read_cost"): the trace's and the choice log's headers
	// record them and HeaderConfig reads them back, so that a replay runs the
	// program as it ran. The run itself does not read them.
	Program map[string]string
	// Trace, if not nil, receives the run's trace as JSON Lines.
	Trace io.Writer
	// KeepTrace keeps the events in Result.Events.
	KeepTrace bool
	// Scenario names the program in the trace's header.
	Scenario string
	// Tracer, if not nil, also receives every event (a scenarios.Printer, say).
	Tracer interface{ Event(*traces.Event) }

	// spare, when not nil, lends the run the slices of a run that is over, for
	// Result.Events and Result.Choices to grow in: Sweep's workers pass those of
	// their last passing seed, so that a sweep does not grow two new slices a seed.
	spare *runSpare

	_ struct{}
}

// runSpare holds the slices a sweep's worker hands from one seed to the next.
type runSpare struct {
	events  []traces.Event
	choices []Choice
}

// Verdict says how a run ended.
type Verdict int

// The verdicts.
const (
	OK        Verdict = iota // the loop ran until nothing kept it alive
	Failed                   // a callback panicked or the loop returned an error
	Stuck                    // alive, with nothing that could ever complete
	TimeLimit                // the virtual time limit passed
	StepLimit                // the callback limit passed: a storm or an endless chain
	Diverged                 // a strict replay asked for a choice its log does not have
	NotLive                  // a world in liveness mode missed its condition within its bound (see Liveness)
)

var verdictNames = [...]string{"ok", "failed", "stuck", "time limit", "step limit", "diverged", "not live"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// Result is what a run did.
type Result struct {
	Seed    uint64
	Verdict Verdict
	// Err is the loop's error, the callback's panic, or the liveness failure.
	Err error
	// Alive lists what kept the loop alive when it was stuck or out of time or
	// steps.
	Alive []nodeloop.Handle
	// End is the virtual time at the end, since the start.
	End time.Duration
	// Ticks is the number of ticks run.
	Ticks uint64
	// Callbacks is the number of callbacks run.
	Callbacks uint64
	// Choices is every decision made, in order: give it to Replay to repeat the run.
	Choices []Choice
	// Events is the trace, when Config.KeepTrace.
	Events []traces.Event
	// Faults are the faults in force (after Swarm drew them).
	Faults Faults
	// Disk is the simulated disk as the run left it, when Config.FS is a *Disk;
	// its Crash is the disk after a power cut at the run's end.
	Disk *Disk
	// Divergence, in a run that replayed a log tolerantly (ReplayFrom), says where
	// the run first took a choice that was not the log's next one; nil when it took
	// them all in order, or did not replay a log.
	Divergence *Divergence
}

// Failed reports whether the run ended in anything but OK.
func (r *Result) Failed() bool { return r.Verdict != OK }

func (r *Result) String() string {
	s := fmt.Sprintf("seed %d: %s after %v of virtual time, %d ticks, %d callbacks", r.Seed, r.Verdict, r.End, r.Ticks, r.Callbacks)
	if r.Err != nil {
		s += ": " + r.Err.Error()
	}
	for _, h := range r.Alive {
		s += "\n  alive: " + h.String()
	}
	if r.Divergence != nil {
		s += "\n  " + r.Divergence.String()
	}
	return s
}

// errTimeLimit stops a run whose callbacks consumed its virtual time.
var errTimeLimit = errors.New("sim: virtual time limit reached")

// ErrInjected is the error of a pool job the simulated pool failed on purpose; it
// matches syscall.EIO.
var ErrInjected = fmt.Errorf("sim: injected pool failure: %w", syscall.EIO)

// RunError is the error of a run that did not end OK: its seed, its verdict and why
// (the Result's Err). Match it with errors.As to tell a failed run from a
// configuration Run refuses.
type RunError struct {
	Seed    uint64
	Verdict Verdict
	Err     error
}

// Error says "sim: seed 3: stuck: " and then why.
func (e *RunError) Error() string {
	s := fmt.Sprintf("sim: seed %d: %s", e.Seed, e.Verdict)
	if e.Err != nil {
		s += ": " + strings.TrimPrefix(e.Err.Error(), "sim: ")
	}
	return s
}

// Unwrap returns the run's Err, so that errors.Is and errors.As reach the callback's
// *nodeloop.CallbackPanic, nodeloop.ErrStepLimit or a *ReplayError.
func (e *RunError) Unwrap() error { return e.Err }

// Run runs program as the main callback of a loop in a simulated world made by cfg,
// on the calling goroutine, and returns what happened. A run is a pure function of
// cfg (its seed or choices) and the program: the same inputs give the same trace.
//
// A run that does not end OK returns its Result and a *RunError that names the
// verdict. A configuration that makes no sense returns a nil Result and an error
// that says what is wrong with it.
func Run(cfg Config, program func(*nodeloop.Loop)) (*Result, error) {
	if program == nil {
		panic("nodeloop: sim.Run needs a program; pass a func, not nil")
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, err
	}
	res, err := run(withDefaults(cfg), program, false)
	if err != nil {
		return nil, err
	}
	if !res.stalled() {
		return res, res.runError()
	}
	// Say where the program made what keeps the loop alive: the run again, from its
	// own choice log, this time remembering every handle's maker (which costs a
	// stack walk per handle, too much for every run of a sweep).
	again := withDefaults(cfg)
	again.Choices, again.Trace, again.Tracer, again.KeepTrace = Replay(res.Choices), nil, nil, false
	again.spare = nil // the first run's slices are in res, which replays from its Choices
	if res2, err := run(again, program, true); err == nil && res2.Verdict == res.Verdict {
		res.Alive = res2.Alive
	}
	return res, res.runError()
}

// runError is Run's error for the run r: nil when it ended OK.
func (r *Result) runError() error {
	if r.Verdict == OK {
		return nil
	}
	return &RunError{Seed: r.Seed, Verdict: r.Verdict, Err: r.Err}
}

// stalled reports whether the run ended with the loop still alive.
func (r *Result) stalled() bool {
	return r.Verdict == Stuck || r.Verdict == TimeLimit || r.Verdict == StepLimit
}

// choicesFirstMax is the room a run's choice log is first made with, when no run
// before lent it one: that of a short scenario's run, so that its log grows once
// at most rather than from one choice by doubling.
const choicesFirstMax = 48

func run(cfg Config, program func(*nodeloop.Loop), callers bool) (*Result, error) {
	a := new(runAlloc)
	src := cfg.Choices
	if src == nil {
		a.seeded.init(cfg.Seed)
		src = &a.seeded
	}
	rec, res := &a.rec, &a.res
	rec.src = src
	res.Seed, res.Faults = cfg.Seed, cfg.Faults
	if sp := cfg.spare; sp != nil {
		cfg.spare = nil
		rec.log, res.Events = sp.choices[:0], sp.events[:0]
	} else {
		rec.log = make([]Choice, 0, choicesFirstMax)
	}
	if cfg.Swarm {
		res.Faults = swarm(cfg.Seed, cfg.Faults)
	}
	f := res.Faults
	a.clock = *fakeclock.New()
	clock := &a.clock
	kit, err := takeKit(clock, fakepoller.Options{
		Choices:    rec,
		MinLatency: cfg.Latency.Min,
		MaxLatency: cfg.Latency.Max,
		Faults:     f.Network,
	}, PoolOptions{Workers: cfg.Workers, Choices: rec, JobTime: cfg.JobTime, Faults: f.Pool})
	if err != nil {
		return nil, err
	}
	fp, pool := kit.poller, kit.pool
	fp.SetHorizon(fakeclock.Epoch.Add(cfg.TimeLimit))
	var t *tracer
	if cfg.Trace != nil || cfg.Tracer != nil || cfg.KeepTrace {
		// Only a run whose events someone reads has the loop make them: the
		// Result's counts come from the loop itself (see looptrace.Counts).
		t = &tracer{user: cfg.Tracer, keep: cfg.KeepTrace, res: res}
	}
	if cfg.Trace != nil {
		h := traces.NewHeader("sim")
		h.Seed, h.Scenario = cfg.Seed, cfg.Scenario
		h.Config, _ = json.Marshal(headerConfig(cfg, res.Faults))
		t.out = traces.NewRecorder(cfg.Trace, h)
	}
	var loopClock nodeloop.Clock = clock
	var charging *chargingClock
	if cfg.CallbackCost != (Range{}) {
		charging = &chargingClock{clock: clock, cost: cfg.CallbackCost, choices: rec, limit: fakeclock.Epoch.Add(cfg.TimeLimit)}
		loopClock = charging
	}
	opts := []nodeloop.Option{
		nodeloop.WithClock(loopClock), nodeloop.WithPoller(fp), nodeloop.WithPool(pool),
		nodeloop.WithStepLimit(cfg.StepLimit),
	}
	if t != nil {
		opts = append(opts, nodeloop.WithTracer(t))
	}
	if callers {
		opts = append(opts, nodeloop.WithCallers())
	}
	if d, ok := cfg.FS.(*Disk); ok {
		res.Disk = d.forRun(rec, f.Disk)
		defer res.Disk.endRun()
		opts = append(opts, nodeloop.WithFS(res.Disk))
	} else if cfg.FS != nil {
		opts = append(opts, nodeloop.WithFS(cfg.FS))
	}
	l, err := nodeloop.New(opts...)
	if err != nil {
		return nil, err
	}
	if charging != nil {
		charging.loop = l
	}
	if t == nil {
		// The loop numbers the events it does not make, so that a callback's
		// panic names its place in the trace of the run as a traced run does.
		looptrace.CountOnly(l)
	}
	rec.loop = l
	w := &world{choices: rec, clock: clock, limit: fakeclock.Epoch.Add(cfg.TimeLimit)}
	loopstate.Set(l, w)
	runErr := l.Run(func() { program(l) })
	for runErr == nil && w.idle != nil && runIdle(w.idle, &runErr) {
		runErr = l.Run(nil) // the program's OnIdle gave the loop work again
	}
	if runErr != nil { // errors.As's target is made only for a run that failed
		var cp *nodeloop.CallbackPanic
		if errors.As(runErr, &cp) {
			if rp, ok := cp.Value.(rapidPanic); ok {
				l.Close()
				panic(rp.value)
			}
		}
	}
	res.End = clock.Now().Sub(fakeclock.Epoch)
	res.Ticks, res.Callbacks = looptrace.Counts(l)
	res.Choices = rec.log
	if r, ok := src.(interface{ divergence() *Divergence }); ok {
		res.Divergence = r.divergence()
	}
	judge(res, l, runErr)
	l.Close()
	kits.Put(kit)  // the loop closed its poller and pool, and uses them no more
	rec.loop = nil // the Result, which holds rec, keeps no loop alive
	if t != nil && t.out != nil {
		if err := t.out.Flush(); err != nil && res.Err == nil {
			res.Verdict, res.Err = Failed, fmt.Errorf("sim: writing the trace: %w", err)
		}
	}
	return res, nil
}

// runAlloc is what a run makes its Result, its choice recording, its seeded
// source and its clock of, in one allocation.
type runAlloc struct {
	res    Result
	rec    recording
	seeded seeded
	clock  fakeclock.Clock
}

// kit is the fake poller and simulated pool of a run, which a later run resets
// rather than make its own: the run is the same, with less to allocate.
type kit struct {
	poller *fakepoller.Poller
	pool   *Pool
}

// kits holds the kits of runs that are over, for the next ones, on any goroutine.
var kits sync.Pool

// takeKit returns a poller and a pool such as fakepoller.NewWith(clock, popts) and
// NewPoolWith make, those of a run that is over if there is one.
func takeKit(clock *fakeclock.Clock, popts fakepoller.Options, opts PoolOptions) (*kit, error) {
	k, _ := kits.Get().(*kit)
	if k == nil {
		fp, err := fakepoller.NewWith(clock, popts)
		if err != nil {
			return nil, err
		}
		pool, err := NewPoolWith(fp, opts)
		if err != nil {
			return nil, err
		}
		return &kit{poller: fp, pool: pool}, nil
	}
	if err := k.poller.Reset(clock, popts); err != nil {
		return nil, err // the kit, closed, is dropped
	}
	if err := k.pool.reset(opts); err != nil {
		return nil, err
	}
	return k, nil
}

// runIdle calls the program's OnIdle hook, a panic in it being the run's error as a
// callback's is, an error it returns the run's error, and reports whether the loop must run again.
func runIdle(idle func() (bool, error), err *error) (again bool) {
	defer func() {
		if x := recover(); x != nil {
			*err = &nodeloop.CallbackPanic{Value: x}
			again = false
		}
	}()
	again, *err = idle()
	return again && *err == nil
}

// judge sets the verdict from how Run ended.
func judge(res *Result, l *nodeloop.Loop, err error) {
	if err == nil {
		res.Verdict = OK
	} else {
		judgeErr(res, err)
	}
	if res.stalled() {
		res.Alive = l.Handles()
	}
}

// judgeErr sets the verdict of a run that ended with err, not nil.
func judgeErr(res *Result, err error) {
	var cp *nodeloop.CallbackPanic
	var re *ReplayError
	switch {
	case errors.As(err, &cp) && errors.As(asError(cp.Value), &re):
		res.Verdict, res.Err = Diverged, re
	case errors.As(err, &cp) && cp.Value == errTimeLimit, errors.Is(err, fakepoller.ErrHorizon):
		res.Verdict, res.Err = TimeLimit, errTimeLimit
	case errors.Is(err, nodeloop.ErrStepLimit):
		res.Verdict, res.Err = StepLimit, err
	case errors.Is(err, fakepoller.ErrStuck):
		res.Verdict, res.Err = Stuck, errors.New("sim: the loop is alive but nothing can ever complete")
	default:
		res.Verdict, res.Err = Failed, err
	}
}

func asError(v any) error {
	if err, ok := v.(error); ok {
		return err
	}
	return nil
}

func withDefaults(cfg Config) Config {
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Latency == (Range{}) {
		cfg.Latency = Range{10 * time.Microsecond, 2 * time.Millisecond}
	}
	if cfg.JobTime == (Range{}) {
		cfg.JobTime = Range{100 * time.Microsecond, 5 * time.Millisecond}
	}
	if cfg.TimeLimit == 0 {
		cfg.TimeLimit = DefaultTimeLimit
	}
	if cfg.StepLimit == 0 {
		cfg.StepLimit = DefaultStepLimit
	}
	return cfg
}

// headerConfig is what a trace's header records of the configuration.
func headerConfig(cfg Config, f Faults) map[string]any {
	m := map[string]any{
		"workers":       cfg.Workers,
		"latency":       []int64{int64(cfg.Latency.Min), int64(cfg.Latency.Max)},
		"job_time":      []int64{int64(cfg.JobTime.Min), int64(cfg.JobTime.Max)},
		"callback_cost": []int64{int64(cfg.CallbackCost.Min), int64(cfg.CallbackCost.Max)},
		"faults":        f.String(), // as ParseFaults reads them
		"swarm":         cfg.Swarm,
		"time_limit":    int64(cfg.TimeLimit),
		"step_limit":    cfg.StepLimit,
	}
	if len(cfg.Program) > 0 {
		m["program"] = cfg.Program
	}
	return m
}

// tracer is the simulated world's view of the loop's events, in a run whose events
// someone reads: it passes every event on to the trace, to Config.Tracer, and to
// Result.Events when Config.KeepTrace.
type tracer struct {
	res  *Result
	out  *traces.Recorder
	user interface{ Event(*traces.Event) } // Config.Tracer
	keep bool                              // Config.KeepTrace
}

func (t *tracer) Event(e *traces.Event) {
	if t.out != nil {
		t.out.Event(e)
	}
	if t.user != nil {
		t.user.Event(e)
	}
	if t.keep {
		t.res.Events = append(t.res.Events, *e)
	}
}

// chargingClock is the loop's clock when callbacks cost virtual CPU time: each
// reading first moves the fake clock by a drawn cost, the time the program ran since
// the loop last looked. A reading with no callback started since the last charge,
// when that charge was not made inside a callback, draws nothing: no program ran,
// and a draw whose every value means the same would be one more for a shrinker to
// go through. So the first reading, the loop's making, which follows no callback,
// costs nothing and draws nothing, and every choice of a run is made while the loop
// can trace it.
type chargingClock struct {
	clock   *fakeclock.Clock
	cost    Range
	choices fakepoller.Choices
	limit   time.Time
	// loop counts the callbacks run (nil while New makes it, before any ran);
	// callbacks is its count at the last charge, and inCallback says whether that
	// charge was made while a callback ran (at a timer's start), which then went
	// on running.
	loop       *nodeloop.Loop
	callbacks  uint64
	inCallback bool
}

func (c *chargingClock) Now() time.Time {
	var ran uint64
	if c.loop != nil {
		_, ran = looptrace.Counts(c.loop)
	}
	if ran == c.callbacks && !c.inCallback {
		return c.clock.Now() // no program ran since the last reading: nothing to charge
	}
	label := costLabel()
	c.callbacks, c.inCallback = ran, label == costAtTimerStart
	d := fakepoller.Between(c.choices, label, c.cost.Min, c.cost.Max, time.Microsecond)
	if c.clock.Now().Add(d).After(c.limit) {
		panic(errTimeLimit)
	}
	c.clock.Advance(d)
	return c.clock.Now()
}

// costSite is a place where the loop reads its clock: the loop's method that reads
// it ("" for none) and the function that called that one.
type costSite struct{ reader, caller string }

// costAtTimerStart names the CPU cost charged when a callback starts a timer.
const costAtTimerStart = "cpu.cost at timer start"

// costLabels name the CPU cost drawn at each reading of the clock by what it
// charges: the time the program ran since the loop last looked.
var costLabels = map[costSite]string{
	{"(*Loop).updateTime", "(*Loop).Run"}:       "cpu.cost before run", // the callbacks between two runs
	{"(*Loop).updateTime", "(*Loop).RunOnce"}:   "cpu.cost before run",
	{"(*Loop).updateTime", "(*Loop).runTimers"}: "cpu.cost before timers",   // the callbacks of the last tick's phases
	{"(*Loop).updateTime", "(*Loop).poll"}:      "cpu.cost after wait",      // the pending, idle and prepare callbacks
	{"(*Loop).fresh", "(*Loop).fire"}:           "cpu.cost before interval", // the timers phase's callbacks so far
	{"(*Loop).fresh", "(*Loop).SetTimeout"}:     costAtTimerStart,           // the running callback, up to the call
	{"(*Loop).fresh", "(*Loop).SetInterval"}:    costAtTimerStart,
	{"(*Loop).fresh", "(*Loop).StartTimer"}:     costAtTimerStart,
	{"(*Loop).fresh", "(*Timer).Refresh"}:       costAtTimerStart,
}

// costLabel names the CPU cost drawn at the current reading of the clock by where
// the loop reads it (see costLabels): a failure's choices then say which stretch of
// the program took long. It is called by chargingClock.Now; a reading from anywhere
// else is plain "cpu.cost".
func costLabel() string {
	var pcs [2]uintptr
	runtime.Callers(3, pcs[:]) // above runtime.Callers, costLabel and Now
	if label, ok := costLabelCache.Load(pcs); ok {
		return label.(string)
	}
	label := costLabelAt(pcs)
	costLabelCache.Store(pcs, label)
	return label
}

// costLabelCache holds costLabelAt's answer for each pair of program counters: a
// loop reads its clock from a handful of places, and resolving their frames costs
// more than a run's callbacks.
var costLabelCache sync.Map // [2]uintptr to string

// costLabelAt names the reading of the clock from the frames of pcs (see
// costLabels).
func costLabelAt(pcs [2]uintptr) string {
	frames := runtime.CallersFrames(pcs[:])
	reader := ""
	for {
		f, more := frames.Next()
		name, ok := strings.CutPrefix(f.Function, "github.com/nodeloop/nodeloop.")
		if !ok {
			return "cpu.cost"
		}
		if reader == "" && (name == "(*Loop).updateTime" || name == "(*Loop).fresh") {
			reader = name
		} else if label, ok := costLabels[costSite{reader, name}]; ok {
			return label
		} else {
			return "cpu.cost"
		}
		if !more {
			return "cpu.cost"
		}
	}
}
