package sim_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

// buggifier reaches the site "slow" reaches times, a millisecond apart, and counts
// how often it fired.
type buggifier struct{ reaches, fired int }

func (b *buggifier) program(l *nodeloop.Loop) {
	var step func()
	n := 0
	step = func() {
		if sim.Buggify(l, "slow") {
			b.fired++
		}
		if n++; n < b.reaches {
			l.SetTimeout(time.Millisecond, step)
		}
	}
	step()
}

// A Buggify site is enabled once per run, on some seeds and not others; only an
// enabled site fires, on some of its reaches; both decisions are labelled choices.
func TestBuggifyEnablesASiteOncePerRun(t *testing.T) {
	enabled, fired := 0, 0
	const seeds = 200
	for seed := range uint64(seeds) {
		b := &buggifier{reaches: 20}
		res := run(t, sim.Config{Seed: seed}, b.program)
		if res.Failed() {
			t.Fatal(res)
		}
		on, draws := -1, 0
		for _, c := range res.Choices {
			switch c.What {
			case "buggify.slow.on":
				if on != -1 {
					t.Fatalf("seed %d decided twice whether the site is enabled: %v", seed, res.Choices)
				}
				on = c.Value
				if c.N != fakepoller.ChanceResolution {
					t.Fatalf("seed %d: %v has %d options, want %d", seed, c, c.N, fakepoller.ChanceResolution)
				}
			case "buggify.slow":
				draws++
			}
		}
		isOn := on >= fakepoller.ChanceResolution*(1-sim.BuggifyEnabled)
		switch {
		case on == -1:
			t.Fatalf("seed %d never decided whether the site is enabled", seed)
		case isOn && draws != b.reaches:
			t.Fatalf("seed %d: enabled site drew %d times for %d reaches", seed, draws, b.reaches)
		case !isOn && (draws != 0 || b.fired != 0):
			t.Fatalf("seed %d: disabled site drew %d times and fired %d times", seed, draws, b.fired)
		}
		if isOn {
			enabled++
		}
		fired += b.fired
	}
	if enabled == 0 || enabled == seeds {
		t.Fatalf("the site was enabled on %d of %d seeds; want some but not all", enabled, seeds)
	}
	if fired == 0 || fired >= enabled*20 {
		t.Fatalf("enabled sites fired %d times in %d reaches; want some but not all", fired, enabled*20)
	}
}

// The calm run, every choice 0, never enables a site, so a failure shrinks towards
// no buggification; a replay repeats the firings.
func TestBuggifyCalmAndReplayed(t *testing.T) {
	b := &buggifier{reaches: 5}
	if res := run(t, sim.Config{Choices: fakepoller.First{}}, b.program); res.Failed() || b.fired != 0 {
		t.Fatalf("the calm run fired %d times (%v); want 0", b.fired, res)
	}
	for seed := range uint64(100) {
		b := &buggifier{reaches: 10}
		res := run(t, sim.Config{Seed: seed}, b.program)
		if b.fired == 0 {
			continue
		}
		again := &buggifier{reaches: 10}
		if res2 := run(t, sim.Config{Choices: sim.Replay(res.Choices)}, again.program); res2.Failed() || again.fired != b.fired {
			t.Fatalf("seed %d fired %d times, its replay %d (%v)", seed, b.fired, again.fired, res2)
		}
		return
	}
	t.Fatal("no seed of 100 fired the site")
}

// On a loop that is not simulated Buggify is false, always.
func TestBuggifyOnARealLoopIsFalse(t *testing.T) {
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range 1000 {
		if sim.Buggify(l, "slow") {
			t.Fatal("Buggify fired on a real loop")
		}
	}
}

// In a world each host decides its own sites: the site's choices are made inside
// the host that reached it, and named in its part of the trace.
func TestBuggifyInAWorld(t *testing.T) {
	for seed := range uint64(50) {
		a, b := &buggifier{reaches: 5}, &buggifier{reaches: 5}
		w := sim.NewWorld(sim.Config{Seed: seed, KeepTrace: true})
		w.Host("a", a.program)
		w.Host("b", b.program)
		res, err := w.Run()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hosts {
			decided := 0
			for _, e := range h.Events {
				if e.Choice == "buggify.slow.on" {
					decided++
				}
			}
			if decided != 1 {
				t.Fatalf("seed %d: host %s decided %d times whether the site is enabled, want once", seed, h.Name, decided)
			}
		}
		if a.fired+b.fired > 0 {
			return
		}
	}
	t.Fatal("no host of 50 worlds fired the site")
}
