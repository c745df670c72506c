package fakepoller_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// TryWrite hands the peer what the send buffer has room for at once, in order with
// the writes around it, and draws the faults a Write draws: a short write leaves the
// rest to the caller, a reset writes nothing and fails what comes next.
func TestTryWrite(t *testing.T) {
	var _ poller.TryWriter = (*fakepoller.Poller)(nil)
	t.Run("calm", func(t *testing.T) {
		w := newWorld(t, fakepoller.Options{BufferBytes: 8})
		a, b := w.pair()
		if n := w.p.TryWrite(b, []byte("0123")); n != 4 {
			t.Fatalf("TryWrite on an idle connection wrote %d of 4 bytes", n)
		}
		if n := w.p.TryWrite(b, []byte("456789")); n != 4 {
			t.Fatalf("TryWrite with room for 4 more bytes wrote %d", n)
		}
		wr := w.start(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("89")})
		if n := w.p.TryWrite(b, []byte("x")); n != 0 {
			t.Fatalf("TryWrite behind a Write in flight wrote %d bytes; want 0", n)
		}
		if n := w.p.TryWrite(a, nil); n != 0 {
			t.Fatalf("TryWrite of nothing wrote %d bytes", n)
		}
		if got := string(w.recv(a, 10)); got != "0123456789" {
			t.Fatalf("the peer read %q; want 0123456789", got)
		}
		w.await(wr)
	})
	t.Run("short", func(t *testing.T) {
		w := newWorld(t, fakepoller.Options{Faults: fakepoller.Faults{ShortWrite: 1}})
		a, b := w.pair()
		n := w.p.TryWrite(b, []byte("0123456789"))
		if n < 1 || n >= 10 {
			t.Fatalf("TryWrite with every write short wrote %d of 10 bytes", n)
		}
		if got := string(w.recv(a, n)); got != "0123456789"[:n] {
			t.Fatalf("the peer read %q; want the first %d bytes", got, n)
		}
	})
	t.Run("reset", func(t *testing.T) {
		w := newWorld(t, fakepoller.Options{Faults: fakepoller.Faults{Reset: 1}})
		_, b := w.pair()
		if n := w.p.TryWrite(b, []byte("data")); n != 0 {
			t.Fatalf("TryWrite with a reset fault wrote %d bytes; want 0", n)
		}
		w.advance(time.Millisecond)
		again := w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("data")})
		if !errors.Is(again.Err, syscall.EPIPE) {
			t.Fatalf("a Write after the reset: %v; want EPIPE", again.Err)
		}
	})
}
