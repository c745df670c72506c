package refmodel_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/refmodel"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// TestModel is the model-based test: a rapid state machine grows a random Program
// one op at a time (at the top level or inside a callback already in it), and after
// every step runs the whole program in the simulator and in the reference model.
// They must log the same callbacks in the same order, end at the same virtual time
// after the same number of ticks, and agree on whether the loop is stuck; the trace
// must break no invariant.
//
// A program is made of timeouts and intervals (delays of 0 to 12 ms, some with a
// fraction of a millisecond, negative or above Node's TIMEOUT_MAX), clears and
// refreshes, immediates and their clears, nextTicks, microtasks, pool jobs of ¼ to
// 10 ms and their cancels, idle, prepare and check watchers that stop or close
// themselves, Stop, and TCP sockets: listeners, dials (refused once the listener
// is closed; half of them with a timeout of up to 6 ms, around the two latencies a
// connect takes, so that some time out) and their cancels, writes of 1 to 200 000 bytes (some above the 64 KiB a direction of
// a connection holds, so that they go out in parts and take several reads), runs
// of reads, and closes of connections and listeners, some with reads and writes
// in flight. An exchange step adds a whole conversation (listen, dial, request,
// reply, closes) whose variants cut it at different points. Stop and listen ops
// are added by steps of their own, never drawn inside a new op, and no listener's
// callback dials, directly or through other listeners, its own listener (that
// program would never end). Each case draws 1 to 4 workers, one network latency
// of ¼ to 2 ms, and a driver: Run(main), or 1 to 6 RunOnce calls with drawn block
// arguments followed by Run(nil) or by RunOnce(true) until the loop is not alive.
// The simulated world is calm: no faults, no callback cost, and operations
// finishing at one instant come back in the order they finished.
func TestModel(t *testing.T) { rapid.Check(t, modelProperty) }

// FuzzModel is TestModel for go test -fuzz.
func FuzzModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(modelProperty)) }

// Bounds of the generated programs, each with its unit last.
const (
	genDepthMax       = 3       // nesting of ops inside callbacks
	genChildrenMax    = 2       // ops drawn inside one new callback
	genCountMax       = 3       // runs of an interval or a watcher, reads of a read op
	genDelayMsMax     = 12      // timer delays, before the odd shapes
	genJobQuarters    = 40      // job durations, in quarters of a millisecond
	genLatencyQuarter = 8       // network latency, in quarters of a millisecond
	genOnceCallsMax   = 6       // RunOnce calls a driver draws
	genSmallBytesMax  = 3000    // most writes
	genLargeBytesMax  = 200_000 // the largest writes
	// genDialTimeoutQuarters bounds dial timeouts, in quarters of a millisecond.
	genDialTimeoutQuarters = 24
)

// onceCallsMax bounds the RunOnce(true) calls that finish a RunOnce-driven run; a
// generated program never needs that many.
const onceCallsMax = 100_000

// machine is the state of one TestModel case: the program so far and what its ops
// can be the target of.
type machine struct {
	p       refmodel.Program
	workers int
	nextID  int
	parents [][]int // index paths of the ops whose callbacks can hold more ops
	depths  []int   // parents' depths
	ids     map[refmodel.OpKind][]int
	// dials holds, for each listen op, the listen ops that dials inside its
	// callback target: a listener's callback runs once per connection, so this
	// graph is kept free of cycles, or a program could dial forever.
	dials map[int][]int
	runs  int
}

func modelProperty(t *rapid.T) {
	m := &machine{
		workers: rapid.IntRange(1, 4).Draw(t, "workers"),
		ids:     map[refmodel.OpKind][]int{},
		dials:   map[int][]int{},
	}
	m.p.Latency = time.Duration(rapid.IntRange(1, genLatencyQuarter).Draw(t, "latency quarters")) * time.Millisecond / 4
	if rapid.Bool().Draw(t, "RunOnce") {
		n := rapid.IntRange(1, genOnceCallsMax).Draw(t, "RunOnce calls")
		for range n {
			m.p.Once = append(m.p.Once, rapid.Bool().Draw(t, "block"))
		}
		m.p.ThenRun = rapid.Bool().Draw(t, "then Run")
	}
	actions := map[string]func(*rapid.T){"": m.check, "exchange": m.exchange}
	for _, k := range allKinds {
		actions[k.String()] = func(t *rapid.T) { m.add(t, k) }
	}
	t.Repeat(actions)
}

// allKinds are the kinds of op the state machine adds.
var allKinds = []refmodel.OpKind{
	refmodel.OpTimeout, refmodel.OpInterval, refmodel.OpClearTimer, refmodel.OpRefresh,
	refmodel.OpImmediate, refmodel.OpClearImmediate, refmodel.OpNextTick, refmodel.OpMicrotask,
	refmodel.OpJob, refmodel.OpCancelJob, refmodel.OpIdle, refmodel.OpPrepare, refmodel.OpCheck,
	refmodel.OpStop, refmodel.OpListen, refmodel.OpDial, refmodel.OpWrite, refmodel.OpRead,
	refmodel.OpCloseConn, refmodel.OpCloseListener, refmodel.OpCancelDial,
}

// place draws where a new op goes: the main callback or a callback already in the
// program. It returns that callback's ops, its index path and its depth, and the
// IDs of the listen ops whose callbacks hold it.
func (m *machine) place(t *rapid.T) (ops *[]refmodel.Op, path []int, depth int, listens []int) {
	ops = &m.p.Ops
	where := rapid.IntRange(0, len(m.parents)).Draw(t, "parent")
	if where == 0 {
		return ops, nil, 0, nil
	}
	path = m.parents[where-1]
	for _, i := range path {
		o := &(*ops)[i]
		if o.Kind == refmodel.OpListen {
			listens = append(listens, o.ID)
		}
		ops = &o.Ops
	}
	return ops, path, m.depths[where-1], listens
}

// add puts a new op of kind k, with drawn children, at the end of the main callback
// or of a callback already in the program.
func (m *machine) add(t *rapid.T, k refmodel.OpKind) {
	ops, path, depth, listens := m.place(t)
	o, ok := m.draw(t, k, depth+1, listens)
	if !ok {
		t.Skip("no target for a " + k.String())
	}
	m.append(ops, path, depth, o)
}

// append puts o at the end of ops, the callback at path and depth, and indexes it.
func (m *machine) append(ops *[]refmodel.Op, path []int, depth int, o refmodel.Op) {
	*ops = append(*ops, o)
	m.index(append(append([]int(nil), path...), len(*ops)-1), *ops, depth+1)
}

// newOp returns an op of kind k with the next ID, recorded as a possible target.
func (m *machine) newOp(k refmodel.OpKind) refmodel.Op {
	m.nextID++
	m.ids[k] = append(m.ids[k], m.nextID)
	return refmodel.Op{Kind: k, ID: m.nextID}
}

// exchange adds a conversation over TCP at the end of a callback: a listener whose
// accepted connection reads the request (in up to genCountMax reads) and writes a
// reply from the read's callback, and a dial that writes the request and reads the
// reply. Drawn variants close the server's end in the reply's callback, right
// after writing the reply (the write still in flight), at once when accepted (the
// read in flight), or never; the client's end after its first read, at once after
// starting its write and read, or never; and the listener when it accepts, right
// after the dial (which is then refused), in the dial's callback, in the server's
// read callback, or never. The dial may have a timeout, and may be canceled right
// after it starts, from a timeout, from the listener's callback (racing the answer),
// or never; or a second dial, whose answer arrives with the first's, is canceled
// from the first's callback.
func (m *machine) exchange(t *rapid.T) {
	ops, path, depth, listens := m.place(t)
	ln := m.newOp(refmodel.OpListen)
	dial := m.newOp(refmodel.OpDial)
	dial.Target = ln.ID
	dial.Delay = drawDialTimeout(t)
	m.dialFrom(listens, ln.ID)
	request := m.newOp(refmodel.OpWrite)
	request.Target, request.Size = dial.ID, drawSize(t, "request bytes")
	serverRead := m.newOp(refmodel.OpRead)
	serverRead.Target, serverRead.Count = ln.ID, rapid.IntRange(1, genCountMax).Draw(t, "server reads")
	reply := m.newOp(refmodel.OpWrite)
	reply.Target, reply.Size = ln.ID, drawSize(t, "reply bytes")
	clientRead := m.newOp(refmodel.OpRead)
	clientRead.Target, clientRead.Count = dial.ID, rapid.IntRange(1, genCountMax).Draw(t, "client reads")

	closeConn := func(target int) refmodel.Op {
		o := m.newOp(refmodel.OpCloseConn)
		o.Target = target
		return o
	}
	var afterAccept, afterRead []refmodel.Op
	switch rapid.IntRange(0, 3).Draw(t, "server close") {
	case 0:
		reply.Ops = append(reply.Ops, closeConn(ln.ID))
		afterRead = append(afterRead, reply)
	case 1:
		afterRead = append(afterRead, reply, closeConn(ln.ID))
	case 2:
		afterRead = append(afterRead, reply)
		afterAccept = append(afterAccept, closeConn(ln.ID))
	default:
		afterRead = append(afterRead, reply)
	}
	switch rapid.IntRange(0, 2).Draw(t, "client close") {
	case 0:
		clientRead.Ops = append(clientRead.Ops, closeConn(dial.ID))
		dial.Ops = append(dial.Ops, request, clientRead)
	case 1:
		dial.Ops = append(dial.Ops, request, clientRead, closeConn(dial.ID))
	default:
		dial.Ops = append(dial.Ops, request, clientRead)
	}
	closeListener := m.newOp(refmodel.OpCloseListener)
	closeListener.Target = ln.ID
	var inMain []refmodel.Op
	switch rapid.IntRange(0, 4).Draw(t, "listener close") {
	case 0:
		ln.Ops = append(ln.Ops, closeListener)
	case 1:
		inMain = append(inMain, closeListener)
	case 2:
		dial.Ops = append(dial.Ops, closeListener)
	case 3:
		afterRead = append(afterRead, closeListener)
	}
	cancel := m.newOp(refmodel.OpCancelDial)
	cancel.Target = dial.ID
	var afterDial []refmodel.Op
	switch rapid.IntRange(0, 5).Draw(t, "dial cancel") {
	case 0:
		afterDial = append(afterDial, cancel)
	case 1:
		later := m.newOp(refmodel.OpTimeout)
		later.Delay = time.Duration(rapid.IntRange(0, genDialTimeoutQuarters).Draw(t, "cancel quarters")) * time.Millisecond / 4
		later.Ops = append(later.Ops, cancel)
		afterDial = append(afterDial, later)
	case 2:
		ln.Ops = append(ln.Ops, cancel) // races the answer on its way to the dialer
	case 3:
		// A second dial, whose answer arrives with the first's: the first's callback
		// cancels it after the network made its connection, before the loop gave
		// the connection to the program.
		second := m.newOp(refmodel.OpDial)
		second.Target = ln.ID
		cancel.Target = second.ID
		dial.Ops = append(dial.Ops, cancel)
		afterDial = append(afterDial, second)
	}
	serverRead.Ops = afterRead
	ln.Ops = append(ln.Ops, serverRead)
	ln.Ops = append(ln.Ops, afterAccept...)
	m.append(ops, path, depth, ln)
	m.append(ops, path, depth, dial)
	for _, o := range afterDial {
		m.append(ops, path, depth, o)
	}
	for _, o := range inMain {
		m.append(ops, path, depth, o)
	}
}

// index records the ops of the subtree at path (in ops, at depth) that can hold
// more ops.
func (m *machine) index(path []int, ops []refmodel.Op, depth int) {
	o := &ops[path[len(path)-1]]
	if !holdsOps(o.Kind) || depth >= genDepthMax {
		return
	}
	m.parents = append(m.parents, path)
	m.depths = append(m.depths, depth)
	for i := range o.Ops {
		m.index(append(append([]int(nil), path...), i), o.Ops, depth+1)
	}
}

func holdsOps(k refmodel.OpKind) bool {
	switch k {
	case refmodel.OpClearTimer, refmodel.OpRefresh, refmodel.OpClearImmediate,
		refmodel.OpCancelJob, refmodel.OpStop, refmodel.OpCancelDial:
		return false
	}
	return true
}

// targets says which kinds of op a clear, refresh, cancel or socket op may name.
func targets(k refmodel.OpKind) []refmodel.OpKind {
	switch k {
	case refmodel.OpClearTimer, refmodel.OpRefresh:
		return []refmodel.OpKind{refmodel.OpTimeout, refmodel.OpInterval}
	case refmodel.OpClearImmediate:
		return []refmodel.OpKind{refmodel.OpImmediate}
	case refmodel.OpCancelJob:
		return []refmodel.OpKind{refmodel.OpJob}
	case refmodel.OpCancelDial:
		return []refmodel.OpKind{refmodel.OpDial}
	case refmodel.OpDial, refmodel.OpCloseListener:
		return []refmodel.OpKind{refmodel.OpListen}
	case refmodel.OpWrite, refmodel.OpRead, refmodel.OpCloseConn:
		return []refmodel.OpKind{refmodel.OpListen, refmodel.OpDial}
	}
	return nil
}

// draw makes an op of kind k at depth, inside the callbacks of the listen ops
// listens, with children while depth allows. It reports false for an op that names
// a target with nothing to name yet (for a dial, no listener it may dial without
// making a cycle).
func (m *machine) draw(t *rapid.T, k refmodel.OpKind, depth int, listens []int) (refmodel.Op, bool) {
	var target int
	if ts := targets(k); ts != nil {
		var ids []int
		for _, tk := range ts {
			for _, id := range m.ids[tk] {
				if k != refmodel.OpDial || m.mayDial(listens, id) {
					ids = append(ids, id)
				}
			}
		}
		if len(ids) == 0 {
			return refmodel.Op{}, false
		}
		target = rapid.SampledFrom(ids).Draw(t, "target")
		if k == refmodel.OpDial {
			m.dialFrom(listens, target)
		}
	}
	o := m.newOp(k)
	o.Target = target
	switch k {
	case refmodel.OpTimeout, refmodel.OpInterval:
		o.Delay = drawDelay(t)
		if k == refmodel.OpInterval {
			o.Count = rapid.IntRange(1, genCountMax).Draw(t, "count")
		}
	case refmodel.OpJob:
		o.Duration = time.Duration(rapid.IntRange(1, genJobQuarters).Draw(t, "job quarters")) * time.Millisecond / 4
	case refmodel.OpIdle, refmodel.OpPrepare, refmodel.OpCheck:
		o.Count = rapid.IntRange(1, genCountMax).Draw(t, "count")
		o.Close = rapid.Bool().Draw(t, "close")
	case refmodel.OpDial:
		o.Delay = drawDialTimeout(t)
	case refmodel.OpWrite:
		o.Size = drawSize(t, "bytes")
	case refmodel.OpRead:
		o.Count = rapid.IntRange(1, genCountMax).Draw(t, "reads")
	}
	if holdsOps(k) && depth < genDepthMax {
		if k == refmodel.OpListen {
			listens = append(slices.Clip(listens), o.ID)
		}
		n := rapid.IntRange(0, genChildrenMax).Draw(t, "children")
		for range n {
			ck := rapid.SampledFrom(childKinds).Draw(t, "child kind")
			if c, ok := m.draw(t, ck, depth+1, listens); ok {
				o.Ops = append(o.Ops, c)
			}
		}
	}
	return o, true
}

// mayDial reports whether a dial inside the callbacks of the listen ops listens may
// dial the listener of op target: not when that closes a cycle of listeners whose
// connections' callbacks dial each other.
func (m *machine) mayDial(listens []int, target int) bool {
	for _, from := range listens {
		if m.reaches(target, from, map[int]bool{}) {
			return false
		}
	}
	return true
}

// reaches reports whether the dials graph leads from listen op a to b.
func (m *machine) reaches(a, b int, seen map[int]bool) bool {
	if a == b {
		return true
	}
	if seen[a] {
		return false
	}
	seen[a] = true
	for _, next := range m.dials[a] {
		if m.reaches(next, b, seen) {
			return true
		}
	}
	return false
}

// dialFrom records a dial of the listener of op target inside the callbacks of the
// listen ops listens.
func (m *machine) dialFrom(listens []int, target int) {
	for _, from := range listens {
		m.dials[from] = append(m.dials[from], target)
	}
}

// childKinds are the kinds of op drawn inside a new callback; Stop and Listen are
// left to the top-level actions so that they do not cut most programs short or
// leave most of them stuck on a listener nobody closes.
var childKinds = []refmodel.OpKind{
	refmodel.OpTimeout, refmodel.OpInterval, refmodel.OpClearTimer, refmodel.OpRefresh,
	refmodel.OpImmediate, refmodel.OpClearImmediate, refmodel.OpNextTick, refmodel.OpMicrotask,
	refmodel.OpJob, refmodel.OpCancelJob, refmodel.OpIdle, refmodel.OpPrepare, refmodel.OpCheck,
	refmodel.OpDial, refmodel.OpWrite, refmodel.OpRead, refmodel.OpCloseConn, refmodel.OpCloseListener,
	refmodel.OpCancelDial,
}

// drawDelay draws a timer delay: mostly whole milliseconds, sometimes with a
// fraction, negative, or above Node's TIMEOUT_MAX (all three coerced).
func drawDelay(t *rapid.T) time.Duration {
	d := time.Duration(rapid.IntRange(0, genDelayMsMax).Draw(t, "delay ms")) * time.Millisecond
	switch rapid.IntRange(0, 9).Draw(t, "delay shape") {
	case 7:
		d += time.Duration(rapid.IntRange(1, 999).Draw(t, "delay µs")) * time.Microsecond
	case 8:
		d = -d
	case 9:
		d += (1 << 31) * time.Millisecond
	}
	return d
}

// drawDialTimeout draws a dial's timeout: none for half of the dials, otherwise
// up to genDialTimeoutQuarters quarters of a millisecond, around the two network
// latencies a connect takes, sometimes with a fraction of a millisecond.
func drawDialTimeout(t *rapid.T) time.Duration {
	switch rapid.IntRange(0, 3).Draw(t, "dial timeout shape") {
	case 2:
		return time.Duration(rapid.IntRange(1, genDialTimeoutQuarters).Draw(t, "dial timeout quarters")) * time.Millisecond / 4
	case 3:
		return time.Duration(rapid.IntRange(1, genDialTimeoutQuarters*250).Draw(t, "dial timeout µs")) * time.Microsecond
	}
	return 0
}

// drawSize draws a write's length: mostly up to genSmallBytesMax, sometimes past
// what one direction of a connection holds.
func drawSize(t *rapid.T, label string) int {
	if rapid.IntRange(0, 9).Draw(t, label+" shape") == 9 {
		return rapid.IntRange(genSmallBytesMax+1, genLargeBytesMax).Draw(t, label)
	}
	return rapid.IntRange(1, genSmallBytesMax).Draw(t, label)
}

// outcome is what a run of the program on the loop did.
type outcome struct {
	log    []string
	stuck  bool
	end    time.Duration
	ticks  uint64
	events []traces.Event
	desc   string // for failure messages
}

// check is the invariant: the program so far runs the same in the simulator and
// in the model.
func (m *machine) check(t *rapid.T) {
	m.runs++
	want := refmodel.Predict(m.p, m.workers)
	if want.Runaway {
		t.Fatalf("the model ran away on:\n%s", m.p)
	}
	in := newInterpreter(nil)
	var got outcome
	if len(m.p.Once) == 0 {
		got = m.simRun(t, in)
	} else {
		got = m.runOnce(t, in)
	}
	if in.choiceE != nil {
		t.Fatalf("choices: %v\nprogram (%d workers):\n%s", in.choiceE, m.workers, m.p)
	}
	if diff := cmp.Diff(want.Log, got.log); diff != "" {
		t.Fatalf("the loop and the model disagree on the order of callbacks (-model +loop):\n%s\nprogram (%d workers):\n%s%s",
			diff, m.workers, m.p, got.desc)
	}
	if want.Stuck != got.stuck {
		t.Fatalf("the model says stuck %v, the loop %v: %s\nprogram (%d workers):\n%s", want.Stuck, got.stuck, got.desc, m.workers, m.p)
	}
	if got.end != want.End || got.ticks != want.Ticks {
		t.Fatalf("the run ended at %v after %d ticks, the model says %v after %d\nprogram (%d workers):\n%s",
			got.end, got.ticks, want.End, want.Ticks, m.workers, m.p)
	}
	if vs := properties.Check(got.events); len(vs) > 0 {
		msgs := make([]string, len(vs))
		for i, v := range vs {
			msgs[i] = v.String()
		}
		t.Fatalf("the trace breaks %d invariants:\n  %s\nprogram (%d workers):\n%s", len(vs), strings.Join(msgs, "\n  "), m.workers, m.p)
	}
}

// simRun runs a Run-driven program with sim.Run.
func (m *machine) simRun(t *rapid.T, in *interpreter) outcome {
	var o outcome
	in.log = func(s string) { o.log = append(o.log, s) }
	cfg := sim.Config{
		Choices:   in,
		Workers:   m.workers,
		Latency:   sim.Range{Min: m.p.Latency, Max: m.p.Latency},
		JobTime:   sim.Range{Min: jobTime.Min, Max: jobTime.Max},
		KeepTrace: true,
	}
	first := true
	res, err := sim.Run(cfg, func(l *nodeloop.Loop) {
		if !first {
			// sim.Run runs a stuck program again, from its choice log, to find where
			// its live handles were made: that run's log is not the one compared.
			newInterpreter(func(string) {}).RunProgram(l, m.p)
			return
		}
		first = false
		in.RunProgram(l, m.p)
	})
	var re *sim.RunError
	if err != nil && !errors.As(err, &re) {
		t.Fatalf("sim.Run: %v", err)
	}
	if res.Verdict != sim.OK && res.Verdict != sim.Stuck {
		t.Fatalf("the run failed: %v\nprogram (%d workers):\n%s", res, m.workers, m.p)
	}
	o.stuck, o.end, o.ticks, o.events, o.desc = res.Verdict == sim.Stuck, res.End, res.Ticks, res.Events, res.String()
	return o
}

// runOnce runs a RunOnce-driven program on a simulated world wired as sim.Run
// wires it (fake clock, fake network, simulated pool), which sim.Run cannot drive
// with RunOnce.
func (m *machine) runOnce(t *rapid.T, in *interpreter) outcome {
	var o outcome
	in.log = func(s string) { o.log = append(o.log, s) }
	clock := fakeclock.New()
	fp, err := fakepoller.NewWith(clock, fakepoller.Options{Choices: in, MinLatency: m.p.Latency, MaxLatency: m.p.Latency})
	if err != nil {
		t.Fatalf("fakepoller.NewWith: %v", err)
	}
	fp.SetHorizon(fakeclock.Epoch.Add(sim.DefaultTimeLimit))
	pool := sim.NewPool(fp, m.workers, func(*nodeloop.Job, int) time.Duration { return in.nextDuration() })
	rec := traces.NewMemory()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fp), nodeloop.WithPool(pool),
		nodeloop.WithTracer(rec), nodeloop.WithStepLimit(sim.DefaultStepLimit))
	if err != nil {
		t.Fatalf("nodeloop.New: %v", err)
	}
	defer l.Close()
	l.NextTick(func() { in.RunProgram(l, m.p) })
	var calls []string
	alive := true
	once := func(block bool) {
		calls = append(calls, fmt.Sprintf("RunOnce(%v)", block))
		alive, err = l.RunOnce(block)
	}
	for _, block := range m.p.Once {
		if once(block); err != nil || !alive {
			break
		}
	}
	switch {
	case err != nil || !alive:
	case m.p.ThenRun:
		calls = append(calls, "Run(nil)")
		err = l.Run(nil)
	default:
		for alive && err == nil {
			if len(calls) == onceCallsMax {
				t.Fatalf("still alive after %d calls of RunOnce\nprogram (%d workers):\n%s", len(calls), m.workers, m.p)
			}
			once(true)
		}
	}
	o.stuck = errors.Is(err, fakepoller.ErrStuck)
	if err != nil && !o.stuck {
		t.Fatalf("%s: %v\nprogram (%d workers):\n%s", calls[len(calls)-1], err, m.workers, m.p)
	}
	o.end = clock.Now().Sub(fakeclock.Epoch)
	o.events = rec.Events()
	for i := range o.events {
		if o.events[i].Kind == traces.KindTick {
			o.ticks = o.events[i].Tick
		}
	}
	o.desc = fmt.Sprintf("%d calls, the last %s, ended at %v after %d ticks, error %v", len(calls), calls[len(calls)-1], o.end, o.ticks, err)
	return o
}

// TestPredict checks the model against orders docs/semantics.md states outright.
func TestPredict(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		p       refmodel.Program
		workers int
		want    []string
		end     time.Duration // checked with ticks, when ticks is not 0
		ticks   uint64
	}{
		{
			name: "nextTicks before microtasks, both before the next callback",
			p: refmodel.Program{Ops: []refmodel.Op{
				{Kind: refmodel.OpImmediate, ID: 1},
				{Kind: refmodel.OpMicrotask, ID: 2, Ops: []refmodel.Op{{Kind: refmodel.OpNextTick, ID: 3}}},
				{Kind: refmodel.OpNextTick, ID: 4, Ops: []refmodel.Op{{Kind: refmodel.OpMicrotask, ID: 5}}},
			}},
			want: []string{"main", "tick 4", "microtask 2", "microtask 5", "tick 3", "immediate 1"},
		},
		{
			name: "in a job's callback an immediate runs before a 0 ms timeout",
			p: refmodel.Program{Ops: []refmodel.Op{
				{Kind: refmodel.OpJob, ID: 1, Duration: ms / 2, Ops: []refmodel.Op{
					{Kind: refmodel.OpTimeout, ID: 2},
					{Kind: refmodel.OpImmediate, ID: 3},
				}},
			}},
			want: []string{"main", "job 1", "immediate 3", "timeout 2"},
		},
		{
			name: "equal deadlines in start order; a cleared timer never runs",
			p: refmodel.Program{Ops: []refmodel.Op{
				{Kind: refmodel.OpTimeout, ID: 1, Delay: 2 * ms, Ops: []refmodel.Op{{Kind: refmodel.OpClearTimer, ID: 4, Target: 3}}},
				{Kind: refmodel.OpTimeout, ID: 2, Delay: 2*ms + ms/2},
				{Kind: refmodel.OpTimeout, ID: 3, Delay: 2 * ms},
			}},
			want: []string{"main", "timeout 1", "timeout 2"},
		},
		{
			name: "an interval runs Count times",
			p: refmodel.Program{Ops: []refmodel.Op{
				{Kind: refmodel.OpInterval, ID: 1, Delay: 3 * ms, Count: 3},
				{Kind: refmodel.OpTimeout, ID: 2, Delay: 7 * ms},
			}},
			want: []string{"main", "interval 1", "interval 1", "timeout 2", "interval 1"},
		},
		{
			name: "one worker runs jobs FIFO; a queued job cancels",
			p: refmodel.Program{Ops: []refmodel.Op{
				{Kind: refmodel.OpJob, ID: 1, Duration: 2 * ms},
				{Kind: refmodel.OpJob, ID: 2, Duration: ms / 4},
				{Kind: refmodel.OpJob, ID: 3, Duration: ms / 4},
				{Kind: refmodel.OpCancelJob, ID: 4, Target: 3},
			}},
			workers: 1,
			want:    []string{"main", "job 3 canceled", "job 1", "job 2"},
		},
		{
			name: "watchers run newest first; close callbacks newest closed first",
			p: refmodel.Program{Ops: []refmodel.Op{
				{Kind: refmodel.OpCheck, ID: 1, Close: true},
				{Kind: refmodel.OpCheck, ID: 2, Close: true},
				{Kind: refmodel.OpImmediate, ID: 3},
			}},
			want: []string{"main", "check 2", "check 1", "immediate 3", "check 1 closed", "check 2 closed"},
		},
		{
			name: "RunOnce(false) does not wait for a 1 ms timer, RunOnce(true) does",
			p: refmodel.Program{Once: []bool{false, true}, Ops: []refmodel.Op{
				{Kind: refmodel.OpTimeout, ID: 1, Delay: ms},
			}},
			want: []string{"main", "timeout 1"}, end: ms, ticks: 3,
		},
		{
			name: "a request and its reply, each end closed after it",
			p: refmodel.Program{Latency: ms, Ops: []refmodel.Op{
				{Kind: refmodel.OpListen, ID: 1, Ops: []refmodel.Op{
					{Kind: refmodel.OpRead, ID: 3, Target: 1, Ops: []refmodel.Op{
						{Kind: refmodel.OpWrite, ID: 4, Target: 1, Size: 5, Ops: []refmodel.Op{
							{Kind: refmodel.OpCloseConn, ID: 5, Target: 1},
						}},
					}},
					{Kind: refmodel.OpCloseListener, ID: 6, Target: 1},
				}},
				{Kind: refmodel.OpDial, ID: 2, Target: 1, Ops: []refmodel.Op{
					{Kind: refmodel.OpWrite, ID: 7, Target: 2, Size: 5},
					{Kind: refmodel.OpRead, ID: 8, Target: 2, Ops: []refmodel.Op{
						{Kind: refmodel.OpCloseConn, ID: 9, Target: 2},
					}},
				}},
			}},
			want: []string{"main", "listen 1", "closeListener 6", "dial 2", "write 7", "read 3 5", "write 4",
				"closeConn 5", "read 8 5", "closeConn 9"},
		},
		{
			name: "a close cuts a read and two writes short: their callbacks, then the close callback",
			p: refmodel.Program{Latency: ms, Ops: []refmodel.Op{
				{Kind: refmodel.OpListen, ID: 1, Ops: []refmodel.Op{
					{Kind: refmodel.OpCloseListener, ID: 7, Target: 1},
				}},
				{Kind: refmodel.OpDial, ID: 2, Target: 1, Ops: []refmodel.Op{
					{Kind: refmodel.OpRead, ID: 3, Target: 2},
					{Kind: refmodel.OpWrite, ID: 4, Target: 2, Size: 10},
					{Kind: refmodel.OpWrite, ID: 5, Target: 2, Size: 10},
					{Kind: refmodel.OpCloseConn, ID: 6, Target: 2},
				}},
			}},
			want: []string{"main", "listen 1", "closeListener 7", "dial 2", "read 3 closed", "write 4 closed",
				"write 5 closed", "closeConn 6"},
		},
		{
			name: "a dial after its listener closed is refused",
			p: refmodel.Program{Latency: ms, Ops: []refmodel.Op{
				{Kind: refmodel.OpListen, ID: 1},
				{Kind: refmodel.OpCloseListener, ID: 2, Target: 1},
				{Kind: refmodel.OpDial, ID: 3, Target: 1},
			}},
			want: []string{"main", "closeListener 2", "dial 3 refused"}, end: 2 * ms, ticks: 3,
		},
		{
			name: "a dial canceled at once calls back in the next pending phase",
			p: refmodel.Program{Latency: ms, Ops: []refmodel.Op{
				{Kind: refmodel.OpListen, ID: 1},
				{Kind: refmodel.OpDial, ID: 2, Target: 1},
				{Kind: refmodel.OpCancelDial, ID: 3, Target: 2},
				{Kind: refmodel.OpCloseListener, ID: 4, Target: 1},
			}},
			want: []string{"main", "dial 2 canceled", "closeListener 4"}, end: 0, ticks: 2,
		},
		{
			name: "a dial times out in the timers phase and calls back in the pending phase after it",
			p: refmodel.Program{Latency: 2 * ms, Ops: []refmodel.Op{
				{Kind: refmodel.OpListen, ID: 1},
				{Kind: refmodel.OpDial, ID: 2, Target: 1, Delay: 2*ms + ms/2, Ops: []refmodel.Op{
					{Kind: refmodel.OpCloseListener, ID: 3, Target: 1},
				}},
			}},
			want: []string{"main", "listen 1", "dial 2 timedout", "closeListener 3"}, end: 3 * ms, ticks: 4,
		},
		{
			name: "a cancel in the accept callback beats the answer: the server's connection is reset",
			p: refmodel.Program{Latency: ms, Ops: []refmodel.Op{
				{Kind: refmodel.OpListen, ID: 1, Ops: []refmodel.Op{
					{Kind: refmodel.OpCancelDial, ID: 3, Target: 2},
					{Kind: refmodel.OpRead, ID: 4, Target: 1},
					{Kind: refmodel.OpCloseListener, ID: 5, Target: 1},
				}},
				{Kind: refmodel.OpDial, ID: 2, Target: 1},
			}},
			want: []string{"main", "listen 1", "closeListener 5", "dial 2 canceled", "read 4 reset"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refmodel.Predict(tt.p, max(tt.workers, 1))
			if diff := cmp.Diff(tt.want, got.Log); diff != "" {
				t.Errorf("Predict(%s) (-want +got):\n%s", tt.p, diff)
			}
			if got.Stuck || got.Runaway {
				t.Errorf("Predict: stuck %v, runaway %v; want neither", got.Stuck, got.Runaway)
			}
			if tt.ticks != 0 && (got.End != tt.end || got.Ticks != tt.ticks) {
				t.Errorf("Predict: ends at %v after %d ticks, want %v after %d", got.End, got.Ticks, tt.end, tt.ticks)
			}
		})
	}
}
