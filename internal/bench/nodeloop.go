package bench

import (
	"fmt"
	"runtime"
	"time"

	"github.com/nodeloop/nodeloop"
)

// nodeloop's side of each workload, implementation "nodeloop" in [Workloads]: a loop
// of New's defaults, on the operating system's clock, poller and pool, made before
// the measured part and measured from the same points as the libuv peer
// (peers/libuv/*.c), with no round before the measured one.

func version() string { return "nodeloop-" + runtime.Version() }

// nodeloopImmediates chains n immediates, each queuing the next: one per turn of the
// loop, as Node's setImmediate chain.
func nodeloopImmediates(n int) (Result, error) {
	return immediatesChain(Immediates, n, func(*nodeloop.Loop) (func(), error) { return func() {}, nil })
}

// nodeloopImmediatesListener is nodeloopImmediates with one TCP listener on
// 127.0.0.1 open and idle the whole time, its accept pending.
func nodeloopImmediatesListener(n int) (Result, error) {
	return immediatesChain(ImmediatesListener, n, func(l *nodeloop.Loop) (func(), error) {
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if c != nil {
				c.Close(nil)
			}
		})
		if err != nil {
			return nil, err
		}
		return func() { ln.Close(nil) }, nil
	})
}

// immediatesChain measures benchmark name: n immediates chained on a new loop, after
// open has made what the loop holds beside them; the function open returns is
// called when the chain ends, to let the loop end.
func immediatesChain(name string, n int, open func(*nodeloop.Loop) (func(), error)) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	done, err := open(l)
	if err != nil {
		return Result{}, err
	}
	turns := 0
	var next func()
	next = func() {
		if turns++; turns < n {
			l.SetImmediate(next)
			return
		}
		done()
	}
	span := StartSpan()
	err = l.Run(func() { l.SetImmediate(next) })
	r := span.Result(name, ImplNodeloop, n)
	if err == nil && turns != n {
		err = fmt.Errorf("ran %d turns, want %d", turns, n)
	}
	r.Version = version()
	return r, err
}

// nodeloopTimers starts n one-shot timers, 1 ms longer every 1,000, and runs the loop
// until all have fired, on the real clock: the wall time cannot fall below the last
// delay, so the CPU column is the one to compare. As the libuv peer, it reports in
// start_ns how long starting all the timers took.
func nodeloopTimers(n int) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	var (
		fired   int
		started time.Duration
	)
	cb := func() { fired++ }
	span := StartSpan()
	err = l.Run(func() {
		for i := 0; i < n; i++ {
			l.SetTimeout(timerDelay(i), cb)
		}
		started = time.Since(span.wall)
	})
	r := span.Result(Timers, ImplNodeloop, n)
	if err == nil && fired != n {
		err = fmt.Errorf("%d of %d timers fired", fired, n)
	}
	r.Version = version()
	r.Extra = map[string]string{"start_ns": fmt.Sprint(started.Nanoseconds())}
	return r, err
}

// nodeloopPool submits n trivial jobs to the pool of 4 workers from main and runs the
// loop until every done callback has run. Each job's work is a closure returning its
// index.
func nodeloopPool(n int) (Result, error) {
	l, err := nodeloop.New(nodeloop.WithWorkers(4))
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	// One done callback serves every job, as the libuv peer's after_work_cb; the sum
	// of the indexes the jobs return shows that each ran once.
	var done, sum int
	finish := func(v int, err error) {
		if err == nil {
			done++
			sum += v
		}
	}
	span := StartSpan()
	err = l.Run(func() {
		for i := 0; i < n; i++ {
			nodeloop.Work(l, func() (int, error) { return i, nil }, finish)
		}
	})
	r := span.Result(Pool, ImplNodeloop, n)
	if want := n * (n - 1) / 2; err == nil && (done != n || sum != want) {
		err = fmt.Errorf("%d of %d jobs done, their indexes summing to %d, want %d", done, n, sum, want)
	}
	r.Version = version()
	r.Extra = map[string]string{"threads": "4"}
	return r, err
}

// nodeloopPingPong sends a 4-byte message back and forth n times over loopback TCP,
// client and server on one loop. As every peer, it measures from the connected
// client's first write to the last answer's arrival; closing down is not measured.
//
// Its loop has a thread of its own (WithLockedThread), as a server's loop that has
// a goroutine for its whole life: on Linux it then runs on io_uring, with a ring
// for that one thread, unless NODELOOP_POLLER says otherwise.
func nodeloopPingPong(n int) (Result, error) {
	l, err := nodeloop.New(nodeloop.WithLockedThread())
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	var (
		trips   int
		failure error
		span    Span
		r       Result // taken at the last round trip, before the sockets close
	)
	fail := func(err error) {
		if failure == nil {
			failure = err
		}
	}
	msg := []byte("PING")
	err = l.Run(func() {
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				fail(err)
				return
			}
			ln.Close(nil)
			// The server answers every 4 bytes it has received with 4 bytes. Its
			// callbacks, as the client's, are made once: a program that keeps a
			// connection busy does not allocate per message.
			pending := 0
			written := func(_ int, err error) {
				if err != nil {
					fail(err)
				}
			}
			var serve func(b []byte, err error)
			serve = func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				pending += len(b)
				for ; pending >= len(msg); pending -= len(msg) {
					c.Write(msg, written)
				}
				c.Read(serve)
			}
			c.Read(serve)
		})
		if err != nil {
			fail(err)
			return
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				fail(err)
				return
			}
			span = StartSpan()
			got := 0
			written := func(_ int, err error) {
				if err != nil {
					fail(err)
				}
			}
			var read func(b []byte, err error)
			read = func(b []byte, err error) {
				if err != nil {
					fail(err)
					c.Close(nil)
					return
				}
				for got += len(b); got >= len(msg); got -= len(msg) {
					if trips++; trips == n {
						r = span.Result(PingPong, ImplNodeloop, n)
						c.Close(nil)
						return
					}
					c.Write(msg, written)
				}
				c.Read(read)
			}
			c.Write(msg, written)
			c.Read(read)
		})
	})
	if err == nil {
		err = failure
	}
	if err == nil && trips != n {
		err = fmt.Errorf("%d of %d round trips", trips, n)
	}
	r.Version = version()
	return r, err
}

// nodeloopPost returns the workload of the benchmark of PostGroup with posters
// posting goroutines: they start together and post n messages in all, one function
// shared by every message, and the loop counts them; the time runs from their start to
// the last message counted, as in the libuv peer (peers/libuv/post.c). A referenced
// timer keeps the loop alive until then, since the posters may not have posted yet.
func nodeloopPost(posters int) Func {
	return func(n int) (Result, error) {
		l, err := nodeloop.New()
		if err != nil {
			return Result{}, err
		}
		defer l.Close()
		var (
			counted int
			keep    *nodeloop.Timer
			postErr = make(chan error, posters)
		)
		count := func() {
			if counted++; counted == n {
				l.ClearTimeout(keep)
			}
		}
		span := StartSpan()
		err = l.Run(func() {
			keep = l.SetTimeout(time.Hour, func() {})
			for i := range posters {
				go func(k int) {
					var err error
					for range k {
						if err = l.Post(count); err != nil {
							break
						}
					}
					postErr <- err
				}(n/posters + b2i(i < n%posters))
			}
		})
		r := span.Result("", ImplNodeloop, n)
		for range posters {
			if perr := <-postErr; err == nil {
				err = perr
			}
		}
		if err == nil && counted != n {
			err = fmt.Errorf("%d of %d messages counted", counted, n)
		}
		r.Version = version()
		r.Extra = map[string]string{"posters": fmt.Sprint(posters)}
		return r, err
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nodeloopPostRTT runs n round trips of a post: another goroutine posts a function
// and waits until the loop has run it (the function signals a channel), then posts
// the next, as the libuv peer (peers/libuv/postrtt.c) waits on a semaphore.
func nodeloopPostRTT(n int) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	var (
		trips   int
		keep    *nodeloop.Timer
		ran     = make(chan struct{}, 1)
		postErr = make(chan error, 1)
	)
	fn := func() {
		if trips++; trips == n {
			l.ClearTimeout(keep)
		}
		ran <- struct{}{}
	}
	span := StartSpan()
	err = l.Run(func() {
		keep = l.SetTimeout(time.Hour, func() {})
		go func() {
			for range n {
				if err := l.Post(fn); err != nil {
					postErr <- err
					return
				}
				<-ran
			}
			postErr <- nil
		}()
	})
	r := span.Result(PostRTT, ImplNodeloop, n)
	if perr := <-postErr; err == nil {
		err = perr
	}
	if err == nil && trips != n {
		err = fmt.Errorf("%d of %d round trips", trips, n)
	}
	r.Version = version()
	return r, err
}
