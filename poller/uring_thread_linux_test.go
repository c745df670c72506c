package poller_test

import (
	"errors"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/poller/pollertest"
)

// The setup flags of a ring for one thread: IORING_SETUP_SINGLE_ISSUER and
// IORING_SETUP_DEFER_TASKRUN.
const oneIssuer, deferTaskrun = 1 << 12, 1 << 13

// openOneThread makes an io_uring System with NewForThread, its test's goroutine
// locked to its thread until the test ends. It skips where the kernel has no
// usable io_uring, and fails where it has one that makes no ring for one thread
// (this kernel's does: 6.1 and later).
func openOneThread(t *testing.T) poller.Poller {
	t.Helper()
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	p, err := makeWithEnv("io_uring", poller.NewForThread)
	if err != nil && uringMissing() {
		t.Skipf("no usable io_uring here: %v", err)
	}
	if err != nil {
		t.Fatalf("NewForThread with NODELOOP_POLLER=io_uring: %v", err)
	}
	if flags, _ := poller.URingFlags(p); flags&(oneIssuer|deferTaskrun) != oneIssuer|deferTaskrun {
		p.Close()
		t.Fatalf("NewForThread's ring has setup flags %#x; want SINGLE_ISSUER and DEFER_TASKRUN", flags)
	}
	if poller.URingCompletion(p) && poller.URingFixedFiles(p) == 0 {
		p.Close()
		t.Fatal("NewForThread's ring has no table of fixed files; want its connections' requests to name them by index")
	}
	return p
}

// A ring for one thread passes the suite from that thread. The Networks case runs
// a subtest per network, each on a goroutine (so a thread) of its own, which such
// a ring refuses; TestURingOneThreadFromAnother checks that refusal.
func TestSystemURingOneThread(t *testing.T) {
	pollertest.Run(t, openOneThread, append(systemOptions(), pollertest.WithSkip("Networks"))...)
}

// A System made by NewForThread and waited on from another thread fails with an
// error that names the rule, rather than hanging or panicking, and still closes.
func TestURingOneThreadFromAnother(t *testing.T) {
	p := openOneThread(t)
	errc := make(chan error)
	go func() {
		runtime.LockOSThread() // a thread other than the test's
		defer runtime.UnlockOSThread()
		// The first Waits may find completions the ring already holds, which
		// need no system call.
		var err error
		for range 10 {
			if _, err = p.Wait(nil, time.Millisecond); err != nil {
				break
			}
		}
		errc <- err
	}()
	err := <-errc
	if err == nil || !strings.Contains(err.Error(), "NewForThread") ||
		!(errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.EBADF) || errors.Is(err, syscall.EINVAL)) {
		t.Fatalf("Wait from another thread: %v; want an error naming NewForThread and wrapping EEXIST, EBADF or EINVAL", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
