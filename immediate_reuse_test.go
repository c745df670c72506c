package nodeloop_test

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/realclock"
)

// A handle of an immediate that ran is stale: its storage serves the next immediate,
// and the stale handle's Clear, Ref and Unref leave that one alone.
func TestImmediateStaleHandle(t *testing.T) {
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var order []string
	var first, second nodeloop.Immediate
	err = l.Run(func() {
		first = l.SetImmediate(func() {
			order = append(order, "first")
			second = l.SetImmediate(func() { order = append(order, "second") })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = l.Run(func() {
		third := l.SetImmediate(func() { order = append(order, "third") })
		if first.ID() == third.ID() || second.ID() == third.ID() {
			t.Fatalf("ids %d, %d, %d: want three different", first.ID(), second.ID(), third.ID())
		}
		first.Unref()
		second.Unref()
		l.ClearImmediate(first)
		l.ClearImmediate(second)
		if !third.HasRef() {
			t.Errorf("a stale handle's Unref made the new immediate unreferenced")
		}
		if l.Pending() != 1 {
			t.Errorf("Pending() = %d after stale handles' Clear, want 1", l.Pending())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"first", "second", "third"}
	if len(order) != len(want) {
		t.Fatalf("ran %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("ran %v, want %v", order, want)
		}
	}
	if first.HasRef() || second.HasRef() {
		t.Errorf("HasRef of stale handles = %v, %v; want false", first.HasRef(), second.HasRef())
	}
	l.ClearImmediate(nodeloop.Immediate{}) // the zero handle is stale too
}

// countingClock counts the loop's reads of the operating system's clock.
type countingClock struct {
	c     nodeloop.Clock
	reads int
}

func (c *countingClock) Now() time.Time { c.reads++; return c.c.Now() }

// A turn that does not wait reads the clock only when a timer is armed, and then
// once.
func TestImmediateTurnClockReads(t *testing.T) {
	const turns = 1000
	for _, c := range []struct {
		name  string
		timer bool
		max   int // clock reads per turn
	}{
		{"no timer", false, 0},
		{"timer armed", true, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := &countingClock{c: realclock.New()}
			l, err := nodeloop.New(nodeloop.WithClock(clock))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			n := 0
			var next func()
			next = func() {
				if n++; n < turns {
					l.SetImmediate(next)
				}
			}
			var before int
			err = l.Run(func() {
				if c.timer {
					l.SetTimeout(time.Hour, func() {}).Unref()
				}
				before = clock.reads
				l.SetImmediate(next)
			})
			if err != nil {
				t.Fatal(err)
			}
			// The last turns end the run: allow a read or two there.
			if got := clock.reads - before; got > c.max*turns+2 {
				t.Errorf("%d clock reads in %d turns, want at most %d a turn", got, turns, c.max)
			}
		})
	}
}

// Turns that do not wait still see the kernel's readiness: within spinTurnsMax+1
// turns (16) of a connection arriving, the listener's callback runs.
func TestImmediateTurnsSeeReadiness(t *testing.T) {
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var accepted atomic.Int64
	accepted.Store(-1)
	turns := 0
	var ln *nodeloop.Listener
	ln, err = l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		accepted.Store(int64(turns))
		c.Close(nil)
		ln.Close(nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The connection is in the accept queue before the chain starts: the kernel
	// reports the listener readable from the first wait on.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var next func()
	next = func() {
		turns++
		if accepted.Load() < 0 && turns < 1000 {
			l.SetImmediate(next)
		}
	}
	if err := l.Run(func() { l.SetImmediate(next) }); err != nil {
		t.Fatal(err)
	}
	if got := accepted.Load(); got < 0 || got > 16 {
		t.Fatalf("the connection was accepted after %d turns that did not wait, want 0 to 16", got)
	}
}
