package properties

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop/sim"
)

// TestWorld property-tests a world of several hosts (sim.World), as Test does a
// single loop: rapid generates cases, each a world whose every choice (which host
// runs next, the network's latencies, the faults and when they strike, the
// programs' own draws) comes from rapid, so that a failing world shrinks towards
// the calm one and what is left off 0 is what the failure needs.
//
// build is called once per case on a fresh world, made from the options' Config:
// it adds the hosts (and, if it likes, timed crashes, partitions or liveness mode)
// and returns the case's check of the world that ended, or nil for none; each case
// must build its programs' state afresh, as the world's runs share nothing else.
// The result check sees holds no Events: the hosts' runs are checked as their
// events come (WorldChecker), and nothing is kept.
//
// A case fails when the world does not end OK (a host failed, or the world was
// stuck, not live, out of time or of steps), when a run of a host (sim.HostRuns)
// breaks an invariant of docs/semantics.md (Check), or when check returns an
// error. WithAssert, which judges a single loop's Result, does not apply; check is
// the world's. The other options mean what they mean for Test: the
// faults (swarm-drawn per case unless WithSwarm(false)), the callback cost, the
// workers, the time limit, WithConfig; WithFS is refused, since each host has its
// own disk (sim.HostOptions.Disk). -nodeloop.choices=FILE replays the case of a
// choice log once instead of searching.
//
// A failure is reported after shrinking (rapid's, then the pass of Test's that
// takes the choices further towards their defaults): the message, the choices off
// their defaults, one label=value a line, and the choice log's file with the go
// test command that replays it.
func TestWorld(t rapid.TB, build func(w *sim.World) (check func(*sim.WorldResult) error), opts ...TestOption) {
	t.Helper()
	all, _ := sim.ParseFaults("all")
	c := testConfig{faults: all}
	for _, o := range opts {
		o(&c)
	}
	if c.more.fsys != nil {
		t.Fatalf("properties.TestWorld: WithFS gives a single loop its files; give each host its disk with sim.HostOptions.Disk")
		return
	}
	if name := *choicesFlag; name != "" {
		log, err := readChoices(name)
		if err != nil {
			t.Fatalf("properties.TestWorld: -nodeloop.choices: %v", err)
			return
		}
		if f := runWorldCase(c, build, &logged{src: sim.Replay(log)}); f != nil {
			t.Fatalf("properties.TestWorld: the case of %s fails:\n%s", name, f.msg)
			return
		}
		t.Logf("properties.TestWorld: the case of %s passes", name)
		return
	}
	q := &quietTB{TB: t}
	var last *failure
	q.check(func(rt *rapid.T) {
		if f := runWorldCase(c, build, &logged{src: &rapidSource{t: rt}}); f != nil {
			last = f
			rt.Fatalf("%s", f.msg)
		}
	})
	if !q.failed {
		return
	}
	if last == nil {
		t.Fatalf("%s", strings.Join(q.msgs, "\n"))
		return
	}
	after, repro := rapidSummary(q.msgs)
	last = finish(func(src *logged) *failure { return runWorldCase(c, build, src) }, last)
	dir, err := artifactDir(t.Name())
	var files *artifacts
	if err == nil {
		files = &artifacts{dir: dir, choices: dir + "/choices.jsonl"}
		err = writeChoices(files.choices, last.log)
	}
	header := "properties.TestWorld: a case failed"
	if after != "" {
		header += " after " + after + " passing ones"
	}
	t.Fatalf("%s", report(t.Name(), funcPackageOf(1), header+", shrunk to:", last, files, err, repro))
}

// ShrunkChoices returns how many choices off their defaults the report of a
// failing Test or TestWorld lists, and false when msg is no such report: a way for
// a test to assert that a failure shrank far enough.
func ShrunkChoices(msg string) (int, bool) {
	_, rest, ok := strings.Cut(msg, "\nchoices off their defaults (")
	if !ok {
		return 0, false
	}
	var n, of int
	if _, err := fmt.Sscanf(rest, "%d of %d)", &n, &of); err != nil {
		return 0, false
	}
	return n, true
}

// runWorldCase runs one world with its choices from src and returns how it failed,
// or nil.
func runWorldCase(c testConfig, build func(*sim.World) func(*sim.WorldResult) error, src *logged) *failure {
	faults := c.more.faults(src, c.faults)
	rs, _ := src.src.(*rapidSource)
	if rs != nil {
		rs.rethrow()
	}
	cfg := sim.Config{
		Choices:      src,
		Faults:       faults,
		CallbackCost: c.cost,
		Workers:      c.workers,
		TimeLimit:    c.limit,
	}
	c.more.configure(&cfg)
	wc := NewWorldChecker()
	cfg.Tracer = tee(wc, cfg.Tracer)
	w := sim.NewWorld(cfg)
	check := build(w)
	res, err := w.Run()
	if rs != nil {
		rs.rethrow() // rapid's data ran out during the world: answered with zeros, the case is invalid
	}
	if res == nil {
		return &failure{msg: fmt.Sprintf("sim.World.Run: %v", err), log: src.log}
	}
	var msgs []string
	if res.Failed() {
		m := fmt.Sprintf("the world ended %s after %v of virtual time: %v", res.Verdict, res.End, res.Err)
		for _, h := range res.Hosts {
			for _, a := range h.Alive {
				m += "\n  " + h.Name + ": alive: " + a.String()
			}
		}
		msgs = append(msgs, m)
	}
	if err := ViolationsError(wc.Finish()); err != nil {
		msgs = append(msgs, err.Error())
	}
	if check != nil && res.Verdict != sim.Diverged {
		if err := check(res); err != nil {
			msgs = append(msgs, fmt.Sprintf("check: %v", err))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &failure{msg: strings.Join(msgs, "\n"), log: src.log}
}
