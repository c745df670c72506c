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
