package ledger_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios/ledger"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// script is the ledger's script, from this package's directory.
const script = "../../examples/world/ledger.js"

// sweepFaults are the faults of the sweeps: crashes of any host, the server's
// disk losing, tearing and reordering at each crash what it had not synced,
// partitions of any host from the others, all within the first 200 ms while the
// clients work, clogged links, and the disk's EIO, ENOSPC and short writes.
const sweepFaults = "crash=0.5:200ms,partition=0.3:200ms,clog=0.2:20ms,eio=0.02,enospc=0.02,diskshort=0.02"

// sweepSeeds is how many seeds the sweeps run.
const sweepSeeds = 200

func faults(t *testing.T) sim.Faults {
	t.Helper()
	f, err := sim.ParseFaults(sweepFaults)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// notes counts the world's log events: its crashes, restarts and partitions.
type notes map[string]int

func (n notes) Event(e *traces.Event) {
	if e.Host == "" && e.Kind == traces.KindLog {
		n[e.Msg]++
	}
}

// The correct ledger keeps every entry it acknowledged, over every seed, with
// crashes of its host and of the clients, partitions between them and a disk
// that fails; every entry is acknowledged in the end, and the faults did strike.
func TestLedgerKeepsAcknowledgedEntries(t *testing.T) {
	f := faults(t)
	seen := notes{}
	for seed := range uint64(sweepSeeds) {
		res, err := ledger.Run(sim.Config{Seed: seed, Faults: f, Tracer: seen}, ledger.Options{Script: script})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for c := 1; c <= 2; c++ {
			for k := range 10 {
				id := fmt.Sprintf("client%d-%d", c, k)
				if !slices.ContainsFunc(res.Acked, func(a ledger.Ack) bool { return a.ID == id }) {
					t.Fatalf("seed %d: %s was never acknowledged (acknowledged: %v)", seed, id, res.Acked)
				}
			}
		}
	}
	if seen["crash server"] < sweepSeeds/4 || seen["restart server"] < sweepSeeds/4 {
		t.Errorf("the server crashed %d times and restarted %d times in %d seeds; want a quarter of the seeds at least", seen["crash server"], seen["restart server"], sweepSeeds)
	}
	if seen["partition server from client1,client2"]+seen["partition server to client1,client2"] < sweepSeeds/10 {
		t.Errorf("the server was partitioned in fewer than a tenth of the seeds: %v", seen)
	}
}

// The ledger with its planted bug, acknowledging an entry before its fsync,
// loses an acknowledged entry on some seeds of the same sweep: at the power cut
// at the end, and on some seeds at a crash in the middle of the run, an entry
// acknowledged before the server's last restart; and the seed repeats the loss
// exactly.
func TestLedgerAckBeforeFsyncLosesAnEntry(t *testing.T) {
	f := faults(t)
	opts := ledger.Options{Script: script, Bug: true}
	failing, midRun := 0, 0
	var first *ledger.LostError
	for seed := range uint64(sweepSeeds) {
		restarts := &restartTimes{}
		res, err := ledger.Run(sim.Config{Seed: seed, Faults: f, Tracer: restarts}, opts)
		var lost *ledger.LostError
		switch {
		case errors.As(err, &lost):
			failing++
			if restarts.before(res, lost) {
				midRun++
				if first == nil {
					first = lost
				}
			}
		case err != nil:
			t.Fatalf("seed %d: %v; want a lost entry or none", seed, err)
		}
	}
	if first == nil {
		t.Fatalf("%d of %d seeds lost an acknowledged entry, none of them at a crash in the middle of the run", failing, sweepSeeds)
	}
	t.Logf("%d of %d seeds lost an acknowledged entry, %d at a crash in the middle of the run; the first of those: %v", failing, sweepSeeds, midRun, first)
	_, err := ledger.Run(sim.Config{Seed: first.Seed, Faults: f}, opts)
	if err == nil || err.Error() != first.Error() {
		t.Errorf("seed %d again: %v; want %v", first.Seed, err, first)
	}
}

// restartTimes records when the server restarts.
type restartTimes struct{ at []time.Duration }

func (r *restartTimes) Event(e *traces.Event) {
	if e.Host == "" && e.Kind == traces.KindLog && e.Msg == "restart "+ledger.Server {
		r.at = append(r.at, e.Time)
	}
}

// before reports whether an entry of lost was acknowledged before a restart of
// the server, so lost at a crash in the middle of the run.
func (r *restartTimes) before(res *ledger.Result, lost *ledger.LostError) bool {
	if len(r.at) == 0 {
		return false
	}
	for _, a := range res.Acked {
		if slices.Contains(lost.Lost, a.ID) && a.At < r.at[len(r.at)-1] {
			return true
		}
	}
	return false
}

// A ledger world repeats itself byte for byte, and each run of each host, the
// script's included, keeps the loop's rules.
func TestLedgerTraceRepeats(t *testing.T) {
	f := faults(t)
	for seed := range uint64(20) {
		var a, b bytes.Buffer
		var outA, outB bytes.Buffer
		if _, err := ledger.Run(sim.Config{Seed: seed, Faults: f, Trace: &a}, ledger.Options{Script: script, Stdout: &outA}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if _, err := ledger.Run(sim.Config{Seed: seed, Faults: f, Trace: &b}, ledger.Options{Script: script, Stdout: &outB}); err != nil {
			t.Fatalf("seed %d, again: %v", seed, err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || outA.String() != outB.String() {
			t.Fatalf("seed %d: two runs wrote different traces or output", seed)
		}
		_, events, err := traces.Decode(&a)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, h := range []string{ledger.Server, "client1", "client2"} {
			for i, run := range sim.HostRuns(events, h) {
				if v := properties.Check(run); len(v) > 0 {
					t.Fatalf("seed %d: host %s, run %d, breaks the loop's rules: %v", seed, h, i, v)
				}
			}
		}
	}
}

// Options that make no sense are an error with no result.
func TestLedgerRefusesAMissingScript(t *testing.T) {
	if res, err := ledger.Run(sim.Config{}, ledger.Options{Script: "missing.js"}); res != nil || err == nil {
		t.Errorf("Run with a missing script = %v, %v; want an error", res, err)
	}
}
