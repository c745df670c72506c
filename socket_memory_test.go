//go:build unix

package nodeloop_test

import (
	"errors"
	"runtime"
	"syscall"
	"testing"

	"github.com/nodeloop/nodeloop"
)

const (
	// idlePairs is the number of loopback connections the idle-memory measure
	// opens, both of whose ends have a read pending; fewer, down to
	// idlePairsMin, where the descriptor limit cannot be raised for them all.
	idlePairs    = 10_000
	idlePairsMin = 1_000
	// idleDialsInFlightMax bounds the dials in flight at once, so the listener's
	// backlog never overflows.
	idleDialsInFlightMax = 64
	// idleEndBytesMax is the heap an idle connection end may hold in the test:
	// twice the goal of 2 KiB, so a noisy measure cannot fail it.
	idleEndBytesMax = 4 << 10
	// idleFdsSpare is the room for descriptors besides the connections'.
	idleFdsSpare = 64
)

// raiseFdLimit tries to make room for n open descriptors, raising RLIMIT_NOFILE,
// and returns the room it made: n, or the hard limit where that is lower and cannot
// be raised. The old limit is restored when the test ends.
func raiseFdLimit(tb testing.TB, n uint64) uint64 {
	tb.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		tb.Skipf("cannot read RLIMIT_NOFILE: %v", err)
	}
	if uint64(old.Cur) >= n {
		return n
	}
	lim := old
	setLimit(&lim.Cur, n)
	if uint64(lim.Max) < n {
		setLimit(&lim.Max, n)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		lim = old
		lim.Cur = old.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			tb.Skipf("needs %d open descriptors; RLIMIT_NOFILE is %d (hard %d) and raising it failed: %v", n, old.Cur, old.Max, err)
		}
	}
	tb.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
	return uint64(lim.Cur)
}

// setLimit sets a field of syscall.Rlimit, which is signed on some systems.
func setLimit[T int64 | uint64](f *T, v uint64) { *f = T(v) }

// idleEndHeap opens idlePairs loopback connections on the OS poller (fewer where the
// descriptor limit is lower), each end with a read pending, and returns the Go heap
// in use per connection end once they are all idle, measured after a collection
// against the heap before the first, and the number of connections.
func idleEndHeap(tb testing.TB) (float64, int) {
	tb.Helper()
	pairs := idlePairs
	if room := raiseFdLimit(tb, 2*idlePairs+idleFdsSpare); room < 2*idlePairs+idleFdsSpare {
		pairs = int(room-idleFdsSpare) / 2
		if room < idleFdsSpare || pairs < idlePairsMin {
			tb.Skipf("room for %d descriptors: too few for %d connections", room, idlePairsMin)
		}
	}
	l, err := nodeloop.New()
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	defer l.Close()
	conns := make([]*nodeloop.Conn, 0, 2*pairs)
	var before, after runtime.MemStats
	var perEnd float64
	var failure error
	fail := func(err error) {
		if failure == nil {
			failure = err
		}
	}
	var ln *nodeloop.Listener
	accepted, connected, dialed, inFlight := 0, 0, 0, 0
	idleRead := func(b []byte, err error) {
		switch {
		case errors.Is(err, nodeloop.ErrClosed):
		case err != nil:
			fail(err)
		default:
			fail(errors.New("an idle connection read bytes nobody sent"))
		}
	}
	closeAll := func() {
		for _, c := range conns {
			c.Close(nil)
		}
		ln.Close(nil)
	}
	idleNow := func() {
		if accepted < pairs || connected < pairs {
			return
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perEnd = (float64(after.HeapInuse) - float64(before.HeapInuse)) / float64(2*pairs)
		closeAll()
	}
	var dialNext func()
	onDial := func(c *nodeloop.Conn, err error) {
		inFlight--
		if err != nil {
			fail(err)
			closeAll()
			return
		}
		conns = append(conns, c)
		c.Read(idleRead)
		connected++
		dialNext()
		idleNow()
	}
	var addr string
	dialNext = func() {
		for ; inFlight < idleDialsInFlightMax && dialed < pairs && failure == nil; dialed++ {
			inFlight++
			l.Dial("tcp", addr, onDial)
		}
	}
	err = l.Run(func() {
		var err error
		ln, err = l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				fail(err)
				return
			}
			conns = append(conns, c)
			c.Read(idleRead)
			accepted++
			idleNow()
		})
		if err != nil {
			fail(err)
			return
		}
		addr = ln.Addr().String()
		runtime.GC()
		runtime.ReadMemStats(&before)
		dialNext()
	})
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	if failure != nil {
		tb.Fatalf("after %d accepted and %d connected of %d: %v", accepted, connected, pairs, failure)
	}
	return perEnd, pairs
}

// An idle connection with a read pending holds no read buffer: the reads share the
// poller's, taken at readiness.
func TestIdleConnHeap(t *testing.T) {
	perEnd, pairs := idleEndHeap(t)
	t.Logf("%.0f bytes of Go heap per idle connection end, over %d connections", perEnd, pairs)
	if perEnd > idleEndBytesMax {
		t.Fatalf("%.0f bytes of heap per idle connection end; want at most %d", perEnd, idleEndBytesMax)
	}
}

// BenchmarkIdleConnHeap reports the Go heap per idle connection end, with a read
// pending, as heap-B/end; the goal is at most 2 KiB.
func BenchmarkIdleConnHeap(b *testing.B) {
	var perEnd float64
	pairs := 0
	for range b.N {
		perEnd, pairs = idleEndHeap(b)
	}
	b.ReportMetric(perEnd, "heap-B/end")
	b.ReportMetric(float64(pairs), "conns")
}
