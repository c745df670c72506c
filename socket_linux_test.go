package nodeloop_test

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// When accept hits EMFILE the loop neither spins nor dies, and the listener accepts
// again once descriptors are free.
func TestAcceptEMFILEOnTheLoop(t *testing.T) {
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &orig)

	l, rec := newReal(t, 0)
	var accepted int
	var hogs []int
	freeHogs := func() {
		for _, fd := range hogs {
			unix.Close(fd)
		}
		hogs = nil
	}
	defer freeHogs()
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept error reached the callback: %v", err)
				return
			}
			accepted++
			c.Close(nil)
			ln.Close(nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		// Use up every descriptor but the loop's own.
		lim := orig
		lim.Cur = 64
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Skipf("cannot lower RLIMIT_NOFILE: %v", err)
		}
		for {
			fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				break
			}
			hogs = append(hogs, fd)
		}
		// A client (from another goroutine, with its own descriptor freed for it)
		// connects while the loop has none left: the pending connection is dropped.
		unix.Close(hogs[len(hogs)-1])
		hogs = hogs[:len(hogs)-1]
		addr := ln.Addr().String()
		dropped := make(chan error, 1)
		go func() {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, err = c.Read(make([]byte, 1))
				c.Close()
			}
			dropped <- err
		}()
		// The loop keeps turning (a 1 ms interval counts its ticks) without spinning
		// on the listener; once the client was dropped, descriptors are freed and a
		// second client is accepted.
		var iv *nodeloop.Timer
		iv = l.SetInterval(time.Millisecond, func() {
			select {
			case err := <-dropped:
				if err == nil {
					t.Errorf("the client dropped at EMFILE could read")
				}
				l.ClearTimeout(iv)
				freeHogs()
				unix.Setrlimit(unix.RLIMIT_NOFILE, &orig)
				go func() {
					if c, err := net.Dial("tcp", addr); err == nil {
						c.Close()
					}
				}()
			default:
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if accepted != 1 {
		t.Fatalf("accepted %d connections after descriptors were freed, want 1", accepted)
	}
	// Not spinning: far fewer polls than if the listener were retried in a loop.
	polls := 0
	for _, e := range rec.Events() {
		if e.Kind == traces.KindPoll {
			polls++
		}
	}
	if polls > 100000 {
		t.Fatalf("%d polls: the loop spun on the listener", polls)
	}
}

// A peer that resets mid-write gives the write callback an error matching
// ECONNRESET or EPIPE.
func TestResetMidWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		// Read a little, then reset: SO_LINGER 0 makes Close send RST.
		c.Read(make([]byte, 1024))
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}()
	l, _ := newReal(t, 0)
	var werr error
	err = l.Run(func() {
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Fatal(err)
			}
			// Far more than the socket buffers hold: the write is in flight when the
			// reset comes.
			c.Write(make([]byte, 64<<20), func(_ int, err error) {
				werr = err
				c.Close(nil)
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(werr, syscall.ECONNRESET) && !errors.Is(werr, syscall.EPIPE) {
		t.Fatalf("write error %v, want ECONNRESET or EPIPE", werr)
	}
}
