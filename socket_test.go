package nodeloop_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// An echo over loopback on the OS poller: accept, connect, write, read, EOF, close,
// with every socket callback in the poll phase and every close callback after.
func TestEchoOverLoopback(t *testing.T) {
	l, rec := newReal(t, 0)
	var got strings.Builder
	var closes []string
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			ln.Close(func() { closes = append(closes, "listener") })
			var echo func()
			echo = func() {
				c.Read(func(b []byte, err error) {
					if err == io.EOF {
						c.Close(func() { closes = append(closes, "server conn") })
						return
					}
					if err != nil {
						t.Errorf("server read: %v", err)
						return
					}
					c.Write(append([]byte(nil), b...), func(n int, err error) {
						if err != nil {
							t.Errorf("server write: %v", err)
						}
					})
					echo()
				})
			}
			echo()
		})
		if err != nil {
			t.Fatalf("Listen: %v", err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("Dial: %v", err)
				return
			}
			if c.RemoteAddr().String() != ln.Addr().String() {
				t.Errorf("RemoteAddr %v, want %v", c.RemoteAddr(), ln.Addr())
			}
			c.Write([]byte("hello, "), func(int, error) {})
			c.Write([]byte("loop"), func(n int, err error) {
				if n != 4 || err != nil {
					t.Errorf("write = %d, %v", n, err)
				}
			})
			var read func()
			read = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						t.Errorf("client read: %v", err)
						return
					}
					got.Write(b)
					if got.Len() < len("hello, loop") {
						read()
						return
					}
					c.Close(func() { closes = append(closes, "client conn") })
				})
			}
			read()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != "hello, loop" {
		t.Fatalf("echoed %q", got.String())
	}
	if len(closes) != 3 {
		t.Fatalf("close callbacks %v", closes)
	}
	for _, e := range rec.Events() {
		if e.Kind == traces.KindCallback && e.Source == traces.SourceOp && e.Phase != traces.PhasePoll {
			t.Fatalf("socket callback in the %s phase: %+v", e.Phase, e)
		}
	}
}

// Bad input: an unknown network or a malformed address is an error from Listen and a
// callback error from Dial, delivered in the next pending phase, never inside the call.
func TestSocketBadInput(t *testing.T) {
	l, rec := newReal(t, 0)
	for _, a := range [][2]string{{"udp9", "127.0.0.1:0"}, {"tcp", "no-port"}, {"tcp", "127.0.0.1:99999"}} {
		if _, err := l.Listen(a[0], a[1], func(*nodeloop.Conn, error) {}); err == nil {
			t.Errorf("Listen(%q, %q) succeeded", a[0], a[1])
		}
	}
	var errs []error
	inside := true
	err := l.Run(func() {
		l.Dial("udp9", "127.0.0.1:1", func(c *nodeloop.Conn, err error) {
			if inside {
				t.Error("Dial called back from inside the call")
			}
			errs = append(errs, err)
		})
		l.Dial("tcp", "::not an address", func(c *nodeloop.Conn, err error) { errs = append(errs, err) })
		inside = false
	})
	if err != nil || len(errs) != 2 || errs[0] == nil || errs[1] == nil {
		t.Fatalf("Run = %v, dial errors %v", err, errs)
	}
	for _, e := range rec.Events() {
		if e.Kind == traces.KindCallback && e.Source == traces.SourcePending && e.Phase != traces.PhasePending {
			t.Fatalf("a start error reached its callback in the %s phase", e.Phase)
		}
	}
}

// Connecting to a closed port is ECONNREFUSED, which errors.Is matches.
func TestDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	l, _ := newReal(t, 0)
	var got error
	if err := l.Run(func() { l.Dial("tcp", addr, func(_ *nodeloop.Conn, err error) { got = err }) }); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(got, syscall.ECONNREFUSED) {
		t.Fatalf("Dial to a closed port: %v, want ECONNREFUSED", got)
	}
}

// Listeners and connections with operations in flight keep the loop alive; Unref on
// them works as on timers.
func TestSocketRefUnref(t *testing.T) {
	l, _ := newReal(t, 0)
	err := l.Run(func() {
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {})
		if err != nil {
			t.Fatal(err)
		}
		if l.Pending() != 1 || !ln.HasRef() {
			t.Errorf("a listener: Pending %d, HasRef %v; want 1, true", l.Pending(), ln.HasRef())
		}
		ln.Unref()
		if l.Pending() != 0 || ln.HasRef() {
			t.Errorf("an unref'd listener: Pending %d, HasRef %v", l.Pending(), ln.HasRef())
		}
	})
	if err != nil {
		t.Fatal(err) // Run returned: the unref'd listener did not keep the loop alive
	}

	l2, _ := newReal(t, 0)
	reads := 0
	err = l2.Run(func() {
		var ln *nodeloop.Listener
		ln, _ = l2.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			c.Read(func([]byte, error) { reads++ }) // never gets data
			c.Unref()
		})
		l2.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			c.Read(func([]byte, error) { reads++ })
			c.Unref()
			if c.HasRef() {
				t.Error("HasRef after Unref")
			}
		})
	})
	if err != nil || reads != 0 {
		t.Fatalf("Run = %v with reads %d; the unref'd connections kept the loop alive or read", err, reads)
	}
}

// Close stops a connection at once: its read and writes in flight get ErrClosed in
// the close phase, before the close callback.
func TestCloseWithOperationsInFlight(t *testing.T) {
	l, rec := newReal(t, 0)
	var got []string
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, _ = l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			var drain func()
			drain = func() {
				c.Read(func(_ []byte, err error) {
					if err != nil {
						c.Close(nil)
						return
					}
					drain()
				})
			}
			drain()
		})
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			c.Read(func(_ []byte, err error) { got = append(got, "read: "+fmt.Sprint(err)) })
			big := make([]byte, 64<<20)
			c.Write(big, func(_ int, err error) { got = append(got, "write 1: "+fmt.Sprint(err)) })
			c.Write(big[:10], func(_ int, err error) { got = append(got, "write 2: "+fmt.Sprint(err)) })
			c.Close(func() { got = append(got, "closed") })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "read: " + nodeloop.ErrClosed.Error() + "|write 1: " + nodeloop.ErrClosed.Error() + "|write 2: " + nodeloop.ErrClosed.Error() + "|closed"
	if strings.Join(got, "|") != want {
		t.Fatalf("callbacks %q\nwant %q", got, want)
	}
	for _, e := range rec.Events() {
		if e.Kind == traces.KindCallback && e.Source == traces.SourceOp && e.Phase != traces.PhasePoll && e.Phase != traces.PhaseClose {
			t.Fatalf("op callback in the %s phase", e.Phase)
		}
	}
}

// Closing a listener while connections wait to be accepted, one of them accepted by
// the poller but not yet delivered, ends every one of them: each client sees the end
// of the stream or a reset, and Run returns.
func TestListenerCloseWithConnectionsWaiting(t *testing.T) {
	l, _ := newReal(t, 0)
	dialed, ended := 0, 0
	err := l.Run(func() {
		l.SetTimeout(10*time.Second, func() { t.Error("a client never saw its connection end") }).Unref()
		var ln *nodeloop.Listener
		ln, _ = l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if c != nil {
				c.Read(func([]byte, error) { c.Close(nil) })
			}
		})
		for i := 0; i < 3; i++ {
			l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
				if err != nil {
					t.Errorf("dial %d: %v", i, err)
					return
				}
				if dialed++; dialed == 3 {
					ln.Close(nil)
				}
				c.Write([]byte("hi"), func(int, error) {})
				c.Read(func(b []byte, err error) {
					if err == nil {
						t.Errorf("client %d read %q, want the end of the stream or a reset", i, b)
					}
					ended++
					c.Close(nil)
				})
			})
		}
	})
	if err != nil || ended != 3 {
		t.Fatalf("Run = %v, %d of 3 clients saw their connection end", err, ended)
	}
}
