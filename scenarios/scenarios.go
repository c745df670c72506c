package scenarios

import (
	"slices"

	"github.com/nodeloop/nodeloop"
)

// Scenario is a named program. Main returns the main callback of a run on l, printing
// to out.
type Scenario struct {
	Name string
	Doc  string
	Main func(l *nodeloop.Loop, out Output) func()
}

var all = []Scenario{
	{Name: "demo", Doc: "the book's program: timers, file reads, a Fibonacci job, a slow HTTP call", Main: Demo},
	{Name: "echo", Doc: "a TCP echo server and three clients on one loop", Main: Echo},
	{Name: "timers", Doc: "timers, intervals, immediates, ticks and microtasks in a storm, with no I/O", Main: Timers},
	{Name: "race", Doc: "a setTimeout(0) against setImmediate race from main, which fails on some runs", Main: Race},
}

// All returns the scenarios, sorted by name.
func All() []Scenario {
	s := slices.Clone(all)
	slices.SortFunc(s, func(a, b Scenario) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return s
}

// Lookup returns the scenario called name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range all {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}
