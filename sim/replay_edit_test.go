package sim_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

// cacheEdit is how a version of cacheServer differs from the first.
type cacheEdit struct {
	logLine   bool // each request logs a line
	idleTimer bool // a timer that does nothing
	warmUp    bool // an extra draw, before every other: how long main warms up
}

// cacheServer is a small program with a planted bug: it loads its cache with a pool
// job and serves requests at drawn times, and a request that comes before the cache
// is loaded fails, when there are three requests or more.
func cacheServer(e cacheEdit) func(*nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		if e.warmUp {
			sim.Busy(l, time.Duration(sim.Choose(l, "warmup", 4))*time.Millisecond)
		}
		loaded := false
		l.ReadFile("cache", func(_ []byte, err error) { loaded = err == nil })
		n := 1 + sim.Choose(l, "requests", 4)
		for i := range n {
			at := sim.Duration(l, "at", 0, 6*time.Millisecond)
			l.SetTimeout(at, func() {
				if e.logLine {
					l.Log(fmt.Sprintf("request %d at %v", i, at))
				}
				if !loaded && n >= 3 {
					panic("request served before the cache was loaded")
				}
			})
		}
		if e.idleTimer {
			l.SetTimeout(3*time.Millisecond, func() {})
		}
	}
}

// A log recorded on one version of a program still reproduces its failure on
// versions edited since: one that logs more and sets a timer that draws nothing
// replays it exactly, and one that draws an extra choice first replays it with a
// fresh draw for that choice, and says so.
func TestReplayAfterAnEdit(t *testing.T) {
	cfg := sim.Config{FS: fstest.MapFS{"cache": {Data: []byte("v")}}}
	var failing *sim.Result
	for seed := uint64(1); seed <= 200 && failing == nil; seed++ {
		cfg.Seed = seed
		if res := run(t, cfg, cacheServer(cacheEdit{})); res.Failed() {
			failing = res
		}
	}
	if failing == nil {
		t.Fatal("no seed of 1-200 finds the planted bug")
	}
	if !strings.Contains(failing.Err.Error(), "before the cache was loaded") || !slices.ContainsFunc(failing.Choices, func(c sim.Choice) bool { return c.What == "pool.duration" }) {
		t.Fatalf("seed %d fails otherwise than planted, or draws no job duration: %v, %v", failing.Seed, failing, failing.Choices)
	}
	log := failing.Choices
	replayed := func(e cacheEdit, choices func([]sim.Choice) fakepoller.Choices) *sim.Result {
		t.Helper()
		c := cfg
		c.Seed, c.Choices = 0, choices(log) // the log decides
		return run(t, c, cacheServer(e))
	}
	strict := func(l []sim.Choice) fakepoller.Choices { return sim.Replay(l) }
	tolerant := func(l []sim.Choice) fakepoller.Choices { return sim.ReplayFrom(l, sim.ReplayOptions{}) }
	reproduces := func(name string, res *sim.Result) {
		t.Helper()
		if res.Verdict != sim.Failed || !strings.Contains(res.Err.Error(), "before the cache was loaded") {
			t.Errorf("%s: %v; want the planted failure of seed %d", name, res, failing.Seed)
		}
	}

	// A log line and a timer that draws nothing: every choice is where it was.
	for _, e := range []cacheEdit{{logLine: true}, {idleTimer: true}, {logLine: true, idleTimer: true}} {
		name := fmt.Sprintf("%+v", e)
		for _, src := range []func([]sim.Choice) fakepoller.Choices{strict, tolerant} {
			res := replayed(e, src)
			reproduces(name, res)
			if res.Divergence != nil {
				t.Errorf("%s: %v", name, res.Divergence)
			}
			if diff := cmp.Diff(log, res.Choices); diff != "" {
				t.Errorf("%s: the replay's choices (-log +replay):\n%s", name, diff)
			}
		}
	}

	// An extra draw first: the strict replay stops there, the tolerant one draws it
	// fresh (option 0: no warm-up) and goes on with the log.
	e := cacheEdit{logLine: true, idleTimer: true, warmUp: true}
	res := replayed(e, strict)
	var re *sim.ReplayError
	if res.Verdict != sim.Diverged || !errors.As(res.Err, &re) || re.Index != 0 || re.Got.What != "user.warmup" {
		t.Errorf("the strict replay of a program with an extra draw: %v; want the Diverged verdict at choice 0, user.warmup", res)
	}
	res = replayed(e, tolerant)
	reproduces("warm-up", res)
	d := res.Divergence
	if d == nil {
		t.Fatal("the tolerant replay of a program with an extra draw has no Divergence")
	}
	want := sim.Divergence{Index: 0, Asked: sim.Choice{What: "user.warmup", N: 4, Value: 0}, Logged: &log[0], Fresh: 1}
	if diff := cmp.Diff(&want, d); diff != "" {
		t.Errorf("Divergence (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(log, res.Choices[1:]); diff != "" {
		t.Errorf("after the fresh draw the replay left the log (-log +replay):\n%s", diff)
	}
	for _, s := range []string{"diverged at choice 0", "user.warmup among 4", "the log has " + log[0].What, "1 drawn fresh"} {
		if !strings.Contains(res.String(), s) {
			t.Errorf("the Result says %q, not %q", res, s)
		}
	}
}
