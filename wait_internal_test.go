package nodeloop

import (
	"testing"
	"time"
)

// readyPoller stands for the operating system's poller in prepareWait: whether a
// Wait returns at once without asking the kernel.
type readyPoller bool

func (r readyPoller) ReadyWithoutKernel() bool { return bool(r) }

// TestPrepareWaitPollerReady checks that a wait the poller answers at once (an
// operation finished when it started) neither yields nor marks the loop sleeping,
// while a wait that may block still does.
func TestPrepareWaitPollerReady(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Skip("no poller for this system:", err)
	}
	defer l.Close()
	if !l.osPoller || l.spin == nil {
		t.Skip("the system's poller does not say when a wait returns at once")
	}
	for _, tc := range []struct {
		ready     bool
		wantWait  time.Duration
		wantSleep bool
	}{
		{ready: true, wantWait: -1, wantSleep: false},
		{ready: false, wantWait: -1, wantSleep: true},
	} {
		l.spin = readyPoller(tc.ready)
		wait, sleep := l.prepareWait(-1)
		if sleep {
			l.sleeping.Store(false)
		}
		if wait != tc.wantWait || sleep != tc.wantSleep {
			t.Fatalf("poller ready %v: prepareWait(-1) = (%v, %v), want (%v, %v)", tc.ready, wait, sleep, tc.wantWait, tc.wantSleep)
		}
	}
}
