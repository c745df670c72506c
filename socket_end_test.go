package nodeloop_test

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// endBytes is the size of the write that End must flush before the end of the stream.
const endBytes = 64 << 20

// patterned returns n bytes that are not all alike, so that a lost or moved piece
// shows in a checksum.
func patterned(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// drainThenReply reads c to the end of the stream, counting and checksumming, then
// writes reply back on the half-open connection and closes it.
func drainThenReply(t *testing.T, c *nodeloop.Conn, reply string, got *int, sum *uint32, eofs *int) {
	var read func()
	read = func() {
		c.Read(func(b []byte, err error) {
			switch {
			case err == io.EOF:
				*eofs++
				c.Write([]byte(reply), func(n int, err error) {
					if err != nil || n != len(reply) {
						t.Errorf("reply after the peer's end: %d, %v", n, err)
					}
					c.Close(nil)
				})
			case err != nil:
				t.Errorf("read after %d bytes: %v", *got, err)
				c.Close(nil)
			default:
				*got += len(b)
				*sum = crc32.Update(*sum, crc32.IEEETable, b)
				read()
			}
		})
	}
	read()
}

// 64 MB written then End: every byte arrives, then the end of the stream; the peer
// still writes back on the half-open connection, and the ended side reads it.
func TestEndFlushesThenShuts(t *testing.T) {
	l, rec := newReal(t, 0)
	data := patterned(endBytes)
	var got, eofs int
	var sum uint32
	var wrote int
	var endErr error = errors.New("End's callback never ran")
	var reply strings.Builder
	var order []string
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			ln.Close(nil)
			drainThenReply(t, c, "reply after your end", &got, &sum, &eofs)
		})
		if err != nil {
			t.Fatal(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			c.Write(data, func(n int, err error) {
				wrote = n
				order = append(order, "write")
				if err != nil {
					t.Errorf("write: %v", err)
				}
			})
			c.End(func(err error) {
				order = append(order, "end")
				endErr = err
			})
			var read func()
			read = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						if err != io.EOF {
							t.Errorf("read on the ended side: %v", err)
						}
						order = append(order, "eof")
						c.Close(nil)
						return
					}
					reply.Write(b)
					read()
				})
			}
			read()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if wrote != endBytes || endErr != nil {
		t.Fatalf("write callback %d bytes, End's callback %v; want %d, nil", wrote, endErr, endBytes)
	}
	if got != endBytes || sum != crc32.ChecksumIEEE(data) || eofs != 1 {
		t.Fatalf("the peer read %d bytes (checksum ok: %v) and %d ends of stream; want all %d, then one", got, sum == crc32.ChecksumIEEE(data), eofs, endBytes)
	}
	if reply.String() != "reply after your end" {
		t.Fatalf("the ended side read %q; want the peer's reply", reply.String())
	}
	if strings.Join(order, " ") != "write end eof" {
		t.Fatalf("callbacks %v; want the write's, End's, then the end of the reply", order)
	}
	shutdowns := 0
	for _, e := range rec.Events() {
		if e.Kind == traces.KindOpStart && e.Op == "shutdown" {
			shutdowns++
		}
	}
	if shutdowns != 1 {
		t.Fatalf("%d shutdown operations in the trace; want 1", shutdowns)
	}
}

// Write then Close: Close discards what is queued, and the write callbacks count the
// bytes that reached the system, which are exactly the bytes the peer receives
// before the end of the stream.
func TestWriteThenCloseCounts(t *testing.T) {
	l, _ := newReal(t, 0)
	data := patterned(endBytes)
	var got, eofs int
	var sum uint32
	counts := []int{-1, -1, -1}
	var errs [3]error
	err := l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			ln.Close(nil)
			drainThenReply(t, c, "", &got, &sum, &eofs)
		})
		if err != nil {
			t.Fatal(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			c.Write([]byte("small"), func(n int, err error) { counts[0], errs[0] = n, err })
			c.Write(data, func(n int, err error) { counts[1], errs[1] = n, err })
			c.Write([]byte("never"), func(n int, err error) { counts[2], errs[2] = n, err })
			// The first write went to the system at once, the second partly, the
			// third not at all; a callback of a later tick closes.
			l.SetImmediate(func() { c.Close(nil) })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if !errors.Is(err, nodeloop.ErrClosed) {
			t.Fatalf("write %d: (%d, %v); want ErrClosed", i, counts[i], err)
		}
	}
	if counts[0] != 5 || counts[1] < 0 || counts[1] >= endBytes || counts[2] != 0 {
		t.Fatalf("write counts %v; want 5, part of %d, 0", counts, endBytes)
	}
	want := crc32.Update(crc32.ChecksumIEEE([]byte("small")), crc32.IEEETable, data[:counts[1]])
	if got != 5+counts[1] || sum != want || eofs != 1 {
		t.Fatalf("the peer read %d bytes (checksum ok: %v), %d ends of stream; want the %d counted, then the end", got, sum == want, eofs, 5+counts[1])
	}
}

// On the simulated network, End's shutdown is an operation of the trace, the peer
// reads everything and then io.EOF in virtual time, and the other direction lives on.
// Close before the writes are flushed gives End's callback ErrClosed in the close
// phase, after the writes' callbacks.
func TestEndSimulated(t *testing.T) {
	for _, closeEarly := range []bool{false, true} {
		t.Run(fmt.Sprintf("closeEarly=%v", closeEarly), func(t *testing.T) {
			w := newWorld(t)
			w.run(func() {
				l := w.l
				var ln *nodeloop.Listener
				ln, err := l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
					ln.Close(nil)
					n := 0
					var read func()
					read = func() {
						c.Read(func(b []byte, err error) {
							if err != nil {
								w.add(fmt.Sprintf("server read %d then %v", n, err))
								if err == io.EOF {
									c.Write([]byte("back"), func(int, error) { c.Close(nil) })
								} else {
									c.Close(nil)
								}
								return
							}
							n += len(b)
							read()
						})
					}
					read()
				})
				if err != nil {
					t.Fatal(err)
				}
				l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
					c.Write(make([]byte, 200<<10), func(n int, err error) { w.add(fmt.Sprintf("write %d %v", n, err)) })
					c.End(func(err error) { w.add(fmt.Sprintf("end %v", err)) })
					if closeEarly {
						c.Close(func() { w.add("closed") })
						return
					}
					c.Read(func(b []byte, err error) {
						w.add(fmt.Sprintf("client read %q %v", b, err))
						c.Read(func(b []byte, err error) {
							w.add(fmt.Sprintf("client read %q %v", b, err))
							c.Close(nil)
						})
					})
				})
			})
			want := "write 204800 <nil>|end <nil>|server read 204800 then EOF|client read \"back\" <nil>|client read \"\" EOF"
			if closeEarly {
				// The network took the first 64 KiB at once.
				want = fmt.Sprintf("write %d %v|end %v|closed|server read %d then EOF", 64<<10, nodeloop.ErrClosed, nodeloop.ErrClosed, 64<<10)
			}
			if got := strings.Join(w.got, "|"); got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// Writing after End and ending twice are programmer errors.
func TestEndMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(c *nodeloop.Conn)
		want string
	}{
		{"write after End", func(c *nodeloop.Conn) { c.End(nil); c.Write([]byte("x"), func(int, error) {}) }, "nodeloop: Conn.Write called after End"},
		{"End twice", func(c *nodeloop.Conn) { c.End(nil); c.End(nil) }, "nodeloop: Conn.End called twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			var got any
			err := w.l.Run(func() {
				ln, _ := w.l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) { c.Close(nil) })
				ln.Unref()
				w.l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
					defer func() { got = recover(); c.Close(nil); ln.Close(nil) }()
					tc.do(c)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := got.(string); !strings.HasPrefix(s, tc.want) {
				t.Fatalf("panic %v; want one starting %q", got, tc.want)
			}
		})
	}
}

// refuseShutdown is a fake poller that refuses every Shutdown, as a replayed run
// whose recording says so.
type refuseShutdown struct{ *fakepoller.Poller }

var errNoShutdown = errors.New("no shutdown here")

func (p refuseShutdown) Start(op *poller.Op) error {
	if op.Kind == poller.Shutdown {
		return errNoShutdown
	}
	return p.Poller.Start(op)
}

// A shutdown the poller refuses gives End's callback the error in the next pending
// phase, and the trace keeps its rules with a callback or without.
func TestEndRefused(t *testing.T) {
	for _, withCb := range []bool{true, false} {
		t.Run(fmt.Sprintf("callback=%v", withCb), func(t *testing.T) {
			clock := fakeclock.New()
			fp := fakepoller.New(clock)
			rec := traces.NewMemory()
			l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(refuseShutdown{fp}),
				nodeloop.WithPool(sim.NewPool(fp, 1, nil)), nodeloop.WithTracer(rec))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var got error
			err = l.Run(func() {
				var ln *nodeloop.Listener
				ln, _ = l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) { ln.Close(nil); c.Close(nil) })
				l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
					var cb func(error)
					if withCb {
						cb = func(err error) { got = err; c.Close(nil) }
					} else {
						l.SetImmediate(func() { c.Close(nil) })
					}
					c.End(cb)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if withCb && !errors.Is(got, errNoShutdown) {
				t.Fatalf("End's callback got %v; want the refusal", got)
			}
			for _, v := range properties.Check(rec.Events()) {
				t.Errorf("invariant: %v", v)
			}
			for _, e := range rec.Events() {
				if e.Kind == traces.KindCallback && e.Source == traces.SourcePending && e.Phase != traces.PhasePending {
					t.Fatalf("End's refusal called back in the %s phase", e.Phase)
				}
			}
		})
	}
}

// A half-close on the simulated network: the client ends its stream, the server
// reads to the end and answers on the half-open connection.
func ExampleConn_End() {
	clock := fakeclock.New()
	fp := fakepoller.New(clock)
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fp), nodeloop.WithPool(sim.NewPool(fp, 1, nil)))
	if err != nil {
		panic(err)
	}
	defer l.Close()
	err = l.Run(func() {
		var ln *nodeloop.Listener
		ln, _ = l.Listen("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			ln.Close(nil)
			var request []byte
			var read func()
			read = func() {
				c.Read(func(b []byte, err error) {
					if err == io.EOF {
						fmt.Printf("server: %q, then the end of the stream\n", request)
						c.Write([]byte("answer"), func(int, error) { c.End(func(error) { c.Close(nil) }) })
						return
					}
					request = append(request, b...)
					read()
				})
			}
			read()
		})
		l.Dial("tcp", "127.0.0.1:80", func(c *nodeloop.Conn, err error) {
			c.Write([]byte("question"), func(int, error) {})
			c.End(func(err error) { fmt.Println("client: write side shut:", err) })
			var read func()
			read = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						fmt.Println("client:", err)
						c.Close(nil)
						return
					}
					fmt.Printf("client: %q\n", b)
					read()
				})
			}
			read()
		})
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// client: write side shut: <nil>
	// server: "question", then the end of the stream
	// client: "answer"
	// client: EOF
}
