package nodeloop_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// everything is a program that uses every part of the loop this package has.
func everything(l *nodeloop.Loop) func() {
	return func() {
		l.Log("main starts")
		l.NextTick(func() { l.Log("tick") })
		l.QueueMicrotask(func() { l.Log("microtask") })
		l.SetTimeout(0, func() { l.Log("timeout 0") })
		l.SetTimeout(0, func() { l.Log("timeout 0 again") })
		cleared := l.SetTimeout(3*time.Millisecond, func() { l.Log("never") })
		l.ClearTimeout(cleared)
		var iv *nodeloop.Timer
		n := 0
		iv = l.SetInterval(2*time.Millisecond, func() {
			if n++; n == 3 {
				l.ClearTimeout(iv)
			}
		})
		im := l.SetImmediate(func() { l.Log("never") })
		l.ClearImmediate(im)
		l.SetImmediate(func() { l.Log("immediate") })
		var idle *nodeloop.Watcher
		idle = l.Idle(func() { idle.Close(func() { l.Log("idle closed") }) })
		var prep *nodeloop.Watcher
		prep = l.Prepare(func() { prep.Stop() })
		l.ReadFile("book.txt", func(b []byte, err error) {
			l.Log(fmt.Sprintf("read %d bytes, %v", len(b), err))
			l.SetImmediate(func() { l.Log("immediate from pool") })
			l.SetTimeout(0, func() { l.Log("timeout from pool") })
		})
		for i := 0; i < 6; i++ {
			r := nodeloop.Work(l, func() (int, error) { return i * i, nil }, func(v int, err error) {
				l.Log(fmt.Sprint("job ", i, " = ", v, " ", err))
			})
			if i == 5 {
				r.Cancel()
			}
		}
		l.SetTimeout(20*time.Millisecond, func() { l.Stop() })
		l.SetTimeout(30*time.Millisecond, func() { l.Log("after stop") })
	}
}

// runEverything runs the program on virtual time and returns its JSON Lines trace.
func runEverything(t testing.TB) []byte {
	var buf bytes.Buffer
	clock := fakeclock.New()
	fp := fakepoller.New(clock)
	rec := traces.NewRecorder(&buf, traces.NewHeader("sim"))
	l, err := nodeloop.New(
		nodeloop.WithClock(clock), nodeloop.WithPoller(fp),
		nodeloop.WithPool(sim.NewPool(fp, 4, nil)), nodeloop.WithTracer(rec),
		nodeloop.WithFS(fstest.MapFS{"book.txt": {Data: []byte("It was a dark and stormy night")}}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Run(everything(l)); err != nil {
		t.Fatal(err)
	}
	if err := l.Run(nil); err != nil { // after Stop, run to the end
		t.Fatal(err)
	}
	if err := rec.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The tracer receives every kind of event the loop has without sockets, and the
// recorder writes them as JSON Lines after a versioned header.
func TestTraceHasEveryEvent(t *testing.T) {
	out := runEverything(t)
	sc := bufio.NewScanner(bytes.NewReader(out))
	if !sc.Scan() {
		t.Fatal("empty trace")
	}
	var h traces.Header
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != traces.Format || h.Version != traces.Version || h.Mode != "sim" || h.Go == "" {
		t.Fatalf("header %s: %+v, %v", sc.Bytes(), h, err)
	}
	kinds := map[string]int{}
	line := 1
	var prevSeq uint64
	for sc.Scan() {
		line++
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v: %s", line, err, sc.Bytes())
		}
		for _, f := range []string{"seq", "tick", "phase", "kind", "id", "pending", "t"} {
			if _, ok := e[f]; !ok {
				t.Fatalf("line %d has no %q: %s", line, f, sc.Bytes())
			}
		}
		if seq := uint64(e["seq"].(float64)); seq != prevSeq+1 {
			t.Fatalf("line %d: seq %d after %d", line, seq, prevSeq)
		} else {
			prevSeq = seq
		}
		kinds[e["kind"].(string)]++
	}
	for _, k := range []string{"tick", "phase", "callback", "timer_start", "timer_clear",
		"immediate_queue", "immediate_clear", "pool_submit", "pool_start", "pool_done",
		"pool_cancel", "wake", "poll", "log", "stop", "end", "close", "watcher"} {
		if kinds[k] == 0 {
			t.Errorf("no %q event in the trace", k)
		}
	}
}

// One program on fakeclock and fakepoller gives byte-identical JSON Lines, run after
// run, with one or two OS threads.
func TestDeterministicTrace(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 10
	}
	want := runEverything(t)
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		for i := 0; i < runs; i++ {
			if got := runEverything(t); !bytes.Equal(got, want) {
				runtime.GOMAXPROCS(prev)
				t.Fatalf("GOMAXPROCS=%d run %d differs:\n%s\nfirst run:\n%s", procs, i, got, want)
			}
		}
		runtime.GOMAXPROCS(prev)
	}
	t.Logf("%d runs × 2 settings of GOMAXPROCS, %d bytes each, identical", runs, len(want))
}

// A wait asked not to wait that found nothing left the poll phase with nothing to do:
// the trace has neither a poll event nor a poll phase for it. A wait that may block,
// or that returns completions, has its poll event.
func TestTraceLeavesOutEmptyZeroWait(t *testing.T) {
	w := newWorld(t)
	w.run(func() {
		w.l.SetTimeout(5*time.Millisecond, func() {})
		w.l.SetImmediate(func() { w.l.SetImmediate(func() {}) })
	})
	if want := []time.Duration{0, 0, 5 * time.Millisecond}; fmt.Sprint(w.waits) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v", w.waits, want)
	}
	polls := w.events(traces.KindPoll)
	if len(polls) != 1 || polls[0].Timeout != 5*time.Millisecond || polls[0].Tick != 3 {
		t.Fatalf("poll events %+v, want one, of tick 3 with timeout 5ms", polls)
	}
	for _, e := range w.rec.Events() {
		if e.Phase == traces.PhasePoll && e.Tick != 3 {
			t.Fatalf("tick %d has a poll phase: %+v", e.Tick, e)
		}
	}
}
