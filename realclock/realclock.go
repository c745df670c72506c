// Package realclock is the Clock of a real run: the operating system's monotonic
// clock, as time.Now reads it.
//
// It is the default Clock of a nodeloop.Loop. Readings carry Go's monotonic clock
// reading, so differences between them are immune to changes of the wall clock.
package realclock

import "time"

// Clock reads the operating system's clock. Its zero value is ready to use and it is
// safe for concurrent use.
type Clock struct{}

// New returns a Clock.
func New() Clock { return Clock{} }

// Now returns the current time with its monotonic reading.
func (Clock) Now() time.Time { return time.Now() }
