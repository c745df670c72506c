package sim_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// demo runs the book's demo, printing nowhere.
func demo(l *nodeloop.Loop) { scenarios.Demo(l, discard{})() }

type discard struct{}

func (discard) Print(string, string) {}

func run(t testing.TB, cfg sim.Config, program func(*nodeloop.Loop)) *sim.Result {
	t.Helper()
	res, err := sim.Run(cfg, program)
	var re *sim.RunError
	if err != nil && !errors.As(err, &re) {
		t.Fatalf("sim.Run: %v", err)
	}
	if res.Failed() != (re != nil) || re != nil && (re.Verdict != res.Verdict || re.Err != res.Err) {
		t.Fatalf("sim.Run returned %v with the error %v", res, err)
	}
	return res
}

// A simulated run starts no goroutine: everything happens on the caller's.
func TestNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	most := 0
	res := run(t, sim.Config{Seed: 3}, func(l *nodeloop.Loop) {
		demo(l)
		var check func()
		check = func() {
			most = max(most, runtime.NumGoroutine())
			if l.Pending() > 1 {
				l.SetTimeout(10*time.Millisecond, check)
			}
		}
		check()
	})
	if res.Failed() {
		t.Fatal(res)
	}
	if most > before { // one that ends meanwhile (a test's leftover) is no concern
		t.Fatalf("%d goroutines before the run, up to %d during it", before, most)
	}
}

// The same seed gives the same trace, byte for byte; another seed another one.
func TestSameSeedSameTrace(t *testing.T) {
	trace := func(seed uint64) []byte {
		var buf bytes.Buffer
		res := run(t, sim.Config{Seed: seed, Trace: &buf, Faults: sim.Faults{Network: fakepoller.Faults{Spike: 0.1, SpikeLatency: time.Second}}}, demo)
		if res.Failed() {
			t.Fatal(res)
		}
		return buf.Bytes()
	}
	a, b, c := trace(7), trace(7), trace(8)
	if !bytes.Equal(a, b) {
		t.Fatal("seed 7 gave two different traces")
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 gave the same trace")
	}
	if !bytes.Contains(a, []byte(`"kind":"choice"`)) {
		t.Fatal("the trace records no choice")
	}
}

// A thousand seeds of the demo with every fault in swarm mode, run twice, give
// identical traces (fewer under -short).
func TestDeterminismSweep(t *testing.T) {
	seeds := uint64(1000)
	if testing.Short() {
		seeds = 100
	}
	faults, _ := sim.ParseFaults("all")
	for seed := range seeds {
		var a, b bytes.Buffer
		cfg := sim.Config{Seed: seed, Faults: faults, Swarm: true, Trace: &a}
		ra := run(t, cfg, demo)
		cfg.Trace = &b
		rb := run(t, cfg, demo)
		if !bytes.Equal(a.Bytes(), b.Bytes()) || ra.Verdict != rb.Verdict {
			t.Fatalf("seed %d: two runs differ (%v, %v)", seed, ra, rb)
		}
	}
}

// Replaying a run's choice log reproduces it; a log that no longer fits stops the
// run at the first choice that does not match, and says which.
func TestReplay(t *testing.T) {
	var a, b bytes.Buffer
	faults, _ := sim.ParseFaults("all")
	first := run(t, sim.Config{Seed: 11, Faults: faults, Trace: &a}, demo)
	again := run(t, sim.Config{Seed: 999, Faults: faults, Choices: sim.Replay(first.Choices), Trace: &b}, demo)
	// The headers differ (seed); every event is the same.
	_, evA, _ := bytes.Cut(a.Bytes(), []byte("\n"))
	_, evB, _ := bytes.Cut(b.Bytes(), []byte("\n"))
	if !bytes.Equal(evA, evB) || again.Verdict != first.Verdict {
		t.Fatalf("the replay differs: %v vs %v", again, first)
	}
	// A changed program asks for other choices: the replay stops and names the
	// first one that does not fit.
	changed := run(t, sim.Config{Seed: 11, Faults: faults, Choices: sim.Replay(first.Choices)}, func(l *nodeloop.Loop) {
		nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) {})
		demo(l)
	})
	var re *sim.ReplayError
	if changed.Verdict != sim.Diverged || !errors.As(changed.Err, &re) || !strings.Contains(re.Error(), "no longer fits") {
		t.Fatalf("changed program under replay: %v", changed)
	}
}

// Liveness: a run alive with nothing that can complete, out of virtual time or out
// of steps, ends with a verdict listing what keeps the loop alive and where it was
// made.
func TestLiveness(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     sim.Config
		program func(*nodeloop.Loop)
		want    sim.Verdict
		alive   string
	}{
		{"stuck", sim.Config{}, func(l *nodeloop.Loop) {
			l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {})
		}, sim.Stuck, "listener"},
		{"time limit", sim.Config{TimeLimit: time.Hour}, func(l *nodeloop.Loop) {
			l.SetInterval(time.Minute, func() {})
		}, sim.TimeLimit, "interval"},
		{"nextTick storm", sim.Config{StepLimit: 10000}, func(l *nodeloop.Loop) {
			l.SetTimeout(time.Second, func() {})
			var again func()
			again = func() { l.NextTick(again) }
			again()
		}, sim.StepLimit, "timer"},
		{"microtask storm", sim.Config{StepLimit: 10000}, func(l *nodeloop.Loop) {
			l.SetImmediate(func() {
				var again func()
				again = func() { l.QueueMicrotask(again) }
				again()
			})
			l.SetTimeout(time.Second, func() {})
		}, sim.StepLimit, "timer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.cfg, tc.program)
			if res.Verdict != tc.want || len(res.Alive) == 0 {
				t.Fatalf("%v; want verdict %v with what keeps the loop alive", res, tc.want)
			}
			h := res.Alive[0]
			if h.Kind != tc.alive || !strings.Contains(h.Created, "sim_test.go") {
				t.Fatalf("alive %v; want a %s made in sim_test.go", res.Alive, tc.alive)
			}
		})
	}
	res := run(t, sim.Config{}, func(l *nodeloop.Loop) {
		l.SetTimeout(time.Second, func() { panic("a bug") })
	})
	var cp *nodeloop.CallbackPanic
	if res.Verdict != sim.Failed || !errors.As(res.Err, &cp) || cp.Value != "a bug" {
		t.Fatalf("panicking callback: %v", res)
	}
}

// With virtual CPU time charged to callbacks, the order of a 0 ms timeout and an
// immediate set from main depends on the seed, as it depends on timing in Node:
// seeds find both orders. Without it, the order is always the same.
func TestCallbackCostExploresTimingOrders(t *testing.T) {
	order := func(cfg sim.Config) string {
		var got []string
		res := run(t, cfg, func(l *nodeloop.Loop) {
			l.SetTimeout(0, func() { got = append(got, "timeout") })
			l.SetImmediate(func() { got = append(got, "immediate") })
		})
		if res.Failed() {
			t.Fatal(res)
		}
		return strings.Join(got, ",")
	}
	seen := map[string]bool{}
	for seed := range uint64(50) {
		seen[order(sim.Config{Seed: seed, CallbackCost: sim.Range{Min: 0, Max: 2 * time.Millisecond}})] = true
	}
	if !seen["timeout,immediate"] || !seen["immediate,timeout"] {
		t.Fatalf("50 seeds with callback costs gave only %v", seen)
	}
	for seed := range uint64(20) {
		if got := order(sim.Config{Seed: seed}); got != "immediate,timeout" {
			t.Fatalf("seed %d without callback cost: %s", seed, got)
		}
	}
}

// Each fault shows when asked for.
func TestFaults(t *testing.T) {
	var failed error
	res := run(t, sim.Config{Faults: sim.Faults{Pool: sim.PoolFaults{FailJob: 1}}}, func(l *nodeloop.Loop) {
		nodeloop.Work(l, func() (int, error) { t.Error("a failed job ran"); return 0, nil }, func(_ int, err error) { failed = err })
	})
	if res.Failed() || !errors.Is(failed, syscall.EIO) {
		t.Fatalf("FailJob: %v, done got %v", res, failed)
	}
	slow := run(t, sim.Config{Faults: sim.Faults{Pool: sim.PoolFaults{SlowJob: 1, SlowJobLatency: time.Hour}}, Seed: 5}, func(l *nodeloop.Loop) {
		nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) {})
	})
	calm := run(t, sim.Config{Seed: 5}, func(l *nodeloop.Loop) {
		nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) {})
	})
	if calm.End >= time.Minute || slow.End < time.Minute {
		t.Fatalf("SlowJob: a calm job took %v, a slow one (up to an hour more) %v", calm.End, slow.End)
	}
	var dialErr error
	run(t, sim.Config{Faults: sim.Faults{Network: fakepoller.Faults{Refused: 1}}}, func(l *nodeloop.Loop) {
		ln, _ := l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {})
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) { dialErr = err; ln.Close(nil) })
	})
	if !errors.Is(dialErr, syscall.ECONNREFUSED) {
		t.Fatalf("Refused: dial got %v", dialErr)
	}
	late := run(t, sim.Config{Faults: sim.Faults{Network: fakepoller.Faults{LateWake: 1, LateWakeLatency: time.Second}}, Seed: 2}, func(l *nodeloop.Loop) {
		l.SetTimeout(10*time.Millisecond, func() {})
	})
	if late.End <= 10*time.Millisecond {
		t.Fatalf("LateWake: the timer fired on time (%v)", late.End)
	}
}

// rapid drives the schedule and the program together, and shrinks a failure to a
// handful of callbacks: here a planted ordering bug (the program assumes that a pool
// job finishes before a timer of the same length).
func TestRapidShrinksAPlantedBug(t *testing.T) {
	var shrunk string
	failing := func(rt *rapid.T) {
		n := rapid.IntRange(1, 20).Draw(rt, "jobs")
		var log []string
		cfg := sim.Config{Choices: sim.Rapid(rt), Workers: 20, JobTime: sim.Range{Min: time.Millisecond, Max: 10 * time.Millisecond}}
		res, err := sim.Run(cfg, func(l *nodeloop.Loop) {
			for i := range n {
				done := false
				nodeloop.Work(l, func() (int, error) { return i, nil }, func(int, error) { done = true; log = append(log, fmt.Sprint("job", i)) })
				l.SetTimeout(5*time.Millisecond, func() {
					log = append(log, fmt.Sprint("timer", i))
					if !done {
						panic(fmt.Sprintf("job %d not done when its timer fired", i))
					}
				})
			}
		})
		var re *sim.RunError
		if err != nil && !errors.As(err, &re) {
			rt.Fatal(err)
		}
		if res.Failed() {
			shrunk = strings.Join(log, " ")
			rt.Fatalf("%v after %v", res.Err, log)
		}
	}
	err := checkFails(failing)
	if err == nil {
		t.Fatal("rapid found no failure in a program with a planted bug")
	}
	if n := len(strings.Fields(shrunk)); n > 4 {
		t.Fatalf("the failure shrank to %d callbacks: %s", n, shrunk)
	}
	t.Logf("shrunk to: %s (%v)", shrunk, err)
}

// checkFails runs a rapid property and returns its shrunk failure, if any, without
// writing a fail file.
func checkFails(prop func(*rapid.T)) (err error) {
	prev := flag.Lookup("rapid.nofailfile").Value.String()
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", prev)
	ft := &fakeT{}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fakeFail); !ok {
				panic(r)
			}
		}
		if ft.failed {
			err = errors.New(ft.msg)
		}
	}()
	rapid.Check(ft, prop)
	return nil
}

// fakeT is the testing.TB rapid reports its final, shrunk failure to, so that a test
// can assert on the failure instead of failing.
type fakeT struct {
	failed bool
	msg    string
}

type fakeFail struct{}

func (f *fakeT) Helper()                   {}
func (f *fakeT) Name() string              { return "TestRapidShrinksAPlantedBug" }
func (f *fakeT) Logf(string, ...any)       {}
func (f *fakeT) Log(...any)                {}
func (f *fakeT) Skipf(string, ...any)      { panic(fakeFail{}) }
func (f *fakeT) Skip(...any)               { panic(fakeFail{}) }
func (f *fakeT) SkipNow()                  { panic(fakeFail{}) }
func (f *fakeT) Errorf(s string, a ...any) { f.failed, f.msg = true, fmt.Sprintf(s, a...) }
func (f *fakeT) Error(a ...any)            { f.failed, f.msg = true, fmt.Sprint(a...) }
func (f *fakeT) Fatalf(s string, a ...any) { f.Errorf(s, a...); panic(fakeFail{}) }
func (f *fakeT) Fatal(a ...any)            { f.Error(a...); panic(fakeFail{}) }
func (f *fakeT) FailNow()                  { f.failed = true; panic(fakeFail{}) }
func (f *fakeT) Fail()                     { f.failed = true }
func (f *fakeT) Failed() bool              { return f.failed }

// A run that does not end OK returns its Result and a *RunError naming its seed and
// verdict, which reaches the run's own error; a configuration Run refuses returns no
// Result and an error of another type.
func TestRunError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     sim.Config
		program func(*nodeloop.Loop)
		want    sim.Verdict
		text    string
		is      error
	}{
		{"ok", sim.Config{Seed: 3}, func(l *nodeloop.Loop) { l.SetTimeout(time.Second, func() {}) }, sim.OK, "", nil},
		{"stuck", sim.Config{Seed: 3}, func(l *nodeloop.Loop) {
			l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {})
		}, sim.Stuck, "sim: seed 3: stuck: the loop is alive but nothing can ever complete", nil},
		{"time limit", sim.Config{Seed: 4, TimeLimit: time.Hour}, func(l *nodeloop.Loop) {
			l.SetInterval(time.Minute, func() {})
		}, sim.TimeLimit, "sim: seed 4: time limit: virtual time limit reached", nil},
		{"step limit", sim.Config{Seed: 5, StepLimit: 100}, func(l *nodeloop.Loop) {
			var again func()
			again = func() { l.NextTick(again) }
			again()
		}, sim.StepLimit, "sim: seed 5: step limit: nodeloop: step limit reached", nodeloop.ErrStepLimit},
		{"failed", sim.Config{Seed: 6}, func(l *nodeloop.Loop) {
			l.SetTimeout(time.Second, func() { panic("a bug") })
		}, sim.Failed, "sim: seed 6: failed: ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := sim.Run(tc.cfg, tc.program)
			if res == nil || res.Verdict != tc.want {
				t.Fatalf("sim.Run: %v, %v; want verdict %v", res, err, tc.want)
			}
			if tc.want == sim.OK {
				if err != nil {
					t.Fatalf("a run that ended OK returned %v", err)
				}
				return
			}
			var re *sim.RunError
			if !errors.As(err, &re) || re.Verdict != tc.want || re.Seed != tc.cfg.Seed || re.Err != res.Err {
				t.Fatalf("sim.Run's error %#v; want a *sim.RunError of seed %d, verdict %v and the Result's Err", err, tc.cfg.Seed, tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.text) {
				t.Fatalf("the error says %q; want it to start %q", err, tc.text)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("the error %v does not match %v", err, tc.is)
			}
		})
	}
	_, err := sim.Run(sim.Config{Seed: 6}, func(l *nodeloop.Loop) { l.SetTimeout(0, func() { panic("a bug") }) })
	var cp *nodeloop.CallbackPanic
	if !errors.As(err, &cp) || cp.Value != "a bug" || !strings.Contains(err.Error(), "a bug") {
		t.Fatalf("a panicking run's error %v does not reach the callback's panic", err)
	}
	res, err := sim.Run(sim.Config{Faults: sim.Faults{Pool: sim.PoolFaults{FailJob: 2}}}, func(*nodeloop.Loop) {})
	var re *sim.RunError
	if res != nil || err == nil || errors.As(err, &re) {
		t.Fatalf("a refused configuration gave %v, %v; want no Result and an error that is not a *sim.RunError", res, err)
	}
}
