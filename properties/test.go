package properties

import (
	"bufio"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// TestOption configures Test.
type TestOption func(*testConfig)

type testConfig struct {
	faults  sim.Faults
	cost    sim.Range
	workers int
	limit   time.Duration
	check   func(*sim.Result) error
	more    moreConfig // the options of options.go
}

// WithFaults sets the faults Test may inject; each case draws, from rapid, which of
// them are on (swarm testing). The default is every fault sim knows.
func WithFaults(f sim.Faults) TestOption { return func(c *testConfig) { c.faults = f } }

// WithoutFaults runs every case on a calm network and pool.
func WithoutFaults() TestOption { return func(c *testConfig) { c.faults = sim.Faults{} } }

// WithCost sets the range of virtual CPU time charged between the loop's clock
// readings; the default, 0 to 2 ms, explores the orders that depend on how long
// callbacks take. A zero Range turns it off.
func WithCost(r sim.Range) TestOption { return func(c *testConfig) { c.cost = r } }

// WithWorkers sets the simulated pool's size.
func WithWorkers(n int) TestOption { return func(c *testConfig) { c.workers = n } }

// WithTimeLimit bounds each case's virtual time (default: sim's).
func WithTimeLimit(d time.Duration) TestOption { return func(c *testConfig) { c.limit = d } }

// WithAssert adds the caller's own check of each run: a non-nil error fails the case.
func WithAssert(check func(*sim.Result) error) TestOption {
	return func(c *testConfig) { c.check = check }
}

// Test property-tests program, in one call from a Go test: rapid generates cases,
// each a simulated run whose schedule (latencies, orders of simultaneous events, job
// durations), faults and callback costs are drawn from rapid, so that a failure
// shrinks to a small one: rapid shrinks every draw towards 0, the calm option (no
// fault, the shortest latency and job, no callback cost, the first of simultaneous
// completions), so what is left off 0 is what the failure needs.
//
// A case fails when the run does (a callback panics, the loop is stuck or out of
// time or steps), when a callback called [Errorf], when its trace breaks an
// invariant of docs/semantics.md, when the caller's assertion (WithAssert) fails, or
// when running it again from its own choice log does not give the same trace (the
// two traces are compared by a hash of their events' fields, and diffed only when
// the hashes differ). The assertion runs on every run that reached its end or a limit:
// on OK, stuck, time-limit and step-limit verdicts, which it sees in the Result; not
// when a callback panicked or a replay diverged.
//
// A failure is reported, after shrinking, as: the message (a panic with its stack
// trimmed to the frames of the program, outside this module or in the package that
// called Test); the choices off their defaults, one label=value a line; the failing
// run's trace file with the nodeloop view command that opens it; and the go test
// command that replays the case once from its choice log, without rapid, through
// the -nodeloop.choices=FILE flag, which Test honours by running that log once
// instead of searching. The files go to a new temporary directory, or to
// testdata/nodeloop/TEST/ under the -nodeloop.keep flag.
//
// program is called as the main callback of each run, on a fresh loop; it must get
// every nondeterministic input from the loop (never time.Now, global rand or other
// goroutines), or runs cannot repeat.
func Test(t rapid.TB, program func(*nodeloop.Loop), opts ...TestOption) {
	t.Helper()
	all, _ := sim.ParseFaults("all")
	c := testConfig{faults: all, cost: sim.Range{Max: 2 * time.Millisecond}}
	for _, o := range opts {
		o(&c)
	}
	r := &runner{c: c, program: program, userPkg: funcPackageOf(1), seed: maphash.MakeSeed()}
	if name := *choicesFlag; name != "" {
		r.replay(t, name)
		return
	}
	q := &quietTB{TB: t}
	var last *failure
	q.check(func(rt *rapid.T) {
		if f := r.runCase(&logged{src: &rapidSource{t: rt}}, nil); f != nil {
			last = f
			rt.Fatalf("%s", f.msg)
		}
	})
	if !q.failed {
		return
	}
	if last == nil { // rapid's own failure: too few valid cases, say
		t.Fatalf("%s", strings.Join(q.msgs, "\n"))
		return
	}
	after, repro := rapidSummary(q.msgs)
	last = r.finish(last)
	files, err := r.writeArtifacts(t.Name(), last.log)
	header := "properties.Test: a case failed"
	if after != "" {
		header += " after " + after + " passing ones"
	}
	t.Fatalf("%s", report(t.Name(), r.testPackage(), header+", shrunk to:", last, files, err, repro))
}

// runner runs the cases of one Test.
type runner struct {
	c       testConfig
	program func(*nodeloop.Loop)
	userPkg string       // the package that called Test, whose stack frames are kept
	seed    maphash.Seed // of the hashes that compare a case's two traces
}

// testPackage returns the import path of the package of the test that called
// Test, as go test names it: an external test package's _test suffix dropped.
func (r *runner) testPackage() string {
	if r.userPkg == "" {
		return "."
	}
	return strings.TrimSuffix(r.userPkg, "_test")
}

// replay runs the case of the choice log in the file name once.
func (r *runner) replay(t rapid.TB, name string) {
	t.Helper()
	log, err := readChoices(name)
	if err != nil {
		t.Fatalf("properties.Test: -nodeloop.choices: %v", err)
		return
	}
	f := r.runCase(&logged{src: sim.Replay(log)}, nil)
	if f == nil {
		t.Logf("properties.Test: the case of %s passes", name)
		return
	}
	files, ferr := r.writeArtifacts(t.Name(), f.log)
	t.Fatalf("%s", report(t.Name(), r.testPackage(), "properties.Test: the case of "+name+" fails:", f, files, ferr, ""))
}

// writeArtifacts runs the case of log once more, writing its trace to a file, and
// writes log next to it.
func (r *runner) writeArtifacts(name string, log []sim.Choice) (*artifacts, error) {
	dir, err := artifactDir(name)
	if err != nil {
		return nil, err
	}
	a := &artifacts{dir: dir, trace: filepath.Join(dir, "trace.jsonl"), choices: filepath.Join(dir, "choices.jsonl")}
	if err := writeChoices(a.choices, log); err != nil {
		return nil, err
	}
	out, err := os.Create(a.trace)
	if err != nil {
		return &artifacts{dir: dir, choices: a.choices}, err
	}
	w := bufio.NewWriter(out)
	r.runCase(&logged{src: sim.Replay(log)}, w)
	err = w.Flush()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &artifacts{dir: dir, choices: a.choices}, err
	}
	return a, nil
}

// runCase runs one case with its choices from src, and returns how it failed, or nil
// if it passed. The trace also goes to trace, when not nil.
func (r *runner) runCase(src *logged, trace io.Writer) (f *failure) {
	defer func() {
		// A replay whose log ends or no longer fits before the run starts (in the
		// fault draws) panics outside the loop; inside it, the run's verdict says so.
		if p := recover(); p != nil {
			re, ok := p.(*sim.ReplayError)
			if !ok {
				panic(p)
			}
			f = &failure{msg: "the choice log no longer fits the test: " + re.Error(), log: src.log}
		}
	}()
	faults := r.c.more.faults(src, r.c.faults)
	rs, _ := src.src.(*rapidSource)
	if rs != nil {
		rs.rethrow()
	}
	st := &caseState{}
	defer forget(st)
	h := newTraceHash(r.seed)
	cfg := sim.Config{
		Choices:      src,
		Faults:       faults,
		CallbackCost: r.c.cost,
		Workers:      r.c.workers,
		TimeLimit:    r.c.limit,
		KeepTrace:    true,
	}
	r.c.more.configure(&cfg)
	cfg.Tracer = tee(h, cfg.Tracer)
	cfg.Trace = teeWriter(cfg.Trace, trace)
	program := r.program
	if rs != nil {
		program = func(l *nodeloop.Loop) {
			if rs.loop == nil {
				rs.loop = l
			}
			if rs.overrun != nil {
				l.Stop() // rapid's data ran out before the program started
				return
			}
			r.program(l)
		}
	}
	res, err := sim.Run(cfg, collecting(st, program))
	if rs != nil {
		rs.rethrow()
	}
	if res == nil {
		return &failure{msg: fmt.Sprintf("sim.Run: %v", err), log: src.log}
	}
	var msgs []string
	switch res.Verdict {
	case sim.OK:
	case sim.Failed:
		msgs = append(msgs, describeErr(res.Err, r.userPkg))
	case sim.Diverged:
		msgs = append(msgs, fmt.Sprintf("the choice log no longer fits the program: %v", res.Err))
	default:
		m := fmt.Sprintf("the run ended %s after %v of virtual time, %d ticks, %d callbacks: %v", res.Verdict, res.End, res.Ticks, res.Callbacks, res.Err)
		for _, a := range res.Alive {
			m += "\n  alive: " + a.String()
		}
		msgs = append(msgs, m)
	}
	msgs = append(msgs, st.errors...)
	if err := ViolationsError(Check(res.Events)); err != nil {
		msgs = append(msgs, err.Error())
	}
	if r.c.check != nil && res.Verdict != sim.Failed && res.Verdict != sim.Diverged {
		if err := r.c.check(res); err != nil {
			msgs = append(msgs, fmt.Sprintf("assertion: %v", err))
		}
	}
	if len(msgs) == 0 {
		if d := r.determinism(cfg, res, h.Sum()); d != "" {
			msgs = append(msgs, d)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &failure{msg: strings.Join(msgs, "\n"), log: src.log}
}

// determinism runs the case of first again from its choice log, and says how the
// two runs differ, or returns "". It compares the hashes of the two traces, and
// diffs the events only when they differ.
func (r *runner) determinism(cfg sim.Config, first *sim.Result, sum uint64) string {
	h := newTraceHash(r.seed)
	again := cfg
	again.Choices, again.Tracer, again.KeepTrace = sim.Replay(first.Choices), tee(h, r.c.more.tracer), false
	discard := &caseState{}
	defer forget(discard)
	if res, err := sim.Run(again, collecting(discard, r.program)); res == nil {
		return fmt.Sprintf("sim.Run (again): %v", err)
	}
	if h.Sum() == sum {
		return ""
	}
	again.Choices, again.Tracer, again.KeepTrace = sim.Replay(first.Choices), r.c.more.tracer, true
	res2, _ := sim.Run(again, collecting(discard, r.program))
	diff := "(the traces differ, but a third run gave the first one's events)"
	if res2 != nil {
		if d := cmp.Diff(first.Events, res2.Events); d != "" {
			diff = d
		}
	}
	return "not deterministic: the same choices gave another trace (-first +second):\n" + diff
}
