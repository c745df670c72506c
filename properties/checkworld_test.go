package properties_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// crashWorld runs a server that listens for 200 ms and crashes at 50 ms and
// restarts at 100 ms, and a client that dials it every 10 ms, and returns the world's trace.
func crashWorld(t *testing.T, seed uint64) []traces.Event {
	t.Helper()
	w := sim.NewWorld(sim.Config{Seed: seed, KeepTrace: true})
	w.Host("server", func(l *nodeloop.Loop) {
		ln, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			c.Read(func([]byte, error) { c.Close(nil) })
		})
		if err != nil {
			panic(err)
		}
		l.SetTimeout(200*time.Millisecond, func() { ln.Close(nil) })
	})
	w.Host("client", func(l *nodeloop.Loop) {
		n := 0
		var iv *nodeloop.Timer
		iv = l.SetInterval(10*time.Millisecond, func() {
			if n++; n == 15 {
				l.ClearTimeout(iv)
			}
			l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
				if err == nil {
					c.Write([]byte("x"), func(int, error) { c.Close(nil) })
				}
			})
		})
	})
	w.Crash("server", 50*time.Millisecond)
	w.Restart("server", 100*time.Millisecond)
	res, err := w.Run()
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return res.Events
}

// A world's trace, crashes and restarts included, keeps the loop's invariants on
// every host's every run; an event tampered with on one host breaks them, and the
// violation names that host, that run and the event's place in the world's trace.
func TestCheckWorld(t *testing.T) {
	for seed := range uint64(10) {
		events := crashWorld(t, seed)
		if v := properties.CheckWorld(events); len(v) > 0 {
			t.Fatalf("seed %d: %v", seed, v)
		}
		if v := properties.Check(events); len(v) > 0 {
			t.Fatalf("seed %d: Check of the world: %v", seed, v)
		}
		runs := len(sim.HostRuns(events, "server"))
		if runs != 2 {
			t.Fatalf("seed %d: the server ran %d times; want 2", seed, runs)
		}
		c := properties.NewWorldChecker()
		for _, e := range events {
			c.Add(e)
		}
		hosts := c.Hosts()
		slices.Sort(hosts)
		if v := c.Finish(); len(v) > 0 || c.Runs() != 3 || strings.Join(hosts, " ") != "client server" {
			t.Fatalf("seed %d: the checker saw %d runs of %v and %v", seed, c.Runs(), c.Hosts(), v)
		}

		for _, tc := range []struct {
			host string
			run  int
		}{{"client", 1}, {"server", 2}} {
			// The last callback of the host's run, made to leave a negative
			// pending count.
			at := -1
			run := 0
			for i, e := range events {
				if e.Host == "" && e.Kind == traces.KindLog && e.Msg == "restart "+tc.host {
					run++
				}
				if e.Host == tc.host && e.Kind == traces.KindCallback && run+1 == tc.run {
					at = i
				}
			}
			if at < 0 {
				t.Fatalf("seed %d: no callback of %s in run %d", seed, tc.host, tc.run)
			}
			bad := append([]traces.Event(nil), events...)
			bad[at].Pending = -1
			v := properties.CheckWorld(bad)
			if len(v) == 0 {
				t.Fatalf("seed %d: a negative pending count on %s passes", seed, tc.host)
			}
			if v[0].Host != tc.host || v[0].Run != tc.run || v[0].Rule != properties.RulePending || v[0].Events[0] != at {
				t.Fatalf("seed %d: tampering with event %d of %s run %d gave %+v", seed, at, tc.host, tc.run, v[0])
			}
			if want := "host " + tc.host + ", run "; !strings.HasPrefix(v[0].String(), want) {
				t.Fatalf("seed %d: the violation reads %q; want it to start %q", seed, v[0], want)
			}
		}
	}
}
