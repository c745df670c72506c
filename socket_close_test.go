package nodeloop_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// connected runs main on a world, then calls fn with the dialed end of a connection
// to a listener that keeps its accepted end reading.
func connected(w *world, fn func(c *nodeloop.Conn)) {
	w.run(func() {
		var ln *nodeloop.Listener
		ln, err := w.l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			c.Read(func([]byte, error) { c.Close(nil) })
		})
		if err != nil {
			w.t.Fatal(err)
		}
		w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				w.t.Fatalf("dial: %v", err)
			}
			fn(c)
		})
	})
}

// closePhases returns the phase of every close callback of the trace, in order.
func (w *world) closePhases() []string {
	var out []string
	for _, e := range w.rec.Events() {
		if e.Kind == traces.KindCallback && e.Source == traces.SourceClose {
			out = append(out, fmt.Sprintf("%s@%d", e.Phase, e.Tick))
		}
	}
	return out
}

// A second Close of a connection does nothing more: Closed reports the first from
// then on, and the second callback runs right after the first, in the same close
// phase; a nil callback is allowed either time.
func TestConnCloseTwice(t *testing.T) {
	w := newWorld(t)
	connected(w, func(c *nodeloop.Conn) {
		if c.Closed() {
			t.Error("Closed() before Close = true")
		}
		c.Close(func() { w.add(fmt.Sprintf("first closed=%v", c.Closed())) })
		if !c.Closed() {
			t.Error("Closed() after Close = false")
		}
		c.Close(nil)
		c.Close(func() { w.add("second") })
	})
	w.want("first closed=true", "second")
}

// The usual close on error: a write's callback closes its connection on the
// ErrClosed that the program's own Close gave it, and the loop goes on; the callback
// of that Close runs right after the program's, in the same close phase.
func TestCloseOnWriteErrorAfterClose(t *testing.T) {
	w := newWorld(t)
	connected(w, func(c *nodeloop.Conn) {
		c.Write(make([]byte, 1<<20), func(n int, err error) {
			w.add(fmt.Sprintf("write %v", err != nil))
			if err != nil {
				c.Close(func() { w.add("closed on error") })
			}
		})
		c.Read(func(_ []byte, err error) {
			if err != nil {
				c.Close(func() { w.add("closed on read error") })
			}
		})
		c.Close(func() { w.add("closed") })
	})
	w.want("write true", "closed", "closed on read error", "closed on error")
	if got := w.closePhases(); len(got) < 1 || !strings.HasPrefix(got[0], "close@") {
		t.Fatalf("close callbacks %v; want them in the close phase", got)
	}
}

// A Close after the first one's close phase is over runs its callback in the next
// close phase, once.
func TestCloseAfterCloseFinished(t *testing.T) {
	w := newWorld(t)
	connected(w, func(c *nodeloop.Conn) {
		c.Close(func() {
			w.add("first")
			w.l.SetTimeout(5, func() {
				c.Close(func() { w.add(fmt.Sprintf("late closed=%v", c.Closed())) })
				w.add("asked")
			})
		})
	})
	w.want("first", "asked", "late closed=true")
	phases := w.closePhases()
	if len(phases) < 2 || !strings.HasPrefix(phases[len(phases)-1], "close@") {
		t.Fatalf("close callbacks in %v; want the late one in a close phase", phases)
	}
}

// A listener closes twice as a connection does, and reports Closed.
func TestListenerCloseTwice(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		ln, err := w.l.Listen("tcp", "127.0.0.1:80", func(*nodeloop.Conn, error) {})
		if err != nil {
			t.Fatal(err)
		}
		if ln.Closed() {
			t.Error("Closed() before Close = true")
		}
		ln.Close(func() { w.add("first") })
		ln.Close(func() { w.add("second") })
		if !ln.Closed() {
			t.Error("Closed() after Close = false")
		}
		w.l.SetTimeout(5, func() { ln.Close(func() { w.add("late") }) })
	})
	w.want("first", "second", "late")
}

// Every other use of a closed connection is still a programmer error.
func TestConnUseAfterClose(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(c *nodeloop.Conn)
		want string
	}{
		{"End", func(c *nodeloop.Conn) { c.End(nil) }, "nodeloop: Conn.End after Close"},
		{"Write", func(c *nodeloop.Conn) { c.Write([]byte("x"), func(int, error) {}) }, "nodeloop: Conn.Write after Close"},
		{"Read", func(c *nodeloop.Conn) { c.Read(func([]byte, error) {}) }, "nodeloop: Conn.Read after Close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			var got any
			connected(w, func(c *nodeloop.Conn) {
				c.Close(nil)
				defer func() { got = recover() }()
				tc.do(c)
			})
			if s, _ := got.(string); !strings.HasPrefix(s, tc.want) {
				t.Fatalf("panic %v; want one starting %q", got, tc.want)
			}
		})
	}
}
