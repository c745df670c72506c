package nodeloop_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

func newRealLoop(t *testing.T) *nodeloop.Loop {
	t.Helper()
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// A context canceled while the loop runs ends the run, which returns ctx.Err(); the
// loop's handles stay, and the loop can run again.
func TestRunContextEndsARealRun(t *testing.T) {
	l := newRealLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fired := 0
	var iv *nodeloop.Timer
	err := l.RunContext(ctx, func() {
		iv = l.SetInterval(time.Millisecond, func() {
			fired++
			if fired == 3 {
				cancel()
			}
		})
	})
	if !errors.Is(err, context.Canceled) || fired < 3 {
		t.Fatalf("RunContext: %v after %d intervals; want context.Canceled after at least 3", err, fired)
	}
	if !iv.Active() {
		t.Fatal("the interval is no longer active after the run was stopped")
	}
	// Run again: the stop of the canceled run does not stop this one.
	err = l.Run(func() {
		l.SetTimeout(2*time.Millisecond, func() { l.ClearTimeout(iv) })
	})
	if err != nil || iv.Active() {
		t.Fatalf("the next Run: %v, interval active %v; want it run until the interval is cleared", err, iv.Active())
	}
}

// A deadline ends a run as a cancel does.
func TestRunContextDeadline(t *testing.T) {
	l := newRealLoop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := l.RunContext(ctx, func() { l.SetInterval(time.Millisecond, func() {}) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RunContext: %v; want context.DeadlineExceeded", err)
	}
}

// What RunContext returns when the context does not end the run.
func TestRunContextWithoutTheContext(t *testing.T) {
	t.Run("already done", func(t *testing.T) {
		l := newRealLoop(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		if err := l.RunContext(ctx, func() { ran = true }); !errors.Is(err, context.Canceled) || ran || l.Pending() != 0 {
			t.Fatalf("RunContext of a done context: %v, main ran %v, %d pending; want context.Canceled and nothing run", err, ran, l.Pending())
		}
	})
	t.Run("ends by itself", func(t *testing.T) {
		l := newRealLoop(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ran := false
		if err := l.RunContext(ctx, func() { l.SetTimeout(time.Millisecond, func() { ran = true }) }); err != nil || !ran {
			t.Fatalf("RunContext: %v, timeout ran %v; want nil after the timeout", err, ran)
		}
		cancel() // after the run: nothing is posted
		if l.Pending() != 0 {
			t.Fatalf("%d pending after a cancel that came after the run", l.Pending())
		}
	})
	t.Run("stopped by the program", func(t *testing.T) {
		l := newRealLoop(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := l.RunContext(ctx, func() { l.SetInterval(time.Millisecond, func() { l.Stop() }) }); err != nil {
			t.Fatalf("RunContext of a program that stops: %v; want nil", err)
		}
	})
	t.Run("panic", func(t *testing.T) {
		l := newRealLoop(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var cp *nodeloop.CallbackPanic
		if err := l.RunContext(ctx, func() { panic("a bug") }); !errors.As(err, &cp) {
			t.Fatalf("RunContext of a panicking main: %v; want a *CallbackPanic", err)
		}
	})
	t.Run("from a callback", func(t *testing.T) {
		l := newRealLoop(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var inner error
		if err := l.Run(func() { inner = l.RunContext(ctx, nil) }); err != nil || !errors.Is(inner, nodeloop.ErrRunning) {
			t.Fatalf("RunContext from main: %v (Run: %v); want ErrRunning", inner, err)
		}
	})
}

// On the simulator's fakes a context that is never done changes nothing: the run
// starts no goroutine and its trace is Run's, event for event.
func TestRunContextOnFakesIsRun(t *testing.T) {
	program := func(w *world) func() {
		return func() {
			w.l.SetTimeout(5*time.Millisecond, func() { w.add("timeout") })
			w.l.SetImmediate(func() { w.add("immediate") })
		}
	}
	plain := newWorld(t)
	plain.run(program(plain))
	for name, ctx := range map[string]context.Context{
		"background": context.Background(),
		"cancelable": func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			return ctx
		}(),
	} {
		w := newWorld(t)
		before := runtime.NumGoroutine()
		most := 0
		err := w.l.RunContext(ctx, func() {
			program(w)()
			w.l.SetTimeout(time.Millisecond, func() { most = max(most, runtime.NumGoroutine()) })
		})
		if err != nil {
			t.Fatalf("%s: RunContext: %v", name, err)
		}
		if most > before {
			t.Fatalf("%s: %d goroutines before the run, %d during it", name, before, most)
		}
		if !slices.Equal(w.got, plain.got) {
			t.Fatalf("%s: RunContext ran %v; Run ran %v", name, w.got, plain.got)
		}
		if n := len(w.events(traces.KindStop)); n != 0 {
			t.Fatalf("%s: %d stops in the trace", name, n)
		}
	}
}
