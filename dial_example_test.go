package nodeloop_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

// Dials to a host that never answers, on virtual time: one canceled after a second,
// one given up by its five-second timeout. Both callbacks run in a pending phase,
// and then nothing keeps the loop alive.
func ExampleLoop_DialTimeout() {
	clock := fakeclock.New()
	fp, err := fakepoller.NewWith(clock, fakepoller.Options{Silent: []string{"10.0.0.1"}})
	if err != nil {
		panic(err)
	}
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fp), nodeloop.WithPool(sim.NewPool(fp, 1, nil)))
	if err != nil {
		panic(err)
	}
	defer l.Close()
	at := func() time.Duration { return l.Now().Sub(fakeclock.Epoch) }
	err = l.Run(func() {
		l.DialTimeout("tcp", "10.0.0.1:80", 5*time.Second, func(c *nodeloop.Conn, err error) {
			fmt.Printf("timed out at %v: %v\n", at(), errors.Is(err, os.ErrDeadlineExceeded))
		})
		d := l.Dial("tcp", "10.0.0.1:443", func(c *nodeloop.Conn, err error) {
			fmt.Printf("canceled at %v: %v\n", at(), errors.Is(err, nodeloop.ErrCanceled))
		})
		l.SetTimeout(time.Second, func() { fmt.Println("cancel:", d.Cancel()) })
	})
	fmt.Println("Run:", err, "pending:", l.Pending())
	// Output:
	// cancel: true
	// canceled at 1s: true
	// timed out at 5s: true
	// Run: <nil> pending: 0
}
