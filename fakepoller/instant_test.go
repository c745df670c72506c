package fakepoller_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
)

// Events run in the order of their instants' wall clock readings, those further from
// the clock's first reading than a Duration reaches included, in the order they were
// scheduled within one instant; the clock reads an event's instant exactly when it
// runs, its location and monotonic reading too, unless the instant is past.
func TestEventsFarAndForeign(t *testing.T) {
	zone := time.FixedZone("UTC+3", 3*3600)
	farPast := fakeclock.Epoch.AddDate(-400, 0, 0)
	farFuture := fakeclock.Epoch.AddDate(400, 0, 0)
	for name, c := range map[string]*fakeclock.Clock{
		"New":          fakeclock.New(),
		"At in a zone": fakeclock.At(fakeclock.Epoch.In(zone)),
		"At Now":       fakeclock.At(time.Now()), // with a monotonic reading
		"At year 1":    fakeclock.At(time.Time{}),
		"At far back":  fakeclock.At(fakeclock.Epoch.AddDate(-1000, 0, 0)),
		"At far on":    fakeclock.At(fakeclock.Epoch.AddDate(1000, 0, 0)),
	} {
		t.Run(name, func(t *testing.T) {
			start := c.Now()
			p := fakepoller.New(c)
			type run struct {
				name string
				at   time.Time // when it was scheduled for, or the clock read when it ran
			}
			var want, got []run
			sched := func(name string, at time.Time) {
				want = append(want, run{name, at})
				p.At(at, func() { got = append(got, run{name, c.Now()}) })
			}
			sched("future+2ns", farFuture.Add(2*time.Nanosecond))
			sched("future", farFuture)
			sched("future in a zone", farFuture.In(zone))
			sched("a second on, in a zone", start.Add(time.Second).In(zone))
			sched("past+1ns", farPast.Add(time.Nanosecond))
			sched("past", farPast)
			sched("now", start)
			sched("far on", start.AddDate(500, 0, 0))
			want = append(want, run{"a millisecond on", start.Add(time.Millisecond)})
			p.After(time.Millisecond, func() { got = append(got, run{"a millisecond on", c.Now()}) })
			if _, err := p.Wait(nil, -1); !errors.Is(err, fakepoller.ErrStuck) {
				t.Fatalf("Wait = %v, want ErrStuck once every event ran", err)
			}
			slices.SortStableFunc(want, func(a, b run) int { return a.at.Round(0).Compare(b.at.Round(0)) })
			reading := start
			for i := range want {
				if want[i].at.Round(0).After(reading.Round(0)) {
					reading = want[i].at
				}
				want[i].at = reading
			}
			if len(got) != len(want) {
				t.Fatalf("ran %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("run %d: %q at %v, want %q at %v exactly", i, got[i].name, got[i].at, want[i].name, want[i].at)
				}
			}
		})
	}
}

// A timed Wait past what a Duration holds from the clock's first reading moves the
// clock there exactly, and events scheduled after it run at their instants.
func TestWaitPastDuration(t *testing.T) {
	c := fakeclock.New()
	p := fakepoller.New(c)
	forever := time.Duration(1<<63 - 1)
	if _, err := p.Wait(nil, forever); err != nil {
		t.Fatalf("Wait(%v): %v", forever, err)
	}
	want := fakeclock.Epoch.Add(forever)
	if got := c.Now(); got != want {
		t.Fatalf("after Wait(%v) the clock reads %v, want %v", forever, got, want)
	}
	var ranAt []time.Time
	p.After(time.Hour, func() { ranAt = append(ranAt, c.Now()) })
	p.After(time.Nanosecond, func() { ranAt = append(ranAt, c.Now()) })
	if _, err := p.Wait(nil, forever); err != nil {
		t.Fatalf("second Wait(%v): %v", forever, err)
	}
	wantRan := []time.Time{want.Add(time.Nanosecond), want.Add(time.Hour)}
	if !slices.Equal(ranAt, wantRan) {
		t.Fatalf("the events ran at %v, want %v", ranAt, wantRan)
	}
	end := want.Add(forever) // the second Wait's timeout, from its start
	if got := c.Now(); got != end {
		t.Fatalf("after the second Wait the clock reads %v, want %v", got, end)
	}
	p.SetHorizon(end.Add(time.Hour))
	p.After(time.Minute, func() { ranAt = append(ranAt, c.Now()) })
	if _, err := p.Wait(nil, 2*time.Hour); !errors.Is(err, fakepoller.ErrHorizon) {
		t.Fatalf("Wait(2h) with the horizon 1h on = %v, want ErrHorizon", err)
	}
	if got, want := ranAt[len(ranAt)-1], end.Add(time.Minute); len(ranAt) != 3 || got != want {
		t.Fatalf("the events ran at %v, the last want %v", ranAt, want)
	}
	if got := c.Now(); got != end.Add(time.Minute) {
		t.Fatalf("after Wait stopped at the horizon the clock reads %v, want %v", got, end.Add(time.Minute))
	}
}

// The horizon stops Wait at any instant, far from the clock's first reading or not,
// and the zero time removes it.
func TestHorizonInstants(t *testing.T) {
	farFuture := fakeclock.Epoch.AddDate(400, 0, 0)
	for _, tc := range []struct {
		name         string
		horizon      time.Time
		event        time.Time
		timeout      time.Duration
		wantErr      error
		wantReadsEnd bool // the clock reads the event's instant, or the timeout's
	}{
		{"event before", fakeclock.Epoch.Add(time.Second), fakeclock.Epoch.Add(time.Second), -1, fakepoller.ErrStuck, true},
		{"event past", fakeclock.Epoch.Add(time.Second), fakeclock.Epoch.Add(time.Second + 1), -1, fakepoller.ErrHorizon, false},
		{"timeout past", fakeclock.Epoch.Add(time.Second), fakeclock.Epoch.Add(time.Hour), 2 * time.Second, fakepoller.ErrHorizon, false},
		{"timeout at", fakeclock.Epoch.Add(time.Second), fakeclock.Epoch.Add(time.Hour), time.Second, nil, true},
		{"far event before", farFuture, farFuture, -1, fakepoller.ErrStuck, true},
		{"far event past", farFuture, farFuture.Add(1), -1, fakepoller.ErrHorizon, false},
		{"far event, near horizon", fakeclock.Epoch.Add(time.Hour), farFuture, -1, fakepoller.ErrHorizon, false},
		{"long timeout past", fakeclock.Epoch.AddDate(100, 0, 0), farFuture, 1<<63 - 1, fakepoller.ErrHorizon, false},
		{"none", time.Time{}, farFuture, -1, fakepoller.ErrStuck, true},
		{"none, far timeout", time.Time{}, farFuture, 1<<63 - 1, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeclock.New()
			p := fakepoller.New(c)
			p.SetHorizon(tc.horizon)
			p.At(tc.event, func() {})
			_, err := p.Wait(nil, tc.timeout)
			if !errors.Is(err, tc.wantErr) || err != nil && tc.wantErr == nil {
				t.Fatalf("Wait(%v) = %v, want %v", tc.timeout, err, tc.wantErr)
			}
			want := fakeclock.Epoch
			if tc.wantReadsEnd {
				want = tc.event
				if tc.timeout >= 0 {
					want = fakeclock.Epoch.Add(tc.timeout)
					if tc.event.Before(want) {
						want = tc.event
					}
				}
			}
			if got := c.Now(); got != want {
				t.Fatalf("the clock reads %v, want %v", got, want)
			}
		})
	}
}

// Network.Next tells the next event's instant exactly: in another location, and
// further from the clock's first reading than a Duration reaches.
func TestNetworkNextInstants(t *testing.T) {
	zone := time.FixedZone("UTC-7", -7*3600)
	far := fakeclock.Epoch.AddDate(400, 0, 0).In(zone)
	c := fakeclock.New()
	n, err := fakepoller.NewNetwork(c, fakepoller.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := n.AddHost("a")
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{far, fakeclock.Epoch.Add(time.Minute).In(zone), fakeclock.Epoch.Add(time.Second)} {
		h.At(at, func() {})
	}
	for _, want := range []time.Time{fakeclock.Epoch.Add(time.Second), fakeclock.Epoch.Add(time.Minute).In(zone), far} {
		got, ok := n.Next()
		if !ok || got != want {
			t.Fatalf("Next() = %v, %v, want %v exactly", got, ok, want)
		}
		c.Set(got)
		n.RunDue()
	}
	if got, ok := n.Next(); ok {
		t.Fatalf("Next() = %v, true once every event ran", got)
	}
}
