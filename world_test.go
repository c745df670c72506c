package nodeloop_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// world is a loop on virtual time: fakeclock, fakepoller and a simulated pool whose
// jobs take one millisecond, with every event recorded.
type world struct {
	t     testing.TB
	l     *nodeloop.Loop
	clock *fakeclock.Clock
	fp    *fakepoller.Poller
	rec   *traces.Recorder
	got   []string
	waits []time.Duration // the timeout of every poller wait, in order
}

// spyPoller is the world's fake poller, noting the timeout of every wait: the trace
// leaves out a wait asked not to wait that found nothing.
type spyPoller struct {
	*fakepoller.Poller
	waits *[]time.Duration
}

func (p spyPoller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	*p.waits = append(*p.waits, timeout)
	return p.Poller.Wait(done, timeout)
}

func newWorld(t testing.TB, opts ...nodeloop.Option) *world {
	t.Helper()
	w := &world{t: t, clock: fakeclock.New(), rec: traces.NewMemory()}
	w.fp = fakepoller.New(w.clock)
	base := []nodeloop.Option{
		nodeloop.WithClock(w.clock),
		nodeloop.WithPoller(spyPoller{w.fp, &w.waits}),
		nodeloop.WithPool(sim.NewPool(w.fp, 4, nil)),
		nodeloop.WithTracer(w.rec),
		nodeloop.WithStepLimit(5_000_000), // a runaway test fails instead of hanging
	}
	l, err := nodeloop.New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		l.Close()
		// Every trace a test makes must keep the invariants of docs/semantics.md.
		for _, v := range properties.Check(w.rec.Events()) {
			t.Errorf("invariant: %v", v)
		}
	})
	w.l = l
	return w
}

// add records that something happened.
func (w *world) add(s string) { w.got = append(w.got, s) }

// addAt records s with the loop's cached time in milliseconds.
func (w *world) addAt(s string) {
	w.got = append(w.got, fmt.Sprintf("%s@%d", s, w.elapsed()/time.Millisecond))
}

func (w *world) elapsed() time.Duration { return w.l.Now().Sub(fakeclock.Epoch) }

func (w *world) run(main func()) {
	w.t.Helper()
	defer func() {
		if w.t.Failed() {
			w.dump()
		}
	}()
	if err := w.l.Run(main); err != nil {
		w.t.Fatalf("Run: %v", err)
	}
}

func (w *world) want(want ...string) {
	w.t.Helper()
	if strings.Join(w.got, " ") != strings.Join(want, " ") {
		w.t.Fatalf("callbacks ran as\n  %s\nwant\n  %s", strings.Join(w.got, " "), strings.Join(want, " "))
	}
}

// events returns the recorded events of the given kinds.
func (w *world) events(kinds ...traces.Kind) []traces.Event {
	var out []traces.Event
	for _, e := range w.rec.Events() {
		for _, k := range kinds {
			if e.Kind == k {
				out = append(out, e)
			}
		}
	}
	return out
}

// checkPending checks the pending-count rules on the recorded trace: never negative,
// and 0 when Run ended.
func (w *world) checkPending() {
	w.t.Helper()
	evs := w.rec.Events()
	for _, e := range evs {
		if e.Pending < 0 {
			w.t.Fatalf("event %d (%s) has pending %d", e.Seq, e.Kind, e.Pending)
		}
	}
	if n := len(evs); n > 0 && evs[n-1].Kind == traces.KindEnd && evs[n-1].Pending != 0 && evs[n-1].Err == "" {
		w.t.Fatalf("Run ended with pending %d", evs[n-1].Pending)
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		msg, _ := r.(string)
		if !strings.HasPrefix(msg, "nodeloop:") {
			t.Fatalf("%s: recover() = %#v, want a panic whose message starts with nodeloop:", what, r)
		}
	}()
	f()
}

// dump logs the trace, for a failing test.
func (w *world) dump() {
	for _, e := range w.rec.Events() {
		w.t.Logf("%s", traces.AppendJSON(nil, &e))
	}
}
