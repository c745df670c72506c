package nodeloop_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/traces"
)

// On the operating system's poller, a wait that may block first asks the kernel
// without waiting; when that finds the peer's answer, the poll phase runs it as the
// blocking wait would have. The trace still records the timeout the loop computed
// (the time to the armed timer), not the zero of the first question, and every
// round trip completes.
func TestBusyConnectionPollKeepsItsTimeout(t *testing.T) {
	const trips = 50
	l, rec := newReal(t, 0)
	done := 0
	err := l.Run(func() {
		timer := l.SetTimeout(time.Hour, func() { t.Error("the hour-long timer ran") })
		var ln *nodeloop.Listener
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			ln.Close(nil)
			var serve func(b []byte, err error)
			serve = func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				c.Write(append([]byte(nil), b...), func(int, error) {})
				c.Read(serve)
			}
			c.Read(serve)
		})
		if err != nil {
			t.Fatalf("Listen: %v", err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("Dial: %v", err)
				return
			}
			var read func(b []byte, err error)
			read = func(b []byte, err error) {
				if err != nil {
					t.Errorf("client read: %v", err)
					c.Close(nil)
					return
				}
				if done++; done == trips {
					l.ClearTimeout(timer)
					c.Close(nil)
					return
				}
				c.Write([]byte("ping"), func(int, error) {})
				c.Read(read)
			}
			c.Write([]byte("ping"), func(int, error) {})
			c.Read(read)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if done != trips {
		t.Fatalf("%d round trips, want %d", done, trips)
	}
	timed := 0
	for _, e := range rec.Events() {
		if e.Kind == traces.KindPoll && e.Completions > 0 && e.Timeout > 0 && e.Timeout <= time.Hour {
			timed++
		}
	}
	if timed < trips {
		t.Fatalf("%d polls with completions traced the time to the hour-long timer as their timeout, want at least %d (one per round trip)", timed, trips)
	}
}
