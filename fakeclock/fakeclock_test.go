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

// Origin is the first reading; Elapsed tells Now().Sub(Origin()) and whether the
// reading is Origin().Add of it exactly, after every way the clock moves.
func TestElapsed(t *testing.T) {
	zone := time.FixedZone("UTC+3", 3*3600)
	for name, c := range map[string]*fakeclock.Clock{
		"New":      fakeclock.New(),
		"At":       fakeclock.At(time.Date(2031, 5, 6, 7, 8, 9, 10, zone)),
		"At Now":   fakeclock.At(time.Now()), // a monotonic reading
		"At far":   fakeclock.At(time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC)),
		"zero":     {},
		"At Epoch": fakeclock.At(fakeclock.Epoch),
	} {
		t.Run(name, func(t *testing.T) {
			first := c.Now()
			if got := c.Origin(); got != first {
				t.Fatalf("Origin() = %v, want the first reading %v", got, first)
			}
			check := func(step string, wantExact bool) {
				t.Helper()
				d, exact := c.Elapsed()
				if want := c.Now().Sub(c.Origin()); d != want {
					t.Fatalf("after %s, Elapsed() = %v, want Now().Sub(Origin())'s %v", step, d, want)
				}
				if exact != wantExact {
					t.Fatalf("after %s, Elapsed() tells exact %v, want %v", step, exact, wantExact)
				}
				if exact && c.Origin().Add(d) != c.Now() {
					t.Fatalf("after %s, Elapsed() = %v exactly, but Origin().Add(it) = %v and Now() = %v", step, d, c.Origin().Add(d), c.Now())
				}
				if c.Origin() != first {
					t.Fatalf("after %s, Origin() = %v, want the first reading %v", step, c.Origin(), first)
				}
			}
			check("nothing", true)
			c.Advance(1500 * time.Microsecond)
			check("Advance", true)
			c.Set(c.Now().Add(time.Hour))
			check("Set", true)
			d, _ := c.Elapsed()
			want := c.Origin().Add(d + time.Second)
			c.SetElapsed(d + time.Second)
			if c.Now() != want {
				t.Fatalf("SetElapsed(%v) reads %v, want Origin().Add's %v", d+time.Second, c.Now(), want)
			}
			check("SetElapsed", true)
			c.Set(c.Now().Add(time.Minute).In(time.FixedZone("UTC-7", -7*3600)))
			check("Set in another location", false)
			d, _ = c.Elapsed()
			c.SetElapsed(d + time.Second)
			check("SetElapsed after a Set in another location", true)
			c.Advance(time.Duration(1<<63 - 1)) // past what a Duration holds from the first reading
			check("a saturating Advance", false)
			far := c.Now().Add(time.Hour)
			c.Set(far)
			check("Set past what a Duration holds", false)
			if c.Now() != far {
				t.Fatalf("Set(%v) reads %v", far, c.Now())
			}
		})
	}
}

// SetElapsed refuses a reading before the clock's and the saturated Duration, which
// names no instant.
func TestSetElapsedPanics(t *testing.T) {
	for name, f := range map[string]func(c *fakeclock.Clock){
		"backwards": func(c *fakeclock.Clock) {
			c.Advance(time.Second)
			c.SetElapsed(time.Second - time.Nanosecond)
		},
		"saturated": func(c *fakeclock.Clock) { c.SetElapsed(1<<63 - 1) },
	} {
		t.Run(name, func(t *testing.T) {
			c := fakeclock.New()
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, "nodeloop:") {
					t.Fatalf("recover() = %v, want a panic starting with nodeloop:", r)
				}
				if d, _ := c.Elapsed(); d != time.Second && d != 0 {
					t.Fatalf("a refused SetElapsed moved the clock to %v after its origin", d)
				}
			}()
			f(c)
		})
	}
}
