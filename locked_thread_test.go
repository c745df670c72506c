package nodeloop_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/poller"
)

// lockedBackends are the NODELOOP_POLLER values a loop made WithLockedThread is
// tried with: the default, which is io_uring on Linux where the kernel has it, and
// on Linux epoll as well.
func lockedBackends() []string {
	if runtime.GOOS == "linux" {
		return []string{"", "epoll"}
	}
	return []string{""}
}

// A loop with a thread of its own serves connections, a timer, a pool job and a
// Post from another goroutine as any loop does, on each back end it may get.
func TestWithLockedThread(t *testing.T) {
	for _, env := range lockedBackends() {
		t.Run("NODELOOP_POLLER="+env, func(t *testing.T) {
			t.Setenv("NODELOOP_POLLER", env)
			l, err := nodeloop.New(nodeloop.WithLockedThread())
			if err != nil {
				t.Fatal(err)
			}
			msg := patterned(300 << 10)
			var got []byte
			timerRan, jobDone, posted := false, false, false
			err = l.Run(func() {
				var ln *nodeloop.Listener
				ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
					if err != nil {
						t.Errorf("accept: %v", err)
						return
					}
					ln.Close(nil)
					c.Write(msg, func(_ int, err error) {
						if err != nil {
							t.Errorf("write: %v", err)
						}
					})
					c.End(func(error) {})
				})
				if err != nil {
					t.Fatal(err)
				}
				l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
					if err != nil {
						t.Errorf("dial: %v", err)
						return
					}
					var read func(b []byte, err error)
					read = func(b []byte, err error) {
						if err != nil {
							c.Close(nil)
							return
						}
						got = append(got, b...)
						c.Read(read)
					}
					c.Read(read)
				})
				l.SetTimeout(time.Millisecond, func() { timerRan = true })
				nodeloop.Work(l, func() (int, error) { return 1, nil }, func(int, error) { jobDone = true })
				// A Post from another goroutine, which the loop waits for.
				hold := l.SetInterval(time.Hour, func() {})
				go func() {
					if err := l.Post(func() {
						posted = true
						l.ClearTimeout(hold)
					}); err != nil {
						t.Errorf("Post: %v", err)
					}
				}()
			})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, msg) || !timerRan || !jobDone || !posted {
				t.Fatalf("read %d of %d bytes (equal: %v), timer ran %v, job done %v, posted ran %v; want all",
					len(got), len(msg), bytes.Equal(got, msg), timerRan, jobDone, posted)
			}
			if err := l.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

// A loop made WithLockedThread on io_uring and run from another goroutine returns
// an error that names the rule, rather than hanging or panicking.
func TestWithLockedThreadRunElsewhere(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only a ring for one thread refuses another")
	}
	t.Setenv("NODELOOP_POLLER", "io_uring")
	type made struct {
		l   *nodeloop.Loop
		err error
	}
	mk := make(chan made)
	release, closed := make(chan struct{}), make(chan error)
	go func() {
		// New locks this goroutine to its thread, which waits here, then closes
		// the loop from it.
		l, err := nodeloop.New(nodeloop.WithLockedThread())
		mk <- made{l, err}
		<-release
		if l != nil {
			closed <- l.Close()
		}
	}()
	m := <-mk
	defer func() {
		close(release)
		if m.l != nil {
			if err := <-closed; err != nil {
				t.Errorf("Close from the loop's own goroutine: %v", err)
			}
		}
	}()
	if m.err != nil {
		if _, err := poller.New(); err != nil {
			t.Skipf("no usable io_uring here: %v", err)
		}
		t.Fatal(m.err)
	}
	err := m.l.Run(func() {
		m.l.SetTimeout(time.Millisecond, func() {})
	})
	if err == nil || !strings.Contains(err.Error(), "NewForThread") {
		t.Fatalf("Run from another goroutine: %v; want an error naming NewForThread", err)
	}
}
