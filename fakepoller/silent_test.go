package fakepoller_test

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// A connect to a silent address stays in flight: nothing is scheduled for it, so
// a Wait forever is stuck, and a bounded one returns nothing at its timeout. A
// Cancel then returns it with ErrCanceled and closes its socket.
func TestSilentConnectHangsUntilCanceled(t *testing.T) {
	w := newWorld(t, fakepoller.Options{Silent: []string{"10.1.2.3"}, MinLatency: time.Millisecond, MaxLatency: time.Millisecond})
	con := w.start(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "10.1.2.3:80"})
	sock := con.Conn
	if sock == 0 {
		t.Fatalf("a connect in flight has no socket")
	}
	done, err := w.p.Wait(nil, time.Hour)
	if err != nil || len(done) != 0 {
		t.Fatalf("Wait(1h) = %d ops, %v; want none, nil", len(done), err)
	}
	if got := since(w.clock); got != time.Hour {
		t.Fatalf("the clock reads %v after Wait(1h); want 1h", got)
	}
	if _, err := w.p.Wait(nil, -1); !errors.Is(err, fakepoller.ErrStuck) {
		t.Fatalf("Wait forever with only a silent connect = %v; want ErrStuck", err)
	}
	w.p.Cancel(con)
	w.await(con)
	if !errors.Is(con.Err, poller.ErrCanceled) || con.Conn != 0 {
		t.Fatalf("canceled connect: Conn %#x, Err %v; want 0, ErrCanceled", con.Conn, con.Err)
	}
	rd := &poller.Op{Kind: poller.Read, Socket: sock, Buf: make([]byte, 1)}
	if err := w.p.Start(rd); !errors.Is(err, poller.ErrClosed) {
		t.Fatalf("read on the canceled connect's socket: %v; want ErrClosed", err)
	}
}

// With a ConnectTimeout, a connect nobody answers fails with ETIMEDOUT once it
// passed, in virtual time.
func TestSilentConnectTimesOut(t *testing.T) {
	w := newWorld(t, fakepoller.Options{Silent: []string{"[::1]:9"}, ConnectTimeout: 127 * time.Second})
	con := w.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "[::1]:9"})
	var se *os.SyscallError
	if !errors.Is(con.Err, syscall.ETIMEDOUT) || !errors.As(con.Err, &se) || con.Conn != 0 {
		t.Fatalf("connect: Conn %#x, Err %v; want 0 and an *os.SyscallError matching ETIMEDOUT", con.Conn, con.Err)
	}
	if got := since(w.clock); got != 127*time.Second {
		t.Fatalf("timed out at %v; want 127s", got)
	}
}

// A canceled silent connect leaves its timeout behind as a scheduled event that
// does nothing: the connect comes back once, canceled.
func TestSilentConnectCanceledBeforeTimeout(t *testing.T) {
	w := newWorld(t, fakepoller.Options{Silent: []string{"localhost"}, ConnectTimeout: time.Second})
	con := w.start(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "127.0.0.1:5000"})
	w.p.Cancel(con)
	w.await(con)
	if !errors.Is(con.Err, poller.ErrCanceled) {
		t.Fatalf("connect: %v; want ErrCanceled", con.Err)
	}
	done, err := w.p.Wait(nil, 2*time.Second)
	if err != nil || len(done) != 0 {
		t.Fatalf("Wait past the timeout = %d ops, %v; want none: the connect came back once", len(done), err)
	}
}

// An entry with a port silences that port of the host only; the host's other
// ports answer, or refuse, as ever. A listener at the silent address is never
// reached.
func TestSilentPortOnly(t *testing.T) {
	w := newWorld(t, fakepoller.Options{Silent: []string{"127.0.0.1:7000"}})
	ln, _, err := w.p.Listen("tcp", "127.0.0.1:7000")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	acc := w.start(&poller.Op{Kind: poller.Accept, Socket: ln})
	silent := w.start(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "127.0.0.1:7000"})
	refused := w.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "127.0.0.1:7001"})
	if !errors.Is(refused.Err, syscall.ECONNREFUSED) {
		t.Fatalf("connect to another port: %v; want ECONNREFUSED", refused.Err)
	}
	other := w.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "[::1]:7000"})
	if !errors.Is(other.Err, syscall.ECONNREFUSED) {
		t.Fatalf("connect to another host's port 7000: %v; want ECONNREFUSED", other.Err)
	}
	if containsOp(w.order, acc) || containsOp(w.order, silent) {
		t.Fatalf("the listener at the silent address accepted, or its connect came back")
	}
	w.p.CloseSocket(silent.Conn)
	w.await(silent)
	if !errors.Is(silent.Err, poller.ErrClosed) {
		t.Fatalf("closed silent connect: %v; want ErrClosed", silent.Err)
	}
}

// NewWith names a malformed silent address and refuses a negative connect timeout.
func TestSilentOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		opts fakepoller.Options
		want string
	}{
		{fakepoller.Options{Silent: []string{"10.0.0.1", "example.com:80"}}, `"example.com:80"`},
		{fakepoller.Options{Silent: []string{"nohost"}}, `"nohost"`},
		{fakepoller.Options{Silent: []string{":80"}}, `":80"`},
		{fakepoller.Options{Silent: []string{"10.0.0.1:http"}}, `"10.0.0.1:http"`},
		{fakepoller.Options{ConnectTimeout: -time.Second}, "ConnectTimeout"},
	} {
		_, err := fakepoller.NewWith(fakeclock.New(), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewWith(%+v) = %v; want an error naming %s", tc.opts, err, tc.want)
		}
	}
	for _, ok := range []string{"10.0.0.1", "10.0.0.1:80", "::1", "[::1]", "[::1]:80", "localhost", "localhost:80"} {
		if _, err := fakepoller.NewWith(fakeclock.New(), fakepoller.Options{Silent: []string{ok}}); err != nil {
			t.Errorf("NewWith with Silent %q: %v; want it accepted", ok, err)
		}
	}
}
