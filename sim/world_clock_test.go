package sim_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

// clockReader reads the wall clock and the loop's time at each of times, from a
// timer.
type clockReader struct {
	times     []time.Duration
	wall, now []time.Time
}

func (r *clockReader) program(l *nodeloop.Loop) {
	for _, d := range r.times {
		l.SetTimeout(d, func() {
			r.wall = append(r.wall, sim.WallClock(l))
			r.now = append(r.now, l.Now())
		})
	}
}

// A host's wall clock is offset and drifts as its skew says, while its timers keep
// the world's time; a host without skew reads the world's time.
func TestWallClockOffsetAndDrift(t *testing.T) {
	skewed := &clockReader{times: []time.Duration{time.Second, 11 * time.Second}}
	plain := &clockReader{times: []time.Duration{10 * time.Second}}
	w := sim.NewWorld(sim.Config{Seed: 3})
	w.HostWith("skewed", skewed.program, sim.HostOptions{Clock: sim.ClockSkew{Offset: 5 * time.Second, DriftPPM: 100}})
	w.Host("plain", plain.program)
	if res, err := w.Run(); err != nil {
		t.Fatal(res, err)
	}
	ten, eleven := fakeclock.Epoch.Add(10*time.Second), fakeclock.Epoch.Add(11*time.Second)
	if got := skewed.now[1]; !got.Equal(eleven) {
		t.Fatalf("the skewed host's timer ran at %v, want the world's %v", got, eleven)
	}
	if got, want := skewed.wall[1].Sub(skewed.wall[0]), 10*time.Second+time.Millisecond; got != want {
		t.Fatalf("over 10 s the skewed wall clock moved %v, want %v (100 ppm fast)", got, want)
	}
	if got, want := skewed.wall[1], eleven.Add(5*time.Second+1100*time.Microsecond); !got.Equal(want) {
		t.Fatalf("the skewed wall clock read %v at 11 s, want %v", got, want)
	}
	if got := plain.wall[0]; !got.Equal(ten) {
		t.Fatalf("the plain host's wall clock read %v at 10 s, want %v", got, ten)
	}
}

// Drawn offsets, drifts and jumps are choices of the run: seeds differ, the calm
// run has none, and a replay repeats them.
func TestWallClockDrawsAreChoices(t *testing.T) {
	skew := sim.ClockSkew{MaxOffset: time.Minute, MaxDriftPPM: 500, Jumps: 0.5, MaxJump: time.Second}
	runOnce := func(cfg sim.Config) (*clockReader, *sim.WorldResult) {
		r := &clockReader{times: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}}
		w := sim.NewWorld(cfg)
		w.HostWith("h", r.program, sim.HostOptions{Clock: skew})
		res, err := w.Run()
		if err != nil {
			t.Fatal(res, err)
		}
		return r, res
	}
	calm, _ := runOnce(sim.Config{Choices: fakepoller.First{}})
	for i, d := range calm.times {
		if want := fakeclock.Epoch.Add(d); !calm.wall[i].Equal(want) {
			t.Fatalf("the calm run's wall clock read %v at %v, want %v", calm.wall[i], d, want)
		}
	}
	seen := map[time.Time]bool{}
	for seed := range uint64(20) {
		r, res := runOnce(sim.Config{Seed: seed})
		seen[r.wall[0]] = true
		labels := map[string]bool{}
		for _, c := range res.Choices {
			labels[c.What] = true
		}
		if !labels["clock.offset"] || !labels["clock.drift"] || !labels["fault.clock.jump"] {
			t.Fatalf("seed %d made the choices %v; want clock.offset, clock.drift and fault.clock.jump", seed, res.Choices)
		}
		again, _ := runOnce(sim.Config{Choices: sim.Replay(res.Choices)})
		for i := range r.wall {
			if !again.wall[i].Equal(r.wall[i]) {
				t.Fatalf("seed %d: the replay read %v, the run %v", seed, again.wall, r.wall)
			}
		}
	}
	if len(seen) < 10 {
		t.Fatalf("20 seeds gave %d first readings; want them to differ", len(seen))
	}
}

// A skew that makes no sense is refused, naming the host.
func TestWallClockBadSkew(t *testing.T) {
	for _, s := range []sim.ClockSkew{
		{DriftPPM: -1e6},
		{MaxOffset: -time.Second},
		{Jumps: 0.5},
		{Jumps: 2, MaxJump: time.Second},
		{DriftPPM: -999_000, MaxDriftPPM: 1000},
	} {
		w := sim.NewWorld(sim.Config{})
		w.HostWith("h", func(*nodeloop.Loop) {}, sim.HostOptions{Clock: s})
		if res, err := w.Run(); res != nil || err == nil {
			t.Errorf("skew %+v: Run = %v, %v; want an error", s, res, err)
		}
	}
}

// In a run of one loop the wall clock is the virtual time; on a real loop it is the
// operating system's.
func TestWallClockOfOneLoop(t *testing.T) {
	r := &clockReader{times: []time.Duration{time.Second}}
	run(t, sim.Config{Seed: 1}, r.program)
	if want := fakeclock.Epoch.Add(time.Second); !r.wall[0].Equal(want) {
		t.Fatalf("the wall clock read %v, want %v", r.wall[0], want)
	}
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	before := time.Now()
	got := sim.WallClock(l)
	if got.Before(before.Round(0)) || got.After(time.Now()) {
		t.Fatalf("a real loop's wall clock read %v, not between %v and now", got, before)
	}
}
