package properties_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/traces"
)

// The loop's trace of a dial it gave up, timed out or canceled, keeps every rule:
// the checker knows the loop's texts for both, so it expects their pending
// callbacks.
func TestDialEndsTrace(t *testing.T) {
	clock := fakeclock.New()
	fp, err := fakepoller.NewWith(clock, fakepoller.Options{Silent: []string{"10.0.0.9"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := traces.NewMemory()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fp), nodeloop.WithTracer(rec))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Run(func() {
		l.DialTimeout("tcp", "10.0.0.9:80", 3*time.Millisecond, func(*nodeloop.Conn, error) {})
		d := l.Dial("tcp", "10.0.0.9:81", func(*nodeloop.Conn, error) {})
		l.SetTimeout(time.Millisecond, func() { d.Cancel() })
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	seen := map[string]bool{}
	for _, e := range rec.Events() {
		if e.Kind == traces.KindOpComplete && e.Op == "connect" {
			seen[e.Err] = true
		}
	}
	for _, want := range []string{dialTimedOutErr, canceledErr} {
		if !seen[want] {
			t.Errorf("no connect completes with %q in the trace; the texts seen: %v", want, seen)
		}
	}
	for _, v := range properties.Check(rec.Events()) {
		t.Errorf("invariant: %v", v)
	}
}
