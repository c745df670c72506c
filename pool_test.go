package nodeloop_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/traces"
)

// newReal returns a loop on the operating system's clock, poller and a pool of the
// given size (0: the default), recording its trace.
func newReal(t *testing.T, workers int) (*nodeloop.Loop, *traces.Recorder) {
	t.Helper()
	rec := traces.NewMemory()
	opts := []nodeloop.Option{nodeloop.WithTracer(rec)}
	if workers > 0 {
		opts = append(opts, nodeloop.WithWorkers(workers))
	}
	l, err := nodeloop.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		l.Close()
		for _, v := range properties.Check(rec.Events()) {
			t.Errorf("invariant: %v", v)
		}
	})
	return l, rec
}

// goid returns the current goroutine's id, for checking where a callback runs.
func goid() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1])
}

// libuv threadpool_queue_work_simple, on the real pool: the work runs once on a
// worker, then done runs once on the loop's goroutine with its results, and the loop
// is no longer kept alive by the request when done runs.
func TestQueueWorkSimple(t *testing.T) {
	l, _ := newReal(t, 0)
	loopG := goid()
	var workG, doneG string
	works, dones := 0, 0
	err := l.Run(func() {
		nodeloop.Work(l, func() (string, error) {
			works++
			workG = goid()
			return "result", errors.New("and an error")
		}, func(v string, err error) {
			dones++
			doneG = goid()
			if v != "result" || err == nil || err.Error() != "and an error" {
				t.Errorf("done(%q, %v)", v, err)
			}
			if l.Pending() != 0 {
				t.Errorf("Pending = %d inside done, want 0", l.Pending())
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if works != 1 || dones != 1 {
		t.Fatalf("work ran %d times, done %d; want 1, 1", works, dones)
	}
	if workG == loopG || doneG != loopG {
		t.Fatalf("loop goroutine %s, work ran on %s, done on %s: want work elsewhere, done on the loop", loopG, workG, doneG)
	}
}

// A finished job wakes a loop blocked forever in epoll_wait (through the eventfd).
func TestFinishedJobWakesBlockedPoll(t *testing.T) {
	l, rec := newReal(t, 1)
	release := make(chan struct{})
	done := false
	err := l.Run(func() {
		nodeloop.Work(l, func() (int, error) { <-release; return 0, nil }, func(int, error) { done = true })
		// The worker is released only once the loop is about to wait forever.
		var once sync.Once
		l.Prepare(func() { once.Do(func() { close(release) }) }).Unref()
	})
	if err != nil || !done {
		t.Fatalf("Run = %v, done = %v", err, done)
	}
	var forever bool
	for _, e := range rec.Events() {
		if e.Kind == traces.KindPoll && e.Timeout < 0 {
			forever = true
		}
	}
	if !forever {
		t.Fatal("the loop never waited without a timeout")
	}
}

// The pool has 4 workers by default: four jobs that wait for each other all run at
// once, on four distinct workers.
func TestPoolDefaultFourWorkers(t *testing.T) {
	t.Setenv(nodeloop.WorkersEnv, "")
	l, rec := newReal(t, 0)
	var wg sync.WaitGroup
	wg.Add(4)
	err := l.Run(func() {
		for i := 0; i < 4; i++ {
			nodeloop.Work(l, func() (int, error) { wg.Done(); wg.Wait(); return 0, nil }, func(int, error) {})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	workers := map[int]bool{}
	for _, e := range rec.Events() {
		if e.Kind == traces.KindPoolDone {
			workers[e.Worker] = true
		}
	}
	if len(workers) != 4 {
		t.Fatalf("jobs ran on workers %v, want 4 distinct", workers)
	}
}

// NODELOOP_THREADPOOL_SIZE sets the size, 1 to 1024, 0 meaning 1; anything else is an
// error from New that names the variable. WithWorkers overrides it.
func TestPoolSizeFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env     string
		workers int
		ok      bool
	}{
		{"", 4, true}, {"1", 1, true}, {"0", 1, true}, {"7", 7, true}, {"1024", 1024, true},
		{"1025", 0, false}, {"-1", 0, false}, {"four", 0, false}, {"4.5", 0, false},
	} {
		t.Setenv(nodeloop.WorkersEnv, tc.env)
		l, err := nodeloop.New()
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), nodeloop.WorkersEnv) {
				t.Errorf("%s=%q: New error = %v, want one naming the variable", nodeloop.WorkersEnv, tc.env, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%q: New: %v", nodeloop.WorkersEnv, tc.env, err)
			continue
		}
		l.Close()
	}
	t.Setenv(nodeloop.WorkersEnv, "bad")
	l, err := nodeloop.New(nodeloop.WithWorkers(2))
	if err != nil {
		t.Fatalf("WithWorkers does not override a bad environment: %v", err)
	}
	l.Close()
	for _, n := range []int{-1, 1025} {
		if _, err := nodeloop.New(nodeloop.WithWorkers(n)); err == nil {
			t.Errorf("WithWorkers(%d) accepted", n)
		}
	}
	if _, err := nodeloop.New(nodeloop.WithWorkers(2), nodeloop.WithPool(nodeloop.NewPool(2))); err == nil {
		t.Errorf("WithWorkers with WithPool accepted")
	}
}

// One FIFO queue: with one worker, jobs run and complete in submission order.
func TestPoolFIFO(t *testing.T) {
	l, _ := newReal(t, 1)
	var ran, done []int
	err := l.Run(func() {
		for i := 0; i < 50; i++ {
			nodeloop.Work(l, func() (int, error) { ran = append(ran, i); return i, nil }, func(v int, _ error) { done = append(done, v) })
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if ran[i] != i || done[i] != i {
			t.Fatalf("ran %v\ndone %v\nwant 0..49 in order", ran, done)
		}
	}
}

// Jobs submitted while every worker is busy, more than wait for the workers to move
// them to the queue at once, still run in submission order, each once; with several
// workers, each of many jobs runs once.
func TestPoolManyQueuedJobs(t *testing.T) {
	for _, tc := range []struct {
		workers, jobs int
		ordered       bool
	}{{1, 1000, true}, {1, 5000, true}, {4, 20000, false}} {
		t.Run(fmt.Sprintf("%d workers %d jobs", tc.workers, tc.jobs), func(t *testing.T) {
			l, _ := newReal(t, tc.workers)
			var ran []int
			var runs atomic.Int64
			done := 0
			err := l.Run(func() {
				release := saturate(l, tc.workers)
				for i := 0; i < tc.jobs; i++ {
					nodeloop.Work(l, func() (int, error) {
						runs.Add(1)
						if tc.ordered {
							ran = append(ran, i)
						}
						return i, nil
					}, func(v int, err error) {
						if err == nil && v == i {
							done++
						}
					})
				}
				release()
			})
			if err != nil {
				t.Fatal(err)
			}
			if done != tc.jobs || runs.Load() != int64(tc.jobs) {
				t.Fatalf("%d jobs ran, %d done with their own result; want %d of each", runs.Load(), done, tc.jobs)
			}
			for i, v := range ran {
				if v != i {
					t.Fatalf("job %d ran in place %d; want submission order", v, i)
				}
			}
		})
	}
}

// saturate blocks every worker of a pool of n until the returned func is called.
func saturate(l *nodeloop.Loop, n int) (release func()) {
	var started sync.WaitGroup
	started.Add(n)
	gate := make(chan struct{})
	for i := 0; i < n; i++ {
		nodeloop.Work(l, func() (int, error) { started.Done(); <-gate; return 0, nil }, func(int, error) {})
	}
	started.Wait()
	return func() { close(gate) }
}

// libuv threadpool_cancel_work: requests queued behind a saturated pool are canceled;
// their work never runs and done receives ErrCanceled.
func TestPoolCancelWork(t *testing.T) {
	l, _ := newReal(t, 4)
	var works atomic.Int32
	canceled, timerRan := 0, 0
	err := l.Run(func() {
		release := saturate(l, 4)
		var reqs []*nodeloop.Request
		for i := 0; i < 16; i++ {
			reqs = append(reqs, nodeloop.Work(l, func() (int, error) { works.Add(1); return 0, nil }, func(_ int, err error) {
				if errors.Is(err, nodeloop.ErrCanceled) {
					canceled++
				}
			}))
		}
		l.SetTimeout(10*time.Millisecond, func() {
			timerRan++
			for _, r := range reqs {
				if !r.Cancel() {
					t.Errorf("Cancel of a queued request returned false")
				}
				if r.Cancel() {
					t.Errorf("second Cancel returned true")
				}
			}
			release()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if timerRan != 1 || canceled != 16 || works.Load() != 0 {
		t.Fatalf("timer ran %d, canceled %d, canceled works ran %d; want 1, 16, 0", timerRan, canceled, works.Load())
	}
}

// libuv threadpool_cancel_when_busy: a request already running cannot be canceled.
func TestPoolCancelWhenBusy(t *testing.T) {
	l, _ := newReal(t, 1)
	var result error = errors.New("done not called")
	err := l.Run(func() {
		started := make(chan struct{})
		gate := make(chan struct{})
		r := nodeloop.Work(l, func() (int, error) { close(started); <-gate; return 0, nil }, func(_ int, err error) { result = err })
		<-started
		if r.Cancel() {
			t.Errorf("Cancel of a running request returned true")
		}
		close(gate)
	})
	if err != nil || result != nil {
		t.Fatalf("Run = %v; done got %v, want nil", err, result)
	}
}

// A work function that panics does not crash the process: done receives a
// *PanicError with the value and the stack, and the worker goes on.
func TestWorkPanicIsAnError(t *testing.T) {
	l, _ := newReal(t, 1)
	var got error
	after := false
	err := l.Run(func() {
		nodeloop.Work(l, func() (int, error) { panic("in the pool") }, func(_ int, err error) {
			got = err
			nodeloop.Work(l, func() (int, error) { return 1, nil }, func(int, error) { after = true })
		})
	})
	var pe *nodeloop.PanicError
	if err != nil || !errors.As(got, &pe) || pe.Value != "in the pool" || !strings.Contains(string(pe.Stack), "pool_test.go") {
		t.Fatalf("Run = %v; done got %#v, want a *PanicError with value and stack", err, got)
	}
	if !after {
		t.Fatal("the worker did not run the next job")
	}
}

// A work function's value and error both reach its done callback, and the error is
// not the pool's: the trace's pool_done carries none, and a request after it, taken
// from the same block, starts with no error.
func TestWorkValueAndError(t *testing.T) {
	l, rec := newReal(t, 1)
	errWork := errors.New("half done")
	type result struct {
		v   int
		err error
	}
	var got []result
	err := l.Run(func() {
		nodeloop.Work(l, func() (int, error) { return 7, errWork }, func(v int, err error) {
			got = append(got, result{v, err})
			nodeloop.Work(l, func() (int, error) { return 8, nil }, func(v int, err error) { got = append(got, result{v, err}) })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []result{{7, errWork}, {8, nil}}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("done callbacks got %v, want %v", got, want)
	}
	for _, e := range rec.Events() {
		if e.Kind == traces.KindPoolDone && e.Err != "" {
			t.Fatalf("pool_done of job %d carries error %q, which the work returned, not the pool", e.ID, e.Err)
		}
	}
}

// The same rules on the simulated pool: cancel before start, no cancel once started.
func TestSimPoolCancel(t *testing.T) {
	w := newWorld(t)
	var results []string
	w.run(func() {
		var reqs []*nodeloop.Request
		for i := 0; i < 6; i++ {
			reqs = append(reqs, nodeloop.Work(w.l, func() (int, error) { return i, nil }, func(v int, err error) {
				results = append(results, fmt.Sprint(v, err))
			}))
		}
		w.l.SetImmediate(func() {
			// Four are running on the four simulated workers; two are queued.
			for i, r := range reqs {
				if got, want := r.Cancel(), i >= 4; got != want {
					t.Errorf("Cancel of request %d = %v, want %v", i, got, want)
				}
			}
		})
	})
	if len(results) != 6 {
		t.Fatalf("results %v, want six", results)
	}
	canceled := 0
	for _, r := range results {
		if strings.Contains(r, nodeloop.ErrCanceled.Error()) {
			canceled++
		}
	}
	if canceled != 2 {
		t.Fatalf("results %v: want exactly two canceled", results)
	}
}

// ReadFile and WriteFile run on the pool, on the OS's files or an fs.FS.
func TestReadWriteFile(t *testing.T) {
	l, _ := newReal(t, 0)
	name := filepath.Join(tempDir(t), "f.txt")
	var got []byte
	var errs []error
	err := l.Run(func() {
		l.WriteFile(name, []byte("hello"), func(err error) {
			errs = append(errs, err)
			l.ReadFile(name, func(b []byte, err error) {
				got = b
				errs = append(errs, err)
				l.ReadFile(filepath.Join(name, "missing"), func(b []byte, err error) { errs = append(errs, err) })
			})
		})
	})
	if err != nil || string(got) != "hello" || len(errs) != 3 || errs[0] != nil || errs[1] != nil || errs[2] == nil {
		t.Fatalf("Run = %v, read %q, errors %v", err, got, errs)
	}

	fsys := fstest.MapFS{"a/b.txt": {Data: []byte("from the fs")}}
	w := newWorld(t, nodeloop.WithFS(fsys))
	var readErr, writeErr error
	w.run(func() {
		w.l.ReadFile("a/b.txt", func(b []byte, err error) { got, readErr = b, err })
		w.l.WriteFile("a/c.txt", []byte("x"), func(err error) { writeErr = err })
	})
	if string(got) != "from the fs" || readErr != nil || !errors.Is(writeErr, errors.ErrUnsupported) {
		t.Fatalf("fs: read %q, %v; write %v", got, readErr, writeErr)
	}
	if _, err := os.Stat("a/c.txt"); err == nil {
		t.Fatal("WriteFile with an fs.FS wrote to the OS")
	}
}

// A worker of the real pool notes when it takes a job: the trace's pool_start
// carries that time, which is when the job was submitted (the workers are idle)
// rather than when the loop learned it was done, a timer's delay later.
func TestPoolStartIsWhenTheWorkerTookIt(t *testing.T) {
	l, rec := newReal(t, 2)
	const hold = 100 * time.Millisecond
	release := make(chan struct{})
	err := l.Run(func() {
		nodeloop.Work(l, func() (int, error) { <-release; return 0, nil }, func(int, error) {})
		l.SetTimeout(hold, func() { close(release) })
	})
	if err != nil {
		t.Fatal(err)
	}
	var submit, start, done *traces.Event
	for i, e := range rec.Events() {
		switch e.Kind {
		case traces.KindPoolSubmit:
			submit = &rec.Events()[i]
		case traces.KindPoolStart:
			start = &rec.Events()[i]
		case traces.KindPoolDone:
			done = &rec.Events()[i]
		}
	}
	if submit == nil || start == nil || done == nil {
		t.Fatalf("submit %v, start %v, done %v", submit, start, done)
	}
	if start.Started < submit.Time || start.Started > done.Time-hold/2 || start.Time != done.Time {
		t.Fatalf("submitted at %v, started at %v (written at %v), done at %v: want the start within %v of the submission",
			submit.Time, start.Started, start.Time, done.Time, hold/2)
	}
}
