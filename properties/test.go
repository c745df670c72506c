package properties

import (
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
// shrinks to a small one. A case fails when the run does (a callback panics, the loop
// is stuck or out of time or steps), when its trace breaks an invariant of
// docs/semantics.md, when the caller's assertion (WithAssert) fails, or when running it
// again from its own choice log does not give the same trace. rapid then prints the
// shrunk case and the command line (-rapid.seed or -rapid.failfile) that replays it.
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
	rapid.Check(t, func(rt *rapid.T) {
		cfg := sim.Config{
			Choices:      sim.Rapid(rt),
			Faults:       c.more.faults(rt, c.faults),
			CallbackCost: c.cost,
			Workers:      c.workers,
			TimeLimit:    c.limit,
			KeepTrace:    true,
		}
		c.more.configure(&cfg)
		res, err := sim.Run(cfg, program)
		if res == nil {
			rt.Fatalf("sim.Run: %v", err)
		}
		if res.Failed() {
			rt.Fatalf("the run failed: %v", res)
		}
		if vs := Check(res.Events); len(vs) > 0 {
			msgs := make([]string, len(vs))
			for i, v := range vs {
				msgs[i] = v.String()
			}
			rt.Fatalf("the trace breaks %d invariants:\n  %s", len(vs), strings.Join(msgs, "\n  "))
		}
		if c.check != nil {
			if err := c.check(res); err != nil {
				rt.Fatalf("assertion: %v", err)
			}
		}
		again := cfg
		again.Choices = sim.Replay(res.Choices)
		res2, err := sim.Run(again, program)
		if res2 == nil {
			rt.Fatalf("sim.Run (again): %v", err)
		}
		if diff := cmp.Diff(res.Events, res2.Events); diff != "" {
			rt.Fatalf("not deterministic: the same choices gave another trace (-first +second):\n%s", diff)
		}
	})
}

// swarmDraw turns each fault of f on or off for one case, as rapid draws: a failure
// then shrinks towards the fewest faults that still make it.
func swarmDraw(rt *rapid.T, f sim.Faults) sim.Faults {
	return f.Select(func(name string) bool { return rapid.Bool().Draw(rt, "fault "+name) })
}
