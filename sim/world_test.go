package sim_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// echoServer listens on port 80 and answers each message of each connection with
// "pong " and the message, until its peer ends the stream; it serves conns
// connections, then closes its listener.
func echoServer(conns int) func(*nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		var ln *nodeloop.Listener
		served := 0
		ln, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			from, _ := sim.HostOf(l, c.RemoteAddr())
			l.Log("accepted " + c.RemoteAddr().String() + " of " + from)
			if served++; served == conns {
				ln.Close(nil)
			}
			var read func([]byte, error)
			read = func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				c.Write(append([]byte("pong "), b...), func(int, error) {})
				c.Read(read)
			}
			c.Read(read)
		})
		if err != nil {
			panic(err)
		}
	}
}

// pingClient dials server:80 and sends rounds messages, one after each answer, then
// closes; got keeps what it heard.
func pingClient(rounds int, got *[]string) func(*nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				panic(err)
			}
			sent := 0
			var heard bytes.Buffer
			send := func() {
				sent++
				c.Write(fmt.Appendf(nil, "ping%d;", sent), func(int, error) {})
			}
			var read func([]byte, error)
			read = func(b []byte, err error) {
				if err != nil {
					panic(err)
				}
				heard.Write(b)
				if !strings.HasSuffix(heard.String(), ";") {
					c.Read(read) // the rest of the answer is on its way
					return
				}
				*got = append(*got, heard.String())
				heard.Reset()
				if sent == rounds {
					c.Close(nil)
					return
				}
				send()
				c.Read(read)
			}
			send()
			c.Read(read)
		})
	}
}

// twoHosts runs a server and a client host on seed and returns the world's result,
// its trace and what the client heard.
func twoHosts(t *testing.T, cfg sim.Config) (*sim.WorldResult, []byte, []string) {
	t.Helper()
	var trace bytes.Buffer
	var got []string
	cfg.Trace, cfg.KeepTrace = &trace, true
	w := sim.NewWorld(cfg)
	w.Host("server", echoServer(1))
	w.Host("client", pingClient(3, &got))
	res, err := w.Run()
	if res == nil {
		t.Fatalf("World.Run: %v", err)
	}
	return res, trace.Bytes(), got
}

// Two hosts exchange messages over the world's network, a client dialing the server
// by name; the same seed gives the same trace, byte for byte, under one thread and
// two; every host's part of the trace keeps the loop's invariants.
func TestWorldTwoHostsExchangeMessages(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for seed := range uint64(30) {
		runtime.GOMAXPROCS(1)
		res, trace, got := twoHosts(t, sim.Config{Seed: seed})
		if res.Failed() {
			t.Fatalf("seed %d: %v", seed, res)
		}
		if want := []string{"pong ping1;", "pong ping2;", "pong ping3;"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("seed %d: the client heard %q, want %q", seed, got, want)
		}
		runtime.GOMAXPROCS(2)
		res2, trace2, _ := twoHosts(t, sim.Config{Seed: seed})
		if !bytes.Equal(trace, trace2) || res2.Verdict != res.Verdict {
			t.Fatalf("seed %d: two runs of the world differ", seed)
		}
		h, events, err := traces.Decode(bytes.NewReader(trace))
		if err != nil {
			t.Fatalf("seed %d: the world's trace does not decode: %v", seed, err)
		}
		if fmt.Sprint(h.Hosts) != "[server client]" {
			t.Fatalf("seed %d: the header lists the hosts %v, want [server client]", seed, h.Hosts)
		}
		if len(events) != len(res.Events) {
			t.Fatalf("seed %d: the trace has %d events, the result %d", seed, len(events), len(res.Events))
		}
		for _, host := range res.Hosts {
			mine := sim.HostEvents(events, host.Name)
			if len(mine) == 0 || len(mine) != len(host.Events) {
				t.Fatalf("seed %d: host %s has %d events in the trace, %d in its result", seed, host.Name, len(mine), len(host.Events))
			}
			if v := properties.Check(mine); len(v) > 0 {
				t.Fatalf("seed %d: host %s breaks the loop's rules: %v", seed, host.Name, v)
			}
		}
		// The server saw its client at the client host's address.
		if !bytes.Contains(trace, []byte(`"msg":"accepted 10.0.0.2:32768 of client"`)) {
			t.Fatalf("seed %d: the server did not see its client at 10.0.0.2", seed)
		}
	}
}

// Which host runs next, when both could, is a choice of the world, and different
// seeds take different ones.
func TestWorldHostChoiceIsAChoice(t *testing.T) {
	picks := map[int]bool{}
	for seed := range uint64(30) {
		res, _, _ := twoHosts(t, sim.Config{Seed: seed})
		for _, c := range res.Choices {
			if c.What == "world.host" {
				picks[c.Value] = true
			}
		}
		again, _, _ := twoHosts(t, sim.Config{Choices: sim.Replay(res.Choices)})
		if again.Failed() || fmt.Sprint(again.Choices) != fmt.Sprint(res.Choices) {
			t.Fatalf("seed %d: the replay made other choices (%v)", seed, again)
		}
	}
	if !picks[0] || !picks[1] {
		t.Fatalf("world.host took %v over 30 seeds; want both hosts", picks)
	}
}

// Under rapid a world's failure that depends on which host runs first shrinks to
// the one host choice that makes it.
func TestWorldHostChoiceShrinks(t *testing.T) {
	t.Cleanup(func() { // the file rapid keeps of the failure this test provokes
		os.RemoveAll(filepath.Join("testdata", "rapid", t.Name()))
		os.Remove(filepath.Join("testdata", "rapid"))
		os.Remove("testdata")
	})
	var shrunk []sim.Choice
	rapid.Check(&quietT{t}, func(rt *rapid.T) {
		order := ""
		w := sim.NewWorld(sim.Config{Choices: sim.Rapid(rt)})
		w.Host("a", func(l *nodeloop.Loop) { order += "a" })
		w.Host("b", func(l *nodeloop.Loop) { order += "b" })
		res, _ := w.Run()
		shrunk = res.Choices
		if order == "ba" {
			rt.Fatalf("b ran first")
		}
	})
	if len(shrunk) != 1 || shrunk[0] != (sim.Choice{What: "world.host", N: 2, Value: 1}) {
		t.Fatalf("the failure shrank to %v, want the one choice world.host=1/2", shrunk)
	}
}

// quietT reports rapid's failure as the expected outcome: the test asserts on what
// it shrank to instead.
type quietT struct{ *testing.T }

func (q *quietT) Errorf(string, ...any) {}
func (q *quietT) Fatalf(string, ...any) {}
func (q *quietT) Error(...any)          {}
func (q *quietT) Fatal(...any)          {}
func (q *quietT) Fail()                 {}
func (q *quietT) FailNow()              {}

// A host that waits forever for a connection nobody makes leaves the world stuck,
// the host named, with what keeps it alive and where the program made it.
func TestWorldStuckNamesTheHost(t *testing.T) {
	w := sim.NewWorld(sim.Config{Seed: 1})
	w.Host("client", func(l *nodeloop.Loop) { l.SetTimeout(time.Second, func() {}) })
	w.Host("waiter", func(l *nodeloop.Loop) {
		if _, err := l.Listen("tcp", ":80", func(*nodeloop.Conn, error) {}); err != nil {
			panic(err)
		}
	})
	res, err := w.Run()
	var re *sim.RunError
	if !errors.As(err, &re) || res == nil || res.Verdict != sim.Stuck || re.Verdict != sim.Stuck {
		t.Fatalf("World.Run = %v, %v; want a stuck world", res, err)
	}
	if !strings.Contains(res.Err.Error(), "host waiter is alive") {
		t.Fatalf("the error %q does not name the host waiter", res.Err)
	}
	if c, h := res.Hosts[0], res.Hosts[1]; c.Verdict != sim.OK || h.Verdict != sim.Stuck || len(h.Alive) != 1 {
		t.Fatalf("hosts: client %v, waiter %v with %v alive; want ok, and stuck with its listener", c.Verdict, h.Verdict, h.Alive)
	}
	if s := res.Hosts[1].Alive[0].String(); !strings.Contains(s, "world_test.go") {
		t.Fatalf("the alive handle %q does not say where it was made", s)
	}
	if res.End != time.Second {
		t.Fatalf("the world ended at %v, want 1s, when the client's timer ran", res.End)
	}
}

// A world refuses what makes no sense: no host, a host twice, a bad name.
func TestWorldRefusesBadConfigurations(t *testing.T) {
	nop := func(*nodeloop.Loop) {}
	for _, tc := range []struct {
		name  string
		hosts []string
	}{
		{"no host", nil},
		{"twice", []string{"a", "a"}},
		{"localhost", []string{"localhost"}},
		{"an address", []string{"10.0.0.1"}},
		{"a colon", []string{"a:80"}},
	} {
		w := sim.NewWorld(sim.Config{})
		for _, h := range tc.hosts {
			w.Host(h, nop)
		}
		if res, err := w.Run(); res != nil || err == nil {
			t.Errorf("%s: World.Run = %v, %v; want an error", tc.name, res, err)
		}
	}
}

// A world starts no goroutine, its hosts' pools included, and repeats itself byte
// for byte with every fault on in swarm mode.
func TestWorldDeterministicUnderFaults(t *testing.T) {
	faults, err := sim.ParseFaults("all")
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	most := 0
	trace := func(seed uint64) ([]byte, *sim.WorldResult) {
		var buf bytes.Buffer
		w := sim.NewWorld(sim.Config{Seed: seed, Faults: faults, Swarm: true, Trace: &buf})
		w.Host("server", echoServer(2))
		for _, name := range []string{"c1", "c2"} {
			w.Host(name, func(l *nodeloop.Loop) {
				demo(l) // timers, immediates and pool jobs
				l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
					most = max(most, runtime.NumGoroutine())
					if err != nil {
						return
					}
					c.Write([]byte("hi;"), func(int, error) {})
					c.Read(func([]byte, error) { c.Close(nil) })
				})
			})
		}
		res, _ := w.Run()
		if res == nil {
			t.Fatalf("seed %d: no result", seed)
		}
		return buf.Bytes(), res
	}
	verdicts := map[sim.Verdict]int{}
	for seed := range uint64(60) {
		a, res := trace(seed)
		b, _ := trace(seed)
		if !bytes.Equal(a, b) {
			t.Fatalf("seed %d: two runs of the world wrote different traces", seed)
		}
		verdicts[res.Verdict]++
		_, events, err := traces.Decode(bytes.NewReader(a))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, h := range []string{"server", "c1", "c2"} {
			for i, run := range sim.HostRuns(events, h) {
				if v := properties.Check(run); len(v) > 0 {
					t.Fatalf("seed %d: host %s, run %d, breaks the loop's rules: %v", seed, h, i, v)
				}
			}
		}
		if res.Verdict == sim.Failed && !strings.Contains(res.Err.Error(), "host ") {
			t.Fatalf("seed %d: the failure %v names no host", seed, res.Err)
		}
	}
	if most > before {
		t.Fatalf("%d goroutines before the worlds, up to %d during them", before, most)
	}
	t.Log(verdicts)
	if verdicts[sim.OK] == 0 {
		t.Fatalf("no world of 60 with faults ended ok: %v", verdicts)
	}
}

// A host whose callback panics, or that runs out of steps, ends the world with that
// verdict, naming the host.
func TestWorldHostFailureNamesTheHost(t *testing.T) {
	for _, tc := range []struct {
		name    string
		program func(*nodeloop.Loop)
		verdict sim.Verdict
	}{
		{"panic", func(l *nodeloop.Loop) { l.SetTimeout(time.Second, func() { panic("boom") }) }, sim.Failed},
		{"storm", func(l *nodeloop.Loop) {
			var again func()
			again = func() { l.SetImmediate(again) }
			again()
		}, sim.StepLimit},
	} {
		w := sim.NewWorld(sim.Config{Seed: 2, StepLimit: 1000})
		w.Host("calm", func(l *nodeloop.Loop) { l.SetTimeout(time.Hour, func() {}) })
		w.Host("bad", tc.program)
		res, err := w.Run()
		if res == nil || err == nil || res.Verdict != tc.verdict || res.Host != "bad" || !strings.Contains(err.Error(), "host bad") {
			t.Fatalf("%s: World.Run = %v, %v; want %v naming host bad", tc.name, res, err, tc.verdict)
		}
		if res.Hosts[1].Verdict != tc.verdict {
			t.Fatalf("%s: host bad's verdict is %v, want %v", tc.name, res.Hosts[1].Verdict, tc.verdict)
		}
	}
}

// Callback costs are charged in a world too, each a choice of the host that ran the
// callbacks, and the world still repeats itself.
func TestWorldCallbackCost(t *testing.T) {
	cfg := sim.Config{Seed: 4, CallbackCost: sim.Range{Min: time.Millisecond, Max: 3 * time.Millisecond}}
	res, trace, got := twoHosts(t, cfg)
	if res.Failed() || len(got) != 3 {
		t.Fatalf("%v; the client heard %q", res, got)
	}
	costs := 0
	for _, e := range res.Events {
		if strings.HasPrefix(e.Choice, "cpu.cost") {
			if e.Host == "" {
				t.Fatalf("the cost %s names no host", e.Choice)
			}
			costs++
		}
	}
	if costs == 0 {
		t.Fatal("no callback cost was drawn")
	}
	for _, h := range res.Hosts {
		if v := properties.Check(h.Events); len(v) > 0 {
			t.Fatalf("host %s breaks the loop's rules: %v", h.Name, v)
		}
	}
	_, again, _ := twoHosts(t, cfg)
	if !bytes.Equal(trace, again) {
		t.Fatal("two runs of the world with callback costs differ")
	}
}

// Each host has a disk of its own: what one writes, the other does not see, and each
// host's disk is in its result.
func TestWorldHostsHaveTheirOwnDisks(t *testing.T) {
	blank, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var readErr error
	w := sim.NewWorld(sim.Config{Seed: 1})
	w.HostWith("writer", func(l *nodeloop.Loop) {
		l.WriteFile("data", []byte("mine"), func(err error) {
			if err != nil {
				panic(err)
			}
			l.Fsync("data", func(error) {})
		})
	}, sim.HostOptions{Disk: blank})
	w.HostWith("reader", func(l *nodeloop.Loop) {
		l.SetTimeout(time.Second, func() {
			l.ReadFile("data", func(_ []byte, err error) { readErr = err })
		})
	}, sim.HostOptions{Disk: blank})
	res, err := w.Run()
	if err != nil {
		t.Fatal(res, err)
	}
	if !errors.Is(readErr, fs.ErrNotExist) {
		t.Fatalf("the reader's ReadFile of the writer's file: %v; want it not to exist", readErr)
	}
	got, err := fs.ReadFile(res.Hosts[0].Disk, "data")
	if err != nil || string(got) != "mine" {
		t.Fatalf("the writer's disk holds %q, %v; want \"mine\"", got, err)
	}
	if _, err := fs.ReadFile(blank, "data"); err == nil {
		t.Fatal("the world wrote on the disk it was given, not on a copy")
	}
}
