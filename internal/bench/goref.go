package bench

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The plain Go peers: each workload written the way a Go programmer would without an
// event loop, with goroutines, channels and the runtime's own timers and network
// poller: implementation "go" in [Workloads].

// goPoolWorkers matches libuv's and Node's default threadpool size.
const goPoolWorkers = 4

// goImmediates hands a token back and forth between two goroutines over one
// unbuffered channel, n times: each hand-off is one turn, the way each immediate
// queues the next in the other implementations.
func goImmediates(n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("operation count %d is not positive", n)
	}
	token := make(chan int)
	var (
		wg    sync.WaitGroup
		turns atomic.Int64
	)
	pass := func() {
		defer wg.Done()
		for t := range token {
			t++
			if t == n {
				turns.Store(int64(t))
				close(token) // the other goroutine is receiving: its range ends
				return
			}
			token <- t
		}
	}
	wg.Add(2)
	span := StartSpan()
	go pass()
	go pass()
	token <- 0
	wg.Wait()
	r := span.Result(Immediates, ImplGo, n)
	if got := turns.Load(); got != int64(n) {
		return Result{}, fmt.Errorf("ran %d turns, want %d", got, n)
	}
	r.Version = runtime.Version()
	return r, nil
}

// goImmediatesListener is goImmediates with a net.Listener on 127.0.0.1 open and a
// goroutine blocked in its Accept the whole time, as the runtime's poller then has a
// descriptor to watch.
func goImmediatesListener(n int) (Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	r, err := goImmediates(n)
	ln.Close()
	<-accepted
	r.Name = ImmediatesListener
	return r, err
}

// goTimers starts n one-shot time.AfterFunc timers with the other implementations'
// delays (1 ms more every 1,000 timers) and waits until all have fired. Each callback
// runs in its own goroutine, as AfterFunc does.
func goTimers(n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("operation count %d is not positive", n)
	}
	span, started := goRunTimers(n)
	r := span.Result(Timers, ImplGo, n)
	r.Version = runtime.Version()
	r.Extra = map[string]string{"start_ns": fmt.Sprint(started.Nanoseconds())}
	return r, nil
}

// goRunTimers starts n one-shot time.AfterFunc timers with the timers benchmarks'
// delays and returns once all have fired, with the span it timed and how long
// starting them took.
func goRunTimers(n int) (span Span, started time.Duration) {
	var fired atomic.Int64
	done := make(chan struct{})
	fire := func() {
		if fired.Add(1) == int64(n) {
			close(done)
		}
	}
	span = StartSpan()
	for i := range n {
		time.AfterFunc(timerDelay(i), fire)
	}
	started = time.Since(span.wall)
	<-done
	return span, started
}

// goPool submits n trivial jobs at once to a pool of four worker goroutines over a
// buffered channel; the workers hand each finished job back over another, and the
// submitting goroutine collects all n, as a loop collects its pool's completions.
func goPool(n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("operation count %d is not positive", n)
	}
	type job struct{ index, seen int }
	jobs := make([]job, n)
	queue := make(chan *job, n)
	done := make(chan *job, n)
	var wg sync.WaitGroup
	span := StartSpan()
	for range goPoolWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				j.seen = j.index
				done <- j
			}
		}()
	}
	for i := range jobs {
		jobs[i] = job{index: i, seen: -1}
		queue <- &jobs[i]
	}
	close(queue)
	for range n {
		if j := <-done; j.seen != j.index {
			return Result{}, fmt.Errorf("job %d did not run", j.index)
		}
	}
	r := span.Result(Pool, ImplGo, n)
	wg.Wait()
	r.Version = runtime.Version()
	r.Extra = map[string]string{"threads": fmt.Sprint(goPoolWorkers)}
	return r, nil
}

// goPingPong runs n round trips of 4-byte messages over TCP on 127.0.0.1 between a
// client goroutine and a server goroutine in this process, with package net (which
// sets TCP_NODELAY by default). The server answers each whole message with one of
// its own.
func goPingPong(n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("operation count %d is not positive", n)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() { served <- serveOne(ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return Result{}, err
	}
	ping := []byte("PING")
	buf := make([]byte, len(ping))
	var rerr error
	span := StartSpan()
	for range n {
		if _, rerr = conn.Write(ping); rerr != nil {
			break
		}
		if _, rerr = io.ReadFull(conn, buf); rerr != nil {
			break
		}
	}
	r := span.Result(PingPong, ImplGo, n)
	conn.Close()
	if serr := <-served; rerr == nil && serr != nil {
		rerr = serr
	}
	if rerr != nil {
		return Result{}, fmt.Errorf("client: %w", rerr)
	}
	r.Version = runtime.Version()
	return r, nil
}

// serveOne accepts one connection on ln and answers each 4-byte message with one of
// its own until the client closes.
func serveOne(ln net.Listener) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	pong := []byte("PONG")
	buf := make([]byte, len(pong))
	for {
		if _, err := io.ReadFull(conn, buf); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("server: %w", err)
		}
		if _, err := conn.Write(pong); err != nil {
			return fmt.Errorf("server: %w", err)
		}
	}
}

// goPostQueue is the room of the channel the plain Go post peers post into.
const goPostQueue = 1024

// goPost returns the plain Go workload of the benchmark of PostGroup with posters
// goroutines: they post n functions in all into one buffered channel, and one
// goroutine, standing for the loop, receives and runs them, counting.
func goPost(posters int) Func {
	return func(n int) (Result, error) {
		if n <= 0 {
			return Result{}, fmt.Errorf("operation count %d is not positive", n)
		}
		ch := make(chan func(), goPostQueue)
		counted := 0
		count := func() { counted++ }
		span := StartSpan()
		for i := range posters {
			k := n/posters + b2i(i < n%posters)
			go func() {
				for range k {
					ch <- count
				}
			}()
		}
		for range n {
			(<-ch)()
		}
		r := span.Result("", ImplGo, n)
		if counted != n {
			return Result{}, fmt.Errorf("%d of %d messages counted", counted, n)
		}
		r.Version = runtime.Version()
		r.Extra = map[string]string{"posters": fmt.Sprint(posters)}
		return r, nil
	}
}

// goPostRTT runs n round trips of a function posted over a channel to a goroutine
// that runs it, the poster waiting on a second channel until it ran.
func goPostRTT(n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("operation count %d is not positive", n)
	}
	ch := make(chan func(), 1)
	ran := make(chan struct{}, 1)
	trips := 0
	fn := func() { trips++; ran <- struct{}{} }
	span := StartSpan()
	go func() {
		for f := range ch {
			f()
		}
	}()
	for range n {
		ch <- fn
		<-ran
	}
	r := span.Result(PostRTT, ImplGo, n)
	close(ch)
	if trips != n {
		return Result{}, fmt.Errorf("%d of %d round trips", trips, n)
	}
	r.Version = runtime.Version()
	return r, nil
}
