package sim_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// TestSweepRunsAsRun checks that every seed of a sweep, whose workers hand the
// slices of one passing seed to the next, sees in Check the very events and choices
// that sim.Run of that seed alone gives, on a program whose runs differ in length.
func TestSweepRunsAsRun(t *testing.T) {
	faults, err := sim.ParseFaults("all")
	if err != nil {
		t.Fatal(err)
	}
	echo := func(l *nodeloop.Loop) { scenarios.Echo(l, discard{})() }
	cfg := sim.Config{Scenario: "echo", Faults: faults, Swarm: true, KeepTrace: true}
	const first, last = 1, 120
	var (
		mu   sync.Mutex
		seen = map[uint64]*sim.Result{}
	)
	check := func(res *sim.Result) error {
		// What Check is given it must not keep: keep copies.
		cp := *res
		cp.Events, cp.Choices = slices.Clone(res.Events), slices.Clone(res.Choices)
		mu.Lock()
		seen[res.Seed] = &cp
		mu.Unlock()
		return nil
	}
	rep, err := sim.Sweep(cfg, sim.Seeds{First: first, Last: last}, echo, sim.SweepOptions{Jobs: 2, Check: check})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runs != last-first+1 {
		t.Fatalf("the sweep ran %d seeds, want %d", rep.Runs, last-first+1)
	}
	lengths := map[int]bool{}
	for seed := uint64(first); seed <= last; seed++ {
		c := cfg
		c.Seed = seed
		want, _ := sim.Run(c, echo)
		got := seen[seed]
		if want.Failed() {
			if got != nil {
				t.Fatalf("seed %d: Check saw a run that fails alone (%v)", seed, want)
			}
			continue
		}
		if got == nil {
			t.Fatalf("seed %d passes alone but Check never saw it", seed)
		}
		if !slices.Equal(got.Choices, want.Choices) {
			t.Fatalf("seed %d: the sweep's run made %d choices, alone %d, or they differ", seed, len(got.Choices), len(want.Choices))
		}
		if !slices.Equal(got.Events, want.Events) {
			t.Fatalf("seed %d: the sweep's trace has %d events, alone %d, or they differ", seed, len(got.Events), len(want.Events))
		}
		lengths[len(want.Events)] = true
	}
	if len(lengths) < 2 {
		t.Fatalf("every run has the same length: the test shows nothing about slices handed from a longer run to a shorter one")
	}
}
