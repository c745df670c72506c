package sim_test

import (
	"fmt"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// A program draws its own workload: how many requests, and how long each client
// waits for its reply. The draws are choices of the run, in its log under the
// user's labels: the seed decides them, the same seed always draws the same
// workload, and under properties.Test rapid shrinks them.
func ExampleChoose() {
	program := func(l *nodeloop.Loop) {
		n := 1 + sim.Choose(l, "requests", 3)
		for i := range n {
			wait := sim.Duration(l, "timeout", 10*time.Millisecond, 50*time.Millisecond)
			l.SetTimeout(wait, func() { fmt.Printf("request %d timed out after %v\n", i, wait) })
		}
	}
	res, _ := sim.Run(sim.Config{Seed: 1}, program)
	for _, c := range res.Choices {
		fmt.Println(c)
	}
	// Output:
	// request 0 timed out after 39.169ms
	// request 2 timed out after 45.483ms
	// request 1 timed out after 46.076ms
	// user.requests=2/3
	// user.timeout=29169/40001
	// user.timeout=36076/40001
	// user.timeout=35483/40001
}

// Busy says how long a callback computes. Here main takes 5 ms, so the 2 ms timeout
// is due at the first timers phase and runs before the immediate: on the operating
// system as in the simulator.
func ExampleBusy() {
	sim.Run(sim.Config{}, func(l *nodeloop.Loop) {
		l.SetTimeout(2*time.Millisecond, func() { fmt.Println("timeout") })
		l.SetImmediate(func() { fmt.Println("immediate") })
		sim.Busy(l, 5*time.Millisecond)
	})
	// Output:
	// timeout
	// immediate
}
