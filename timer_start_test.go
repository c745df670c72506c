package nodeloop_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// hostTimer is a host's structure with its timer in it, as StartTimer is made for.
type hostTimer struct {
	timer nodeloop.Timer
	name  string
}

// Timers a host keeps in its own structures, all started with one callback, run as
// those of SetTimeout and SetInterval do: the same order, the same trace. The
// callback finds the timer it runs for with RunningTimer, and RunningTimer is nil
// outside a timer's callback.
func TestStartTimerRunsAsSetTimeout(t *testing.T) {
	scenario := func(w *world, after, every func(string, time.Duration) *nodeloop.Timer, immediate func()) {
		w.l.SetImmediate(immediate)
		after("a", 10*time.Millisecond)
		iv := every("iv", 10*time.Millisecond)
		after("b", 10*time.Millisecond)
		cleared := after("cleared", 5*time.Millisecond)
		after("c", 25*time.Millisecond)
		w.l.SetTimeout(30*time.Millisecond, func() { w.l.ClearTimeout(iv) })
		w.l.ClearTimeout(cleared)
	}

	plain := newWorld(t)
	plain.run(func() {
		mk := func(interval bool) func(string, time.Duration) *nodeloop.Timer {
			return func(name string, d time.Duration) *nodeloop.Timer {
				cb := func() { plain.addAt(name) }
				if interval {
					return plain.l.SetInterval(d, cb)
				}
				return plain.l.SetTimeout(d, cb)
			}
		}
		scenario(plain, mk(false), mk(true), func() {})
	})

	w := newWorld(t)
	var outside []string
	hosts := map[*nodeloop.Timer]*hostTimer{}
	w.run(func() {
		if r := w.l.RunningTimer(); r != nil {
			outside = append(outside, "main")
		}
		fire := func() { w.addAt(hosts[w.l.RunningTimer()].name) }
		mk := func(interval bool) func(string, time.Duration) *nodeloop.Timer {
			return func(name string, d time.Duration) *nodeloop.Timer {
				h := &hostTimer{name: name}
				hosts[&h.timer] = h
				if got := w.l.StartTimer(&h.timer, d, interval, fire); got != &h.timer {
					t.Errorf("StartTimer returned %p, want the timer it was given, %p", got, &h.timer)
				}
				return &h.timer
			}
		}
		scenario(w, mk(false), mk(true), func() {
			if w.l.RunningTimer() != nil {
				outside = append(outside, "immediate")
			}
		})
	})
	if len(outside) > 0 {
		t.Errorf("RunningTimer is not nil outside a timer's callback: in %v", outside)
	}
	if got, want := fmt.Sprint(w.got), fmt.Sprint(plain.got); got != want {
		t.Errorf("host timers ran %v, want SetTimeout's and SetInterval's %v", got, want)
	}
	if got, want := fmt.Sprint(w.rec.Events()), fmt.Sprint(plain.rec.Events()); got != want {
		t.Errorf("trace\n  %s\nwant SetTimeout's and SetInterval's\n  %s", got, want)
	}
}

// StartTimer refuses a Timer already started, even once it fired, and a nil
// callback, with a panic that says what to do instead.
func TestStartTimerRefusesAStartedTimer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(w *world)
	}{
		{"started twice", func(w *world) {
			var tm nodeloop.Timer
			w.l.StartTimer(&tm, time.Millisecond, false, func() {})
			w.l.StartTimer(&tm, time.Millisecond, false, func() {})
		}},
		{"a Timer of SetTimeout", func(w *world) {
			w.l.StartTimer(w.l.SetTimeout(time.Millisecond, func() {}), time.Millisecond, false, func() {})
		}},
		{"a nil callback", func(w *world) {
			var tm nodeloop.Timer
			w.l.StartTimer(&tm, time.Millisecond, false, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			var msg string
			w.run(func() {
				defer func() { msg, _ = recover().(string) }()
				tc.start(w)
			})
			if !strings.HasPrefix(msg, "nodeloop: ") || !strings.Contains(msg, "StartTimer") {
				t.Fatalf("panic %q, want one that starts with nodeloop: and names StartTimer", msg)
			}
		})
	}
}
