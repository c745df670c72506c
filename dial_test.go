package nodeloop_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/traces"
)

// silentHost is an address of the simulated network where nobody answers.
const silentHost = "10.9.9.9:80"

// newNetWorld is a loop on virtual time over a simulated network configured by opts,
// its trace checked against the invariants when the test ends.
func newNetWorld(t *testing.T, opts fakepoller.Options) (*nodeloop.Loop, *traces.Recorder) {
	t.Helper()
	clock := fakeclock.New()
	fp, err := fakepoller.NewWith(clock, opts)
	if err != nil {
		t.Fatalf("fakepoller.NewWith: %v", err)
	}
	rec := traces.NewMemory()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fp), nodeloop.WithTracer(rec),
		nodeloop.WithStepLimit(1_000_000))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		l.Close()
		for _, v := range properties.Check(rec.Events()) {
			t.Errorf("invariant: %v", v)
		}
	})
	return l, rec
}

// sinceEpoch is the loop's cached time on the virtual clock.
func sinceEpoch(l *nodeloop.Loop) time.Duration { return l.Now().Sub(fakeclock.Epoch) }

// pendingCallbackOf returns the phase of the pending callback of handle id, or
// "none" when none ran.
func pendingCallbackOf(rec *traces.Recorder, id uint64) string {
	for _, e := range rec.Events() {
		if e.Kind == traces.KindCallback && e.Source == traces.SourcePending && e.ID == id {
			return e.Phase.String()
		}
	}
	return "none"
}

// A dial to a host that never answers keeps the loop alive until it is canceled;
// the callback then receives ErrCanceled in the next pending phase, never from
// inside Cancel, and the loop ends with nothing left: a second Cancel, and one from
// the callback, do nothing.
func TestDialCancel(t *testing.T) {
	l, rec := newNetWorld(t, fakepoller.Options{Silent: []string{"10.9.9.9"}})
	var d *nodeloop.DialRequest
	var got []string
	inCancel := false
	err := l.Run(func() {
		d = l.Dial("tcp", silentHost, func(c *nodeloop.Conn, err error) {
			if inCancel {
				t.Error("the callback ran from inside Cancel")
			}
			got = append(got, fmt.Sprintf("dial %v conn %v @%v", errors.Is(err, nodeloop.ErrCanceled), c != nil, sinceEpoch(l)))
			if d.Cancel() {
				t.Error("Cancel from the dial's own callback reported true")
			}
		})
		if hs := l.Handles(); len(hs) != 1 || hs[0].Kind != "dial" || hs[0].ID != d.ID() {
			t.Errorf("Handles with a dial in flight = %v; want the dial %d", hs, d.ID())
		}
		l.SetTimeout(5*time.Millisecond, func() {
			inCancel = true
			if !d.Cancel() {
				t.Error("Cancel of a dial in flight reported false")
			}
			if d.Cancel() {
				t.Error("a second Cancel reported true")
			}
			inCancel = false
			got = append(got, "canceled")
		})
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := "canceled dial true conn false @5ms"; strings.Join(got, " ") != want {
		t.Fatalf("callbacks: %q; want %q", strings.Join(got, " "), want)
	}
	if p := pendingCallbackOf(rec, d.ID()); p != traces.PhasePending.String() {
		t.Fatalf("the canceled dial's callback ran in phase %q; want pending", p)
	}
	if n := l.Pending(); n != 0 {
		t.Fatalf("Pending after Run = %d; want 0", n)
	}
}

// DialTimeout gives up on a host that never answers once the timeout passed, in
// virtual time, with an error that matches ETIMEDOUT and os.ErrDeadlineExceeded;
// its timer does not count among what keeps the loop alive (the dial does).
func TestDialTimeout(t *testing.T) {
	l, rec := newNetWorld(t, fakepoller.Options{Silent: []string{"10.9.9.9"}})
	var got error
	var at time.Duration
	var d *nodeloop.DialRequest
	err := l.Run(func() {
		d = l.DialTimeout("tcp", silentHost, 30*time.Millisecond, func(c *nodeloop.Conn, err error) {
			got, at = err, sinceEpoch(l)
			if c != nil {
				t.Error("a timed-out dial was given a connection")
			}
		})
		if n, hs := l.Pending(), l.Handles(); n != 1 || len(hs) != 1 || hs[0].Kind != "dial" {
			t.Errorf("Pending = %d, Handles = %v with a timed dial in flight; want the dial alone", n, hs)
		}
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var te interface{ Timeout() bool }
	if !errors.Is(got, syscall.ETIMEDOUT) || !errors.Is(got, os.ErrDeadlineExceeded) || !errors.As(got, &te) || !te.Timeout() {
		t.Fatalf("timed-out dial: %v; want an error matching ETIMEDOUT and os.ErrDeadlineExceeded, a timeout", got)
	}
	if at != 30*time.Millisecond {
		t.Fatalf("the dial timed out at %v; want 30ms", at)
	}
	if p := pendingCallbackOf(rec, d.ID()); p != traces.PhasePending.String() {
		t.Fatalf("the timed-out dial's callback ran in phase %q; want pending", p)
	}
	if d.Cancel() {
		t.Fatal("Cancel after the timeout reported true")
	}
	if n := l.Pending(); n != 0 {
		t.Fatalf("Pending after Run = %d; want 0", n)
	}
}

// DialTimeout's timeout counts in whole milliseconds, rounded up, and a timeout
// past Node's TIMEOUT_MAX waits that long: it never fires early, where a timer's
// coercion would make it 1 ms.
func TestDialTimeoutRounding(t *testing.T) {
	for _, tc := range []struct {
		d, want time.Duration
	}{
		{time.Nanosecond, time.Millisecond},
		{1500 * time.Microsecond, 2 * time.Millisecond},
		{7 * time.Millisecond, 7 * time.Millisecond},
		{30 * 24 * time.Hour, (1<<31 - 1) * time.Millisecond},
	} {
		l, _ := newNetWorld(t, fakepoller.Options{Silent: []string{"10.9.9.9"}})
		var at time.Duration
		if err := l.Run(func() {
			l.DialTimeout("tcp", silentHost, tc.d, func(*nodeloop.Conn, error) { at = sinceEpoch(l) })
		}); err != nil {
			t.Fatalf("Run: %v", err)
		}
		if at != tc.want {
			t.Errorf("DialTimeout(%v) timed out at %v; want %v", tc.d, at, tc.want)
		}
	}
}

// Without a timeout, a dial to a host that never answers waits as long as the
// system does: here the simulated network's ConnectTimeout, then ETIMEDOUT from
// the network, in the poll phase.
func TestDialWaitsForTheSystem(t *testing.T) {
	l, _ := newNetWorld(t, fakepoller.Options{Silent: []string{"10.9.9.9"}, ConnectTimeout: 127 * time.Second})
	var got error
	if err := l.Run(func() {
		l.Dial("tcp", silentHost, func(_ *nodeloop.Conn, err error) { got = err })
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !errors.Is(got, syscall.ETIMEDOUT) || sinceEpoch(l) != 127*time.Second {
		t.Fatalf("dial: %v at %v; want ETIMEDOUT at 127s", got, sinceEpoch(l))
	}
}

// A dial that connects before its timeout clears the timer: the loop ends when the
// connection is done with, not when the timeout would have passed.
func TestDialTimeoutNotReached(t *testing.T) {
	l, _ := newNetWorld(t, fakepoller.Options{MinLatency: time.Millisecond, MaxLatency: time.Millisecond})
	var got []string
	if err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			c.Close(nil)
			ln.Close(nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		l.DialTimeout("tcp", ln.Addr().String(), time.Hour, func(c *nodeloop.Conn, err error) {
			got = append(got, fmt.Sprintf("dial %v @%v", err, sinceEpoch(l)))
			c.Close(nil)
		})
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := "dial <nil> @2ms"; strings.Join(got, " ") != want {
		t.Fatalf("callbacks: %q; want %q", strings.Join(got, " "), want)
	}
	if end := sinceEpoch(l); end > 10*time.Millisecond {
		t.Fatalf("the loop ended at %v; the cleared timeout kept it waiting", end)
	}
}

// A connect that finished in the poller but whose completion the loop has not
// delivered yet loses to a Cancel: the connection is closed, never handed to the
// program, and the server sees the end of the stream.
func TestDialCancelRacesCompletion(t *testing.T) {
	// With no latency, the accept and the connect finish at one instant, the
	// accept first: its callback runs before the dial's completion is delivered.
	l, _ := newNetWorld(t, fakepoller.Options{})
	var got []string
	if err := l.Run(func() {
		var ln *nodeloop.Listener
		var d *nodeloop.DialRequest
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			got = append(got, fmt.Sprintf("accept %v cancel %v", err, d.Cancel()))
			ln.Close(nil)
			c.Read(func(b []byte, err error) {
				got = append(got, fmt.Sprintf("server read %d %v", len(b), err))
				c.Close(nil)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		d = l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			got = append(got, fmt.Sprintf("dial conn %v canceled %v", c != nil, errors.Is(err, nodeloop.ErrCanceled)))
		})
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"accept <nil> cancel true", "dial conn false canceled true", "server read 0 " + io.EOF.Error()}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("callbacks:\n  %s\nwant\n  %s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
}

// A start error is decided at once: Cancel reports false, and the callback gets
// the start error, not ErrCanceled.
func TestDialCancelAfterStartError(t *testing.T) {
	l, _ := newNetWorld(t, fakepoller.Options{})
	var got error
	if err := l.Run(func() {
		d := l.DialTimeout("udp9", "127.0.0.1:1", time.Second, func(_ *nodeloop.Conn, err error) { got = err })
		if d.Cancel() {
			t.Error("Cancel of a dial that failed at start reported true")
		}
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got == nil || errors.Is(got, nodeloop.ErrCanceled) {
		t.Fatalf("dial: %v; want the start error", got)
	}
}

// DialTimeout's misuse panics, saying what to call instead; so does Cancel after
// the loop's Close.
func TestDialMisuse(t *testing.T) {
	l, _ := newNetWorld(t, fakepoller.Options{Silent: []string{"10.9.9.9"}})
	var d *nodeloop.DialRequest
	if err := l.Run(func() {
		mustPanic(t, "DialTimeout(0)", func() { l.DialTimeout("tcp", silentHost, 0, func(*nodeloop.Conn, error) {}) })
		mustPanic(t, "DialTimeout(-1s)", func() { l.DialTimeout("tcp", silentHost, -time.Second, func(*nodeloop.Conn, error) {}) })
		mustPanic(t, "DialTimeout(nil)", func() { l.DialTimeout("tcp", silentHost, time.Second, nil) })
		d = l.DialTimeout("tcp", silentHost, time.Millisecond, func(*nodeloop.Conn, error) {})
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	l.Close()
	mustPanic(t, "Cancel after Close", func() { d.Cancel() })
}

// On the operating system, a dial canceled at once never hands the program a
// connection, whether the connect was still in progress or had already finished,
// and the loop ends: nothing it opened keeps it alive.
func TestDialCancelReal(t *testing.T) {
	l, _ := newReal(t, 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const dials = 20
	var got []error
	if err := l.Run(func() {
		for range dials {
			d := l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
				if c != nil {
					t.Error("a canceled dial was given a connection")
				}
				got = append(got, err)
			})
			if !d.Cancel() {
				t.Error("Cancel of a dial just started reported false")
			}
		}
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(got) != dials {
		t.Fatalf("%d callbacks for %d dials", len(got), dials)
	}
	for _, err := range got {
		if !errors.Is(err, nodeloop.ErrCanceled) {
			t.Fatalf("canceled dial: %v; want ErrCanceled", err)
		}
	}
	if n := l.Pending(); n != 0 {
		t.Fatalf("Pending after Run = %d; want 0", n)
	}
}
