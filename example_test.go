package nodeloop_test

import (
	"errors"
	"fmt"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

// A program on virtual time: its order is the same on every run. Inside an I/O (or
// pool) callback an immediate always runs before a 0 ms timeout; nextTicks run before
// microtasks, right after the callback that queued them.
func Example() {
	clock := fakeclock.New()
	fp := fakepoller.New(clock)
	l, err := nodeloop.New(
		nodeloop.WithClock(clock),
		nodeloop.WithPoller(fp),
		nodeloop.WithPool(sim.NewPool(fp, 4, nil)),
		nodeloop.WithFS(fstest.MapFS{"go.mod": {Data: []byte("module example")}}),
	)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	err = l.Run(func() {
		l.SetTimeout(0, func() { fmt.Println("timeout") })
		l.ReadFile("go.mod", func(b []byte, err error) {
			fmt.Printf("read %d bytes at %v\n", len(b), l.Now().Sub(fakeclock.Epoch))
			l.SetTimeout(0, func() { fmt.Println("timeout from I/O") })
			l.SetImmediate(func() { fmt.Println("immediate from I/O") })
		})
		l.NextTick(func() { fmt.Println("nextTick") })
		l.QueueMicrotask(func() { fmt.Println("microtask") })
		fmt.Println("main")
	})
	if err != nil {
		panic(err)
	}
	// The read and the 1 ms timeout finish at the same virtual instant: the poll phase
	// that wakes for the read comes before the next tick's timers phase.

	// Output:
	// main
	// nextTick
	// microtask
	// read 14 bytes at 1ms
	// immediate from I/O
	// timeout
	// timeout from I/O
}

// An interval of one hour, cleared after a day: on virtual time it takes
// milliseconds.
func ExampleLoop_SetInterval() {
	clock := fakeclock.New()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fakepoller.New(clock)))
	if err != nil {
		panic(err)
	}
	defer l.Close()
	runs := 0
	var iv *nodeloop.Timer
	l.Run(func() {
		iv = l.SetInterval(time.Hour, func() {
			if runs++; runs == 24 {
				l.ClearTimeout(iv)
			}
		})
	})
	fmt.Println(runs, "runs,", l.Now().Sub(fakeclock.Epoch), "of virtual time")
	// Output: 24 runs, 24h0m0s of virtual time
}

// A function Post accepted always runs: here the loop is stopped before it gets to
// the result a goroutine posted, and Close delivers it. A Post after Close is
// refused.
func ExampleLoop_Post() {
	clock := fakeclock.New()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fakepoller.New(clock)))
	if err != nil {
		panic(err)
	}
	l.Run(func() {
		accepted := make(chan error)
		go func() { accepted <- l.Post(func() { fmt.Println("result delivered") }) }()
		if err := <-accepted; err != nil {
			panic(err)
		}
		l.Stop()
	})
	fmt.Println("Run returned")
	if err := l.Close(); err != nil {
		panic(err)
	}
	err = l.Post(func() {})
	fmt.Println(err, errors.Is(err, nodeloop.ErrClosed))
	// Output:
	// Run returned
	// result delivered
	// nodeloop: Post on a closed loop true
}
