package sim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// A run whose events nobody reads has the loop make none, and reports what a traced
// run of the same seed does: the same verdict, virtual time, choices, error (a
// callback's panic naming its place in the trace), and the ticks and callbacks its
// trace would count, at the step limit and with callback costs too.
func TestUntracedRunCountsAsItsTrace(t *testing.T) {
	faults, _ := sim.ParseFaults("all")
	configs := []struct {
		name string
		cfg  sim.Config
	}{
		{"calm", sim.Config{}},
		{"faults", sim.Config{Faults: faults, Swarm: true}},
		{"callback cost", sim.Config{CallbackCost: sim.Range{Max: time.Millisecond}}},
		{"step limit", sim.Config{StepLimit: 40}},
	}
	seeds := uint64(20)
	if testing.Short() {
		seeds = 5
	}
	limited := 0 // runs stopped by the step limit
	for _, sc := range scenarios.All() {
		program := func(l *nodeloop.Loop) { sc.Main(l, discard{})() }
		for _, c := range configs {
			t.Run(sc.Name+"/"+c.name, func(t *testing.T) {
				for seed := range seeds {
					cfg := c.cfg
					cfg.Seed = seed
					plain := run(t, cfg, program)
					cfg.KeepTrace = true
					traced := run(t, cfg, program)
					var ticks, callbacks uint64
					for _, e := range traced.Events {
						switch e.Kind {
						case traces.KindTick:
							ticks = e.Tick
						case traces.KindCallback:
							callbacks++
						}
					}
					if traced.Ticks != ticks || traced.Callbacks != callbacks {
						t.Fatalf("seed %d: the traced run reports %d ticks and %d callbacks, its trace has %d and %d",
							seed, traced.Ticks, traced.Callbacks, ticks, callbacks)
					}
					if plain.String() != traced.String() || plain.Ticks != traced.Ticks || plain.Callbacks != traced.Callbacks {
						t.Fatalf("seed %d: untraced %v\ntraced %v", seed, plain, traced)
					}
					if !slices.Equal(plain.Choices, traced.Choices) {
						t.Fatalf("seed %d: the untraced run made %d choices, the traced one %d, not the same",
							seed, len(plain.Choices), len(traced.Choices))
					}
					if plain.Verdict == sim.StepLimit {
						limited++
					}
					if plain.Events != nil {
						t.Fatalf("seed %d: an untraced run kept %d events", seed, len(plain.Events))
					}
				}
			})
		}
	}
	if limited == 0 {
		t.Fatal("no run reached the step limit: the test does not see the count at the limit")
	}
}
