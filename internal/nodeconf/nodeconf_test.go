package nodeconf

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// testdata is what ReadFile sees in simulated runs: the same paths as on the
// operating system, relative to this package's directory.
//
//go:embed testdata
var testdata embed.FS

// seeds are the simulator's seeds each scenario runs with.
const seeds = 5

// realRunMax bounds a run on the operating system's back ends.
const realRunMax = 20 * time.Second

// wallTime names the scenarios whose Node output depends on wall-clock time in a way
// virtual time cannot reproduce, with the reason: they run on the operating system's
// back ends only. None does: a script's busy-wait is busy, which takes virtual time
// in the simulator as it takes wall-clock time on the operating system.
var wallTime = map[string]string{}

// knownDifferences names the scenarios where nodeloop's output differs from Node's,
// with the rule of the loop that causes it. Their runs are reported, not failed; a
// run that matches Node fails, so that the entry is removed once the loop is fixed.
// There is none: every scenario prints what Node prints.
var knownDifferences = map[string]string{}

func TestConformance(t *testing.T) {
	scripts, err := filepath.Glob("testdata/*.js")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no testdata/*.js")
	}
	seen := map[string]bool{}
	for _, path := range scripts {
		name := strings.TrimSuffix(filepath.Base(path), ".js")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			s, ok := scenarios[name]
			if !ok {
				t.Fatalf("%s has no Go program: add %q to scenarios", path, name)
			}
			out, err := os.ReadFile(strings.TrimSuffix(path, ".js") + ".out")
			if err != nil {
				t.Fatalf("%v (record it with ./record.sh %s)", err, name)
			}
			want := lines(string(out))
			t.Run("real", func(t *testing.T) {
				compare(t, name, "the real back ends", want, runReal(t, s))
			})
			t.Run("sim", func(t *testing.T) {
				if why, ok := wallTime[name]; ok {
					t.Skip("depends on wall time: " + why)
				}
				for seed := uint64(1); seed <= seeds; seed++ {
					compare(t, name, fmt.Sprintf("sim seed %d", seed), want, runSim(t, s, seed))
				}
			})
		})
	}
	for _, name := range names() {
		if !seen[name] {
			t.Errorf("scenarios has %q but there is no testdata/%s.js", name, name)
		}
	}
	for name := range wallTime {
		if _, ok := scenarios[name]; !ok {
			t.Errorf("wallTime names %q, which is no scenario", name)
		}
	}
	for name := range knownDifferences {
		if _, ok := scenarios[name]; !ok {
			t.Errorf("knownDifferences names %q, which is no scenario", name)
		}
	}
}

// lines splits a script's recorded output into its lines.
func lines(out string) []string {
	if out == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// compare checks a run's lines against Node's, or reports a known difference.
func compare(t *testing.T, name, run string, node, got []string) {
	t.Helper()
	diff := cmp.Diff(node, got)
	why, known := knownDifferences[name]
	switch {
	case diff == "" && known:
		t.Errorf("%s: %s now prints what Node prints: remove it from knownDifferences", run, name)
	case diff != "" && known:
		t.Logf("%s: known difference: %s\n(-node +nodeloop):\n%s", run, why, diff)
	case diff != "":
		t.Errorf("%s: output differs from Node's (-node +nodeloop):\n%s", run, diff)
	}
}

// runReal runs s on the operating system's clock, poller and a worker pool of the
// size the script asks for.
func runReal(t *testing.T, s scenario) []string {
	t.Helper()
	workers := s.workers
	if workers == 0 {
		workers = nodeloop.DefaultWorkers
	}
	l, err := nodeloop.New(nodeloop.WithWorkers(workers), nodeloop.WithStepLimit(sim.DefaultStepLimit))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	timedOut := false
	watchdog := time.AfterFunc(realRunMax, func() {
		l.Post(func() {
			timedOut = true
			l.Stop()
		})
	})
	c := &console{}
	err = l.Run(func() { s.main(l, c) })
	watchdog.Stop()
	if err != nil {
		t.Fatalf("Run: %v (printed so far: %q)", err, c.lines)
	}
	if timedOut {
		t.Fatalf("still running after %v; alive: %v (printed so far: %q)", realRunMax, l.Handles(), c.lines)
	}
	c.exited()
	return c.lines
}

// runSim runs s in the simulator with seed, its files from testdata.
func runSim(t *testing.T, s scenario, seed uint64) []string {
	t.Helper()
	c := &console{}
	res, err := sim.Run(sim.Config{Seed: seed, Workers: s.workers, FS: testdata}, func(l *nodeloop.Loop) { s.main(l, c) })
	var re *sim.RunError
	if err != nil && !errors.As(err, &re) {
		t.Fatalf("sim seed %d: %v", seed, err)
	}
	if res.Failed() {
		t.Fatalf("sim: %v (printed so far: %q)", res, c.lines)
	}
	c.exited()
	return c.lines
}
