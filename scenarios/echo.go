package scenarios

import (
	"bytes"
	"strconv"

	"github.com/nodeloop/nodeloop"
)

// echoFirstBytes is the room the echo server's copy of what a connection sent
// starts with: the five messages of a client, 95 bytes.
const echoFirstBytes = 96

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
			// What the server read is copied to the end of echoed, which only grows:
			// each write keeps its own part of it, which no later copy touches.
			var echoed []byte
			var read func([]byte, error)
			read = func(b []byte, err error) {
				if err != nil {
					done()
					return
				}
				if echoed == nil {
					echoed = make([]byte, 0, echoFirstBytes)
				}
				start := len(echoed)
				echoed = append(echoed, b...)
				c.Write(echoed[start:len(echoed):len(echoed)], wrote)
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
					out.Print("main", "client "+strconv.Itoa(i)+": "+err.Error())
					if refused++; served+refused == clients {
						stop()
					}
					return
				}
				// The messages are "client <i> message <m>;", made in one buffer that
				// holds them all, each written from its part of it: want, the first
				// half of the buffer whose second half takes what comes back, got.
				const size = messages * len("client 0 message 0;")
				buf := make([]byte, 0, 2*size)
				want := buf[:0:size]
				for m := range messages {
					start := len(want)
					want = append(want, "client "...)
					want = strconv.AppendInt(want, int64(i), 10)
					want = append(want, " message "...)
					want = strconv.AppendInt(want, int64(m), 10)
					want = append(want, ';')
					c.Write(want[start:len(want):len(want)], func(int, error) {})
				}
				got := buf[size:size]
				done := closer(c)
				var read func([]byte, error)
				read = func(b []byte, err error) {
					if err != nil {
						out.Print("main", "client "+strconv.Itoa(i)+": "+err.Error()+" after "+strconv.Itoa(len(got))+" bytes")
						done()
						return
					}
					got = append(got, b...)
					if len(got) < len(want) {
						c.Read(read)
						return
					}
					if bytes.Equal(got, want) {
						out.Print("main", "client "+strconv.Itoa(i)+": "+strconv.Itoa(len(got))+" bytes echoed intact")
					} else {
						out.Print("main", "client "+strconv.Itoa(i)+": the echo differs")
					}
					done()
				}
				c.Read(read)
			})
		}
	}
}
