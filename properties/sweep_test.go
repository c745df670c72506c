package properties_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// program is the README's first program with its claim as a check: in an I/O
// callback, the immediate runs before a 0 ms timeout, whatever the schedule.
func program(l *nodeloop.Loop) {
	l.ReadFile("go.mod", func([]byte, error) {
		immediate := false
		l.SetTimeout(0, func() {
			if !immediate {
				panic("the timeout ran before the immediate")
			}
		})
		l.SetImmediate(func() { immediate = true })
	})
}

// The README's sweep: the claim holds on every seed, with callbacks that cost time.
func TestSweep(t *testing.T) {
	properties.Sweep(t, sim.Config{
		FS:           fstest.MapFS{"go.mod": {Data: []byte("module example\n")}},
		CallbackCost: sim.Range{Max: 2 * time.Millisecond},
	}, program)
}

// failures is a testing.TB that keeps the failures Sweep reports instead of failing.
type failures struct {
	testing.TB
	errs []string
}

func (f *failures) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// Fatalf keeps the failure and ends the sweep; sweep recovers it.
func (f *failures) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	panic(fatal{})
}

type fatal struct{}

// sweep runs properties.Sweep on a failures, which it returns.
func sweep(t *testing.T, cfg sim.Config, program func(*nodeloop.Loop), opts ...properties.SweepOption) (f *failures) {
	f = &failures{TB: t}
	defer func() {
		if p := recover(); p != nil && p != (fatal{}) {
			panic(p)
		}
	}()
	properties.Sweep(f, cfg, program, opts...)
	return f
}

// setFlag sets a flag of go test for the rest of the test.
func setFlag(t *testing.T, name, value string) {
	t.Helper()
	old := flag.Lookup(name).Value.String()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set(name, old) })
}

// A program that fails on some seeds fails the test once per failing seed, each with
// the go test command that runs that seed alone; the flags choose the seeds and the
// shard and write the report.
func TestSweepFailures(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.json")
	setFlag(t, "nodeloop.seeds", "1-80")
	setFlag(t, "nodeloop.shard", "2/2")
	setFlag(t, "nodeloop.report", report)
	raceConfig := sim.Config{CallbackCost: sim.Range{Max: 2 * time.Millisecond}, Scenario: "race"}
	race := func(l *nodeloop.Loop) { scenarios.Race(l, quiet{})() }
	f := sweep(t, raceConfig, race)
	if len(f.errs) == 0 {
		t.Fatal("no seed of the race failed")
	}
	for _, e := range f.errs {
		_, cmd, ok := strings.Cut(e, "reproduce: ")
		if !ok || !strings.HasPrefix(cmd, "go test github.com/nodeloop/nodeloop/properties -run '^TestSweepFailures$' -nodeloop.seeds=") {
			t.Fatalf("failure %q: no go test command that reproduces it", e)
		}
		var seed uint64
		if _, err := fmt.Sscanf(e, "seed %d:", &seed); err != nil || seed%2 != 0 {
			t.Fatalf("failure %q: want a seed of shard 2/2 (even)", e)
		}
	}
	b, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep, err := sim.ReadSweepReport(b)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runs != 40 || rep.Failed != uint64(len(f.errs)) || rep.Shard != (sim.Shard{K: 2, N: 2}) || rep.Program != "race" {
		t.Fatalf("report: %d runs, %d failed, shard %v, program %q; want 40 runs, %d failed, 2/2, race", rep.Runs, rep.Failed, rep.Shard, rep.Program, len(f.errs))
	}
	if f2 := sweep(t, sim.Config{}, func(l *nodeloop.Loop) {}); len(f2.errs) != 1 || !strings.Contains(f2.errs[0], "report.json is TestSweepFailures's report already") {
		t.Fatalf("a second sweep writing the same report: %q", f2.errs)
	}

	// The command's flags run the one failing seed.
	setFlag(t, "nodeloop.report", "")
	setFlag(t, "nodeloop.shard", "")
	_, cmd, _ := strings.Cut(f.errs[0], "reproduce: ")
	_, seed, _ := strings.Cut(cmd, "-nodeloop.seeds=")
	setFlag(t, "nodeloop.seeds", seed)
	if again := sweep(t, raceConfig, race); len(again.errs) != 1 || again.errs[0] != f.errs[0] {
		t.Fatalf("-nodeloop.seeds=%s: %q, want %q", seed, again.errs, f.errs[0])
	}
}

// The caller's assertion and the invariants judge every run that ended OK.
func TestSweepAssert(t *testing.T) {
	f := sweep(t, sim.Config{}, func(l *nodeloop.Loop) { scenarios.Echo(l, quiet{})() },
		properties.SweepSeeds(sim.Seeds{First: 1, Last: 6}),
		properties.SweepAssert(func(res *sim.Result) error {
			if res.Seed == 4 {
				return fmt.Errorf("seed %d is unlucky", res.Seed)
			}
			return nil
		}))
	if len(f.errs) != 1 || !strings.HasPrefix(f.errs[0], "seed 4: failed") || !strings.Contains(f.errs[0], "seed 4 is unlucky") {
		t.Fatalf("failures %q, want seed 4's alone", f.errs)
	}
}

// Bad flags fail the test, naming the flag.
func TestSweepBadFlags(t *testing.T) {
	for _, tt := range [][2]string{
		{"nodeloop.seeds", "9-1"}, {"nodeloop.shard", "0/2"}, {"nodeloop.shards", "3"}, {"nodeloop.j", "-1"},
	} {
		t.Run(tt[0], func(t *testing.T) {
			setFlag(t, tt[0], tt[1])
			f := sweep(t, sim.Config{}, func(l *nodeloop.Loop) {})
			if len(f.errs) != 1 || !strings.Contains(f.errs[0], "-"+tt[0]) {
				t.Fatalf("-%s=%s: %q", tt[0], tt[1], f.errs)
			}
		})
	}
}
