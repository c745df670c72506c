package sim_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/internal/cputime"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// BenchmarkCallbacks measures how many loop callbacks a simulation runs per second
// of CPU: a program of chained immediates, timers, nextTicks and pool jobs. One op
// is one callback.
func BenchmarkCallbacks(b *testing.B) {
	const chain = 100_000
	program := func(l *nodeloop.Loop) {
		n := 0
		var next func()
		next = func() {
			if n++; n < chain {
				l.SetImmediate(next)
				if n%10 == 0 {
					l.NextTick(func() {})
					l.SetTimeout(time.Millisecond, func() {})
				}
				if n%100 == 0 {
					nodeloop.Work(l, func() (int, error) { return n, nil }, func(int, error) {})
				}
			}
		}
		next()
	}
	b.ReportAllocs()
	var callbacks uint64
	cpu := cputime.Process()
	for b.Loop() {
		res, err := sim.Run(sim.Config{Seed: 1}, program)
		if err != nil || res.Failed() {
			b.Fatal(err, res)
		}
		callbacks += res.Callbacks
	}
	used := cputime.Process() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(callbacks), "ns/callback")
	if used > 0 {
		b.ReportMetric(float64(callbacks)/used.Seconds(), "callbacks/cpu-s")
	}
}

// BenchmarkEchoCallbacks measures how many loop callbacks the simulator runs per
// second of CPU on the echo scenario, one seed after another on one goroutine, as a
// sweep's worker does: sockets on the fake poller, with the scenario's own choices
// and no faults. One op is one seed.
func BenchmarkEchoCallbacks(b *testing.B) {
	echo := func(l *nodeloop.Loop) { scenarios.Echo(l, discard{})() }
	b.ReportAllocs()
	var (
		callbacks uint64
		seed      uint64
	)
	cpu := cputime.Process()
	for b.Loop() {
		seed++
		res, err := sim.Run(sim.Config{Seed: seed, Scenario: "echo"}, echo)
		if err != nil || res.Failed() {
			b.Fatal(err, res)
		}
		callbacks += res.Callbacks
	}
	used := cputime.Process() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(callbacks), "ns/callback")
	if used > 0 {
		b.ReportMetric(float64(callbacks)/used.Seconds(), "callbacks/cpu-s")
	}
}

// BenchmarkDemoSeeds runs 10,000 seeds of the demo scenario with every fault in
// swarm mode, on GOMAXPROCS goroutines, as nodeloop sim --seeds does. One op is the
// 10,000 seeds.
func BenchmarkDemoSeeds(b *testing.B) {
	const seeds = 10_000
	faults, _ := sim.ParseFaults("all")
	sim.Run(sim.Config{}, demo) // pays the demo's Fibonacci once, as a sweep process does
	for b.Loop() {
		var wg sync.WaitGroup
		next := make(chan uint64)
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seed := range next {
					res, err := sim.Run(sim.Config{Seed: seed, Faults: faults, Swarm: true}, demo)
					if err != nil || res.Failed() {
						b.Error(err, res)
					}
				}
			}()
		}
		for s := range uint64(seeds) {
			next <- s
		}
		close(next)
		wg.Wait()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/10k-seeds")
}
