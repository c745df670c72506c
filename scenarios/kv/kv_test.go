package kv_test

import (
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios/kv"
	"github.com/nodeloop/nodeloop/sim"
)

// run runs the store of opts on seed under faults, keeping the trace, and returns
// the world's result, the store and the world's error.
func run(t *testing.T, seed uint64, faults string, opts kv.Options) (*sim.WorldResult, *kv.Store, error) {
	t.Helper()
	f, err := sim.ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	w := sim.NewWorld(sim.Config{Seed: seed, Faults: f, Scenario: "kv", KeepTrace: true})
	s, err := kv.New(w, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Run()
	if res == nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return res, s, err
}

// Without faults every operation is answered, the history is linearizable, and
// every run of every host keeps the loop's rules.
func TestCalm(t *testing.T) {
	for seed := range uint64(20) {
		for _, lost := range []bool{false, true} {
			res, s, err := run(t, seed, "", kv.Options{LostWrite: lost})
			if err != nil {
				t.Fatalf("seed %d, lost write %v: %v", seed, lost, err)
			}
			if err := s.Check(); err != nil {
				t.Fatalf("seed %d, lost write %v: %v", seed, lost, err)
			}
			if got, want := len(s.History()), kv.DefaultSessions*kv.DefaultOps; got != want {
				t.Fatalf("seed %d: %d operations in the history; want %d", seed, got, want)
			}
			for _, o := range s.History() {
				if o.Return == 0 {
					t.Fatalf("seed %d: %v: unanswered in a calm world", seed, o)
				}
			}
			for _, h := range res.Hosts {
				for i, r := range sim.HostRuns(res.Events, h.Name) {
					if vs := properties.Check(r); len(vs) > 0 {
						t.Fatalf("seed %d: run %d of %s breaks the loop's rules: %v", seed, i, h.Name, vs)
					}
				}
			}
		}
	}
}

// Under partitions and crashes the store's history stays linearizable; with the
// planted bug, some seed loses an acknowledged put.
func TestFaults(t *testing.T) {
	seeds := uint64(300)
	if testing.Short() {
		seeds = 50
	}
	for seed := range seeds {
		_, s, err := run(t, seed, "partition,crash", kv.Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
	for seed := range uint64(2000) {
		_, s, err := run(t, seed, "partition,crash", kv.Options{LostWrite: true})
		if err != nil {
			t.Fatalf("lost write, seed %d: %v", seed, err)
		}
		if err := s.Check(); err != nil {
			if !strings.Contains(err.Error(), "not linearizable") {
				t.Fatalf("lost write, seed %d: %v; want a history that is not linearizable", seed, err)
			}
			t.Logf("lost write, seed %d: %v", seed, err)
			return
		}
	}
	t.Fatalf("the store with the lost write passed 2000 seeds under partition,crash")
}

// New refuses a negative workload.
func TestNew(t *testing.T) {
	w := sim.NewWorld(sim.Config{})
	if _, err := kv.New(w, kv.Options{Ops: -1}); err == nil {
		t.Fatalf("kv.New took Ops -1")
	}
}
