package nodeloop_test

import (
	"bytes"
	"runtime/trace"
	"testing"
	"time"
)

// A real run annotates runtime/trace with a task for the loop and a region per
// phase, so go tool trace shows the phases beside the goroutines.
func TestRuntimeTraceAnnotations(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("runtime/trace is already on (go test -trace)")
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	l, _ := newReal(t, 0)
	err := l.Run(func() {
		l.SetTimeout(time.Millisecond, func() { l.SetImmediate(func() {}) })
	})
	trace.Stop()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nodeloop", "timers", "poll", "check"} {
		if !bytes.Contains(buf.Bytes(), []byte(name)) {
			t.Errorf("the runtime trace does not mention %q", name)
		}
	}
}
