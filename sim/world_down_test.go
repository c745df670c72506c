package sim_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/sim"
)

// In liveness mode, a world whose every host is down, one of them due to restart
// before the faults stop, moves on to the restart: it is not yet judged not live.
func TestLivenessEveryHostDownRestarts(t *testing.T) {
	r := &retrier{}
	w := sim.NewWorld(sim.Config{Seed: 1})
	w.Host("server", forever)
	w.Host("client", r.program)
	for _, h := range []string{"server", "client"} {
		w.Crash(h, 0)
		w.Restart(h, time.Second)
	}
	w.SetLiveness(sim.Liveness{After: 5 * time.Second, Within: time.Minute, Done: func() bool { return r.answered }})
	res, err := w.Run()
	if err != nil {
		t.Fatalf("%v", err)
	}
	if res.End < time.Second || res.End >= 5*time.Second {
		t.Fatalf("the world ended at %v; want after the restarts at 1s, before the faults stop at 5s", res.End)
	}
}
