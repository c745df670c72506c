package nodeloop_test

import (
	"testing"

	"github.com/nodeloop/nodeloop"
)

// connReadAllocs connects two connections on l and returns the allocations of one
// hop in steady state: a Read pending on one end, a one-byte Write from the other,
// and the turns until both callbacks ran.
func connReadAllocs(t *testing.T, l *nodeloop.Loop) float64 {
	t.Helper()
	var a, b *nodeloop.Conn
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			t.Fatalf("accept: %v", err)
		}
		a = c
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		b = c
	})
	for a == nil || b == nil {
		runOnce(t, l, true)
	}
	ln.Close(nil)
	read, wrote := 0, 0
	onRead := func(p []byte, err error) {
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		read += len(p)
	}
	onWrite := func(n int, err error) {
		if err != nil {
			t.Fatalf("write: %v", err)
		}
		wrote += n
	}
	msg := []byte("x")
	hop := func() {
		want := read + 1
		a.Read(onRead)
		b.Write(msg, onWrite)
		for read < want || wrote < want {
			runOnce(t, l, true)
		}
	}
	for range 10 {
		hop()
	}
	n := testing.AllocsPerRun(200, hop)
	a.Close(nil)
	b.Close(nil)
	for alive := true; alive; {
		if alive, err = l.RunOnce(false); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// A read allocates nothing in steady state: it takes the poller's shared buffer, on
// the OS poller and on the simulated network.
func TestAllocsConnRead(t *testing.T) {
	l, err := nodeloop.New(nodeloop.WithTracer(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n := connReadAllocs(t, l); n != 0 {
		t.Errorf("a read and a write on the OS poller: %v allocations, want 0", n)
	}
	// The simulated network schedules each write's arrival as an event, its one
	// allocation; the read adds none.
	w := noTrace(t)
	if n := connReadAllocs(t, w.l); n > 1 {
		t.Errorf("a read and a write on the simulated network: %v allocations, want at most 1 (the write's arrival)", n)
	}
}
