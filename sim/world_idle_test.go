package sim_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// A host's OnIdle hook runs when its loop has no more work, and again while it
// gives the loop work; the world goes on with the other hosts after it ends.
func TestWorldRunsAHostsIdleHook(t *testing.T) {
	var got []string
	w := sim.NewWorld(sim.Config{Seed: 2})
	w.Host("a", func(l *nodeloop.Loop) {
		idles := 0
		sim.OnIdle(l, func() (bool, error) {
			idles++
			got = append(got, "idle a")
			if idles < 3 {
				l.SetTimeout(10*time.Millisecond, func() { got = append(got, "timer a") })
				return true, nil
			}
			return false, nil
		})
	})
	w.Host("b", func(l *nodeloop.Loop) {
		l.SetTimeout(100*time.Millisecond, func() { got = append(got, "timer b") })
	})
	if _, err := w.Run(); err != nil {
		t.Fatalf("World.Run: %v", err)
	}
	want := "idle a|timer a|idle a|timer a|idle a|timer b"
	if strings.Join(got, "|") != want {
		t.Errorf("the world ran %q; want %q", strings.Join(got, "|"), want)
	}
}

// A host whose program stops its loop with a listener open, and whose hook ends
// it, is gone as a process that exits: a later dial to it is refused, and the
// world ends OK. An error of the hook fails the world, naming the host, and
// unwraps to the hook's error.
func TestWorldHostEndsWhenItsHookSays(t *testing.T) {
	for _, fail := range []bool{false, true} {
		bad := errors.New("exit code 2")
		var dialErr error
		w := sim.NewWorld(sim.Config{Seed: 4})
		w.Host("server", func(l *nodeloop.Loop) {
			if _, err := l.Listen("tcp", ":80", func(*nodeloop.Conn, error) {}); err != nil {
				t.Fatal(err)
			}
			sim.OnIdle(l, func() (bool, error) {
				if fail {
					return false, bad
				}
				return false, nil
			})
			l.SetTimeout(10*time.Millisecond, l.Stop)
		})
		w.Host("client", func(l *nodeloop.Loop) {
			l.SetTimeout(50*time.Millisecond, func() {
				l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
					dialErr = err
					if c != nil {
						c.Close(nil)
					}
				})
			})
		})
		res, err := w.Run()
		if fail {
			if !errors.Is(err, bad) || res.Verdict != sim.Failed || res.Host != "server" {
				t.Errorf("a failing hook: verdict %v, host %q, error %v; want failed, host server, the hook's error", res.Verdict, res.Host, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("World.Run: %v", err)
		}
		if !errors.Is(dialErr, syscall.ECONNREFUSED) {
			t.Errorf("a dial to the ended host: %v; want ECONNREFUSED", dialErr)
		}
	}
}

// In liveness mode a world whose hosts are all down or done waits for a crashed
// host's restart, which brings the condition about, rather than ending NotLive.
func TestLivenessWaitsForARestartWhenEveryHostIsDown(t *testing.T) {
	ran := 0
	w := sim.NewWorld(sim.Config{Seed: 1})
	w.Host("a", func(l *nodeloop.Loop) {
		ran++
		l.SetTimeout(time.Hour, func() {})
	})
	w.Crash("a", 10*time.Millisecond)
	w.Restart("a", 20*time.Millisecond)
	w.SetLiveness(sim.Liveness{After: time.Second, Within: time.Second, Done: func() bool { return ran == 2 }})
	res, err := w.Run()
	if err != nil {
		t.Fatalf("World.Run: %v", err)
	}
	if ran != 2 || res.End != 20*time.Millisecond {
		t.Errorf("the program ran %d times, the world ended at %v; want 2 runs, ending at the restart, 20ms", ran, res.End)
	}
}
