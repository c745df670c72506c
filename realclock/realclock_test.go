package realclock_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/internal/clocktest"
	"github.com/nodeloop/nodeloop/realclock"
)

type passing struct{ realclock.Clock }

// Pass waits until d has elapsed on the clock itself (the suite's precondition, not a
// synchronisation).
func (p passing) Pass(d time.Duration) {
	start := p.Now()
	for p.Now().Sub(start) < d {
		time.Sleep(d / 4)
	}
}

func TestConformance(t *testing.T) { clocktest.Run(t, passing{realclock.New()}) }

// Since tells what Now().Sub tells of a reading of the clock, from a later reading:
// never less than a Since read before it, never more than a Sub read after it.
func TestSinceIsNowSub(t *testing.T) {
	for _, c := range []realclock.Clock{realclock.New(), {}} {
		start := c.Now()
		for range 1000 {
			before := c.Now().Sub(start)
			since := c.Since(start)
			after := c.Now().Sub(start)
			if since < before || since > after {
				t.Fatalf("Since read %v between Now().Sub readings %v and %v", since, before, after)
			}
		}
	}
}
