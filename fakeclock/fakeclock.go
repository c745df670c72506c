// Package fakeclock is a virtual Clock for deterministic runs: it starts at a fixed
// instant and moves only when told, and only forward.
//
// In a simulated run the fake poller is the only thing that advances it, inside its
// Wait, so an hour of timers takes as long as the callbacks do. It keeps its reading
// as a Duration from its first one (Origin, Elapsed, SetElapsed), which is how the
// fake poller computes with virtual time: adding and comparing integers, not
// time.Time's.
package fakeclock

import (
	"fmt"
	"time"
)

// Epoch is the instant a Clock made by New starts at: 2000-01-01 00:00:00 UTC. It is
// fixed so that traces of simulated runs are identical from machine to machine.
var Epoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// Clock is a virtual clock. It is not safe for concurrent use, its readings
// included: a simulated world runs on one goroutine.
type Clock struct {
	origin time.Time     // the first reading
	off    time.Duration // the reading - origin, saturated
	// apart is set when the reading is not origin.Add(off): off saturated, or
	// Set moved the clock to an instant of another location or monotonic
	// reading. now is then the reading.
	apart bool
	// now is the reading when apart; otherwise origin.Add(nowOff), computed when
	// it was last read, so that a clock moved by Durations does no arithmetic of
	// time.Time's until it is read.
	now    time.Time
	nowOff time.Duration
}

// New returns a Clock reading Epoch.
func New() *Clock { return &Clock{now: Epoch, origin: Epoch} }

// At returns a Clock reading t.
func At(t time.Time) *Clock { return &Clock{now: t, origin: t} }

// Now returns the clock's reading.
func (c *Clock) Now() time.Time {
	if !c.apart && c.nowOff != c.off {
		c.read()
	}
	return c.now
}

// read computes the reading of a clock that is not apart, for Now.
//
//go:noinline
func (c *Clock) read() { c.now, c.nowOff = c.origin.Add(c.off), c.off }

// Since returns the time elapsed since t, what c.Now().Sub(t) returns. From the
// clock's first reading, which a loop measures its time from, it is one subtraction
// of time.Time's fewer.
func (c *Clock) Since(t time.Time) time.Duration {
	if t == c.origin {
		return c.off
	}
	return c.Now().Sub(t)
}

// Advance moves the clock forward by d. A negative d panics: virtual time never goes
// back.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("nodeloop: fakeclock.Advance(%v): time only moves forward; pass a duration >= 0", d))
	}
	if off := c.off + d; !c.apart && off >= c.off && off != maxDuration {
		c.off = off
		return
	}
	c.now = c.Now().Add(d)
	if c.off += d; c.off < 0 || c.off == maxDuration {
		c.off = c.now.Sub(c.origin) // past what a Duration holds: Sub's saturated value
		c.apart = true
	}
	c.nowOff = c.off
}

// Set moves the clock to t. A t before the current reading panics: virtual time never
// goes back.
func (c *Clock) Set(t time.Time) {
	if now := c.Now(); t.Before(now) {
		panic(fmt.Sprintf("nodeloop: fakeclock.Set(%v) is before the clock's reading %v; time only moves forward", t, now))
	}
	c.now = t
	c.off = t.Sub(c.origin)
	c.nowOff = c.off
	c.apart = c.off == maxDuration || c.off == minDuration || c.origin.Add(c.off) != t
}

// maxDuration and minDuration are the Durations Sub saturates to.
const (
	maxDuration = time.Duration(1<<63 - 1)
	minDuration = -maxDuration - 1
)

// Origin returns the clock's first reading, the instant Elapsed measures from: what
// New or At started it at.
func (c *Clock) Origin() time.Time { return c.origin }

// Elapsed returns how long after Origin the clock reads, and whether its reading is
// exactly Origin().Add(d): true for a clock that only ever moved by Advance,
// SetElapsed or Set to instants computed from its readings, false when the reading
// is past what a Duration holds (d is then saturated) or when Set moved the clock to
// an instant of another location or monotonic reading. A simulated world that keeps
// its times as Durations from Origin reads the clock through it, with no arithmetic
// of time.Time's.
func (c *Clock) Elapsed() (d time.Duration, exact bool) { return c.off, !c.apart }

// SetElapsed moves the clock to Origin().Add(d), what Set(c.Origin().Add(d)) does
// with no arithmetic of time.Time's. A d before the current reading, that is below
// what Elapsed returns, panics: virtual time never goes back. So does a d of the
// saturated Duration 1<<63 - 1, which names no instant: Set the clock there instead.
func (c *Clock) SetElapsed(d time.Duration) {
	if d < c.off || d == maxDuration {
		panic(fmt.Sprintf("nodeloop: fakeclock.SetElapsed(%v) is before the clock's reading %v after its origin, or past what a Duration holds; time only moves forward: Set the clock to an instant instead", d, c.off))
	}
	if c.apart {
		// The reading is off exactly, in another location or monotonic reading.
		c.Set(c.origin.Add(d))
		return
	}
	c.off = d
}
