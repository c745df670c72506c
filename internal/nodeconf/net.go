package nodeconf

import (
	"io"

	"github.com/nodeloop/nodeloop"
)

// Node's net module is built of libuv handles plus JavaScript streams; nodeloop
// has the handles only. The programs here rebuild what a script observes:
//
//   - server.listen(0, '127.0.0.1', cb): Loop.Listen, then cb from a nextTick, as
//     Node emits 'listening' (emitListeningNT).
//   - server.close(cb): Listener.Close(nil), then cb from a nextTick once no
//     connection is left, as Node emits a server's 'close' (emitCloseNT) without
//     waiting for the handle's close callback.
//   - net.connect(port, host, cb): Loop.Dial; the 'connect' listener is its
//     callback, an 'error' listener its callback with an error.
//   - socket 'data' and 'end': Conn.Read again and again, until io.EOF ('end').
//   - socket.write(d): Conn.Write. socket.destroy(): Conn.Close; its 'close' event
//     is Close's callback, which runs in the close phase as the handle's
//     uv_close callback does in Node.
//   - socket.end(d) after the peer's end (allowHalfOpen false): Conn.Close once
//     the write is done. nodeloop has no half-close (shutdown), so no scenario
//     relies on one side reading after it ended its own side.

// listen is server.listen(0, '127.0.0.1', onListening) on a server whose
// 'connection' listener is onConn.
func listen(l *nodeloop.Loop, c *console, onConn func(*nodeloop.Conn), onListening func(*nodeloop.Listener)) {
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(conn *nodeloop.Conn, err error) {
		if err != nil {
			c.log("accept error " + errCode(err))
			return
		}
		onConn(conn)
	})
	if err != nil {
		c.log("listen error " + errCode(err))
		return
	}
	l.NextTick(func() { onListening(ln) })
}

// closeServer is server.close(cb) on a server with no connection left.
func closeServer(l *nodeloop.Loop, ln *nodeloop.Listener, cb func()) {
	ln.Close(nil)
	if cb != nil {
		l.NextTick(cb)
	}
}

// onData reads conn until its end, as socket.on('data', data) and
// socket.on('end', end); an error other than the end goes to fail.
func onData(conn *nodeloop.Conn, data func([]byte), end func(), fail func(error)) {
	conn.Read(func(b []byte, err error) {
		switch {
		case err == io.EOF:
			end()
		case err != nil:
			fail(err)
		default:
			data(b)
			onData(conn, data, end, fail)
		}
	})
}

func tcpEcho(l *nodeloop.Loop, c *console) {
	var server, client []string
	var ln *nodeloop.Listener
	closed := 0
	done := func() {
		if closed++; closed < 2 {
			return
		}
		closeServer(l, ln, func() {
			for _, line := range client {
				c.log("client: " + line)
			}
			for _, line := range server {
				c.log("server: " + line)
			}
			c.log("server closed")
		})
	}
	onConn := func(sock *nodeloop.Conn) {
		server = append(server, "connection")
		onData(sock, func(b []byte) {
			server = append(server, "data "+string(b))
			sock.Write(append([]byte(nil), b...), func(int, error) {})
		}, func() {
			server = append(server, "end")
			// allowHalfOpen is false: the socket ends its side too, then closes.
			sock.Close(func() {
				server = append(server, "close")
				done()
			})
		}, func(err error) {
			server = append(server, "error "+errCode(err))
			sock.Close(func() {
				server = append(server, "close")
				done()
			})
		})
	}
	listen(l, c, onConn, func(s *nodeloop.Listener) {
		ln = s
		c.log("listening")
		l.Dial("tcp", ln.Addr().String(), func(conn *nodeloop.Conn, err error) {
			if err != nil {
				c.log("client error " + errCode(err))
				return
			}
			client = append(client, "connect")
			conn.Write([]byte("hello"), func(int, error) {})
			conn.Read(func(b []byte, err error) {
				if err != nil {
					client = append(client, "error "+errCode(err))
				} else {
					client = append(client, "data "+string(b))
				}
				conn.Close(func() {
					client = append(client, "close")
					done()
				})
			})
		})
	})
}

func socketCloseAfterCheck(l *nodeloop.Loop, c *console) {
	var ln *nodeloop.Listener
	onConn := func(sock *nodeloop.Conn) {
		// sock.end('x'): write, then close once written.
		sock.Write([]byte("x"), func(int, error) { sock.Close(nil) })
		closeServer(l, ln, nil)
	}
	listen(l, c, onConn, func(s *nodeloop.Listener) {
		ln = s
		l.Dial("tcp", ln.Addr().String(), func(conn *nodeloop.Conn, err error) {
			if err != nil {
				c.log("client error " + errCode(err))
				return
			}
			conn.Read(func(b []byte, err error) {
				if err != nil {
					c.log("client error " + errCode(err))
				} else {
					c.log("client data " + string(b))
				}
				conn.Close(func() { c.log("client close") })
				l.SetImmediate(func() { c.log("immediate") })
				l.NextTick(func() { c.log("tick") })
			})
		})
	})
}

func serverClose(l *nodeloop.Loop, c *console) {
	listen(l, c, func(*nodeloop.Conn) {}, func(ln *nodeloop.Listener) {
		c.log("listening")
		closeServer(l, ln, func() { c.log("close callback") })
		l.NextTick(func() { c.log("tick") })
		l.SetImmediate(func() { c.log("immediate") })
		c.log("after close")
	})
	c.log("main")
}

func connectRefused(l *nodeloop.Loop, c *console) {
	listen(l, c, func(*nodeloop.Conn) {}, func(ln *nodeloop.Listener) {
		addr := ln.Addr().String()
		closeServer(l, ln, func() {
			l.Dial("tcp", addr, func(conn *nodeloop.Conn, err error) {
				if err != nil {
					c.log("error " + errCode(err))
					return
				}
				c.log("connected")
				conn.Close(nil)
			})
			c.log("after connect call")
		})
	})
}

func closeDuringClosePhase(l *nodeloop.Loop, c *console) {
	var ln *nodeloop.Listener
	accepted := 0
	onConn := func(sock *nodeloop.Conn) {
		// sock.resume() with an 'error' listener: read to the end, then close.
		closeSock := func() { sock.Close(nil) }
		onData(sock, func([]byte) {}, closeSock, func(error) { closeSock() })
		if accepted++; accepted == 2 {
			closeServer(l, ln, nil)
		}
	}
	listen(l, c, onConn, func(s *nodeloop.Listener) {
		ln = s
		var c1, c2 *nodeloop.Conn
		connected := 0
		onConnect := func() {
			if connected++; connected < 2 {
				return
			}
			c.log("both connected")
			c1.Close(func() {
				c.log("c1 close")
				c2.Close(func() { c.log("c2 close") })
				l.SetImmediate(func() { c.log("immediate from c1 close") })
				l.NextTick(func() { c.log("tick from c1 close") })
			})
		}
		dial := func(conn **nodeloop.Conn) {
			l.Dial("tcp", ln.Addr().String(), func(cn *nodeloop.Conn, err error) {
				if err != nil {
					c.log("client error " + errCode(err))
					return
				}
				*conn = cn
				onConnect()
			})
		}
		dial(&c1)
		dial(&c2)
	})
}
