package sim_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// draws is a program that draws one of each kind and keeps what it got.
type draws struct {
	n    int
	d    time.Duration
	b    bool
	same time.Duration
}

func (dr *draws) program(l *nodeloop.Loop) {
	dr.n = sim.Choose(l, "requests", 5)
	l.SetTimeout(time.Millisecond, func() {
		dr.d = sim.Duration(l, "delay", time.Millisecond, 3*time.Millisecond)
		dr.b = sim.Bool(l, "slow")
		dr.same = sim.Duration(l, "fixed", 5*time.Millisecond, 5*time.Millisecond)
	})
}

// A program's draws are choices of the run: drawn from its source, logged with the
// simulator's own under the user's label, put in the trace, and repeated by a replay.
func TestDrawsAreChoicesOfTheRun(t *testing.T) {
	seen := map[string]bool{}
	for seed := range uint64(40) {
		var dr draws
		res := run(t, sim.Config{Seed: seed, KeepTrace: true}, dr.program)
		if res.Failed() {
			t.Fatal(res)
		}
		if dr.n < 0 || dr.n >= 5 || dr.d < time.Millisecond || dr.d > 3*time.Millisecond || dr.d%time.Microsecond != 0 || dr.same != 5*time.Millisecond {
			t.Fatalf("seed %d drew requests=%d delay=%v fixed=%v; want 0..4, 1 to 3 ms in whole µs, 5 ms", seed, dr.n, dr.d, dr.same)
		}
		seen[fmt.Sprint(dr.b)] = true
		seen[fmt.Sprint("n", dr.n)] = true
		b := 0
		if dr.b {
			b = 1
		}
		want := []sim.Choice{
			{What: "user.requests", N: 5, Value: dr.n},
			{What: "user.delay", N: 2001, Value: int((dr.d - time.Millisecond) / time.Microsecond)},
			{What: "user.slow", N: 2, Value: b},
		}
		var got []sim.Choice
		for _, c := range res.Choices {
			if strings.HasPrefix(c.What, sim.UserPrefix) {
				got = append(got, c)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: the log has the program's choices %v; want %v (a fixed Duration draws nothing)", seed, got, want)
		}
		var traced []sim.Choice
		for _, e := range res.Events {
			if e.Kind == traces.KindChoice && strings.HasPrefix(e.Choice, sim.UserPrefix) {
				traced = append(traced, sim.Choice{What: e.Choice, N: e.Options, Value: e.Pick})
			}
		}
		if !slices.Equal(traced, want) {
			t.Fatalf("seed %d: the trace has the program's choices %v; want %v", seed, traced, want)
		}
		var again draws
		if res := run(t, sim.Config{Choices: sim.Replay(res.Choices)}, again.program); res.Failed() || again != dr {
			t.Fatalf("seed %d: the replay drew %+v; the run %+v (%v)", seed, again, dr, res)
		}
	}
	if !seen["true"] || !seen["false"] || len(seen) < 6 {
		t.Fatalf("40 seeds drew only %v", seen)
	}
}

// Under rapid the program's draws shrink with the schedule: a failure that needs at
// least 3 requests and a delay from 20 ms to 500 ms shrinks to 3 at 20 ms. (The
// window keeps the longest delay from failing: rapid often tries a range's largest
// value, from which it may fail to shrink.)
func TestDrawsShrinkUnderRapid(t *testing.T) {
	var n int
	var d time.Duration
	err := checkFails(func(rt *rapid.T) {
		res, err := sim.Run(sim.Config{Choices: sim.Rapid(rt)}, func(l *nodeloop.Loop) {
			n = sim.Choose(l, "requests", 100)
			d = sim.Duration(l, "delay", 0, time.Second)
			for range n {
				l.SetTimeout(d, func() {
					if n >= 3 && d >= 20*time.Millisecond && d < 500*time.Millisecond {
						panic("a bug")
					}
				})
			}
		})
		if res == nil {
			rt.Fatal(err)
		}
		if res.Failed() {
			rt.Fatal(err)
		}
	})
	if err == nil {
		t.Fatal("rapid found no failure in a program with a planted bug")
	}
	if n != 3 || d != 20*time.Millisecond {
		t.Fatalf("the failure shrank to %d requests at %v; want 3 at 20ms", n, d)
	}
}

// Busy moves the virtual clock as a callback computing that long would, and the loop
// sees it at its next reading; a Busy past the time limit ends the run.
func TestBusyInTheSimulator(t *testing.T) {
	var at time.Duration
	res := run(t, sim.Config{}, func(l *nodeloop.Loop) {
		start := l.Now()
		sim.Busy(l, 5*time.Millisecond)
		sim.Busy(l, -time.Second) // nothing
		if l.Now() != start {
			t.Errorf("the loop's cached time moved within the callback")
		}
		l.SetImmediate(func() { at = l.Now().Sub(start) })
	})
	if res.Failed() || at != 5*time.Millisecond || res.End != 5*time.Millisecond {
		t.Fatalf("after a Busy of 5 ms the immediate ran at %v and the run ended at %v (%v); want 5ms", at, res.End, res)
	}
	over := run(t, sim.Config{TimeLimit: time.Second}, func(l *nodeloop.Loop) {
		l.SetTimeout(time.Millisecond, func() { sim.Busy(l, 2*time.Second) })
	})
	if over.Verdict != sim.TimeLimit {
		t.Fatalf("a Busy past the time limit: %v; want the time limit verdict", over)
	}
}

// busyOrder's order depends on how long main computes: a 2 ms timeout fires before
// the immediate only when main took longer than that.
func busyOrder(busy time.Duration, out *[]string) func(*nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		l.SetTimeout(2*time.Millisecond, func() { *out = append(*out, "timeout") })
		l.SetImmediate(func() { *out = append(*out, "immediate") })
		sim.Busy(l, busy)
	}
}

// A program that says its main takes 5 ms gets the same order on the operating
// system as in the simulator, where without the Busy the order is the other one.
func TestBusyGivesTheSameOrderInBothWorlds(t *testing.T) {
	var simulated, calm, real []string
	if res := run(t, sim.Config{}, busyOrder(5*time.Millisecond, &simulated)); res.Failed() {
		t.Fatal(res)
	}
	if res := run(t, sim.Config{}, busyOrder(0, &calm)); res.Failed() {
		t.Fatal(res)
	}
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	if err := l.Run(func() { busyOrder(5*time.Millisecond, &real)(l) }); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 5*time.Millisecond {
		t.Fatalf("the real run took %v; a Busy of 5 ms spins at least that long", took)
	}
	want := []string{"timeout", "immediate"}
	if !slices.Equal(simulated, want) || !slices.Equal(real, want) {
		t.Fatalf("with a 5 ms Busy: simulated %v, real %v; want %v in both", simulated, real, want)
	}
	if !slices.Equal(calm, []string{"immediate", "timeout"}) {
		t.Fatalf("without a Busy the simulator ran %v; want the immediate first", calm)
	}
}

// On a loop outside the simulator the draws come from NODELOOP_SEED: the same seed
// draws the same numbers, another seed other ones.
func TestDrawsOutsideTheSimulator(t *testing.T) {
	drawn := func(seed string) []int {
		t.Setenv(sim.SeedEnv, seed)
		l, err := nodeloop.New()
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var got []int
		err = l.Run(func() {
			for range 10 {
				got = append(got, sim.Choose(l, "x", 1000))
			}
			if d := sim.Duration(l, "d", time.Millisecond, 2*time.Millisecond); d < time.Millisecond || d > 2*time.Millisecond {
				t.Errorf("Duration drew %v outside 1 to 2 ms", d)
			}
			sim.Bool(l, "b")
			if n := sim.Choose(l, "one", 1); n != 0 {
				t.Errorf("Choose of 1 option drew %d", n)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	a, b, c := drawn("42"), drawn("42"), drawn("43")
	if !slices.Equal(a, b) {
		t.Fatalf("NODELOOP_SEED=42 drew %v, then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("NODELOOP_SEED=42 and 43 both drew %v", a)
	}
}

// Draws that cannot be made are programmer errors, with a message that says what to
// pass instead.
func TestDrawMisuse(t *testing.T) {
	for name, program := range map[string]func(*nodeloop.Loop){
		"Choose of 0": func(l *nodeloop.Loop) { sim.Choose(l, "x", 0) },
		"Duration":    func(l *nodeloop.Loop) { sim.Duration(l, "x", time.Second, time.Millisecond) },
		"nil loop":    func(*nodeloop.Loop) { sim.Bool(nil, "x") },
	} {
		res := run(t, sim.Config{}, program)
		var cp *nodeloop.CallbackPanic
		if !errors.As(res.Err, &cp) || !strings.HasPrefix(fmt.Sprint(cp.Value), "nodeloop: sim.") {
			t.Errorf("%s: %v; want a panic starting \"nodeloop: sim.\"", name, res)
		}
	}
}

// OnIdle runs the loop again while its hook gives it work, as Node's 'beforeExit';
// Now reads the virtual time, which Busy moves; an error of the hook fails the run.
func TestOnIdleAndNow(t *testing.T) {
	var got []string
	idles := 0
	res, err := sim.Run(sim.Config{Seed: 1}, func(l *nodeloop.Loop) {
		start := sim.Now(l)
		sim.OnIdle(l, func() (bool, error) {
			idles++
			if idles < 3 {
				l.SetTimeout(10*time.Millisecond, func() {
					sim.Busy(l, time.Millisecond)
					got = append(got, fmt.Sprint(sim.Now(l).Sub(start)))
				})
				return true, nil
			}
			return false, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"11ms", "22ms"}; !slices.Equal(got, want) {
		t.Fatalf("the timers the hook started ran at %v, want %v", got, want)
	}
	if idles != 3 || res.End != 22*time.Millisecond {
		t.Fatalf("%d calls of the hook, the run ended at %v; want 3 and 22ms", idles, res.End)
	}

	bad := errors.New("exit code 3")
	res, err = sim.Run(sim.Config{Seed: 1}, func(l *nodeloop.Loop) {
		sim.OnIdle(l, func() (bool, error) { return false, bad })
	})
	if !errors.Is(err, bad) || res.Verdict != sim.Failed {
		t.Fatalf("a hook's error: verdict %v, error %v; want Failed with the hook's error", res.Verdict, err)
	}
}
