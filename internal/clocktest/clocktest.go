// Package clocktest is the conformance suite every Clock passes, real or virtual.
package clocktest

import (
	"testing"
	"time"
)

// Clock is what the suite needs: the reading, and a way to let time pass. For a real
// clock Pass waits; for a virtual one it advances the clock.
type Clock interface {
	Now() time.Time
	Pass(d time.Duration)
}

// Sincer is a Clock that also tells the time elapsed since one of its readings, as
// realclock's and fakeclock's do, and a loop reads its time through.
type Sincer interface {
	Since(t time.Time) time.Duration
}

// Run checks the contract of a Clock: readings never go backwards, and after Pass(d)
// at least d has elapsed between two readings. A Clock that is a Sincer tells, from
// its first reading and from any later one, no less than a Sub read before and no
// more than a Sub read after.
func Run(t *testing.T, c Clock) {
	t.Run("monotonic", func(t *testing.T) {
		prev := c.Now()
		for i := 0; i < 1000; i++ {
			now := c.Now()
			if now.Before(prev) {
				t.Fatalf("reading %d went backwards: %v then %v", i, prev, now)
			}
			prev = now
		}
	})
	t.Run("pass", func(t *testing.T) {
		for _, d := range []time.Duration{0, time.Microsecond, 2 * time.Millisecond} {
			before := c.Now()
			c.Pass(d)
			if got := c.Now().Sub(before); got < d {
				t.Fatalf("after Pass(%v) only %v elapsed", d, got)
			}
		}
	})
	t.Run("sub", func(t *testing.T) {
		a := c.Now()
		c.Pass(time.Millisecond)
		b := c.Now()
		if b.Sub(a) < time.Millisecond || a.Sub(b) > -time.Millisecond {
			t.Fatalf("Sub is not consistent: b-a=%v a-b=%v", b.Sub(a), a.Sub(b))
		}
	})
	s, ok := c.(Sincer)
	if !ok {
		return
	}
	t.Run("since", func(t *testing.T) {
		first := c.Now()
		c.Pass(time.Millisecond)
		later := c.Now()
		for range 3 {
			for _, from := range []time.Time{first, later} {
				before := c.Now().Sub(from)
				since := s.Since(from)
				after := c.Now().Sub(from)
				if since < before || since > after {
					t.Fatalf("Since(%v) = %v, not between Now().Sub's %v and %v", from, since, before, after)
				}
			}
			c.Pass(time.Millisecond)
		}
	})
}
