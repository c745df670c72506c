package sim_test

import (
	"fmt"
	"testing"

	"github.com/nodeloop/nodeloop/internal/cputime"
	"github.com/nodeloop/nodeloop/sim"
)

// BenchmarkWorld measures how many callbacks a world of five hosts runs per second
// of CPU (callbacks/cpu-s, from the process's CPU time, every thread and the
// garbage collector included): a server and four clients, each sending a thousand
// messages one after each answer, with no trace. One op is one world; the goal is
// at least a million callbacks per CPU-second.
func BenchmarkWorld(b *testing.B) {
	const clients, rounds = 4, 1000
	b.ReportAllocs()
	var callbacks uint64
	cpu := cputime.Process()
	for b.Loop() {
		w := sim.NewWorld(sim.Config{Seed: 1})
		w.Host("server", echoServer(clients))
		heard := make([][]string, clients)
		for i := range clients {
			w.Host(fmt.Sprint("c", i), pingClient(rounds, &heard[i]))
		}
		res, err := w.Run()
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range res.Hosts {
			callbacks += h.Callbacks
		}
	}
	used := cputime.Process() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(callbacks), "ns/callback")
	if used > 0 {
		b.ReportMetric(float64(callbacks)/used.Seconds(), "callbacks/cpu-s")
	}
}
