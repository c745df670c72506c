package properties_test

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

type countingTracer struct{ events int }

func (c *countingTracer) Event(*traces.Event) { c.events++ }

// Every field of sim.Config is reachable from Test: the named options set theirs,
// and a WithConfig function, which runs after them, sees them and sets the rest.
func TestOptionsReachTheConfig(t *testing.T) {
	fsys := fstest.MapFS{"config.txt": {Data: []byte("hello")}}
	tracer := &countingTracer{}
	var seen []sim.Config
	properties.Test(t, func(l *nodeloop.Loop) {},
		properties.WithoutFaults(),
		properties.WithConfig(func(c *sim.Config) { seen = append(seen, *c); c.Scenario = "first" }),
		properties.WithLatency(sim.Range{Min: time.Millisecond, Max: 2 * time.Millisecond}),
		properties.WithJobTime(sim.Range{Min: time.Second, Max: time.Second}),
		properties.WithFS(fsys),
		properties.WithStepLimit(1234),
		properties.WithWorkers(3),
		properties.WithTimeLimit(time.Minute),
		properties.WithCost(sim.Range{}),
		properties.WithTracer(tracer),
		properties.WithConfig(func(c *sim.Config) { seen = append(seen, *c) }),
	)
	if len(seen) < 2 {
		t.Fatalf("the WithConfig functions ran %d times; want at least once per case each", len(seen))
	}
	c, second := seen[0], seen[1]
	if c.Latency != (sim.Range{Min: time.Millisecond, Max: 2 * time.Millisecond}) || c.JobTime != (sim.Range{Min: time.Second, Max: time.Second}) ||
		c.StepLimit != 1234 || c.Workers != 3 || c.TimeLimit != time.Minute || c.CallbackCost != (sim.Range{}) ||
		c.Tracer != tracer || c.FS == nil || c.Choices == nil || !c.KeepTrace {
		t.Fatalf("the Config a WithConfig function sees: %+v", c)
	}
	if second.Scenario != "first" {
		t.Fatalf("the second WithConfig function saw Scenario %q; want the first one's %q", second.Scenario, "first")
	}
	if tracer.events == 0 {
		t.Fatal("WithTracer's tracer saw no event")
	}
}

// The named options take effect in the runs: a job of WithJobTime's length, the
// files of WithFS, the step limit of WithStepLimit.
func TestOptionsTakeEffect(t *testing.T) {
	var read string
	properties.Test(t, func(l *nodeloop.Loop) {
		nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) {})
		l.ReadFile("config.txt", func(b []byte, err error) { read = string(b) })
	},
		properties.WithoutFaults(),
		properties.WithJobTime(sim.Range{Min: time.Hour, Max: time.Hour}),
		properties.WithFS(fstest.MapFS{"config.txt": {Data: []byte("hello")}}),
		properties.WithAssert(func(res *sim.Result) error {
			if res.End < time.Hour {
				return fmt.Errorf("the run ended at %v; a job takes an hour", res.End)
			}
			if read != "hello" {
				return fmt.Errorf("ReadFile read %q", read)
			}
			return nil
		}))

	prev := flag.Lookup("rapid.nofailfile").Value.String()
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", prev)
	r := &recordingTB{}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		properties.Test(r, func(l *nodeloop.Loop) {
			var again func()
			again = func() { l.NextTick(again) }
			again()
		}, properties.WithoutFaults(), properties.WithStepLimit(100))
	}()
	if !r.failed || !strings.Contains(r.msg, "step limit") {
		t.Fatalf("a nextTick storm under WithStepLimit(100): failed %v, %q", r.failed, r.msg)
	}
}

// With swarm (the default) the cases turn a fault on and off; WithSwarm(false) keeps
// it on in every case.
func TestWithSwarm(t *testing.T) {
	failing := sim.Faults{Pool: sim.PoolFaults{FailJob: 1}}
	outcomes := func(opts ...properties.TestOption) map[bool]int {
		seen := map[bool]int{}
		program := func(l *nodeloop.Loop) {
			nodeloop.Work(l, func() (int, error) { return 0, nil }, func(_ int, err error) {
				seen[errors.Is(err, syscall.EIO)]++
			})
		}
		properties.Test(t, program, append([]properties.TestOption{properties.WithFaults(failing)}, opts...)...)
		return seen
	}
	if got := outcomes(); got[true] == 0 || got[false] == 0 {
		t.Fatalf("with swarm, jobs failed and succeeded %v times; want both", got)
	}
	if got := outcomes(properties.WithSwarm(false)); got[true] == 0 || got[false] != 0 {
		t.Fatalf("without swarm, jobs failed and succeeded %v times; want every job failed", got)
	}
}

// Test keeps the fields it needs: a WithConfig function that sets Choices and
// KeepTrace does not take the cases' draws from rapid or their traces from the
// checks.
func TestWithConfigKeepsTestsOwnFields(t *testing.T) {
	drawn := map[int]bool{}
	properties.Test(t, func(l *nodeloop.Loop) { drawn[sim.Choose(l, "x", 1000)] = true },
		properties.WithoutFaults(),
		properties.WithConfig(func(c *sim.Config) { c.Choices, c.KeepTrace = fakepoller.First{}, false }),
		properties.WithAssert(func(res *sim.Result) error {
			if len(res.Events) == 0 {
				return errors.New("the run kept no trace")
			}
			return nil
		}))
	if len(drawn) < 2 {
		t.Fatalf("the program drew only %v: its choices did not come from rapid", drawn)
	}
}
