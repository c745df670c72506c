package fakepoller

import "time"

// Choices is where every nondeterministic decision of a simulated world comes from:
// which of two simultaneous events goes first, how long a packet takes, how many
// bytes a read returns, whether a fault strikes. A seeded generator backs it for seed
// sweeps, a *rapid.T for property tests (so that rapid shrinks the schedule), and a
// recorded log for replays.
//
// Choose returns a number in [0, n) for the decision named what; n is at least 1. The
// name says what is decided (for example "net.latency" or "net.read.size") so that a
// replay can tell when a recorded choice no longer fits. Implementations need not be
// safe for concurrent use: a simulated world runs on one goroutine.
type Choices interface {
	Choose(what string, n int) int
}

// First is the Choices that always takes the first option: no latency beyond the
// minimum, full reads and writes, no faults. It is what the zero Options use.
type First struct{}

// Choose returns 0.
func (First) Choose(string, int) int { return 0 }

// Between returns a duration in [lo, hi], drawn from c in steps of step (at least 1
// ns), for the decision named what.
func Between(c Choices, what string, lo, hi, step time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	if step <= 0 {
		step = 1
	}
	n := int((hi-lo)/step) + 1
	return lo + time.Duration(c.Choose(what, n))*step
}

// Chance reports whether an event of probability p (0 to 1) happens, drawn from c in
// steps of 1/1000, for the decision named what. p <= 0 never draws, so a world with no
// faults makes no fault choices.
func Chance(c Choices, what string, p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return c.Choose(what, 1000) < int(p*1000)
}
