package fakepoller_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/poller/pollertest"
)

// seeded is a Choices backed by a PCG generator with a fixed seed, as a seed sweep
// uses: the same seed makes the same choices.
type seeded struct{ r *rand.Rand }

func newSeeded(seed uint64) seeded { return seeded{rand.New(rand.NewPCG(seed, 0))} }

func (s seeded) Choose(_ string, n int) int { return s.r.IntN(n) }

// runSuite runs the conformance suite on fakes made with opts, each with its own
// clock; choices, when not nil, makes each subtest's Choices from its seed.
func runSuite(t *testing.T, opts fakepoller.Options, choices func(seed uint64) fakepoller.Choices) {
	var clock *fakeclock.Clock
	var seed uint64
	open := func(t *testing.T) poller.Poller {
		clock = fakeclock.New()
		o := opts
		if choices != nil {
			seed++
			o.Choices = choices(seed)
		}
		p, err := fakepoller.NewWith(clock, o)
		if err != nil {
			t.Fatalf("NewWith: %v", err)
		}
		return p
	}
	pollertest.Run(t, open,
		// The suite reads the clock of the subtest's fake, which open has just made.
		pollertest.WithClock(func() time.Time { return clock.Now() }),
		// The fake never blocks: a Wait(-1) with nothing scheduled returns ErrStuck
		// at once instead of waiting for a Wake from another goroutine, so the
		// subtest that wakes a blocked Wait from a second goroutine cannot apply.
		// Wake itself is an atomic flag, safe from any goroutine; the race test
		// TestWakeFromGoroutines checks it.
		pollertest.WithoutGoroutines(),
	)
}

// The fake passes the suite the operating system's back ends pass, with the zero
// Options: no latency, first choices, no faults.
func TestConformance(t *testing.T) {
	runSuite(t, fakepoller.Options{}, nil)
}

// suiteSeeds is how many seeds TestConformanceSeeded runs the suite with.
const suiteSeeds = 10

// The fake passes the suite with drawn latencies, latency spikes, a small buffer
// and shuffled simultaneous completions, for several seeds. The faults that change
// what an operation returns (refusals, resets, short reads) stay off: the suite
// checks the network's rules, which those faults deliberately break, and it expects
// a small message to arrive whole, which short writes deliberately do not.
func TestConformanceSeeded(t *testing.T) {
	opts := fakepoller.Options{
		MinLatency:  10 * time.Microsecond,
		MaxLatency:  2 * time.Millisecond,
		BufferBytes: 16 << 10,
		Faults: fakepoller.Faults{
			Spike:        0.01,
			SpikeLatency: 200 * time.Millisecond,
		},
	}
	for base := range uint64(suiteSeeds) {
		t.Run(fmt.Sprintf("seed=%d", base), func(t *testing.T) {
			runSuite(t, opts, func(n uint64) fakepoller.Choices { return newSeeded(base<<32 | n) })
		})
	}
}
