//go:build linux || windows

package nodeloop_test

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// fillBacklogConnsMax bounds the connections made to fill a listener's backlog.
const fillBacklogConnsMax = 16

// silentListener returns the address of a loopback listener that never accepts,
// its backlog full: Linux drops a SYN that finds the accept queue full, so a
// connect there stays in progress, retransmitting, as toward a host that never
// answers. It skips the test where the system answers anyway (Windows may refuse
// a connection its listener has no room for).
func silentListener(t *testing.T) string {
	t.Helper()
	addr := listenBacklogZero(t)
	for range fillBacklogConnsMax {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return addr // this SYN was dropped: the backlog is full
			}
			t.Skipf("a connect to a listener of backlog 0 with its backlog full failed (%v): no loopback address here leaves a connect in progress", err)
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skipf("the system answered %d connects to a listener of backlog 0 that never accepts; no loopback address here leaves a connect in progress", fillBacklogConnsMax)
	return ""
}

// On the system (epoll, IOCP), DialTimeout gives up on a connect still in progress: the callback gets
// an error matching ETIMEDOUT, the socket is closed by then, and the loop ends.
func TestDialTimeoutInProgressReal(t *testing.T) {
	addr := silentListener(t)
	l, _ := newReal(t, 0)
	const timeout = 100 * time.Millisecond
	var got error
	var elapsed time.Duration
	var before, after int
	if err := l.Run(func() {
		before = openFds(t)
		start := time.Now()
		l.DialTimeout("tcp", addr, timeout, func(c *nodeloop.Conn, err error) {
			got, elapsed, after = err, time.Since(start), openFds(t)
			if c != nil {
				t.Error("a timed-out dial was given a connection")
			}
		})
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !errors.Is(got, syscall.ETIMEDOUT) || !errors.Is(got, os.ErrDeadlineExceeded) {
		t.Fatalf("dial: %v; want a timeout", got)
	}
	if elapsed < timeout || elapsed > 30*time.Second {
		t.Fatalf("the dial timed out after %v; want about %v", elapsed, timeout)
	}
	if after != before && before >= 0 {
		t.Fatalf("%d descriptors open before the dial, %d in its callback: the socket leaked", before, after)
	}
	if n := l.Pending(); n != 0 {
		t.Fatalf("Pending after Run = %d; want 0", n)
	}
}

// On the system (epoll, IOCP), Cancel ends a connect still in progress: the callback gets
// ErrCanceled in the next pending phase, the socket is closed, and the loop ends.
func TestDialCancelInProgressReal(t *testing.T) {
	addr := silentListener(t)
	l, _ := newReal(t, 0)
	var got []error
	var before, after int
	if err := l.Run(func() {
		before = openFds(t)
		d := l.Dial("tcp", addr, func(c *nodeloop.Conn, err error) {
			got = append(got, err)
			after = openFds(t)
		})
		l.SetTimeout(50*time.Millisecond, func() {
			if len(got) != 0 {
				t.Errorf("the dial finished before the cancel: %v", got)
			}
			if !d.Cancel() {
				t.Error("Cancel of a connect in progress reported false")
			}
		})
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(got) != 1 || !errors.Is(got[0], nodeloop.ErrCanceled) {
		t.Fatalf("dial callbacks: %v; want one, ErrCanceled", got)
	}
	if after != before && before >= 0 {
		t.Fatalf("%d descriptors open before the dial, %d in its callback: the socket leaked", before, after)
	}
}
