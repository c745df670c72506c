package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
)

// slowServer listens on the loop's loopback and answers one HTTP request after delay,
// as the book's slowwly service did; it closes once it has answered.
func slowServer(l *nodeloop.Loop, delay time.Duration) (*nodeloop.Listener, error) {
	var ln *nodeloop.Listener
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		ln.Close(nil)
		var req []byte
		var read func()
		read = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
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
					c.Write([]byte(resp), func(int, error) { c.Close(nil) })
				})
			})
		}
		read()
	})
	return ln, err
}

// httpGetSlow starts a slow server on the loop, sends it a GET through the loop's
// poller and passes the response to cb, as the book's Http::http_get_slow.
func httpGetSlow(l *nodeloop.Loop, delay time.Duration, cb func(string, error)) {
	ln, err := slowServer(l, delay)
	if err != nil {
		l.SetImmediate(func() { cb("", err) })
		return
	}
	addr := ln.Addr().String()
	l.Dial("tcp", addr, func(c *nodeloop.Conn, err error) {
		if err != nil {
			cb("", err)
			return
		}
		req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
		c.Write([]byte(req), func(_ int, err error) {
			if err != nil {
				c.Close(nil)
				cb("", err)
			}
		})
		var resp strings.Builder
		var read func()
		read = func() {
			c.Read(func(b []byte, err error) {
				switch {
				case err == io.EOF:
					c.Close(nil)
					cb(strings.TrimSpace(resp.String()), nil)
				case err != nil:
					c.Close(nil)
					cb("", err)
				default:
					resp.Write(b)
					read()
				}
			})
		}
		read()
	})
}
