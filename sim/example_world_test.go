package sim_test

import (
	"fmt"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// A client host dials a server host by its name; the server names its client by
// the address the connection comes from.
func ExampleWorld() {
	w := sim.NewWorld(sim.Config{Seed: 7})
	w.Host("server", func(l *nodeloop.Loop) {
		var ln *nodeloop.Listener
		ln, _ = l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
			from, _ := sim.HostOf(l, c.RemoteAddr())
			c.Read(func(b []byte, err error) {
				fmt.Printf("server: %q from %s\n", b, from)
				c.Write([]byte("hello, "+from), func(int, error) { c.Close(nil) })
			})
			ln.Close(nil)
		})
	})
	w.Host("client", func(l *nodeloop.Loop) {
		l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				fmt.Println("client:", err)
				return
			}
			c.Write([]byte("hi"), func(int, error) {})
			c.Read(func(b []byte, err error) {
				fmt.Printf("client: %q\n", b)
				c.Close(nil)
			})
		})
	})
	res, err := w.Run()
	fmt.Println(res.Verdict, err)
	// Output:
	// server: "hi" from client
	// client: "hello, client"
	// ok <nil>
}
