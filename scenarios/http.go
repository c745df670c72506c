package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
)

// closer closes a connection once, however many paths (a failed write, a failed
// read, the end of the exchange) decide to close it.
func closer(c *nodeloop.Conn) func() {
	closed := false
	return func() {
		if !closed {
			closed = true
			c.Close(nil)
		}
	}
}

// slowServer listens on the loop's loopback and answers one HTTP request after delay,
// as the book's slowwly service did. It stops listening once it has a connection, or
// when the returned stop is called.
func slowServer(l *nodeloop.Loop, delay time.Duration) (ln *nodeloop.Listener, stop func(), err error) {
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			ln.Close(nil)
		}
	}
	ln, err = l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		stop()
		done := closer(c)
		var req []byte
		var read func()
		read = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					done()
					return
				}
				req = append(req, b...)
				if !bytes.Contains(req, []byte("\r\n\r\n")) {
					read()
					return
				}
				l.SetTimeout(delay, func() {
					body := fmt.Sprintf("Hello from the slow server, after %v.", delay)
					resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
					c.Write([]byte(resp), func(int, error) { done() })
				})
			})
		}
		read()
	})
	return ln, stop, err
}

// httpGetSlow starts a slow server on the loop, sends it a GET through the loop's
// poller and passes the response to cb, as the book's Http::http_get_slow.
func httpGetSlow(l *nodeloop.Loop, delay time.Duration, cb func(string, error)) {
	ln, stop, err := slowServer(l, delay)
	if err != nil {
		l.SetImmediate(func() { cb("", err) })
		return
	}
	addr := ln.Addr().String()
	l.Dial("tcp", addr, func(c *nodeloop.Conn, err error) {
		if err != nil {
			stop() // no connection will come
			cb("", err)
			return
		}
		done := closer(c)
		failed := false
		fail := func(err error) {
			if !failed {
				failed = true
				done()
				cb("", err)
			}
		}
		req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
		c.Write([]byte(req), func(_ int, err error) {
			if err != nil {
				fail(err)
			}
		})
		var resp strings.Builder
		var read func()
		read = func() {
			c.Read(func(b []byte, err error) {
				switch {
				case failed:
				case err == io.EOF:
					done()
					cb(strings.TrimSpace(resp.String()), nil)
				case err != nil:
					fail(err)
				default:
					resp.Write(b)
					read()
				}
			})
		}
		read()
	})
}
