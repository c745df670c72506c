package nodeloop_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// tryWriteOrder runs on l: a client writes "hello" with TryWrite, which the system
// takes at once, then a large Write, and tries a byte while that write is in flight,
// which TryWrite refuses, since writes go out in order. Once the large write is done
// it tries "!" again and writes what TryWrite left. It returns what the server read
// and the counts TryWrite returned.
func tryWriteOrder(t *testing.T, l *nodeloop.Loop, addr string, big []byte) (read []byte, counts []int) {
	t.Helper()
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", addr, func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			ln.Close(nil)
			var next func()
			next = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						c.Close(nil)
						return
					}
					read = append(read, b...)
					next()
				})
			}
			next()
		})
		if err != nil {
			t.Fatal(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			hello := []byte("hello")
			n := c.TryWrite(hello)
			counts = append(counts, n)
			if n < len(hello) {
				c.Write(hello[n:], func(int, error) {}) // a poller that cannot write at once
			}
			c.Write(big, func(n int, err error) {
				if err != nil || n != len(big) {
					t.Errorf("large write: (%d, %v)", n, err)
				}
				n = c.TryWrite([]byte("!"))
				counts = append(counts, n)
				if n == 0 {
					c.Write([]byte("!"), func(int, error) {})
				}
				c.End(func(error) {})
			})
			counts = append(counts, c.TryWrite([]byte("x")))
			if want := len(big) + len(hello) - n; c.WritableLength() != want {
				t.Errorf("WritableLength %d after TryWrite, want the %d bytes of the writes queued", c.WritableLength(), want)
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return read, counts
}

// TryWrite writes at once what the system takes, never passes a write queued before
// it, and is recorded as a try_write operation that completes at once; the traces keep
// the loop's invariants (newReal and newWorld check them).
func TestConnTryWrite(t *testing.T) {
	big := patterned(4 << 20)
	want := append(append([]byte("hello"), big...), '!')
	check := func(t *testing.T, read []byte, counts []int, events []traces.Event) {
		t.Helper()
		if len(counts) != 3 || counts[0] != 5 || counts[1] != 0 || counts[2] > 1 {
			t.Fatalf("TryWrite returned %v; want 5 on an idle connection, 0 behind the large write, then 0 or 1", counts)
		}
		if !bytes.Equal(read, want) {
			t.Fatalf("the server read %d bytes, want %d: hello, the large write, then !", len(read), len(want))
		}
		tries := 0
		for i, e := range events {
			if e.Op != "try_write" {
				continue
			}
			if e.Kind == traces.KindOpComplete {
				tries++
				if prev := events[i-1]; prev.Kind != traces.KindOpStart || prev.ID != e.ID || e.Err != "" {
					t.Errorf("try_write %d completes at seq %d without its op_start right before it", e.ID, i)
				}
				if tries == 1 && e.Bytes != 5 {
					t.Errorf("the first try_write wrote %d bytes, want 5", e.Bytes)
				}
			}
		}
		if want := min(counts[0], 1) + counts[2]; tries != want {
			t.Errorf("%d try_write operations in the trace, want %d", tries, want)
		}
	}
	t.Run("system", func(t *testing.T) {
		l, rec := newReal(t, 0)
		read, counts := tryWriteOrder(t, l, "127.0.0.1:0", big)
		check(t, read, counts, rec.Events())
	})
	t.Run("simulated", func(t *testing.T) {
		w := newWorld(t)
		read, counts := tryWriteOrder(t, w.l, "127.0.0.1:80", big)
		check(t, read, counts, w.rec.Events())
	})
}

// TryWrite after End panics, as Write does.
func TestConnTryWriteAfterEnd(t *testing.T) {
	w := newWorld(t)
	var msg string
	w.run(func() {
		var ln *nodeloop.Listener
		ln, _ = w.l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			c.Close(nil)
		})
		w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			c.End(func(error) {})
			func() {
				defer func() { msg, _ = recover().(string) }()
				c.TryWrite([]byte("late"))
			}()
			c.Close(nil)
		})
	})
	if !strings.HasPrefix(msg, "nodeloop: Conn.TryWrite called after End") {
		t.Fatalf("TryWrite after End: panic %q; want nodeloop's message", msg)
	}
}
