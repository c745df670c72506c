package fakepoller_test

import (
	"errors"
	"testing"

	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// With more connections open at once than the socket table's near places, every
// open handle names its socket, and once closed, none does, nor an unknown handle.
func TestManySocketsOpenAndClosed(t *testing.T) {
	w := newWorld(t, fakepoller.Options{})
	ln, addr := w.listen()
	var open []poller.Socket
	for i := range 300 {
		acc := w.start(&poller.Op{Kind: poller.Accept, Socket: ln})
		con := w.start(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr})
		w.await(acc, con)
		if acc.Err != nil || con.Err != nil {
			t.Fatalf("connection %d: accept %v, connect %v", i, acc.Err, con.Err)
		}
		open = append(open, acc.Conn, con.Conn)
	}
	for _, id := range open {
		if _, err := w.p.SocketOption(id, poller.NoDelay); err != nil {
			t.Fatalf("SocketOption of open socket %#x: %v", uint64(id), err)
		}
	}
	for i, id := range open {
		if i%2 == 0 { // the accepted ends first, then the others
			continue
		}
		if err := w.p.CloseSocket(id); err != nil {
			t.Fatalf("CloseSocket(%#x): %v", uint64(id), err)
		}
	}
	for i, id := range open {
		if i%2 == 1 {
			continue
		}
		if err := w.p.CloseSocket(id); err != nil {
			t.Fatalf("CloseSocket(%#x): %v", uint64(id), err)
		}
	}
	for _, id := range append(open, open[len(open)-1]+1, open[len(open)-1]+1000) {
		if _, err := w.p.SocketOption(id, poller.NoDelay); !errors.Is(err, poller.ErrClosed) {
			t.Fatalf("SocketOption of closed or unknown socket %#x: %v, want ErrClosed", uint64(id), err)
		}
		if err := w.p.CloseSocket(id); !errors.Is(err, poller.ErrClosed) {
			t.Fatalf("CloseSocket of closed or unknown socket %#x: %v, want ErrClosed", uint64(id), err)
		}
	}
	if _, err := w.p.SocketOption(ln, poller.NoDelay); err == nil || errors.Is(err, poller.ErrClosed) {
		t.Fatalf("SocketOption of the open listener: %v, want the error of a listener", err)
	}
}
