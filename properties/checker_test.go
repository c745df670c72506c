package properties

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// longProgram runs rounds rounds of an interval that queues an immediate, a
// nextTick, a microtask and a timeout, reads a file every 8th round and clears an
// immediate every 16th: a trace of about 13 events a round, with a fresh id for
// nearly every callback.
func longProgram(rounds int) func(l *nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		n := 0
		var iv *nodeloop.Timer
		iv = l.SetInterval(time.Millisecond, func() {
			n++
			l.SetImmediate(func() { l.NextTick(func() {}) })
			l.QueueMicrotask(func() {})
			l.SetTimeout(0, func() {})
			if n%8 == 0 {
				l.ReadFile("f", func([]byte, error) {})
			}
			if n%16 == 0 {
				l.ClearImmediate(l.SetImmediate(func() {}))
			}
			if n == rounds {
				l.ClearTimeout(iv)
			}
		})
	}
}

// pingPong runs rounds round trips of a message on one connection: the client
// writes, the server reads and writes it back, the client reads; then both close.
// Every read and write is a fresh operation on one of two long-lived handles.
func pingPong(rounds int) func(l *nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				panic(err)
			}
			var serve func()
			serve = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						c.Close(nil)
						return
					}
					c.Write(append([]byte(nil), b...), func(int, error) { serve() })
				})
			}
			serve()
		})
		if err != nil {
			panic(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				panic(err)
			}
			n := 0
			var ping func()
			ping = func() {
				if n++; n > rounds {
					c.Close(nil)
					ln.Close(nil)
					return
				}
				c.Write([]byte("x"), func(int, error) {})
				c.Read(func([]byte, error) { ping() })
			}
			ping()
		})
	}
}

// checkerTracer feeds a Checker as the loop runs and keeps the largest state it
// held.
type checkerTracer struct {
	c      *Checker
	most   int
	events int
}

func (t *checkerTracer) Event(e *traces.Event) {
	t.c.Add(*e)
	t.events++
	t.most = max(t.most, t.c.retained())
}

// A Checker's state is bounded by what is live in the trace, not by its length:
// on a trace of hundreds of thousands of events, with a fresh id for nearly every
// callback, it never holds more than its tables' finished ids and a few live ones.
func TestCheckerStateIsBounded(t *testing.T) {
	rounds := 40_000
	if testing.Short() {
		rounds = 12_000
	}
	for _, tc := range []struct {
		name    string
		program func(l *nodeloop.Loop)
	}{
		{"timers, immediates, ticks and pool jobs", longProgram(rounds)},
		{"reads and writes on one connection", pingPong(rounds / 4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &checkerTracer{c: NewChecker()}
			cfg := sim.Config{Seed: 1, Tracer: tr, TimeLimit: time.Duration(rounds+10) * time.Second,
				StepLimit: uint64(rounds) * 20, FS: fstest.MapFS{"f": {Data: []byte("x")}}}
			res, err := sim.Run(cfg, tc.program)
			if err != nil || res.Failed() {
				t.Fatalf("sim.Run: %v %v", err, res)
			}
			t.Logf("%d events, %d entries at most, %v", tr.events, tr.most, res)
			if vs := tr.c.Finish(); len(vs) > 0 {
				t.Fatalf("the long trace breaks %d invariants; the first: %v", len(vs), vs[0])
			}
			// Four kinds of id retire into tables of doneKeptMax each; what is
			// live at once is a few dozen.
			bound := 4*doneKeptMax + 100
			if tr.most > bound {
				t.Errorf("the Checker held %d entries at most over %d events, want at most %d", tr.most, tr.events, bound)
			}
			if tr.events < 10*bound {
				t.Errorf("the trace has %d events, too few to show a bound of %d", tr.events, bound)
			}
		})
	}
}

// The Checker holds a trace's finished ids up to doneKeptMax: past it, the table
// forgets the oldest.
func TestTableForgetsTheOldestFinished(t *testing.T) {
	var tb table[int]
	for id := uint64(1); id <= 3*doneKeptMax; id++ {
		*tb.put(id) = int(id)
		if id%2 == 0 {
			tb.retire(id)
		}
	}
	if got, want := tb.size(), 3*doneKeptMax/2+doneKeptMax; got != want {
		t.Errorf("size() = %d, want %d (every live id and the latest %d finished)", got, want, doneKeptMax)
	}
	if tb.get(2) != nil {
		t.Errorf("get(2) = %d, want it forgotten", *tb.get(2))
	}
	if p := tb.get(3 * doneKeptMax); p == nil || *p != 3*doneKeptMax {
		t.Errorf("get(%d) lost the latest finished id", 3*doneKeptMax)
	}
	if p := tb.get(1); p == nil || *p != 1 {
		t.Errorf("get(1) lost a live id")
	}
	tb.retire(1)
	*tb.put(1) = 7 // live again
	for id := uint64(3*doneKeptMax + 1); id <= 5*doneKeptMax; id++ {
		tb.put(id)
		tb.retire(id)
	}
	if p := tb.get(1); p == nil || *p != 7 {
		t.Errorf("get(1) forgot an id made live again after it finished")
	}
}

// BenchmarkChecker checks a long simulated trace one event at a time; the figure
// to read is ns/event.
func BenchmarkChecker(b *testing.B) {
	rec := traces.NewMemory()
	cfg := sim.Config{Seed: 1, Tracer: rec, TimeLimit: time.Hour, FS: fstest.MapFS{"f": {Data: []byte("x")}}}
	if _, err := sim.Run(cfg, longProgram(5_000)); err != nil {
		b.Fatal(err)
	}
	events := rec.Events()
	b.ResetTimer()
	for range b.N {
		c := NewChecker()
		for i := range events {
			c.Add(events[i])
		}
		if vs := c.Finish(); len(vs) > 0 {
			b.Fatal(vs[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
