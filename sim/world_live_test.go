package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

// retrier dials server:80 every 100 ms until a dial succeeds and the server
// answers; answered says whether it did. Its state is set in its main callback.
type retrier struct{ answered bool }

func (r *retrier) program(l *nodeloop.Loop) {
	r.answered = false
	var try func()
	try = func() {
		l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				l.SetTimeout(100*time.Millisecond, try)
				return
			}
			c.Write([]byte("hi;"), func(int, error) {})
			c.Read(func(b []byte, err error) {
				if err == nil {
					r.answered = true
				}
				c.Close(nil)
			})
		})
	}
	try()
}

// A server that never stops listening; the world ends when the condition holds.
func forever(l *nodeloop.Loop) {
	if _, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		c.Read(func(b []byte, err error) {
			if err == nil {
				c.Write([]byte("ok;"), func(int, error) {})
			}
		})
	}); err != nil {
		panic(err)
	}
}

// With every connection refused until the faults stop, the client gets through
// after they do, and the world ends OK though its server still listens.
func TestLivenessFaultsStopAndTheWorldRecovers(t *testing.T) {
	for seed := range uint64(20) {
		r := &retrier{}
		w := sim.NewWorld(sim.Config{Seed: seed, Faults: sim.Faults{Network: fakepoller.Faults{Refused: 1}}})
		w.Host("server", forever)
		w.Host("client", r.program)
		w.SetLiveness(sim.Liveness{After: 2 * time.Second, Within: time.Second, Done: func() bool { return r.answered }})
		res, err := w.Run()
		if err != nil || !r.answered {
			t.Fatalf("seed %d: %v, %v; want the client answered", seed, res, err)
		}
		if res.End < 2*time.Second || res.End > 3*time.Second {
			t.Fatalf("seed %d: the world ended at %v, want after the faults stopped at 2s and within 1s", seed, res.End)
		}
	}
}

// A world that never reaches its condition ends NotLive at its bound, with what
// keeps each host alive and where it was made; one where nothing can happen any
// more is stuck, as without liveness mode.
func TestLivenessMissedListsWhatIsAlive(t *testing.T) {
	w := sim.NewWorld(sim.Config{Seed: 1})
	w.Host("server", func(l *nodeloop.Loop) {
		// Accepts, then never answers, and keeps a heartbeat: never stuck.
		l.SetInterval(500*time.Millisecond, func() {})
		if _, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {}); err != nil {
			panic(err)
		}
	})
	r := &retrier{}
	w.Host("client", r.program)
	w.SetLiveness(sim.Liveness{After: time.Second, Within: 5 * time.Second, Done: func() bool { return r.answered }})
	res, err := w.Run()
	var re *sim.RunError
	if !errors.As(err, &re) || res.Verdict != sim.NotLive {
		t.Fatalf("World.Run = %v, %v; want not live", res, err)
	}
	if res.End != 6*time.Second {
		t.Fatalf("the world ended at %v, want at its bound, 6s", res.End)
	}
	for _, h := range res.Hosts {
		if h.Verdict != sim.NotLive || len(h.Alive) == 0 {
			t.Fatalf("host %s: %v with %v alive; want not live, with what is alive", h.Name, h.Verdict, h.Alive)
		}
		if h.Name == "server" && !strings.Contains(h.Alive[0].String(), "world_live_test.go") {
			t.Fatalf("host %s: %v with %v alive; want not live, with where its handles were made", h.Name, h.Verdict, h.Alive)
		}
	}

	w = sim.NewWorld(sim.Config{Seed: 1})
	w.Host("server", func(l *nodeloop.Loop) {
		if _, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {}); err != nil {
			panic(err)
		}
	})
	w.SetLiveness(sim.Liveness{After: time.Second, Within: 5 * time.Second, Done: func() bool { return false }})
	if res, _ := w.Run(); res.Verdict != sim.Stuck {
		t.Fatalf("a world with nothing left to happen: %v; want stuck", res)
	}
}

// Once the faults stop, Buggify fires nowhere and draws nothing.
func TestLivenessStopsBuggify(t *testing.T) {
	early := 0
	for seed := range uint64(30) {
		late := 0
		w := sim.NewWorld(sim.Config{Seed: seed})
		w.Host("h", func(l *nodeloop.Loop) {
			var tick func()
			n := 0
			tick = func() {
				if sim.Buggify(l, "x") {
					if l.Now().Sub(l.Now().Truncate(time.Hour)) >= time.Second {
						late++
					} else {
						early++
					}
				}
				if n++; n < 20 {
					l.SetTimeout(100*time.Millisecond, tick)
				}
			}
			tick()
		})
		done := false
		w.Host("ender", func(l *nodeloop.Loop) { l.SetTimeout(3*time.Second, func() { done = true }) })
		w.SetLiveness(sim.Liveness{After: time.Second, Within: 5 * time.Second, Done: func() bool { return done }})
		res, err := w.Run()
		if err != nil {
			t.Fatal(res, err)
		}
		if late > 0 {
			t.Fatalf("seed %d: Buggify fired %d times after the faults stopped", seed, late)
		}
	}
	if early == 0 {
		t.Fatal("Buggify never fired before the faults stopped, in 30 seeds")
	}
}

// In liveness mode, a partition that never heals heals when the faults stop, and a
// crashed host that never restarts restarts then: the client gets through after.
func TestLivenessHealsPartitionsAndRestartsHosts(t *testing.T) {
	for seed := range uint64(10) {
		r := &retrier{}
		boots := 0
		w := sim.NewWorld(sim.Config{Seed: seed, KeepTrace: true})
		w.Host("server", func(l *nodeloop.Loop) { boots++; forever(l) })
		w.Host("client", r.program)
		w.Partition(sim.Partition{From: []string{"client"}, To: []string{"server"}})
		w.Crash("server", 100*time.Millisecond)
		w.SetLiveness(sim.Liveness{After: 5 * time.Second, Within: 10 * time.Second, Done: func() bool { return r.answered }})
		res, err := w.Run()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if res.End < 5*time.Second || boots != 2 {
			t.Fatalf("seed %d: the client got through at %v, the server ran %d times; want after 5s, and twice", seed, res.End, boots)
		}
	}
}
