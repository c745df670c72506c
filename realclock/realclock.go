// Package realclock is the Clock of a real run: the operating system's monotonic
// clock.
//
// It is the default Clock of a nodeloop.Loop. A Clock made by New reads only the
// monotonic clock after its first reading, which is cheaper than time.Now's two
// readings: its times are the first reading plus the monotonic time elapsed since,
// so they are immune to changes of the wall clock and carry Go's monotonic reading.
package realclock

import "time"

// Clock reads the operating system's clock. Its zero value reads time.Now; New's
// reads the monotonic clock alone. It is safe for concurrent use.
type Clock struct {
	base time.Time
}

// New returns a Clock whose readings count from now.
func New() Clock { return Clock{base: time.Now()} }

// Now returns the current time with its monotonic reading.
func (c Clock) Now() time.Time {
	if c.base.IsZero() {
		return time.Now()
	}
	return c.base.Add(time.Since(c.base))
}

// Since returns the time elapsed since t, a reading of c: what c.Now().Sub(t)
// returns, from one reading of the monotonic clock and none of the arithmetic of
// a time.Time, which a loop that reads the time for every timer it starts feels.
func (c Clock) Since(t time.Time) time.Duration { return time.Since(t) }
