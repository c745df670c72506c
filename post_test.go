package nodeloop_test

import (
	"sync"
	"testing"
	"time"

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
