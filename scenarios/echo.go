package scenarios

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/nodeloop/nodeloop"
)

// Echo is a TCP echo over loopback on one loop: a server echoes whatever it reads, and
// three clients each send five messages, check that every byte comes back in order,
// and close.
func Echo(l *nodeloop.Loop, out Output) func() {
	const clients, messages = 3, 5
	return func() {
		var ln *nodeloop.Listener
		listening := true
		stop := func() {
			if listening {
				listening = false
				ln.Close(nil)
			}
		}
		// The server stops listening once every client has been accepted or has given
		// up: a refused client never arrives.
		served, refused := 0, 0
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				out.Print("main", "accept: "+err.Error())
				return
			}
			if served++; served+refused == clients {
				stop()
			}
			done := closer(c)
			wrote := func(_ int, err error) {
				if err != nil {
					done()
				}
			}
			var read func([]byte, error)
			read = func(b []byte, err error) {
				if err != nil {
					done()
					return
				}
				c.Write(bytes.Clone(b), wrote)
				c.Read(read)
			}
			c.Read(read)
		})
		if err != nil {
			out.Print("main", "listen: "+err.Error())
			return
		}
		addr := ln.Addr().String()
		for i := range clients {
			l.Dial("tcp", addr, func(c *nodeloop.Conn, err error) {
				if err != nil {
					out.Print("main", fmt.Sprintf("client %d: %v", i, err))
					if refused++; served+refused == clients {
						stop()
					}
					return
				}
				// The messages are "client <i> message <m>;", made in one buffer that
				// holds them all, each written from its part of it.
				want := make([]byte, 0, messages*len("client 0 message 0;"))
				for m := range messages {
					start := len(want)
					want = append(want, "client "...)
					want = strconv.AppendInt(want, int64(i), 10)
					want = append(want, " message "...)
					want = strconv.AppendInt(want, int64(m), 10)
					want = append(want, ';')
					c.Write(want[start:len(want):len(want)], func(int, error) {})
				}
				got := make([]byte, 0, len(want))
				done := closer(c)
				var read func([]byte, error)
				read = func(b []byte, err error) {
					if err != nil {
						out.Print("main", fmt.Sprintf("client %d: %v after %d bytes", i, err, len(got)))
						done()
						return
					}
					got = append(got, b...)
					if len(got) < len(want) {
						c.Read(read)
						return
					}
					if bytes.Equal(got, want) {
						out.Print("main", fmt.Sprintf("client %d: %d bytes echoed intact", i, len(got)))
					} else {
						out.Print("main", fmt.Sprintf("client %d: the echo differs", i))
					}
					done()
				}
				c.Read(read)
			})
		}
	}
}
