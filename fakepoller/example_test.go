package fakepoller_test

import (
	"fmt"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// A client sends a greeting and closes; the server reads it and then the end of
// the stream. Every message takes 1 ms of virtual time, so the run prints the same
// times on every machine.
func Example_network() {
	clock := fakeclock.New()
	p, err := fakepoller.NewWith(clock, fakepoller.Options{MinLatency: time.Millisecond, MaxLatency: time.Millisecond})
	if err != nil {
		panic(err)
	}
	ln, addr, _ := p.Listen("tcp", "127.0.0.1:0")
	p.Start(&poller.Op{ID: 1, Kind: poller.Accept, Socket: ln})
	p.Start(&poller.Op{ID: 2, Kind: poller.Connect, Network: "tcp", Address: addr.String()})
	var done []*poller.Op
	for {
		done, err = p.Wait(done[:0], -1)
		if err != nil {
			fmt.Println(err == fakepoller.ErrStuck, "nothing more can happen")
			return
		}
		for _, op := range done {
			fmt.Printf("%v %v #%d: %q %v\n", clock.Now().Sub(fakeclock.Epoch), op.Kind, op.ID, op.Buf[:op.N], op.Err)
			switch op.ID {
			case 1: // accepted: read
				p.Start(&poller.Op{ID: 3, Kind: poller.Read, Socket: op.Conn, Buf: make([]byte, 64)})
			case 2: // connected: write
				p.Start(&poller.Op{ID: 4, Kind: poller.Write, Socket: op.Conn, Buf: []byte("hello")})
			case 3: // read: read again until the end
				if op.Err == nil {
					p.Start(op)
				}
			case 4: // written: close
				p.CloseSocket(op.Socket)
			}
		}
	}
	// Output:
	// 1ms accept #1: "" <nil>
	// 2ms connect #2: "" <nil>
	// 2ms write #4: "hello" <nil>
	// 3ms read #3: "hello" <nil>
	// 3ms read #3: "" EOF
	// true nothing more can happen
}
