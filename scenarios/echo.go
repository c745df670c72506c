package scenarios

import (
	"bytes"
	"fmt"

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
			var echo func()
			echo = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						done()
						return
					}
					c.Write(bytes.Clone(b), func(_ int, err error) {
						if err != nil {
							done()
						}
					})
					echo()
				})
			}
			echo()
		})
		if err != nil {
			out.Print("main", "listen: "+err.Error())
			return
		}
		for i := range clients {
			l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
				if err != nil {
					out.Print("main", fmt.Sprintf("client %d: %v", i, err))
					if refused++; served+refused == clients {
						stop()
					}
					return
				}
				var want bytes.Buffer
				for m := range messages {
					msg := fmt.Sprintf("client %d message %d;", i, m)
					want.WriteString(msg)
					c.Write([]byte(msg), func(int, error) {})
				}
				var got bytes.Buffer
				done := closer(c)
				var read func()
				read = func() {
					c.Read(func(b []byte, err error) {
						if err != nil {
							out.Print("main", fmt.Sprintf("client %d: %v after %d bytes", i, err, got.Len()))
							done()
							return
						}
						got.Write(b)
						if got.Len() < want.Len() {
							read()
							return
						}
						if bytes.Equal(got.Bytes(), want.Bytes()) {
							out.Print("main", fmt.Sprintf("client %d: %d bytes echoed intact", i, got.Len()))
						} else {
							out.Print("main", fmt.Sprintf("client %d: the echo differs", i))
						}
						done()
					})
				}
				read()
			})
		}
	}
}
