package main

import (
	"io"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/internal/cputime"
	"github.com/nodeloop/nodeloop/sim"
)

// BenchmarkSimKV measures nodeloop sim kv --faults partition,crash --jobs 2, the
// sweep the command makes (each world's hosts checked run by run against the
// invariants, its history for linearizability), over 1,000 seeds per op. It
// reports the wall time 10,000 seeds take at that pace, which should be under 30 s
// on a 2-core machine, and the CPU time they take, which on a machine shared with
// other work says more: half of it is the wall time on two idle cores.
func BenchmarkSimKV(b *testing.B) {
	ws, _ := lookupWorld("kv")
	faults, err := sim.ParseFaults("partition,crash")
	if err != nil {
		b.Fatal(err)
	}
	const seeds = 1000
	base := sim.Config{Faults: faults, Scenario: "kv"}
	cpu := cputime.Process()
	for b.Loop() {
		err := simWorldSweep(ws, base, sim.Seeds{First: 1, Last: seeds}, sim.Shard{K: 1, N: 1}, 2, simOptions{scenario: "kv"}, "", io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N*seeds)
	b.ReportMetric(float64(per.Nanoseconds()), "ns/seed")
	b.ReportMetric((10_000 * per).Seconds(), "s/10k-seeds")
	if used := cputime.Process() - cpu; used > 0 {
		b.ReportMetric(used.Seconds()/float64(b.N*seeds)*10_000, "cpu-s/10k-seeds")
	}
}
