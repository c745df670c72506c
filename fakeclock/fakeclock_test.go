package fakeclock_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/internal/clocktest"
)

type passing struct{ *fakeclock.Clock }

func (p passing) Pass(d time.Duration) { p.Advance(d) }

func TestConformance(t *testing.T) { clocktest.Run(t, passing{fakeclock.New()}) }

func TestStartsAtEpochAndMovesOnlyWhenTold(t *testing.T) {
	c := fakeclock.New()
	if got := c.Now(); !got.Equal(fakeclock.Epoch) {
		t.Fatalf("New().Now() = %v, want %v", got, fakeclock.Epoch)
	}
	if a, b := c.Now(), c.Now(); !a.Equal(b) {
		t.Fatalf("two readings differ without Advance: %v, %v", a, b)
	}
	c.Advance(time.Hour)
	if got := c.Now().Sub(fakeclock.Epoch); got != time.Hour {
		t.Fatalf("after Advance(1h) the clock moved %v", got)
	}
	target := fakeclock.Epoch.Add(2 * time.Hour)
	c.Set(target)
	if !c.Now().Equal(target) {
		t.Fatalf("Set(%v) left %v", target, c.Now())
	}
	c.Set(target) // setting to the same instant is allowed
}

func TestBackwardsPanics(t *testing.T) {
	for name, f := range map[string]func(c *fakeclock.Clock){
		"Advance": func(c *fakeclock.Clock) { c.Advance(-time.Nanosecond) },
		"Set":     func(c *fakeclock.Clock) { c.Set(c.Now().Add(-time.Nanosecond)) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, "nodeloop:") {
					t.Fatalf("recover() = %v, want a panic starting with nodeloop:", r)
				}
			}()
			f(fakeclock.New())
		})
	}
}

// Since tells what Now().Sub tells, from the clock's first reading and from any other,
// after Advance and after Set.
func TestSinceIsNowSub(t *testing.T) {
	for name, c := range map[string]*fakeclock.Clock{
		"New":  fakeclock.New(),
		"At":   fakeclock.At(fakeclock.Epoch.Add(-time.Hour)),
		"zero": {},
	} {
		t.Run(name, func(t *testing.T) {
			first := c.Now()
			other := first.Add(time.Millisecond)
			check := func(step string) {
				t.Helper()
				for _, from := range []time.Time{first, other, c.Now()} {
					if got, want := c.Since(from), c.Now().Sub(from); got != want {
						t.Fatalf("after %s, Since(%v) = %v, want Now().Sub's %v", step, from, got, want)
					}
				}
			}
			check("nothing")
			c.Advance(1500 * time.Microsecond)
			check("Advance")
			c.Set(c.Now().Add(time.Hour))
			check("Set")
			c.Advance(time.Duration(1<<63 - 1)) // past what a Duration holds from the first reading
			check("a saturating Advance")
		})
	}
}
