package nodeloop_test

import (
	"bufio"
	"io"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/cputime"
	"github.com/nodeloop/nodeloop/traces"
)

// The loop's own benchmarks. The same workloads in libuv, Node.js and plain Go are in
// package bench, which runs them side by side (nodeloop bench).

// BenchmarkTimers creates and fires 1,000,000 timers on the fake clock, 1 ms longer
// every 1,000, as libuv's benchmark-million-timers does; one op is one timer.
func BenchmarkTimers(b *testing.B) {
	const timers = 1_000_000
	b.ReportAllocs()
	fired := 0
	cb := func() { fired++ }
	cpu := cputime.Process()
	for b.Loop() {
		clock := fakeclock.New()
		l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fakepoller.New(clock)))
		if err != nil {
			b.Fatal(err)
		}
		err = l.Run(func() {
			for i := 0; i < timers; i++ {
				l.SetTimeout(time.Duration(1+i/1000)*time.Millisecond, cb)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	if fired != b.N*timers {
		b.Fatalf("%d of %d timers fired", fired, b.N*timers)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*timers), "ns/timer")
	b.ReportMetric(float64((cputime.Process()-cpu).Nanoseconds())/float64(b.N*timers), "cpu-ns/timer")
}

// chainImmediates runs n turns of an immediate that queues the next one.
func chainImmediates(b *testing.B, l *nodeloop.Loop, n int) {
	turns := 0
	var next func()
	next = func() {
		if turns++; turns < n {
			l.SetImmediate(next)
		}
	}
	if err := l.Run(func() { l.SetImmediate(next) }); err != nil {
		b.Fatal(err)
	}
	if turns != n {
		b.Fatalf("%d of %d turns", turns, n)
	}
}

// BenchmarkImmediates chains immediates on the operating system's clock and poller,
// as libuv's check+idle chain; one op is one turn of the loop.
func BenchmarkImmediates(b *testing.B) {
	l, err := nodeloop.New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	chainImmediates(b, l, b.N)
}

// BenchmarkImmediatesListener is the same chain with one idle TCP listener open, its
// accept pending: the poller has a descriptor that could become ready.
func BenchmarkImmediatesListener(b *testing.B) {
	l, err := nodeloop.New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if c != nil {
			c.Close(nil)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	ln.Unref()
	b.ReportAllocs()
	b.ResetTimer()
	chainImmediates(b, l, b.N)
	b.StopTimer()
	ln.Close(nil)
}

// BenchmarkImmediatesVirtual is the same chain on virtual time.
func BenchmarkImmediatesVirtual(b *testing.B) {
	clock := fakeclock.New()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fakepoller.New(clock)))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	chainImmediates(b, l, b.N)
}

// BenchmarkPool runs 200,000 small jobs on the real pool of 4 workers, all submitted
// from main; it reports jobs per second.
func BenchmarkPool(b *testing.B) {
	const jobs = 200_000
	b.ReportAllocs()
	done := 0
	for b.Loop() {
		l, err := nodeloop.New(nodeloop.WithWorkers(4))
		if err != nil {
			b.Fatal(err)
		}
		err = l.Run(func() {
			for i := 0; i < jobs; i++ {
				nodeloop.Work(l, func() (int, error) { return i, nil }, func(int, error) { done++ })
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	if done != b.N*jobs {
		b.Fatalf("%d of %d jobs done", done, b.N*jobs)
	}
	b.ReportMetric(float64(b.N*jobs)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkImmediatesTraced is BenchmarkImmediates with every event encoded as JSON
// Lines into a buffered writer: the cost of tracing, as a ratio to the untraced run.
func BenchmarkImmediatesTraced(b *testing.B) {
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	rec := traces.NewRecorder(w, traces.NewHeader("real"))
	l, err := nodeloop.New(nodeloop.WithTracer(rec))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	chainImmediates(b, l, b.N)
	if err := rec.Flush(); err != nil {
		b.Fatal(err)
	}
}
