package sim

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/loopstate"
)

// SeedEnv is the environment variable that seeds the draws of a loop outside the
// simulator (Choose, Duration, Bool on a loop made by nodeloop.New): a whole number
// from 0 to 2^64-1.
const SeedEnv = "NODELOOP_SEED"

// UserPrefix starts the label of every draw of the program's own (Choose, Duration,
// Bool) in the choice log and the trace: sim.Choose(l, "requests", 4) is the choice
// "user.requests", told apart from the simulator's decisions ("net.latency",
// "cpu.cost", …) whatever the program names it.
const UserPrefix = "user."

// world is what a simulated run attaches to its loop: where the program's draws and
// its Busy go.
type world struct {
	choices fakepoller.Choices // the run's recording source
	clock   *fakeclock.Clock
	limit   time.Time // the end of the run's virtual time
	// buggify holds whether each Buggify site reached so far is enabled.
	buggify map[string]bool
	// host is the loop's host in a World, nil in a run of one loop.
	host *hostState
	// idle is what OnIdle registered.
	idle func() (bool, error)
}

// outside is what a loop that is not simulated draws from: a generator seeded by
// NODELOOP_SEED, made at its first draw.
type outside struct{ choices fakepoller.Choices }

// Choose returns a number in [0, n), drawn for the decision named label by the run l
// belongs to: in a simulated run from its choice source (the seed's generator in a
// sweep, rapid inside properties.Test, the log in a replay), as one of the run's
// choices, logged and traced as UserPrefix+label; 0 is the option a failure shrinks
// towards, so make it the calm one (no request, the shortest wait). On a loop that is
// not simulated the number comes from a generator seeded by NODELOOP_SEED (see
// SeedEnv), so that a real run draws the same numbers again. A decision with one
// option (n is 1) returns 0 without drawing. n < 1 panics. Call it on the loop's
// goroutine, as every method of the loop.
func Choose(l *nodeloop.Loop, label string, n int) int {
	if n < 1 {
		panic(fmt.Sprintf("nodeloop: sim.Choose(l, %q, %d): there must be at least one option; pass n >= 1", label, n))
	}
	if n == 1 {
		return 0
	}
	return source(l, "Choose").Choose(UserPrefix+label, n)
}

// Duration returns a duration from min to max, both included, in whole
// microseconds above min, drawn as Choose draws (one choice named UserPrefix+label
// whose option k is min + k µs): 0, min, is where a failure shrinks to. A range
// shorter than a microsecond is always min. max < min panics.
func Duration(l *nodeloop.Loop, label string, min, max time.Duration) time.Duration {
	if max < min {
		panic(fmt.Sprintf("nodeloop: sim.Duration(l, %q, %v, %v): max is below min; pass min <= max", label, min, max))
	}
	return fakepoller.Between(source(l, "Duration"), UserPrefix+label, min, max, time.Microsecond)
}

// Bool returns a boolean drawn as Choose draws (a choice of 2 named
// UserPrefix+label): false, option 0, is where a failure shrinks to.
func Bool(l *nodeloop.Loop, label string) bool {
	return source(l, "Bool").Choose(UserPrefix+label, 2) == 1
}

// Busy makes the running callback take d of CPU time, so that a program can say how
// long a handler computes and get the orders that follow from it in both worlds. In a
// simulated run it moves the virtual clock by d at once, as if the callback had
// computed that long: the loop sees it at its next reading of the clock (before the
// next timers phase, after the next wait, at the next timer's start), and a Busy that
// would pass the run's time limit ends the run with the TimeLimit verdict. On a loop
// that is not simulated it spins on the operating system's monotonic clock for d. A d
// of 0 or less does nothing. Call it from a callback of l, on the loop's goroutine:
// a pool job's time is the simulated pool's (Config.JobTime), not the loop's.
func Busy(l *nodeloop.Loop, d time.Duration) {
	if d <= 0 {
		return
	}
	if l == nil {
		panic("nodeloop: sim.Busy(nil, d); pass the loop the callback runs on")
	}
	if w, ok := loopstate.Get(l).(*world); ok {
		if w.clock.Now().Add(d).After(w.limit) {
			panic(errTimeLimit)
		}
		w.clock.Advance(d)
		return
	}
	// The real world: the time is the operating system's, as the loop's is.
	for start := time.Now(); time.Since(start) < d; {
	}
}

// Now returns the time of the world l runs in without charging anything: in a
// simulated run its virtual time, which moves while the loop waits and with Busy
// and the callbacks' costs; on a loop that is not simulated, the operating system's
// time. It is the clock a host runtime gives its program's clock readings (Date,
// performance.now), charging each reading with Busy so that a busy-wait on the
// clock ends.
func Now(l *nodeloop.Loop) time.Time {
	if l == nil {
		panic("nodeloop: sim.Now(nil); pass the loop the program runs on")
	}
	if w, ok := loopstate.Get(l).(*world); ok {
		return w.clock.Now()
	}
	return time.Now()
}

// OnIdle registers fn to be called when the loop of the simulated run l belongs to
// has no more work, outside any callback: when fn returns true the run goes on and
// the loop runs again (with what fn gave it to do); when it returns false the run
// ends, and an error fails it (a program's exit code, say). It is Node's
// 'beforeExit', for a host that emits it. A second call replaces
// the first; nil removes it. On a loop that is not simulated it does nothing: the
// program that runs that loop calls its own hook.
func OnIdle(l *nodeloop.Loop, fn func() (again bool, err error)) {
	if l == nil {
		panic("nodeloop: sim.OnIdle(nil, fn); pass the loop the program runs on")
	}
	if w, ok := loopstate.Get(l).(*world); ok {
		w.idle = fn
	}
}

// source returns the choice source of l's draws, making a loop outside the
// simulator its seeded generator at its first draw.
func source(l *nodeloop.Loop, fn string) fakepoller.Choices {
	if l == nil {
		panic("nodeloop: sim." + fn + "(nil, …); pass the loop the program runs on")
	}
	switch v := loopstate.Get(l).(type) {
	case *world:
		return v.choices
	case *outside:
		return v.choices
	}
	o := &outside{choices: Seeded(realSeed())}
	loopstate.Set(l, o)
	return o.choices
}

var (
	pickedOnce sync.Once
	picked     uint64
)

// realSeed returns the seed of a loop outside the simulator: NODELOOP_SEED, or, when
// it is unset or not a number, one drawn from the operating system once per process
// and printed to standard error with the variable that repeats it.
func realSeed() uint64 {
	return seedFromEnv(os.LookupEnv, os.Stderr, pickSeed)
}

// pickSeed returns the process's seed for loops that NODELOOP_SEED does not seed,
// drawing it on first use.
func pickSeed() (seed uint64, fresh bool) {
	pickedOnce.Do(func() {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			b = [8]byte{} // crypto/rand does not fail on the systems Go supports
		}
		picked, fresh = binary.LittleEndian.Uint64(b[:]), true
	})
	return picked, fresh
}

// seedFromEnv reads SeedEnv with lookup; when it is unset or bad it says so on w
// (once per picked seed) and returns pick's seed.
func seedFromEnv(lookup func(string) (string, bool), w io.Writer, pick func() (uint64, bool)) uint64 {
	s, ok := lookup(SeedEnv)
	if ok && s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err == nil {
			return seed
		}
		seed, _ = pick()
		fmt.Fprintf(w, "nodeloop: %s=%q is not a whole number from 0 to %d; drawing from %s=%d instead\n", SeedEnv, s, uint64(1<<64-1), SeedEnv, seed)
		return seed
	}
	seed, fresh := pick()
	if fresh {
		fmt.Fprintf(w, "nodeloop: %s=%d\n", SeedEnv, seed)
	}
	return seed
}
