package properties_test

import (
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios/kv"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// kvBuild builds the kv world of opts for TestWorld.
func kvBuild(t *testing.T, opts kv.Options) func(*sim.World) func(*sim.WorldResult) error {
	return func(w *sim.World) func(*sim.WorldResult) error {
		s, err := kv.New(w, opts)
		if err != nil {
			t.Fatal(err)
		}
		return func(*sim.WorldResult) error { return s.Check() }
	}
}

// worldFaults are crashes and partitions, likelier than the command line's
// default so that rapid meets them within its cases.
func worldFaults(t *testing.T) properties.TestOption {
	f, err := sim.ParseFaults("crash=1,partition=0.2")
	if err != nil {
		t.Fatal(err)
	}
	return properties.WithFaults(f)
}

// The correct store passes TestWorld under crashes and partitions.
func TestWorldKV(t *testing.T) {
	if testing.Short() {
		t.Skip("a few hundred worlds")
	}
	prev := flag.Lookup("rapid.checks").Value.String()
	flag.Set("rapid.checks", "1000") // it found a stale read after a restart at a few hundred
	defer flag.Set("rapid.checks", prev)
	properties.TestWorld(t, kvBuild(t, kv.Options{}), worldFaults(t))
}

// The store with the lost write fails TestWorld, which shrinks the failure to a
// handful of choices off their defaults. The workload is half the default, which
// makes each case, and so the search and the shrinking, cheaper.
func TestWorldKVLostWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("shrinks a world")
	}
	prev := flag.Lookup("rapid.nofailfile").Value.String()
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", prev)
	prevChecks := flag.Lookup("rapid.checks").Value.String()
	flag.Set("rapid.checks", "2000") // a lost write needs a crash of the primary at the wrong moment
	defer flag.Set("rapid.checks", prevChecks)
	prevShrink := flag.Lookup("rapid.shrinktime").Value.String()
	flag.Set("rapid.shrinktime", "5s") // rapid's own shrinking, after which TestWorld's pass finishes it
	defer flag.Set("rapid.shrinktime", prevShrink)
	// The finishing pass is bounded by its count of runs alone, so that a loaded
	// machine, whose rapid shrinks less in its 5 s, is shrunk as far.
	defer properties.SetFinishTime(10 * time.Minute)()
	r := &recordingTB{}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		properties.TestWorld(r, kvBuild(t, kv.Options{LostWrite: true, Ops: 6}), worldFaults(t))
	}()
	if !r.failed {
		t.Fatalf("TestWorld passed the store that loses writes")
	}
	n, ok := properties.ShrunkChoices(r.msg)
	if !ok {
		t.Fatalf("the report lists no choices:\n%s", r.msg)
	}
	t.Logf("shrunk to %d choices off their defaults:\n%s", n, r.msg)
	if n > 30 {
		t.Fatalf("shrunk to %d choices off their defaults; want at most 30:\n%s", n, r.msg)
	}
}

// A WorldChecker finds, run by run, what Check finds in each of sim.HostRuns: nothing
// in a world's trace, and a violation once an event of a host's second run is
// repeated.
func TestWorldChecker(t *testing.T) {
	w := sim.NewWorld(sim.Config{Seed: 3, KeepTrace: true})
	if _, err := kv.New(w, kv.Options{Ops: 4}); err != nil {
		t.Fatal(err)
	}
	w.Crash("db1", 20*time.Millisecond)
	w.Restart("db1", 30*time.Millisecond)
	res, err := w.Run()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sim.HostRuns(res.Events, "db1")); n != 2 {
		t.Fatalf("db1 ran %d times; want 2", n)
	}
	events := slices.Clone(res.Events)
	for _, tc := range []struct {
		name   string
		events func() []traces.Event
		broken bool
	}{
		{"the world's trace", func() []traces.Event { return events }, false},
		{"an event of db1's second run twice", func() []traces.Event {
			runs := sim.HostRuns(events, "db1")
			dup := runs[1][len(runs[1])/2]
			i := slices.IndexFunc(events, func(e traces.Event) bool { return e.Host == dup.Host && e.Seq == dup.Seq })
			return slices.Insert(slices.Clone(events), i, dup)
		}, true},
	} {
		evs := tc.events()
		wc := properties.NewWorldChecker()
		for i := range evs {
			wc.Event(&evs[i])
		}
		got := wc.Finish()
		want := 0
		for _, h := range res.Hosts {
			for _, run := range sim.HostRuns(evs, h.Name) {
				want += len(properties.Check(run))
			}
		}
		if (len(got) > 0) != tc.broken || (want > 0) != tc.broken {
			t.Fatalf("%s: the WorldChecker says %v; Check finds %d violations; want them broken: %v", tc.name, got, want, tc.broken)
		}
	}
}
