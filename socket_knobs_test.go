package nodeloop_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// ticker is a server for the idle timeout tests: it accepts one connection, writes
// "x" to it at each of the given times (in ms from the accept), reads what comes,
// and closes it when the peer ends its stream.
func ticker(w *world, at ...int) {
	var ln *nodeloop.Listener
	ln, err := w.l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
		ln.Close(nil)
		for _, ms := range at {
			w.l.SetTimeout(time.Duration(ms)*time.Millisecond, func() {
				if !c.Closed() {
					c.Write([]byte("x"), func(int, error) {})
				}
			})
		}
		var read func()
		read = func() {
			c.Read(func(_ []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				read()
			})
		}
		read()
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// readAll reads c until an error, logging each read with its virtual time, and closes
// c at the end of the stream; a read cut short by the program's Close is not logged.
func readAll(w *world, c *nodeloop.Conn) {
	var read func()
	read = func() {
		c.Read(func(b []byte, err error) {
			if errors.Is(err, nodeloop.ErrClosed) {
				return
			}
			if err != nil {
				w.addAt("read " + errName(err))
				c.Close(nil)
				return
			}
			w.addAt("read")
			read()
		})
	}
	read()
}

func errName(err error) string {
	if err == io.EOF {
		return "EOF"
	}
	return err.Error()
}

// The idle timeout runs d after the last traffic, in virtual time: each read restarts
// it; it runs once per silence, again only after new traffic; it does not close.
func TestConnIdleTimeout(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		ticker(w, 50, 100, 150, 400)
		w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			idles := 0
			c.SetTimeout(100*time.Millisecond, func() {
				idles++
				w.addAt("idle")
				if idles == 2 {
					c.Close(nil)
				}
			})
			readAll(w, c)
		})
	})
	w.want("read@50", "read@100", "read@150", "idle@250", "read@400", "idle@500")
	// The idle timer is the loop's own unref'd timer: restarted, in the trace, at
	// each read.
	starts := 0
	for _, e := range w.events(traces.KindTimerStart) {
		if e.Delay == 100*time.Millisecond {
			starts++
		}
	}
	if starts != 1+4+1 {
		t.Fatalf("%d starts of the idle timer; want the first, one per read and one after the idle callback's read", starts)
	}
}

// Writes finishing are traffic too; SetTimeout(0) turns the timeout off and a
// second SetTimeout replaces the first.
func TestConnIdleTimeoutWritesAndOff(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		ticker(w)
		w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			c.SetTimeout(time.Second, func() { w.addAt("idle never") })
			c.SetTimeout(0, nil)
			c.SetTimeout(100*time.Millisecond, func() {
				w.addAt("idle")
				c.SetTimeout(0, nil)
				w.l.SetTimeout(time.Second, func() { c.End(nil) })
			})
			for _, ms := range []int{60, 120} {
				w.l.SetTimeout(time.Duration(ms)*time.Millisecond, func() {
					c.Write([]byte("y"), func(int, error) { w.addAt("wrote") })
				})
			}
			readAll(w, c)
		})
	})
	w.want("wrote@60", "wrote@120", "idle@220", "read EOF@1220")
}

// The idle timeout does not keep the loop alive by itself, as Node's unref'd timer:
// a connection with nothing in flight and an idle timeout lets Run return.
func TestConnIdleTimeoutUnref(t *testing.T) {
	w := newWorld(t)
	var client *nodeloop.Conn
	w.run(func() {
		var ln *nodeloop.Listener
		ln, _ = w.l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) { ln.Close(nil) })
		w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			client = c
			c.SetTimeout(time.Hour, func() { w.add("idle") })
		})
	})
	if len(w.got) != 0 || w.elapsed() >= time.Hour {
		t.Fatalf("Run ended after %v with %v; want it to end at once, with no idle callback", w.elapsed(), w.got)
	}
	if client == nil || client.Closed() {
		t.Fatalf("the client never connected, or was closed")
	}
}

// WritableLength counts the bytes of the writes not yet called back, the one in
// flight included, and falls as their callbacks run.
func TestConnWritableLength(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		var ln *nodeloop.Listener
		ln, _ = w.l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			var read func()
			read = func() {
				c.Read(func(_ []byte, err error) {
					if err != nil {
						c.Close(nil)
						return
					}
					read()
				})
			}
			read()
		})
		w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			w.add(fmt.Sprint("before ", c.WritableLength()))
			c.Write(make([]byte, 200<<10), func(int, error) { w.add(fmt.Sprint("first done ", c.WritableLength())) })
			c.Write(make([]byte, 10), func(int, error) {
				w.add(fmt.Sprint("second done ", c.WritableLength()))
				c.Write(make([]byte, 5), func(int, error) {})
				c.Write(make([]byte, 7), func(int, error) {})
				c.Close(func() { w.add(fmt.Sprint("closed ", c.WritableLength())) })
			})
			w.add(fmt.Sprint("queued ", c.WritableLength()))
		})
	})
	w.want("before 0", fmt.Sprint("queued ", 200<<10+10), "first done 10", "second done 0", "closed 0")
}

// optionLog is the world's fake poller, noting the options set through it.
type optionLog struct {
	*fakepoller.Poller
	set []string
	on  []poller.Socket
}

func (p *optionLog) SetOption(s poller.Socket, o poller.Option) error {
	p.set = append(p.set, fmt.Sprintf("%v on=%v delay=%v", o.Kind, o.On, o.Delay))
	p.on = append(p.on, s)
	return p.Poller.SetOption(s, o)
}

// SetNoDelay and SetKeepAlive set the options of the connection's socket through
// the poller; the fake network records them there.
func TestConnOptionsSimulated(t *testing.T) {
	clock := fakeclock.New()
	fp := fakepoller.New(clock)
	log := &optionLog{Poller: fp}
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(log), nodeloop.WithPool(sim.NewPool(fp, 1, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = l.Run(func() {
		var ln *nodeloop.Listener
		ln, _ = l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) { ln.Close(nil); c.Close(nil) })
		l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			for _, err := range []error{
				c.SetNoDelay(false),
				c.SetKeepAlive(true, 30*time.Second),
			} {
				if err != nil {
					t.Errorf("setting an option: %v", err)
				}
			}
			if len(log.on) != 2 || log.on[0] != log.on[1] {
				t.Fatalf("options set on sockets %v; want both on the connection's", log.on)
			}
			nd, _ := fp.SocketOption(log.on[0], poller.NoDelay)
			ka, _ := fp.SocketOption(log.on[0], poller.KeepAlive)
			if nd.On || !ka.On || ka.Delay != 30*time.Second {
				t.Errorf("the socket's options: NoDelay %v, KeepAlive %v delay %v; want off, on 30s", nd.On, ka.On, ka.Delay)
			}
			c.Close(nil)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(log.set, "|"); got != "nodelay on=false delay=0s|keepalive on=true delay=30s" {
		t.Fatalf("options set %q", got)
	}
}

// On the operating system's poller the knobs reach a loopback connection without
// error, and it goes on working.
func TestConnOptionsReal(t *testing.T) {
	l, _ := newReal(t, 0)
	var got string
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			c.Write([]byte("ok"), func(int, error) { c.End(nil) })
			c.Read(func([]byte, error) { c.Close(nil) })
		})
		if err != nil {
			t.Fatal(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			for i, err := range []error{
				c.SetNoDelay(false), c.SetNoDelay(true),
				c.SetKeepAlive(true, 0), c.SetKeepAlive(true, 90*time.Second), c.SetKeepAlive(false, 0),
			} {
				if err != nil {
					t.Errorf("option %d: %v", i, err)
				}
			}
			c.Read(func(b []byte, err error) {
				got = string(b)
				c.Close(nil)
			})
		})
	})
	if err != nil || got != "ok" {
		t.Fatalf("Run = %v, read %q; want ok", err, got)
	}
}

// The knobs' misuse panics.
func TestConnKnobsMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(c *nodeloop.Conn)
		want string
	}{
		{"negative timeout", func(c *nodeloop.Conn) { c.SetTimeout(-1, func() {}) }, "nodeloop: Conn.SetTimeout given a negative"},
		{"nil idle callback", func(c *nodeloop.Conn) { c.SetTimeout(time.Second, nil) }, "nodeloop: Conn.SetTimeout"},
		{"negative keep-alive delay", func(c *nodeloop.Conn) { c.SetKeepAlive(true, -time.Second) }, "nodeloop: Conn.SetKeepAlive given a negative"},
		{"SetNoDelay after Close", func(c *nodeloop.Conn) { c.Close(nil); c.SetNoDelay(true) }, "nodeloop: Conn.SetNoDelay after Close"},
		{"SetTimeout after Close", func(c *nodeloop.Conn) { c.Close(nil); c.SetTimeout(time.Second, func() {}) }, "nodeloop: Conn.SetTimeout after Close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			var got any
			connected(w, func(c *nodeloop.Conn) {
				defer func() { got = recover(); c.Close(nil) }()
				tc.do(c)
			})
			if s, _ := got.(string); !strings.HasPrefix(s, tc.want) {
				t.Fatalf("panic %v; want one starting %q", got, tc.want)
			}
		})
	}
}
