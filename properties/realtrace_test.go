package properties_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// pcg is a seeded fakepoller.Choices for these tests: the same seed gives the same
// choices, so a failing seed reproduces.
type pcg struct{ rng *rand.Rand }

func newPCG(seed uint64) *pcg { return &pcg{rand.New(rand.NewPCG(seed, 0x5eed))} }

func (p *pcg) Choose(_ string, n int) int {
	if n <= 1 {
		return 0
	}
	return p.rng.IntN(n)
}

// simLoop returns a loop on virtual time (fakeclock, fakepoller and the simulated
// pool) that records every event in memory. With seed 0 the network has no latency
// and every pool job takes 1 ms; otherwise latencies, job durations and the order
// of simultaneous completions come from the seed.
func simLoop(t testing.TB, seed uint64) (*nodeloop.Loop, *traces.Recorder, *fakeclock.Clock) {
	t.Helper()
	clock := fakeclock.New()
	opts := fakepoller.Options{}
	var dur func(*nodeloop.Job, int) time.Duration
	if seed != 0 {
		ch := newPCG(seed)
		opts = fakepoller.Options{Choices: ch, MinLatency: 10 * time.Microsecond, MaxLatency: 3 * time.Millisecond}
		dur = func(*nodeloop.Job, int) time.Duration {
			return time.Duration(1+ch.Choose("pool.duration", 5000)) * time.Microsecond
		}
	}
	fp, err := fakepoller.NewWith(clock, opts)
	if err != nil {
		t.Fatalf("fakepoller.NewWith: %v", err)
	}
	rec := traces.NewMemory()
	l, err := nodeloop.New(
		nodeloop.WithClock(clock), nodeloop.WithPoller(fp),
		nodeloop.WithPool(sim.NewPool(fp, 4, dur)), nodeloop.WithTracer(rec),
		nodeloop.WithFS(fstest.MapFS{"book.txt": {Data: []byte("It was a dark and stormy night")}}),
		nodeloop.WithStepLimit(1_000_000),
	)
	if err != nil {
		t.Fatalf("nodeloop.New: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, rec, clock
}

// everything is a program that uses every part of the loop: nextTicks and
// microtasks queuing each other, timers with equal deadlines, a cleared timer, a
// refreshed timer, an interval that clears itself, immediates (one cleared),
// idle, prepare and check watchers closed with callbacks, pool work (one request
// canceled), file reads, a posted function, a TCP echo exchange, a connection closed with a read and
// two writes in flight, a refused connection, a dial that fails at start, and a
// Stop from a timer.
func everything(l *nodeloop.Loop) func() {
	return func() {
		l.Log("main starts")
		l.NextTick(func() {
			l.Log("tick")
			l.QueueMicrotask(func() { l.Log("microtask from tick") })
			l.NextTick(func() { l.Log("tick from tick") })
		})
		l.QueueMicrotask(func() {
			l.Log("microtask")
			l.NextTick(func() { l.Log("tick from microtask") })
			l.QueueMicrotask(func() { l.Log("microtask from microtask") })
		})
		l.QueueMicrotask(func() { l.Log("second microtask") })
		l.SetTimeout(0, func() { l.Log("timeout 0") })
		l.SetTimeout(0, func() { l.Log("timeout 0 again") })
		cleared := l.SetTimeout(3*time.Millisecond, func() { l.Log("never") })
		l.ClearTimeout(cleared)
		refreshed := l.SetTimeout(2*time.Millisecond, func() { l.Log("refreshed timer") })
		l.SetTimeout(time.Millisecond, func() { refreshed.Refresh() })
		var iv *nodeloop.Timer
		n := 0
		iv = l.SetInterval(2*time.Millisecond, func() {
			l.NextTick(func() { l.Log("tick from interval") })
			if n++; n == 3 {
				l.ClearTimeout(iv)
			}
		})
		im := l.SetImmediate(func() { l.Log("never") })
		l.ClearImmediate(im)
		l.SetImmediate(func() {
			l.Log("immediate")
			l.SetImmediate(func() { l.Log("immediate from immediate") })
		})
		var idle *nodeloop.Watcher
		idle = l.Idle(func() { idle.Close(func() { l.Log("idle closed") }) })
		var prep *nodeloop.Watcher
		prep = l.Prepare(func() { prep.Stop() })
		var check *nodeloop.Watcher
		check = l.Check(func() { check.Close(func() { l.Log("check closed") }) })
		l.ReadFile("book.txt", func(b []byte, err error) {
			l.Log(fmt.Sprintf("read %d bytes, %v", len(b), err))
			l.SetImmediate(func() { l.Log("immediate from pool") })
			l.SetTimeout(0, func() { l.Log("timeout from pool") })
		})
		for i := 0; i < 6; i++ {
			r := nodeloop.Work(l, func() (int, error) { return i * i, nil }, func(v int, err error) {
				l.Log(fmt.Sprint("job ", i, " = ", v, " ", err))
			})
			if i == 5 {
				r.Cancel()
			}
		}
		echo(l)
		l.Dial("tcp", "127.0.0.1:1", func(c *nodeloop.Conn, err error) { l.Log(fmt.Sprint("refused: ", err)) })
		l.Dial("tcp", "no address", func(c *nodeloop.Conn, err error) { l.Log(fmt.Sprint("bad address: ", err)) })
		if err := l.Post(func() { l.Log("posted") }); err != nil {
			l.Log(fmt.Sprint("post: ", err))
		}
		l.SetTimeout(20*time.Millisecond, func() { l.Stop() })
		l.SetTimeout(30*time.Millisecond, func() { l.Log("after stop") })
	}
}

// echo starts a server that echoes one message per connection and closes, and two
// clients: one that waits for its echo and closes, one that closes at once with a
// read and two writes in flight.
func echo(l *nodeloop.Loop) {
	var ln *nodeloop.Listener
	accepted := 0
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			l.Log(fmt.Sprint("accept: ", err))
			return
		}
		if accepted++; accepted == 2 {
			ln.Close(func() { l.Log("listener closed") })
		}
		c.Read(func(b []byte, err error) {
			if err != nil {
				c.Close(func() { l.Log("server conn closed early") })
				return
			}
			msg := append([]byte(nil), b...)
			c.Write(msg, func(int, error) { c.Close(func() { l.Log("server conn closed") }) })
		})
	})
	if err != nil {
		l.Log(fmt.Sprint("listen: ", err))
		return
	}
	addr := ln.Addr().String()
	l.Dial("tcp", addr, func(c *nodeloop.Conn, err error) {
		if err != nil {
			l.Log(fmt.Sprint("dial: ", err))
			return
		}
		c.Write([]byte("hello"), func(n int, err error) { l.Log(fmt.Sprint("wrote ", n, " ", err)) })
		c.Read(func(b []byte, err error) {
			l.Log(fmt.Sprintf("echo %q %v", b, err))
			c.Close(func() { l.Log("client closed") })
		})
	})
	l.Dial("tcp", addr, func(c *nodeloop.Conn, err error) {
		if err != nil {
			l.Log(fmt.Sprint("dial: ", err))
			return
		}
		c.Read(func(b []byte, err error) { l.Log(fmt.Sprint("cut read: ", err)) })
		c.Write([]byte("one"), func(n int, err error) { l.Log(fmt.Sprint("cut write: ", err)) })
		c.Write([]byte("two"), func(n int, err error) { l.Log(fmt.Sprint("queued write: ", err)) })
		c.Close(func() { l.Log("impatient client closed") })
	})
}

// runEverything runs everything on a virtual-time loop, to the Stop and then to
// the end, and returns the events.
func runEverything(t testing.TB, seed uint64) []traces.Event {
	t.Helper()
	l, rec, _ := simLoop(t, seed)
	if err := l.Run(everything(l)); err != nil {
		t.Fatalf("seed %d: Run: %v", seed, err)
	}
	if err := l.Run(nil); err != nil { // after Stop, run to the end
		t.Fatalf("seed %d: second Run: %v", seed, err)
	}
	return rec.Events()
}

// runOnceEverything runs everything with RunOnce(block) until the loop is not
// alive, and returns the events. Without block, virtual time moves only between
// the calls, by 100 µs each.
func runOnceEverything(t testing.TB, seed uint64, block bool) []traces.Event {
	t.Helper()
	l, rec, clock := simLoop(t, seed)
	l.NextTick(everything(l))
	for i := 0; ; i++ {
		alive, err := l.RunOnce(block)
		if err != nil {
			t.Fatalf("seed %d: RunOnce %d: %v", seed, i, err)
		}
		if !alive {
			break
		}
		if !block {
			clock.Advance(100 * time.Microsecond)
		}
		if i == 100_000 {
			t.Fatalf("seed %d: still alive after %d calls of RunOnce(%v)", seed, i, block)
		}
	}
	return rec.Events()
}

// wantClean fails with every violation found in events and the trace around them.
func wantClean(t *testing.T, what string, events []traces.Event) {
	t.Helper()
	vs := properties.Check(events)
	for _, v := range vs {
		t.Errorf("%s: %s", what, v)
	}
	if len(vs) > 0 {
		for i := range events {
			t.Logf("%s", traces.AppendJSON(nil, &events[i]))
		}
	}
}

// The book's demo, on the operating system's clock, poller and pool, keeps every
// invariant.
func TestDemoTraceIsClean(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes 3.5 s of real time")
	}
	rec := traces.NewMemory()
	out := scenarios.NewPrinter(io.Discard, rec)
	l, err := nodeloop.New(nodeloop.WithTracer(out))
	if err != nil {
		t.Fatalf("nodeloop.New: %v", err)
	}
	defer l.Close()
	if err := l.Run(scenarios.Demo(l, out)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	wantClean(t, "demo", rec.Events())
}

// The demo on virtual time keeps every invariant.
func TestSimDemoTraceIsClean(t *testing.T) {
	for _, seed := range []uint64{0, 1, 2, 3} {
		l, rec, _ := simLoop(t, seed)
		out := scenarios.NewPrinter(io.Discard, nil)
		if err := l.Run(scenarios.Demo(l, out)); err != nil {
			t.Fatalf("seed %d: Run: %v", seed, err)
		}
		wantClean(t, fmt.Sprintf("demo, seed %d", seed), rec.Events())
	}
}

// A program that uses every part of the loop keeps every invariant, run with Run
// and with RunOnce, with and without latencies and varied pool jobs.
func TestVirtualTracesAreClean(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		wantClean(t, fmt.Sprintf("Run, seed %d", seed), runEverything(t, seed))
		wantClean(t, fmt.Sprintf("RunOnce(true), seed %d", seed), runOnceEverything(t, seed, true))
		wantClean(t, fmt.Sprintf("RunOnce(false), seed %d", seed), runOnceEverything(t, seed, false))
		if t.Failed() {
			return
		}
	}
}

// Every prefix of a clean trace is clean: a trace cut short reports nothing about
// what might have come after its end.
func TestCutTracesAreClean(t *testing.T) {
	for _, c := range []struct {
		name   string
		events []traces.Event
	}{
		{"Run", runEverything(t, 7)},
		{"RunOnce", runOnceEverything(t, 7, true)},
	} {
		for n := range len(c.events) + 1 {
			if vs := properties.Check(c.events[:n]); len(vs) > 0 {
				t.Fatalf("%s trace cut to %d of %d events: %d violations, first %s", c.name, n, len(c.events), len(vs), vs[0])
			}
		}
	}
}

// The virtual-time program's trace has every kind of event the checker reasons
// about, so that the clean runs above exercise every rule.
func TestVirtualTraceCoversTheRules(t *testing.T) {
	events := runEverything(t, 0)
	kinds := map[traces.Kind]bool{}
	sources := map[traces.Source]bool{}
	closedOps := 0
	for _, e := range events {
		kinds[e.Kind] = true
		if e.Kind == traces.KindCallback {
			sources[e.Source] = true
			if e.Source == traces.SourceOp && e.Phase == traces.PhaseClose {
				closedOps++
			}
		}
	}
	for k := traces.KindTick; k <= traces.KindMicrotaskQueue; k++ {
		if k == traces.KindClock {
			continue // not written by the loop
		}
		if !kinds[k] {
			t.Errorf("no %s event in the trace", k)
		}
	}
	for s := traces.SourceMain; s <= traces.SourcePending; s++ {
		if !sources[s] {
			t.Errorf("no callback from source %s in the trace", s)
		}
	}
	if closedOps < 3 {
		t.Errorf("%d operation callbacks in a close phase, want 3 (a read, a write and a queued write cut short)", closedOps)
	}
}

// find returns the position of the first event for which match is true, failing
// the test when there is none.
func find(t *testing.T, events []traces.Event, what string, match func(e *traces.Event) bool) int {
	t.Helper()
	for i := range events {
		if match(&events[i]) {
			return i
		}
	}
	t.Fatalf("no %s in the trace", what)
	return -1
}

// callbackOf matches the callback from source src with the given ID.
func callbackOf(src traces.Source, id uint64) func(e *traces.Event) bool {
	return func(e *traces.Event) bool {
		return e.Kind == traces.KindCallback && e.Source == src && e.ID == id
	}
}

// move moves the event at from to position to, in place, and renumbers seq.
func move(events []traces.Event, from, to int) []traces.Event {
	e := events[from]
	events = append(events[:from], events[from+1:]...)
	events = append(events[:to], append([]traces.Event{e}, events[to:]...)...)
	for i := range events {
		events[i].Seq = uint64(i + 1)
	}
	return events
}

// Breaking a real trace in one place makes Check report the rule it breaks.
func TestBrokenRealTracesAreCaught(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rule   string
		mutate func(t *testing.T, ev []traces.Event) []traces.Event
	}{
		{"two timers with one deadline swapped", properties.RuleTimerOrder, func(t *testing.T, ev []traces.Event) []traces.Event {
			a := find(t, ev, "first timeout 0", callbackOf(traces.SourceTimer, 4))
			b := find(t, ev, "second timeout 0", callbackOf(traces.SourceTimer, 5))
			ev[a].ID, ev[b].ID = ev[b].ID, ev[a].ID
			return ev
		}},
		{"a timer fires a nanosecond early", properties.RuleTimerDeadline, func(t *testing.T, ev []traces.Event) []traces.Event {
			ev[find(t, ev, "the 20 ms timer", callbackOf(traces.SourceTimer, 32))].Time--
			return ev
		}},
		{"the first nextTick runs after a later one", properties.RuleTickQueues, func(t *testing.T, ev []traces.Event) []traces.Event {
			first := find(t, ev, "the first nextTick", callbackOf(traces.SourceNextTick, 1))
			return move(ev, first, first+5)
		}},
		{"a pool callback lost", properties.RuleExactlyOnce, func(t *testing.T, ev []traces.Event) []traces.Event {
			p := find(t, ev, "a pool callback", func(e *traces.Event) bool { return e.Kind == traces.KindCallback && e.Source == traces.SourcePool })
			ev[p].Kind = traces.KindLog
			return ev
		}},
		{"a Run's first tick begins with pending 0", properties.RulePending, func(t *testing.T, ev []traces.Event) []traces.Event {
			ev[find(t, ev, "tick 1", func(e *traces.Event) bool { return e.Kind == traces.KindTick && e.Tick == 1 })].Pending = 0
			return ev
		}},
		{"an immediate queued in the check phase runs in it", properties.RuleImmediates, func(t *testing.T, ev []traces.Event) []traces.Event {
			q := find(t, ev, "immediate 38 queued", func(e *traces.Event) bool { return e.Kind == traces.KindImmediateQueue && e.ID == 38 })
			c := find(t, ev, "immediate 38", callbackOf(traces.SourceImmediate, 38))
			ev[c].Tick, ev[c].Phase = ev[q].Tick, ev[q].Phase
			return move(ev, c, q+1)
		}},
		{"a close callback before the callbacks its close cut short", properties.RuleCloseLast, func(t *testing.T, ev []traces.Event) []traces.Event {
			c := find(t, ev, "the impatient client's close callback", callbackOf(traces.SourceClose, 45))
			r := find(t, ev, "its cut read", callbackOf(traces.SourceOp, 46))
			return move(ev, c, r)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.mutate(t, runEverything(t, 0))
			var rules []string
			for _, v := range properties.Check(ev) {
				if v.Rule == tc.rule {
					return
				}
				rules = append(rules, v.String())
			}
			t.Errorf("no %s violation found; found %q", tc.rule, rules)
		})
	}
}
