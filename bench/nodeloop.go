package bench

import (
	"fmt"
	"runtime"
	"time"

	"github.com/nodeloop/nodeloop"
)

// nodeloop's side of each workload, on the operating system's clock, poller and pool,
// registered as implementation "nodeloop".

func init() {
	Register(Immediates, ImplNodeloop, nodeloopImmediates)
	Register(Timers, ImplNodeloop, nodeloopTimers)
	Register(Pool, ImplNodeloop, nodeloopPool)
}

func version() string { return "nodeloop-" + runtime.Version() }

// nodeloopImmediates chains n immediates, each queuing the next: one per turn of the
// loop, as Node's setImmediate chain.
func nodeloopImmediates(n int) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	turns := 0
	var next func()
	next = func() {
		if turns++; turns < n {
			l.SetImmediate(next)
		}
	}
	span := StartSpan()
	err = l.Run(func() { l.SetImmediate(next) })
	r := span.Result(Immediates, ImplNodeloop, n)
	if err == nil && turns != n {
		err = fmt.Errorf("ran %d turns, want %d", turns, n)
	}
	r.Version = version()
	return r, err
}

// nodeloopTimers starts n one-shot timers, 1 ms longer every 1,000, and runs the loop
// until all have fired.
func nodeloopTimers(n int) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	fired := 0
	cb := func() { fired++ }
	span := StartSpan()
	err = l.Run(func() {
		for i := 0; i < n; i++ {
			l.SetTimeout(time.Duration(1+i/1000)*time.Millisecond, cb)
		}
	})
	r := span.Result(Timers, ImplNodeloop, n)
	if err == nil && fired != n {
		err = fmt.Errorf("%d of %d timers fired", fired, n)
	}
	r.Version = version()
	return r, err
}

// nodeloopPool submits n trivial jobs to the pool of 4 workers from main and runs the
// loop until every done callback has run.
func nodeloopPool(n int) (Result, error) {
	l, err := nodeloop.New(nodeloop.WithWorkers(4))
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	done := 0
	span := StartSpan()
	err = l.Run(func() {
		for i := 0; i < n; i++ {
			nodeloop.Work(l, func() (int, error) { return i, nil }, func(v int, err error) {
				if v == i && err == nil {
					done++
				}
			})
		}
	})
	r := span.Result(Pool, ImplNodeloop, n)
	if err == nil && done != n {
		err = fmt.Errorf("%d of %d jobs done", done, n)
	}
	r.Version = version()
	r.Extra = map[string]string{"threads": "4"}
	return r, err
}
