package nodeloop_test

import (
	"bytes"
	"errors"
	"runtime/trace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// Post from many goroutines wakes a loop blocked in the poller and runs every posted
// function exactly once, in order per posting goroutine, in the poll phase.
func TestPostFromManyGoroutines(t *testing.T) {
	const goroutines, posts = 8, 2000
	l, rec := newReal(t, 0)
	seen := make([][]int, goroutines) // touched only on the loop's goroutine
	total := 0
	err := l.Run(func() {
		// An hour-long timer keeps the loop alive and blocked; the last post clears it.
		keep := l.SetTimeout(time.Hour, func() { t.Error("the hour passed") })
		var wg sync.WaitGroup
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < posts; i++ {
					if err := l.Post(func() {
						seen[g] = append(seen[g], i)
						if total++; total == goroutines*posts {
							l.ClearTimeout(keep)
						}
					}); err != nil {
						t.Errorf("Post: %v", err)
						return
					}
				}
			}()
		}
		// The posters run while the loop waits; main returns at once.
		go wg.Wait()
	})
	if err != nil {
		t.Fatal(err)
	}
	for g, s := range seen {
		if len(s) != posts {
			t.Fatalf("goroutine %d: %d of %d posts ran", g, len(s), posts)
		}
		for i, v := range s {
			if v != i {
				t.Fatalf("goroutine %d: post %d ran in position %d", g, v, i)
			}
		}
	}
	// Wake-ups coalesce: far fewer waits returned than functions were posted, and
	// every post ran in the poll phase.
	wakes := 0
	for _, e := range rec.Events() {
		switch {
		case e.Kind == traces.KindWake:
			wakes++
		case e.Kind == traces.KindCallback && e.Source == traces.SourcePost && e.Phase != traces.PhasePoll:
			t.Fatalf("a posted function ran in the %s phase", e.Phase)
		}
	}
	if wakes == 0 || wakes >= goroutines*posts {
		t.Fatalf("%d wake-ups for %d posts", wakes, goroutines*posts)
	}
	t.Logf("%d posts ran in %d wake-ups", goroutines*posts, wakes)
}

// Wake-ups requested before a wait consumes them coalesce into one.
func TestWakeCoalesces(t *testing.T) {
	l, rec := newReal(t, 0)
	err := l.Run(func() {
		for i := 0; i < 100; i++ {
			l.Post(func() {})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var wakes []traces.Event
	for _, e := range rec.Events() {
		if e.Kind == traces.KindWake {
			wakes = append(wakes, e)
		}
	}
	if len(wakes) != 1 || wakes[0].Items != 100 {
		t.Fatalf("wake events %+v, want one carrying 100 posts", wakes)
	}
}

// A function Post accepted is never lost: many goroutines post in a tight loop while
// the loop runs, the loop is stopped and closed under them, and every Post that
// returned nil ran exactly once by the time Close returned; the Posts that lost the
// race returned ErrClosed.
func TestPostAcceptedRunsWhenClosed(t *testing.T) {
	const rounds, goroutines, stopAfter, postBound = 20, 8, 500, 200_000
	for round := 0; round < rounds; round++ {
		// The first round's trace, Close's part included, is checked against the
		// loop's invariants; the others run untraced, at full speed.
		var l *nodeloop.Loop
		if round == 0 {
			l, _ = newReal(t, 0)
		} else {
			var err error
			if l, err = nodeloop.New(); err != nil {
				t.Fatal(err)
			}
		}
		var accepted, refused atomic.Int64
		ran := 0 // touched only on the loop's goroutine, or by Close on this one
		var wg sync.WaitGroup
		err := l.Run(func() {
			keep := l.SetTimeout(time.Hour, func() { t.Error("the hour passed") })
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						err := l.Post(func() {
							if ran++; ran == stopAfter {
								l.ClearTimeout(keep)
								l.Stop()
							}
						})
						if err != nil {
							if !errors.Is(err, nodeloop.ErrClosed) {
								t.Errorf("Post = %v, want an error matching ErrClosed", err)
							}
							refused.Add(1)
							return
						}
						// Past a bound, post slowly: between the stop and
						// Close the loop runs nothing, and a machine that
						// delays Close must not fill its memory meanwhile.
						if accepted.Add(1) > postBound {
							time.Sleep(50 * time.Microsecond)
						}
					}
				}()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		wg.Wait()
		if got, want := int64(ran), accepted.Load(); got != want {
			t.Fatalf("round %d: %d posted functions ran, %d Posts returned nil", round, got, want)
		}
		if refused.Load() != goroutines {
			t.Fatalf("round %d: %d Posts refused, want one per goroutine", round, refused.Load())
		}
		if round == 0 {
			t.Logf("%d posts accepted, %d of them after the stop", accepted.Load(), accepted.Load()-stopAfter)
		}
	}
}

// Post on a closed loop is an error about the loop, matching ErrClosed.
func TestPostAfterClose(t *testing.T) {
	l, _ := newReal(t, 0)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	err := l.Post(func() { t.Error("a function posted after Close ran") })
	if !errors.Is(err, nodeloop.ErrClosed) {
		t.Fatalf("Post after Close = %v, want an error matching ErrClosed", err)
	}
	if got, want := err.Error(), "nodeloop: Post on a closed loop"; got != want {
		t.Fatalf("Post after Close says %q, want %q", got, want)
	}
}

// Close runs the posted functions the loop had not run, in order, each with its
// nextTicks and microtasks, while the loop is still open; a Post from one of them,
// or from anywhere after Close began, is refused, and Run from one is ErrRunning.
func TestCloseRunsPosted(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  bool // whether the loop ran (and was stopped) before Close
	}{
		{"after a stopped run", true},
		{"before any run", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			post := func(s string) {
				if err := w.l.Post(func() {
					w.add(s)
					w.l.NextTick(func() { w.add(s + ".tick") })
					w.l.QueueMicrotask(func() { w.add(s + ".micro") })
				}); err != nil {
					t.Fatalf("Post: %v", err)
				}
			}
			if tc.run {
				w.run(func() {
					post("a")
					w.l.Stop()
				})
			} else {
				post("a")
			}
			post("b")
			if err := w.l.Post(func() {
				if err := w.l.Post(func() { t.Error("a function posted during Close ran") }); !errors.Is(err, nodeloop.ErrClosed) {
					t.Errorf("Post during Close = %v, want ErrClosed", err)
				}
				if err := w.l.Run(nil); !errors.Is(err, nodeloop.ErrRunning) {
					t.Errorf("Run during Close = %v, want ErrRunning", err)
				}
				w.add("c")
			}); err != nil {
				t.Fatalf("Post: %v", err)
			}
			if w.got != nil {
				t.Fatalf("ran before Close: %v", w.got)
			}
			if err := w.l.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			got := strings.Join(w.got, " ")
			if want := "a a.tick a.micro b b.tick b.micro c"; got != want {
				t.Fatalf("Close ran %q, want %q", got, want)
			}
			for _, e := range w.rec.Events() {
				if e.Kind == traces.KindCallback && e.Source == traces.SourcePost && e.Phase != traces.PhasePoll {
					t.Fatalf("a posted function ran in Close in the %s phase, want poll", e.Phase)
				}
			}
		})
	}
}

// A loop stopped by a panicking callback runs nothing more: Close drops what was
// posted and says how many, with an error matching ErrClosed.
func TestCloseAfterPanicCountsDropped(t *testing.T) {
	w := newWorld(t)
	err := w.l.Run(func() {
		for i := 0; i < 3; i++ {
			if err := w.l.Post(func() { t.Error("a posted function ran on a broken loop") }); err != nil {
				t.Fatalf("Post: %v", err)
			}
		}
		panic("boom")
	})
	var cp *nodeloop.CallbackPanic
	if !errors.As(err, &cp) {
		t.Fatalf("Run = %v, want a *CallbackPanic", err)
	}
	err = w.l.Close()
	var dropped *nodeloop.DroppedPostsError
	if !errors.As(err, &dropped) || dropped.N != 3 || !errors.Is(err, nodeloop.ErrClosed) {
		t.Fatalf("Close = %v, want a *DroppedPostsError of 3 matching ErrClosed", err)
	}
}

// A posted function that panics in Close stops the others: Close returns the panic
// and counts the functions it did not run.
func TestClosePostedPanics(t *testing.T) {
	w := newWorld(t)
	ran := 0
	for _, f := range []func(){
		func() { ran++ },
		func() { panic("boom") },
		func() { ran++ },
		func() { ran++ },
	} {
		if err := w.l.Post(f); err != nil {
			t.Fatalf("Post: %v", err)
		}
	}
	err := w.l.Close()
	var cp *nodeloop.CallbackPanic
	var dropped *nodeloop.DroppedPostsError
	if !errors.As(err, &cp) || cp.Value != "boom" || !errors.As(err, &dropped) || dropped.N != 2 {
		t.Fatalf("Close = %v, want the panic and a *DroppedPostsError of 2", err)
	}
	if ran != 1 {
		t.Fatalf("%d posted functions ran, want the one before the panic", ran)
	}
	if err := w.l.Post(func() {}); !errors.Is(err, nodeloop.ErrClosed) {
		t.Fatalf("Post after a Close that failed = %v, want ErrClosed", err)
	}
	if err := w.l.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
}

// Under runtime/trace, the posted functions Close runs are in the loop's task, as
// its phases are.
func TestCloseRunsPostedUnderRuntimeTrace(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("runtime/trace is already on (go test -trace)")
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	defer trace.Stop()
	l, _ := newReal(t, 0)
	ran := false
	err := l.Run(func() {
		l.Post(func() { ran = true })
		l.Stop()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !ran {
		t.Fatal("the posted function did not run in Close")
	}
}

// Posts far past what one segment of the loop's queue holds, made while the loop does
// not run, all run, in order per goroutine, and Pending counts them until they do;
// those made before Close run in Close, past a segment too.
func TestPostManyWhileNotRunning(t *testing.T) {
	const goroutines, posts = 4, 3000 // 12,000 posts: several segments of the queue
	for _, atClose := range []bool{false, true} {
		l, _ := newReal(t, 1)
		seen := make([][]int, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range posts {
					if err := l.Post(func() { seen[g] = append(seen[g], i) }); err != nil {
						t.Errorf("Post: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if got, want := l.Pending(), goroutines*posts; got != want {
			t.Fatalf("Pending after %d posts = %d", want, got)
		}
		var err error
		if atClose {
			err = l.Close()
		} else {
			err = l.Run(nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		for g, s := range seen {
			if len(s) != posts {
				t.Fatalf("atClose=%v: goroutine %d: %d of %d posts ran", atClose, g, len(s), posts)
			}
			for i, v := range s {
				if v != i {
					t.Fatalf("atClose=%v: goroutine %d: post %d ran in position %d", atClose, g, v, i)
				}
			}
		}
		if !atClose && l.Pending() != 0 {
			t.Fatalf("Pending after the run = %d, want 0", l.Pending())
		}
	}
}

// A goroutine that posts and waits for its function to run, again and again, never
// waits forever: the loop that found the queue empty and went to sleep is woken by
// the next post.
func TestPostRoundTrips(t *testing.T) {
	const trips = 20000
	l, _ := newReal(t, 1)
	ran := make(chan struct{}, 1)
	n := 0
	err := l.Run(func() {
		keep := l.SetTimeout(time.Hour, func() { t.Error("the hour passed") })
		fn := func() {
			if n++; n == trips {
				l.ClearTimeout(keep)
			}
			ran <- struct{}{}
		}
		go func() {
			for range trips {
				if err := l.Post(fn); err != nil {
					t.Errorf("Post: %v", err)
					return
				}
				<-ran
			}
		}()
	})
	if err != nil || n != trips {
		t.Fatalf("Run = %v after %d of %d round trips", err, n, trips)
	}
}
