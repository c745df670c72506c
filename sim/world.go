package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/loopstate"
	"github.com/nodeloop/nodeloop/internal/looptrace"
	"github.com/nodeloop/nodeloop/traces"
)

// World is a simulated world of several hosts: each a loop running its own program,
// all on one virtual clock and one network (fakepoller.Network), run on the calling
// goroutine from one choice source. A host dials another by its name
// ("server:80"); the addresses a connection reports are the hosts' own, 10.0.0.1
// for the first host added, 10.0.0.2 for the second, and so on (see
// fakepoller.Network), and HostOf names the host of one. localhost is each host's
// own. A world is a pure function of its configuration and its programs, as a
// single run is: the same seed gives the same trace, byte for byte.
//
// The world steps its hosts in virtual time. At each instant it delivers what the
// network has due, then lets one of the hosts that have something to do run one
// iteration of its loop (its main callback first, then Loop.RunOnce without
// waiting): a host with completions from the network or its pool, or whose next
// deadline (Loop.NextDeadline) has come. Which one, when several could, is the
// choice "world.host" among them, in the order they were added (option 0, the calm
// one, is the first of them). When no host has anything to do, the clock moves to
// the earliest instant something happens on the network or in a host. A host's first
// iteration follows its main callback directly (the main callback ends with a
// Loop.Stop that its trace shows), so the timers phase of its first tick comes after
// its first poll phase, as in a loop that RunOnce drives.
//
// A world's hosts may crash and restart (Crash, Restart, and the crash fault), and
// its network may be partitioned and clogged between hosts (Partition, Clog, and
// the partition and clog faults); each shows in the trace as a log event of the
// world. Every message between two hosts shows, when it arrives, as a message
// event of the world (traces.KindMessage: the hosts, when it was sent, what it
// was). HostRuns splits a host's events into the runs of its program.
//
// A host's program may register an OnIdle hook, as a JavaScript runtime does for
// 'beforeExit' and its exit code: the world calls it, as Run does, after a step
// that leaves the host's loop with no more work or in which the program stopped
// it (Loop.Stop). While the hook gives the loop work, the host goes on; when it
// ends the host, nothing of it runs again, and if its loop was still alive (a
// process.exit with a server listening) its connections are reset and connection
// requests to it refused, as after a process exits, while its disk keeps even
// what it has not synced; an error it returns fails the world, naming the host.
type World struct {
	cfg     Config
	hosts   []worldHost
	nemesis []nemesisEvent
	links   []linkEvent
	live    *Liveness
	ran     bool
}

// Liveness is a world's liveness mode: from virtual time After on, every fault stops
// (the network's, the pools' and the disks' faults, Buggify, clock jumps), and the world must
// then reach the user's condition, Done, within Within. A world that does, ends OK
// at once, its hosts still alive or not; one that does not (its hosts all ended,
// or the bound passed) ends NotLive, and its result lists, per host, what is still
// alive and where the program made it. A world stuck before is Stuck, as without
// liveness mode.
type Liveness struct {
	// After is when the faults stop, since the start.
	After time.Duration
	// Within bounds the time after After by which Done must hold.
	Within time.Duration
	// Done is the condition, asked on the world's goroutine after every step of
	// a host: it reads the hosts' programs' state (a client's count of
	// acknowledged requests, say). It must not be nil. A world that ends
	// NotLive, Stuck or out of time or steps runs again from its own choice log
	// to find where its handles were made, so the state Done reads should be set
	// afresh by the programs' main callbacks.
	Done func() bool

	_ struct{}
}

// SetLiveness puts the world in liveness mode, as lv says; Run refuses a negative
// After or Within and a nil Done.
func (w *World) SetLiveness(lv Liveness) { w.live = &lv }

type worldHost struct {
	name    string
	program func(*nodeloop.Loop)
	opts    HostOptions
}

// NewWorld returns an empty world configured by cfg, whose fields mean what they
// mean for Run, for every host: Seed, Choices, Workers (each host has a simulated
// pool of its own), Latency, JobTime, CallbackCost (each host's callbacks are
// charged, and, as Busy does, the charge moves the world's one clock), Faults,
// Swarm, TimeLimit (the world's), StepLimit (each host's), Trace, KeepTrace,
// Scenario, Tracer. FS is not one for a world: each host has its own disk
// (HostOptions.Disk), and Run refuses it.
func NewWorld(cfg Config) *World { return &World{cfg: cfg} }

// Host adds a host named name that runs program as its main callback. Host names are
// what other hosts dial ("db1:5432"): Run refuses an empty one, localhost, an IP
// address, one with a colon, bracket, slash or space, and one given twice. A nil
// program panics.
func (w *World) Host(name string, program func(*nodeloop.Loop)) {
	w.HostWith(name, program, HostOptions{})
}

// HostWith adds a host as Host does, configured by opts; Run refuses options that
// make no sense, naming the host.
func (w *World) HostWith(name string, program func(*nodeloop.Loop), opts HostOptions) {
	if program == nil {
		panic(fmt.Sprintf("nodeloop: World.Host(%q, nil); pass the host's program", name))
	}
	w.hosts = append(w.hosts, worldHost{name, program, opts})
}

// Crash makes the host named name crash at virtual time at since the start, as
// after a power cut: its loop stops at once, wherever it is, and nothing of it runs
// again unless a Restart brings it back. Its connections vanish: the peer of each
// gets a reset, after the network's latency, and its operations fail with
// ECONNRESET or EPIPE; a connection request to the host is refused while it is down,
// as by a machine that is booting. Its disk (HostOptions.Disk) becomes what
// Disk.Crash leaves, drawn from the world's choices: synced data survives, unsynced
// data as the disk's crash model decides. A crash of a host that is down or has
// ended does nothing. The world's trace shows it as a log event of the world,
// "crash NAME". Run refuses a name that is no host's and a negative time.
func (w *World) Crash(name string, at time.Duration) {
	w.nemesis = append(w.nemesis, nemesisEvent{name: name, at: fakeclock.Epoch.Add(at)})
}

// Restart makes the host named name, if it is down then, start again at virtual
// time at since the start: its program runs from the start on a new loop, with a
// new pool and network (nothing open, nothing in flight), at the host's address and
// with its disk as the crash left it. Its clock keeps its offset and drift. A
// restart of a host that is up does nothing. The trace shows it as "restart NAME".
// In liveness mode, every host that is down when the faults stop restarts then, and
// no crash comes after. Run refuses a name that is no host's and a negative time.
func (w *World) Restart(name string, at time.Duration) {
	w.nemesis = append(w.nemesis, nemesisEvent{name: name, at: fakeclock.Epoch.Add(at), restart: true})
}

// Partition is a partition of a world's network between two sets of hosts, for
// World.Partition.
type Partition struct {
	// From and To are the two sets of hosts, by name.
	From, To []string
	// OneWay cuts only the links from From to To; otherwise both ways.
	OneWay bool
	// At is when the partition starts and Heal when it heals, since the start;
	// a Heal of 0 means never (but for liveness mode's end of faults).
	At, Heal time.Duration
}

// Partition partitions the world's network as p says: from At on, every link from
// a host of From to a host of To (and back, unless OneWay) is cut, as
// fakepoller.Network.Cut cuts one. TCP segments along a cut link are held, not
// dropped: at Heal they are delivered in order, before anything sent later, and a
// connection whose segment is held longer than the network's cut timeout,
// fakepoller.DefaultCutTimeout, fails at both ends with ETIMEDOUT. The world's trace
// shows the partition and its heal as log events of the world ("partition a from
// b,c", "heal a from b,c"; "partition a to b" for one way). In liveness mode, every
// partition heals when the faults stop. Run refuses a name that is no host's, an
// empty set, a host on both sides, a negative time and a Heal before At.
func (w *World) Partition(p Partition) {
	w.links = append(w.links, linkEvent{at: p.At, until: p.Heal, from: p.From, to: p.To, oneWay: p.OneWay, cut: true})
}

// Clog adds latency to every message sent from a host of from to a host of to (and
// back, unless oneWay) from virtual time at to until (0: for ever), on top of the
// network's own latency; the trace shows it as "clog a to b,c" and "unclog a to
// b,c". In liveness mode, every link unclogs when the faults stop. Run refuses what
// it refuses of a Partition, and a negative latency.
func (w *World) Clog(from, to []string, oneWay bool, at, until, latency time.Duration) {
	w.links = append(w.links, linkEvent{at: at, until: until, from: from, to: to, oneWay: oneWay, lat: latency})
}

// linkEvent is one partition or clog as given.
type linkEvent struct {
	at, until time.Duration
	from, to  []string
	oneWay    bool
	cut       bool
	lat       time.Duration
}

// linkStep is one step of a partition or clog: its start or its end.
type linkStep struct {
	at  time.Time
	ev  *linkEvent
	end bool
}

// linkSteps checks the partitions and clogs and returns their steps in the order
// they happen, those of one instant in the order they were given.
func (w *World) linkSteps(links []linkEvent) ([]linkStep, error) {
	var out []linkStep
	for i := range links {
		ev := &links[i]
		what := "Partition"
		if !ev.cut {
			what = "Clog"
		}
		if len(ev.from) == 0 || len(ev.to) == 0 {
			return nil, fmt.Errorf("sim: world %s: want hosts on both sides", what)
		}
		for _, names := range [][]string{ev.from, ev.to} {
			for _, name := range names {
				if !slices.ContainsFunc(w.hosts, func(h worldHost) bool { return h.name == name }) {
					return nil, fmt.Errorf("sim: world %s: no host is named %q", what, name)
				}
				if slices.Contains(ev.from, name) && slices.Contains(ev.to, name) {
					return nil, fmt.Errorf("sim: world %s: host %q is on both sides", what, name)
				}
			}
		}
		switch {
		case ev.at < 0 || ev.until < 0 || ev.lat < 0:
			return nil, fmt.Errorf("sim: world %s %v to %v: want times and latency >= 0", what, ev.at, ev.until)
		case ev.until != 0 && ev.until < ev.at:
			return nil, fmt.Errorf("sim: world %s: ends at %v, before it starts at %v", what, ev.until, ev.at)
		}
		out = append(out, linkStep{at: fakeclock.Epoch.Add(ev.at), ev: ev})
		if ev.until != 0 {
			out = append(out, linkStep{at: fakeclock.Epoch.Add(ev.until), ev: ev, end: true})
		}
	}
	slices.SortStableFunc(out, func(a, b linkStep) int { return a.at.Compare(b.at) })
	return out, nil
}

// drawLinks draws the partitions and clogs of the faults f, host by host in the
// order they were added: whether the host is partitioned from every other
// ("fault.partition"), one way or both ("fault.partition.oneway"), when
// ("fault.partition.at", up to the fault's latency) and for how long
// ("fault.partition.heal", up to it too); whether its links to every other are
// clogged ("fault.clog") and by how much ("fault.clog.latency", up to the
// fault's latency).
func (w *World) drawLinks(f Faults, choices fakepoller.Choices) []linkEvent {
	var out []linkEvent
	if len(w.hosts) < 2 {
		return nil
	}
	for i, h := range w.hosts {
		var others []string
		for j, o := range w.hosts {
			if j != i {
				others = append(others, o.name)
			}
		}
		if fakepoller.Chance(choices, "fault.partition", f.World.Partition) {
			oneWay := choices.Choose("fault.partition.oneway", 2) == 1
			at := fakepoller.Between(choices, "fault.partition.at", 0, f.World.PartitionLatency, time.Millisecond)
			heal := fakepoller.Between(choices, "fault.partition.heal", time.Millisecond, f.World.PartitionLatency, time.Millisecond)
			out = append(out, linkEvent{at: at, until: at + heal, from: []string{h.name}, to: others, oneWay: oneWay, cut: true})
		}
		if fakepoller.Chance(choices, "fault.clog", f.World.Clog) {
			lat := fakepoller.Between(choices, "fault.clog.latency", 0, f.World.ClogLatency, time.Millisecond)
			out = append(out, linkEvent{from: []string{h.name}, to: others, oneWay: true, lat: lat})
		}
	}
	return out
}

// apply applies step st to net, noting it in the trace.
func (st linkStep) apply(net *fakepoller.Network, wr *worldRun) {
	ev := st.ev
	sep := " from "
	if ev.oneWay {
		sep = " to "
	}
	verb := map[[2]bool]string{{true, false}: "partition", {true, true}: "heal", {false, false}: "clog", {false, true}: "unclog"}[[2]bool{ev.cut, st.end}]
	wr.note(verb + " " + strings.Join(ev.from, ",") + sep + strings.Join(ev.to, ","))
	for _, a := range ev.from {
		for _, b := range ev.to {
			pairs := [][2]string{{a, b}, {b, a}}
			if ev.oneWay {
				pairs = pairs[:1]
			}
			for _, pr := range pairs {
				switch {
				case ev.cut && !st.end:
					net.Cut(pr[0], pr[1])
				case ev.cut:
					net.Heal(pr[0], pr[1])
				case !st.end:
					net.Clog(pr[0], pr[1], ev.lat)
				default:
					net.Clog(pr[0], pr[1], 0)
				}
			}
		}
	}
}

// nemesisEvent is one scheduled crash or restart.
type nemesisEvent struct {
	name    string
	host    int // index in World.hosts, set by schedule
	at      time.Time
	restart bool
}

// schedule returns the world's crashes and restarts in the order they happen: the
// timed ones given by Crash and Restart, and those the crash fault draws, host by
// host in the order they were added (whether it crashes, "fault.crash"; when,
// "fault.crash.at", up to the fault's latency; how long it stays down,
// "fault.crash.down", up to the latency too). At one instant they keep the order
// they were given in, the drawn ones after.
func (w *World) schedule(cfg Config, f Faults, choices fakepoller.Choices) ([]nemesisEvent, error) {
	var out []nemesisEvent
	for _, ev := range w.nemesis {
		ev.host = -1
		for i, h := range w.hosts {
			if h.name == ev.name {
				ev.host = i
			}
		}
		what := "Crash"
		if ev.restart {
			what = "Restart"
		}
		switch {
		case ev.host < 0:
			return nil, fmt.Errorf("sim: world %s(%q): no host has that name", what, ev.name)
		case ev.at.Before(fakeclock.Epoch):
			return nil, fmt.Errorf("sim: world %s(%q, %v): want a time >= 0", what, ev.name, ev.at.Sub(fakeclock.Epoch))
		}
		out = append(out, ev)
	}
	if f.World.Crash > 0 {
		for i, h := range w.hosts {
			if !fakepoller.Chance(choices, "fault.crash", f.World.Crash) {
				continue
			}
			at := fakeclock.Epoch.Add(fakepoller.Between(choices, "fault.crash.at", 0, f.World.CrashLatency, time.Millisecond))
			down := fakepoller.Between(choices, "fault.crash.down", 0, f.World.CrashLatency, time.Millisecond)
			out = append(out, nemesisEvent{name: h.name, host: i, at: at}, nemesisEvent{name: h.name, host: i, at: at.Add(down), restart: true})
		}
	}
	slices.SortStableFunc(out, func(a, b nemesisEvent) int { return a.at.Compare(b.at) })
	return out, nil
}

// note puts a log event of the world's own into the trace.
func (wr *worldRun) note(msg string) {
	wr.seq++
	e := traces.Event{Seq: wr.seq, Kind: traces.KindLog, Time: wr.clock.Now().Sub(fakeclock.Epoch), Msg: msg}
	wr.emit(&e)
}

// HostResult is what one host of a world did.
type HostResult struct {
	Name string
	// Verdict is the host's: OK when its loop ran until nothing kept it alive, or
	// the verdict of the world when the world ended with the host still alive.
	Verdict Verdict
	// Err is the host's loop's error, its callback's panic, or why it is stalled.
	Err error
	// Alive lists what kept the host's loop alive when the world was stuck or out
	// of time or steps, each with where the program made it.
	Alive []nodeloop.Handle
	// Ticks and Callbacks count the host's loop's ticks and callbacks: Ticks
	// those of its latest run (a host that restarted runs its program anew),
	// Callbacks those of every run.
	Ticks, Callbacks uint64
	// Events is the host's part of the trace, when Config.KeepTrace: the events
	// of its loop, each with Host set to its name.
	Events []traces.Event
	// Disk is the host's simulated disk as the world left it, when its
	// HostOptions gave one; its Crash is the disk after a power cut at the end.
	Disk *Disk
}

// WorldResult is what a world did.
type WorldResult struct {
	Seed uint64
	// Verdict is the world's: OK when every host ran until nothing kept it alive;
	// Failed, TimeLimit, StepLimit or Diverged as for Run when a host's loop ended
	// so (Host names it); Stuck when some hosts are alive and none can ever make
	// progress.
	Verdict Verdict
	// Host names the host the verdict is about: the one that failed, or ran out
	// of steps; "" for OK, Stuck and TimeLimit, which are the world's.
	Host string
	// Err says why the world did not end OK.
	Err error
	// Hosts are the hosts' results, in the order they were added.
	Hosts []HostResult
	// End is the virtual time at the end, since the start.
	End time.Duration
	// Choices is every decision made, in order: give it to Replay to repeat the
	// world.
	Choices []Choice
	// Events is the world's trace, when Config.KeepTrace: the hosts' events,
	// each naming its host, with the world's own choices (which host runs, what
	// the network decides between the hosts' steps), which name none.
	Events []traces.Event
	// Faults are the faults in force (after Swarm drew them).
	Faults Faults
	// Divergence, in a world that replayed a log tolerantly (ReplayFrom), says
	// where it first took a choice that was not the log's next one, as for Run.
	Divergence *Divergence
}

// Failed reports whether the world ended in anything but OK.
func (r *WorldResult) Failed() bool { return r.Verdict != OK }

func (r *WorldResult) String() string {
	s := fmt.Sprintf("seed %d: %s after %v of virtual time", r.Seed, r.Verdict, r.End)
	if r.Err != nil {
		s += ": " + r.Err.Error()
	}
	for _, h := range r.Hosts {
		for _, a := range h.Alive {
			s += "\n  " + h.Name + ": alive: " + a.String()
		}
	}
	return s
}

// HostEvents returns the events of host name in events, a world's trace, in order:
// the trace of its loop alone, for properties.Check.
func HostEvents(events []traces.Event, name string) []traces.Event {
	var out []traces.Event
	for _, e := range events {
		if e.Host == name {
			out = append(out, e)
		}
	}
	return out
}

// HostRuns returns the events of host name in events, a world's trace, split into
// the runs of its program: one, and one more after each restart (World.Restart), as
// the world's "restart NAME" log events mark them. properties.Check takes each run
// of a host that may have crashed.
func HostRuns(events []traces.Event, name string) [][]traces.Event {
	runs := [][]traces.Event{nil}
	for _, e := range events {
		switch {
		case e.Host == name:
			runs[len(runs)-1] = append(runs[len(runs)-1], e)
		case e.Host == "" && e.Kind == traces.KindLog && e.Msg == "restart "+name:
			runs = append(runs, nil)
		}
	}
	return runs
}

// Run runs the world until every host is done, or one fails, or none can make
// progress, or the time limit passes, and returns what happened. A world that does
// not end OK returns its result and a *RunError naming the verdict; a
// configuration that makes no sense (no host, a bad host name, faults out of range,
// a field a world does not support) returns a nil result and an error saying what
// is wrong. A World runs once.
func (w *World) Run() (*WorldResult, error) {
	if w.ran {
		panic("nodeloop: World.Run called twice; make a new World with NewWorld")
	}
	w.ran = true
	switch {
	case len(w.hosts) == 0:
		return nil, errNoHosts
	case w.cfg.FS != nil:
		return nil, errors.New("sim: a world has no Config.FS; give each host its disk with HostOptions.Disk")
	}
	if err := w.cfg.Faults.validate(); err != nil {
		return nil, err
	}
	for _, h := range w.hosts {
		if err := h.opts.Clock.validate(h.name); err != nil {
			return nil, err
		}
	}
	if lv := w.live; lv != nil && (lv.After < 0 || lv.Within < 0 || lv.Done == nil) {
		return nil, errors.New("sim: liveness: want After and Within of 0 or more and a Done condition")
	}
	cfg := withDefaults(w.cfg)
	res, err := w.run(cfg, false)
	if err != nil {
		return nil, err
	}
	if res.Verdict == Stuck || res.Verdict == TimeLimit || res.Verdict == StepLimit || res.Verdict == NotLive {
		// Again from its own log, remembering where each handle was made.
		again := cfg
		again.Choices, again.Trace, again.Tracer, again.KeepTrace = Replay(res.Choices), nil, nil, false
		if res2, err := w.run(again, true); err == nil && res2.Verdict == res.Verdict {
			for i := range res.Hosts {
				res.Hosts[i].Alive = res2.Hosts[i].Alive
			}
		}
	}
	if res.Verdict == OK {
		return res, nil
	}
	return res, &RunError{Seed: res.Seed, Verdict: res.Verdict, Err: res.Err}
}

// runningHost is a host during a run.
type runningHost struct {
	name    string
	program func(*nodeloop.Loop)
	loop    *nodeloop.Loop
	poller  *fakepoller.Poller
	res     *HostResult
	started bool
	done    bool
	down    bool // crashed, and not restarted
	// stopped is set when the program stopped its loop (Loop.Stop) in a step,
	// not counting the world's own Stop after the main callback; exited when
	// its OnIdle hook ended it with its loop still alive.
	stopped, ownStop, exited bool
}

// worldRun is the state of one run of a world.
type worldRun struct {
	cfg   Config
	res   *WorldResult
	clock *fakeclock.Clock
	out   *traces.Recorder
	cur   *runningHost // the host running a step, nil between steps
	seq   uint64       // the world's own events
}

func (w *World) run(cfg Config, callers bool) (*WorldResult, error) {
	src := cfg.Choices
	if src == nil {
		src = Seeded(cfg.Seed)
	}
	rec := &recording{src: src}
	res := &WorldResult{Seed: cfg.Seed, Faults: cfg.Faults}
	if cfg.Swarm {
		res.Faults = swarm(cfg.Seed, cfg.Faults)
	}
	clock := fakeclock.New()
	limit := fakeclock.Epoch.Add(cfg.TimeLimit)
	net, err := fakepoller.NewNetwork(clock, fakepoller.Options{
		Choices: rec, MinLatency: cfg.Latency.Min, MaxLatency: cfg.Latency.Max, Faults: res.Faults.Network,
	})
	if err != nil {
		return nil, err
	}
	wr := &worldRun{cfg: cfg, res: res, clock: clock}
	if cfg.Trace != nil {
		h := traces.NewHeader("sim")
		h.Seed, h.Scenario = cfg.Seed, cfg.Scenario
		h.Config, _ = json.Marshal(headerConfig(cfg, res.Faults))
		for _, host := range w.hosts {
			h.Hosts = append(h.Hosts, host.name)
		}
		wr.out = traces.NewRecorder(cfg.Trace, h)
	}
	rec.hook = wr.choice
	if wr.tracing() {
		net.OnArrive(wr.message)
	}
	calm := false
	pools := make([]*Pool, len(w.hosts))
	hosts := make([]*runningHost, len(w.hosts))
	res.Hosts = make([]HostResult, len(w.hosts))
	defer func() {
		for _, h := range hosts {
			if h != nil && h.loop != nil {
				h.loop.Close()
			}
		}
	}()
	states := make([]*hostState, len(w.hosts))
	var dead []*nodeloop.Loop // the loops of crashed hosts
	defer func() {
		for _, l := range dead {
			l.Close()
		}
	}()
	// boot makes host i's loop on poller p, with disk, the host's disk, or nil.
	boot := func(i int, p *fakepoller.Poller, disk *Disk) (*runningHost, error) {
		wh := w.hosts[i]
		pool, err := NewPoolWith(p, PoolOptions{Workers: cfg.Workers, Choices: rec, JobTime: cfg.JobTime, Faults: res.Faults.Pool})
		if err != nil {
			return nil, err
		}
		if calm {
			pool.opts.Faults = PoolFaults{}
		}
		pools[i] = pool
		h := &runningHost{name: wh.name, program: wh.program, poller: p, res: &res.Hosts[i]}
		h.res.Name = wh.name
		var loopClock nodeloop.Clock = clock
		var charging *chargingClock
		if cfg.CallbackCost != (Range{}) {
			charging = &chargingClock{clock: clock, cost: cfg.CallbackCost, choices: rec, limit: limit}
			loopClock = charging
		}
		opts := []nodeloop.Option{
			nodeloop.WithClock(loopClock), nodeloop.WithPoller(p), nodeloop.WithPool(pool),
			nodeloop.WithTracer(&hostTracer{w: wr, h: h, traced: wr.tracing()}), nodeloop.WithStepLimit(cfg.StepLimit),
		}
		if callers {
			opts = append(opts, nodeloop.WithCallers())
		}
		if disk != nil {
			h.res.Disk = disk
			opts = append(opts, nodeloop.WithFS(disk))
		}
		if h.loop, err = nodeloop.New(opts...); err != nil {
			return nil, err
		}
		if charging != nil {
			charging.loop = h.loop
		}
		if states[i] == nil {
			states[i] = &hostState{name: wh.name, net: net, skew: wh.opts.Clock, calm: &calm}
		}
		loopstate.Set(h.loop, &world{choices: rec, clock: clock, limit: limit, host: states[i]})
		return h, nil
	}
	for i, wh := range w.hosts {
		p, err := net.AddHost(wh.name)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		var disk *Disk
		if wh.opts.Disk != nil {
			disk = wh.opts.Disk.forRun(rec, res.Faults.Disk)
			defer disk.endRun()
		}
		if hosts[i], err = boot(i, p, disk); err != nil {
			return nil, err
		}
	}
	// crash crashes host i: its loop stops where it is, its network vanishes, its
	// disk is what a power cut leaves.
	crash := func(i int) {
		h := hosts[i]
		net.Crash(h.name) // up, so it cannot fail
		dead = append(dead, h.loop)
		h.done, h.down = true, true
		if h.res.Disk != nil {
			d := h.res.Disk.Crash()
			d.choices, d.faults = rec, h.res.Disk.faults
			h.res.Disk = d
		}
		wr.note("crash " + h.name)
	}
	restart := func(i int) error {
		p, err := net.Restart(hosts[i].name)
		if err != nil {
			return err
		}
		wr.note("restart " + hosts[i].name)
		h, err := boot(i, p, hosts[i].res.Disk)
		if err != nil {
			return err
		}
		hosts[i] = h
		return nil
	}
	sched, err := w.schedule(cfg, res.Faults, rec)
	if err != nil {
		return nil, err
	}
	steps, err := w.linkSteps(append(slices.Clone(w.links), w.drawLinks(res.Faults, rec)...))
	if err != nil {
		return nil, err
	}
	// nemesis applies the scheduled crashes and restarts due by now, and returns
	// when the next one that can change anything is due.
	nemesis := func() (time.Time, bool, error) {
		for len(sched) > 0 && !sched[0].at.After(clock.Now()) {
			ev := sched[0]
			sched = sched[1:]
			h := hosts[ev.host]
			switch {
			case ev.restart && h.down:
				if err := restart(ev.host); err != nil {
					return time.Time{}, false, err
				}
			case !ev.restart && !h.done:
				crash(ev.host)
			}
		}
		for _, ev := range sched {
			if h := hosts[ev.host]; ev.restart && h.down || !ev.restart && !h.done {
				return ev.at, true, nil
			}
		}
		return time.Time{}, false, nil
	}

	var quietAt, liveBy time.Time // when the faults stop, and the condition's bound
	if w.live != nil {
		quietAt = fakeclock.Epoch.Add(w.live.After)
		liveBy = quietAt.Add(w.live.Within)
	}
	var due []*runningHost
	var alive []string // the names of the hosts not done, when the clock moves
	for res.Verdict == OK && res.Err == nil {
		if w.live != nil && !calm && !clock.Now().Before(quietAt) {
			calm = true
			net.SetFaults(fakepoller.Faults{}) // no fault is not valid
			sched, steps = nil, nil
			net.HealAll()
			for i, h := range hosts {
				if h.down {
					if err := restart(i); err != nil {
						return nil, err
					}
				}
			}
			for _, p := range pools {
				p.opts.Faults = PoolFaults{}
			}
			for _, h := range res.Hosts {
				if h.Disk != nil {
					h.Disk.mu.Lock()
					h.Disk.faults = DiskFaults{}
					h.Disk.mu.Unlock()
				}
			}
		}
		nextFault, hasFault, err := nemesis()
		if err != nil {
			return nil, err
		}
		for len(steps) > 0 && !steps[0].at.After(clock.Now()) {
			steps[0].apply(net, wr)
			steps = steps[1:]
		}
		net.RunDue()
		due = due[:0]
		for _, h := range hosts {
			if !h.done && (!h.started || h.poller.Ready() || h.dueBy(clock.Now())) {
				due = append(due, h)
			}
		}
		if len(due) > 0 {
			h := due[rec.Choose("world.host", len(due))]
			wr.step(h)
			if h.exited {
				// Its program ended with connections open: they close as the
				// process's do when it exits, and nothing listens any more.
				h.exited = false
				net.Crash(h.name)
			}
			if w.live != nil && res.Verdict == OK && w.live.Done() {
				wr.reached(hosts)
				break
			}
			continue
		}
		next, ok := net.Next()
		if hasFault && (!ok || nextFault.Before(next)) {
			next, ok = nextFault, true
		}
		if len(steps) > 0 && (!ok || steps[0].at.Before(next)) {
			next, ok = steps[0].at, true
		}
		for _, h := range hosts {
			if h.done {
				continue
			}
			if d, has := h.loop.NextDeadline(); has {
				if at := h.loop.Now().Add(d); !ok || at.Before(next) {
					next, ok = at, true
				}
			}
		}
		alive = alive[:0]
		for _, h := range hosts {
			if !h.done {
				alive = append(alive, h.name)
			}
		}
		switch {
		case w.live != nil && !calm && (!ok || next.After(quietAt)) && !quietAt.After(limit):
			clock.Set(quietAt) // the faults stop there
			continue
		case len(alive) == 0 && hasFault && !next.After(limit) && (w.live == nil || !next.After(liveBy)):
			clock.Set(next) // every host is down, and one restarts then
			continue
		case w.live != nil && (len(alive) == 0 || !ok || next.After(liveBy)):
			if len(alive) > 0 && !ok {
				wr.stall(hosts, Stuck, stuckError(alive))
				break
			}
			if len(alive) > 0 && liveBy.After(clock.Now()) && !liveBy.After(limit) {
				clock.Set(liveBy)
			}
			wr.stall(hosts, NotLive, fmt.Errorf("sim: liveness: the condition did not hold within %v after the faults stopped at %v", w.live.Within, w.live.After))
		case len(alive) == 0:
		case !ok:
			wr.stall(hosts, Stuck, stuckError(alive))
		case next.After(limit):
			wr.stall(hosts, TimeLimit, errTimeLimit)
		default:
			clock.Set(next)
			continue
		}
		break
	}
	for _, h := range res.Hosts {
		if h.Disk != nil {
			h.Disk.endRun()
		}
	}
	res.End = clock.Now().Sub(fakeclock.Epoch)
	res.Choices = rec.log
	if r, ok := src.(interface{ divergence() *Divergence }); ok {
		res.Divergence = r.divergence()
	}
	if wr.out != nil {
		if err := wr.out.Flush(); err != nil && res.Err == nil {
			res.Verdict, res.Err = Failed, fmt.Errorf("sim: writing the trace: %w", err)
		}
	}
	return res, nil
}

// stuckError says which hosts are alive in a world where nothing can happen.
func stuckError(alive []string) error {
	if len(alive) == 1 {
		return fmt.Errorf("sim: host %s is alive but nothing can ever complete", alive[0])
	}
	return fmt.Errorf("sim: hosts %s are alive but nothing can ever complete", strings.Join(alive, ", "))
}

// dueBy reports whether h's loop has work due at now: its next deadline has come.
func (h *runningHost) dueBy(now time.Time) bool {
	d, ok := h.loop.NextDeadline()
	return ok && !h.loop.Now().Add(d).After(now)
}

// step runs one iteration of h: its main callback the first time, one RunOnce
// after. A host whose loop ends in error ends the world with its verdict.
func (wr *worldRun) step(h *runningHost) {
	wr.cur = h
	var err error
	if !h.started {
		h.started = true
		l := h.loop
		err = l.Run(func() {
			h.program(l)
			h.ownStop = true
			l.Stop() // the world, not Run, drives the loop from here
			h.ownStop = false
		})
	} else {
		_, err = h.loop.RunOnce(false)
	}
	wr.cur = nil
	if err == nil {
		h.done = !h.loop.Alive()
		st, _ := loopstate.Get(h.loop).(*world)
		if st == nil || st.idle == nil || !h.done && !h.stopped {
			return
		}
		// The program's OnIdle hook, as Run calls it when its loop has no more
		// work or the program stopped it.
		h.stopped = false
		for err == nil {
			if !runIdle(st.idle, &err) && err == nil {
				h.done, h.exited = true, h.loop.Alive()
				return
			}
			if err == nil && h.loop.Alive() {
				h.done = false
				return
			}
		}
	}
	var cp *nodeloop.CallbackPanic
	if errors.As(err, &cp) {
		if rp, ok := cp.Value.(rapidPanic); ok {
			panic(rp.value) // the deferred Close of run closes the loops
		}
	}
	r := &Result{}
	judge(r, h.loop, err)
	h.res.Verdict, h.res.Err, h.res.Alive = r.Verdict, r.Err, r.Alive
	h.done = true
	wr.res.Verdict, wr.res.Host = r.Verdict, h.name
	wr.res.Err = &hostError{msg: fmt.Sprintf("sim: host %s: %s", h.name, strings.TrimPrefix(r.Err.Error(), "sim: ")), err: r.Err}
	if r.Verdict == TimeLimit {
		wr.res.Host = ""
	}
}

// hostError is the error of a world that a host's failure ended: named by the
// host, it unwraps to the host's own error (a program's exit error, say).
type hostError struct {
	msg string
	err error
}

func (e *hostError) Error() string { return e.msg }
func (e *hostError) Unwrap() error { return e.err }

// reached ends a world in liveness mode whose condition holds: OK, every host's
// verdict OK whether it is alive or not.
func (wr *worldRun) reached(hosts []*runningHost) {
	for _, h := range hosts {
		h.done = true
	}
}

// stall ends the world with verdict v: every host still alive gets it, with what
// keeps it alive.
func (wr *worldRun) stall(hosts []*runningHost, v Verdict, err error) {
	wr.res.Verdict, wr.res.Err = v, err
	for _, h := range hosts {
		if !h.done {
			h.res.Verdict, h.res.Err, h.res.Alive = v, err, h.loop.Handles()
		}
	}
}

// choice puts a decision into the trace: the running host's, or the world's own
// between steps, at the world's time.
func (wr *worldRun) choice(c Choice) {
	if wr.cur != nil {
		looptrace.Choice(wr.cur.loop, c.What, c.N, c.Value)
		return
	}
	wr.seq++
	e := traces.Event{Seq: wr.seq, Kind: traces.KindChoice, Time: wr.clock.Now().Sub(fakeclock.Epoch), Choice: c.What, Options: c.N, Pick: c.Value}
	wr.emit(&e)
}

// emit passes a world event on to the trace.
func (wr *worldRun) emit(e *traces.Event) {
	if wr.out != nil {
		wr.out.Event(e)
	}
	if wr.cfg.Tracer != nil {
		wr.cfg.Tracer.Event(e)
	}
	if wr.cfg.KeepTrace {
		wr.res.Events = append(wr.res.Events, *e)
	}
}

// hostTracer is a host's loop's tracer: it names the host in each event, counts
// them, and passes them on to the world's trace.
type hostTracer struct {
	w      *worldRun
	h      *runningHost
	traced bool // something takes the world's events (worldRun.tracing)
}

func (t *hostTracer) Event(e *traces.Event) {
	if t.traced {
		e.Host = t.h.name // the loop's own event, which it fills in afresh for the next
		t.w.emit(e)
		if t.w.cfg.KeepTrace {
			t.h.res.Events = append(t.h.res.Events, *e)
		}
	}
	switch e.Kind {
	case traces.KindTick:
		t.h.res.Ticks = e.Tick
	case traces.KindCallback:
		t.h.res.Callbacks++
	case traces.KindStop:
		t.h.stopped = t.h.stopped || !t.h.ownStop
	}
}
