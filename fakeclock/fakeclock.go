// Package fakeclock is a virtual Clock for deterministic runs: it starts at a fixed
// instant and moves only when told, and only forward.
//
// In a simulated run the fake poller is the only thing that advances it, inside its
// Wait, so an hour of timers takes as long as the callbacks do.
package fakeclock

import (
	"fmt"
	"time"
)

// Epoch is the instant a Clock made by New starts at: 2000-01-01 00:00:00 UTC. It is
// fixed so that traces of simulated runs are identical from machine to machine.
var Epoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// Clock is a virtual clock. It is not safe for concurrent use: a simulated world runs
// on one goroutine.
type Clock struct {
	now time.Time
}

// New returns a Clock reading Epoch.
func New() *Clock { return &Clock{now: Epoch} }

// At returns a Clock reading t.
func At(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's reading.
func (c *Clock) Now() time.Time { return c.now }

// Advance moves the clock forward by d. A negative d panics: virtual time never goes
// back.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("nodeloop: fakeclock.Advance(%v): time only moves forward; pass a duration >= 0", d))
	}
	c.now = c.now.Add(d)
}

// Set moves the clock to t. A t before the current reading panics: virtual time never
// goes back.
func (c *Clock) Set(t time.Time) {
	if t.Before(c.now) {
		panic(fmt.Sprintf("nodeloop: fakeclock.Set(%v) is before the clock's reading %v; time only moves forward", t, c.now))
	}
	c.now = t
}
