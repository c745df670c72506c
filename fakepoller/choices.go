package fakepoller

import (
	"fmt"
	"math"
	"time"
)

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
//
// Option 0 is the calm one for every decision: the minimum latency, the first of
// simultaneous completions, the mildest short read or write, no fault. So First
// is the calm world, and rapid, which shrinks every draw towards 0, shrinks a
// failure towards the fewest faults that still make it.
type Choices interface {
	Choose(what string, n int) int
}

// First is the Choices that always takes the first option: no latency beyond the
// minimum, the first of simultaneous completions first, no fault of a probability
// below 1 (a fault draw of 0 is always calm, see Chance). It is what the zero
// Options use.
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

// ChanceResolution is how finely Chance tells probabilities apart: it draws one of
// ChanceResolution options, so a probability it can honour is a whole number of
// millionths. Options and sim's fault lists reject a finer probability, which would
// otherwise be rounded.
const ChanceResolution = 1_000_000

// CheckProbability reports why p is not a probability Chance can draw exactly: not a
// number from 0 to 1, or finer than 1/ChanceResolution. It returns nil for one it
// can.
func CheckProbability(p float64) error {
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("probability %v is not a number from 0 to 1", p)
	}
	if k := p * ChanceResolution; math.Abs(k-math.Round(k)) > 1e-6 {
		return fmt.Errorf("probability %v is finer than one in a million (%g), the finest a fault can be drawn", p, 1.0/ChanceResolution)
	}
	return nil
}

// Chance reports whether an event of probability p (0 to 1) happens, drawn from c
// among ChanceResolution options for the decision named what; p is rounded to the
// nearest 1/ChanceResolution. The event happens for the highest draws, so that a
// draw of 0, which First and rapid's shrinking make, is always the calm outcome
// when p < 1. p <= 0 never draws, so a world with no faults makes no fault choices;
// p >= 1 happens without a draw.
func Chance(c Choices, what string, p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	k := int(math.Round(p * ChanceResolution))
	return c.Choose(what, ChanceResolution) >= ChanceResolution-k
}
