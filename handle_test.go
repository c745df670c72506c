package nodeloop_test

import (
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// refHandle is what every handle type offers the program for keeping the loop
// alive, whatever its methods return.
type refHandle struct {
	id     uint64
	ref    func()
	unref  func()
	hasRef func() bool
	// close is the handle's own Close (ClearTimeout, ClearImmediate for a timer and
	// an immediate), with whatever else the case opened.
	close func()
	// reuse is a use that needs the handle open, which panics after its Close; nil for
	// a timer and an immediate, whose clear may be repeated, and for a listener, whose
	// Close may be repeated and which has no other use.
	reuse func()
}

// refCases make one active handle of each type and hand it to use from a callback.
var refCases = []struct {
	kind string // its Handle.Kind
	open func(l *nodeloop.Loop, use func(refHandle))
}{
	{"timer", func(l *nodeloop.Loop, use func(refHandle)) {
		tm := l.SetTimeout(time.Hour, func() {})
		use(refHandle{id: tm.ID(), ref: func() { tm.Ref() }, unref: func() { tm.Unref() }, hasRef: tm.HasRef,
			close: func() { l.ClearTimeout(tm) }})
	}},
	{"interval", func(l *nodeloop.Loop, use func(refHandle)) {
		tm := l.SetInterval(time.Hour, func() {})
		use(refHandle{id: tm.ID(), ref: func() { tm.Ref() }, unref: func() { tm.Unref() }, hasRef: tm.HasRef,
			close: func() { l.ClearTimeout(tm) }})
	}},
	{"immediate", func(l *nodeloop.Loop, use func(refHandle)) {
		im := l.SetImmediate(func() {})
		use(refHandle{id: im.ID(), ref: func() { im.Ref() }, unref: func() { im.Unref() }, hasRef: im.HasRef,
			close: func() { l.ClearImmediate(im) }})
	}},
	{"idle", func(l *nodeloop.Loop, use func(refHandle)) { useWatcher(use, l.Idle(func() {})) }},
	{"prepare", func(l *nodeloop.Loop, use func(refHandle)) { useWatcher(use, l.Prepare(func() {})) }},
	{"check", func(l *nodeloop.Loop, use func(refHandle)) { useWatcher(use, l.Check(func() {})) }},
	{"listener", func(l *nodeloop.Loop, use func(refHandle)) {
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {})
		if err != nil {
			panic(err)
		}
		use(refHandle{id: ln.ID(), ref: ln.Ref, unref: ln.Unref, hasRef: ln.HasRef,
			close: func() { ln.Close(nil) }})
	}},
	{"conn", func(l *nodeloop.Loop, use func(refHandle)) {
		// The accepted end, with a read in flight, once both ends are connected.
		var server, client *nodeloop.Conn
		var ln *nodeloop.Listener
		ready := func() {
			if server == nil || client == nil {
				return
			}
			server.Read(func([]byte, error) {})
			use(refHandle{id: server.ID(), ref: server.Ref, unref: server.Unref, hasRef: server.HasRef,
				close: func() { server.Close(nil); client.Close(nil); ln.Close(nil) },
				reuse: func() { server.Read(func([]byte, error) {}) }})
		}
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				panic(err)
			}
			server = c
			ready()
		})
		if err != nil {
			panic(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				panic(err)
			}
			client = c
			ready()
		})
	}},
}

func useWatcher(use func(refHandle), w *nodeloop.Watcher) {
	use(refHandle{id: w.ID(), ref: w.Ref, unref: w.Unref, hasRef: w.HasRef,
		close: func() { w.Close(nil) }, reuse: w.Start})
}

// Every handle type keeps the loop alive, answers Ref, Unref and HasRef, and treats a
// use after its own Close and after the loop's Close, the same way.
func TestHandleRefsAlike(t *testing.T) {
	for _, c := range refCases {
		t.Run(c.kind, func(t *testing.T) {
			w := newWorld(t)
			l := w.l
			var h refHandle
			ran := false
			// wantCount checks that Pending is pending, HasRef is hasRef, and that
			// Handles lists the handle exactly when it is counted.
			wantCount := func(step string, pending int, hasRef, listed bool) {
				t.Helper()
				if got := l.Pending(); got != pending {
					t.Errorf("%s: Pending() = %d, want %d", step, got, pending)
				}
				if got := h.hasRef(); got != hasRef {
					t.Errorf("%s: HasRef() = %v, want %v", step, got, hasRef)
				}
				got := slices.Contains(l.Handles(), nodeloop.Handle{Kind: c.kind, ID: h.id})
				if got != listed {
					t.Errorf("%s: Handles() lists %s %d: %v, want %v (Handles() = %v)", step, c.kind, h.id, got, listed, l.Handles())
				}
				if n := len(l.Handles()); n != l.Pending() {
					t.Errorf("%s: %d handles listed, Pending() = %d", step, n, l.Pending())
				}
			}
			w.run(func() {
				c.open(l, func(got refHandle) {
					h, ran = got, true
					p := l.Pending()
					wantCount("made", p, true, true)
					h.unref()
					wantCount("Unref", p-1, false, false)
					h.unref()
					wantCount("Unref twice", p-1, false, false)
					h.ref()
					wantCount("Ref", p, true, true)
					h.ref()
					wantCount("Ref twice", p, true, true)

					h.close()
					q := l.Pending()
					wantCount("closed", q, true, false)
					h.unref()
					wantCount("Unref after Close", q, false, false)
					h.ref()
					wantCount("Ref after Close", q, true, false)
					if h.reuse != nil {
						mustPanic(t, c.kind+" used after its Close", h.reuse)
					}
				})
			})
			if !ran {
				t.Fatalf("no %s was made", c.kind)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			mustPanic(t, c.kind+" Ref after the loop's Close", h.ref)
			mustPanic(t, c.kind+" Unref after the loop's Close", h.unref)
			if !h.hasRef() {
				t.Errorf("HasRef() after the loop's Close = false, want true (it answers, and Ref was called last)")
			}
		})
	}
}

// Handles lists as many things as Pending counts from every callback, in every
// phase, while the phase's own queue (the immediates, watchers, timers and close
// callbacks it took when it began) is only part run.
func TestHandlesArePending(t *testing.T) {
	w := newWorld(t)
	l := w.l
	probes := 0
	probe := func(where string) func() {
		return func() {
			probes++
			if n, p := len(l.Handles()), l.Pending(); n != p {
				t.Errorf("in %s: %d handles listed (%v), Pending() = %d", where, n, l.Handles(), p)
			}
		}
	}
	w.run(func() {
		l.SetImmediate(probe("the first of two immediates"))
		l.SetImmediate(probe("the second immediate"))
		l.SetTimeout(time.Millisecond, probe("the first of two timers due at once"))
		l.SetTimeout(time.Millisecond, probe("the second timer"))
		var iv *nodeloop.Timer
		iv = l.SetInterval(time.Millisecond, func() {
			probe("an interval's callback")()
			l.ClearTimeout(iv)
		})
		a := l.Idle(func() {})
		b := l.Idle(func() {})
		a.Close(probe("the first of two close callbacks"))
		b.Close(probe("the second close callback"))
		var c1, c2 *nodeloop.Watcher
		c1 = l.Check(func() { probe("the first of two check watchers")(); c1.Close(nil) })
		c2 = l.Check(func() { probe("the second check watcher")(); c2.Close(nil) })
		nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) { probe("a pool request's callback")() })
	})
	if probes != 10 {
		t.Fatalf("%d probes ran, want 10", probes)
	}
}
