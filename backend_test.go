package nodeloop_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
)

// NextDeadline says how long until the loop needs to run: zero for work that must
// not wait, the time to the earliest timer, nothing for a loop only its poller can
// wake or that nothing keeps alive.
func TestNextDeadline(t *testing.T) {
	clock := fakeclock.New()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fakepoller.New(clock)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type want struct {
		d  time.Duration
		ok bool
	}
	check := func(what string, w want) {
		t.Helper()
		if d, ok := l.NextDeadline(); d != w.d || ok != w.ok {
			t.Fatalf("%s: NextDeadline = %v, %v; want %v, %v", what, d, ok, w.d, w.ok)
		}
	}
	check("a new loop", want{0, false})
	tm := l.SetTimeout(50*time.Millisecond, func() {})
	l.SetTimeout(80*time.Millisecond, func() {})
	check("two timers", want{50 * time.Millisecond, true})
	im := l.SetImmediate(func() {})
	check("an immediate", want{0, true})
	l.ClearImmediate(im)
	l.ClearTimeout(tm)
	check("the later timer", want{80 * time.Millisecond, true})
	clock.Advance(30 * time.Millisecond)
	if _, err := l.RunOnce(false); err != nil {
		t.Fatal(err)
	}
	check("30 ms later", want{50 * time.Millisecond, true})
	ln, err := l.Listen("tcp", "127.0.0.1:80", func(*nodeloop.Conn, error) {})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(50 * time.Millisecond)
	if _, err := l.RunOnce(false); err != nil {
		t.Fatal(err)
	}
	check("a listener alone", want{0, false})
	ln.Close(nil)
	if _, err := l.RunOnce(false); err != nil {
		t.Fatal(err)
	}
	check("nothing alive", want{0, false})
}
