package fakepoller_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

func since(c *fakeclock.Clock) time.Duration { return c.Now().Sub(fakeclock.Epoch) }

// Wait moves the clock to the timeout when nothing is scheduled before it.
func TestWaitAdvancesToTimeout(t *testing.T) {
	c := fakeclock.New()
	p := fakepoller.New(c)
	for _, d := range []time.Duration{0, time.Millisecond, time.Hour} {
		before := since(c)
		if _, err := p.Wait(nil, d); err != nil {
			t.Fatal(err)
		}
		if got := since(c) - before; got != d {
			t.Fatalf("Wait(%v) moved the clock %v", d, got)
		}
	}
}

// Wait stops at the next scheduled event, never past it, and returns when the event
// wakes it or completes an operation; events that do neither let it go on to the
// timeout.
func TestWaitStopsAtEvents(t *testing.T) {
	c := fakeclock.New()
	p := fakepoller.New(c)
	var ran []time.Duration
	p.After(3*time.Millisecond, func() { ran = append(ran, since(c)) }) // wakes nobody
	p.After(5*time.Millisecond, func() { ran = append(ran, since(c)); p.Wake() })
	op := &poller.Op{ID: 7}
	p.After(9*time.Millisecond, func() { p.Complete(op) })
	p.After(9*time.Millisecond, func() { ran = append(ran, since(c)) }) // same instant, scheduled later

	done, err := p.Wait(nil, time.Hour)
	if err != nil || len(done) != 0 || since(c) != 5*time.Millisecond {
		t.Fatalf("first Wait: %v ops, err %v, clock %v; want a wake-up at 5ms", len(done), err, since(c))
	}
	done, err = p.Wait(done, -1)
	if err != nil || len(done) != 1 || done[0] != op || since(c) != 9*time.Millisecond {
		t.Fatalf("second Wait: %v, err %v, clock %v; want op 7 at 9ms", done, err, since(c))
	}
	want := []time.Duration{3 * time.Millisecond, 5 * time.Millisecond, 9 * time.Millisecond}
	if len(ran) != 3 || ran[0] != want[0] || ran[1] != want[1] || ran[2] != want[2] {
		t.Fatalf("events ran at %v, want %v", ran, want)
	}
	if p.Scheduled() != 0 {
		t.Fatalf("%d events left", p.Scheduled())
	}
	// A timeout shorter than the next event stops short of it.
	p.After(10*time.Millisecond, func() { t.Error("ran early") })
	if _, err := p.Wait(nil, 4*time.Millisecond); err != nil || since(c) != 13*time.Millisecond {
		t.Fatalf("Wait(4ms) with an event 10ms away: err %v, clock %v, want 13ms", err, since(c))
	}
}

// A wake-up requested before Wait makes it return at once, without moving the clock;
// wake-ups coalesce.
func TestWakeBeforeWait(t *testing.T) {
	c := fakeclock.New()
	p := fakepoller.New(c)
	for i := 0; i < 10; i++ {
		p.Wake()
	}
	if _, err := p.Wait(nil, time.Hour); err != nil || since(c) != 0 {
		t.Fatalf("Wait after Wake: err %v, clock %v", err, since(c))
	}
	if _, err := p.Wait(nil, time.Second); err != nil || since(c) != time.Second {
		t.Fatalf("the wake-ups did not coalesce: err %v, clock %v", err, since(c))
	}
}

// Waiting forever with nothing scheduled is an error, not a hang; after Close every
// Wait fails.
func TestStuckAndClosed(t *testing.T) {
	p := fakepoller.New(fakeclock.New())
	if _, err := p.Wait(nil, -1); !errors.Is(err, fakepoller.ErrStuck) {
		t.Fatalf("Wait(-1) with nothing scheduled = %v, want ErrStuck", err)
	}
	p.Close()
	if _, err := p.Wait(nil, 0); !errors.Is(err, poller.ErrClosed) {
		t.Fatalf("Wait after Close = %v, want ErrClosed", err)
	}
}
