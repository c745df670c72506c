package sim_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// linkLog is what one end of the connection of partitionWorld saw: each read's
// data and when it came, and the error that ended its reads.
type linkLog struct {
	data []string
	at   []time.Duration
	err  error
}

func (lg *linkLog) readAll(l *nodeloop.Loop, c *nodeloop.Conn, start time.Time) {
	var read func()
	read = func() {
		c.Read(func(b []byte, err error) {
			if err != nil {
				lg.err = err
				c.Close(nil)
				return
			}
			lg.data = append(lg.data, string(b))
			lg.at = append(lg.at, l.Now().Sub(start))
			read()
		})
	}
	read()
}

// partitionWorld is a server and a client connected from the start; at 2 s each
// writes its messages, one write each, and each reads until its connection ends
// (the server ends it after 10 s; it accepts one connection).
func partitionWorld(cfg sim.Config, srvMsgs, cliMsgs []string, srv, cli *linkLog) *sim.World {
	return partitionWorldFor(cfg, 10*time.Second, srvMsgs, cliMsgs, srv, cli)
}

// partitionWorldFor is partitionWorld whose server ends its connection after life.
func partitionWorldFor(cfg sim.Config, life time.Duration, srvMsgs, cliMsgs []string, srv, cli *linkLog) *sim.World {
	w := sim.NewWorld(cfg)
	w.Host("server", func(l *nodeloop.Loop) {
		start := l.Now()
		var ln *nodeloop.Listener
		ln, _ = l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			ln.Close(nil)
			srv.readAll(l, c, start)
			l.SetTimeout(2*time.Second, func() {
				for _, m := range srvMsgs {
					c.Write([]byte(m), func(int, error) {})
				}
			})
			l.SetTimeout(life, func() { c.Close(nil) })
		})
	})
	w.Host("client", func(l *nodeloop.Loop) {
		start := l.Now()
		l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				cli.err = err
				return
			}
			cli.readAll(l, c, start)
			l.SetTimeout(2*time.Second, func() {
				for _, m := range cliMsgs {
					c.Write([]byte(m), func(int, error) {})
				}
			})
		})
	})
	return w
}

// While partitioned, segments are held, not dropped: at the heal they arrive in
// order, all of them; the other way of a one-way partition goes through.
func TestWorldPartitionHoldsThenDelivers(t *testing.T) {
	for _, oneWay := range []bool{false, true} {
		var srv, cli linkLog
		w := partitionWorld(sim.Config{Seed: 5, Latency: sim.Range{Min: time.Millisecond, Max: 20 * time.Millisecond}},
			[]string{"hello"}, []string{"a", "b", "c"}, &srv, &cli)
		w.Partition(sim.Partition{From: []string{"client"}, To: []string{"server"}, OneWay: oneWay, At: time.Second, Heal: 5 * time.Second})
		if res, err := w.Run(); err != nil {
			t.Fatalf("oneWay %v: %v, %v", oneWay, res, err)
		}
		if got := strings.Join(srv.data, ""); got != "abc" || srv.at[0] < 5*time.Second {
			t.Fatalf("oneWay %v: the server read %q at %v; want abc, from the heal at 5s on", oneWay, srv.data, srv.at)
		}
		if got := strings.Join(cli.data, ""); got != "hello" {
			t.Fatalf("oneWay %v: the client read %q; want hello", oneWay, cli.data)
		}
		if oneWay != (cli.at[0] < 5*time.Second) {
			t.Fatalf("oneWay %v: the client read the server's message at %v; want it before the heal at 5s just when the partition is one way", oneWay, cli.at[0])
		}
		if !errors.Is(cli.err, io.EOF) {
			t.Fatalf("oneWay %v: the client's reads ended with %v; want the end of the stream", oneWay, cli.err)
		}
	}
}

// A connection cut past the cut timeout fails with ETIMEDOUT at both ends.
func TestWorldPartitionTimesOut(t *testing.T) {
	var srv, cli linkLog
	w := partitionWorldFor(sim.Config{Seed: 9}, time.Minute, []string{"hello"}, []string{"a"}, &srv, &cli)
	w.Partition(sim.Partition{From: []string{"client"}, To: []string{"server"}, At: time.Second})
	res, err := w.Run()
	if err != nil {
		t.Fatalf("%v, %v", res, err)
	}
	for _, end := range []struct {
		name string
		lg   *linkLog
	}{{"server", &srv}, {"client", &cli}} {
		if !errors.Is(end.lg.err, syscall.ETIMEDOUT) || len(end.lg.data) > 0 {
			t.Fatalf("the %s read %q and then %v; want nothing, then ETIMEDOUT", end.name, end.lg.data, end.lg.err)
		}
	}
	if res.End < 2*time.Second+30*time.Second {
		t.Fatalf("the world ended at %v, before the cut timeout passed", res.End)
	}
}

// Clogging a link delays what goes along it, and only that way.
func TestWorldClogDelays(t *testing.T) {
	var srv, cli linkLog
	w := partitionWorld(sim.Config{Seed: 2}, []string{"hello"}, []string{"a"}, &srv, &cli)
	w.Clog([]string{"client"}, []string{"server"}, true, time.Second, 0, 3*time.Second)
	if res, err := w.Run(); err != nil {
		t.Fatalf("%v, %v", res, err)
	}
	if len(srv.at) != 1 || srv.at[0] < 5*time.Second {
		t.Fatalf("the server read %q at %v; want it 3s late, at 5s or after", srv.data, srv.at)
	}
	if len(cli.at) != 1 || cli.at[0] >= 3*time.Second {
		t.Fatalf("the client read %q at %v; want it without the clog's delay", cli.data, cli.at)
	}
}

// A world with partitions repeats itself byte for byte, the partitions in its trace.
func TestWorldPartitionDeterministic(t *testing.T) {
	faults, err := sim.ParseFaults("all")
	if err != nil {
		t.Fatal(err)
	}
	// The world's own faults draw partitions and clogs of their own, which
	// TestWorldDeterministicUnderFaults covers; here the timed ones alone.
	faults = faults.Select(func(name string) bool { return name != "partition" && name != "clog" && name != "crash" })
	trace := func(seed uint64) []byte {
		var buf bytes.Buffer
		var srv, cli linkLog
		w := partitionWorld(sim.Config{Seed: seed, Faults: faults, Swarm: true, Trace: &buf, Latency: sim.Range{Max: 50 * time.Millisecond}},
			[]string{"x", "y"}, []string{"a", "b"}, &srv, &cli)
		w.Partition(sim.Partition{From: []string{"client"}, To: []string{"server"}, At: 1500 * time.Millisecond, Heal: 4 * time.Second})
		w.Clog([]string{"server"}, []string{"client"}, false, 0, 0, 10*time.Millisecond)
		w.Run()
		return buf.Bytes()
	}
	for seed := range uint64(30) {
		a, b := trace(seed), trace(seed)
		if !bytes.Equal(a, b) {
			t.Fatalf("seed %d: two runs wrote different traces", seed)
		}
		_, events, err := traces.Decode(bytes.NewReader(a))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		var notes []string
		for _, e := range events {
			if e.Kind == traces.KindLog && e.Host == "" && !strings.HasPrefix(e.Msg, "crash") && !strings.HasPrefix(e.Msg, "restart") {
				notes = append(notes, e.Msg)
			}
		}
		want := []string{"clog server from client", "partition client from server", "heal client from server"}
		if len(notes) < 2 || !slices.Equal(notes, want[:len(notes)]) {
			t.Fatalf("seed %d: the world logged %q; want %q, or its first two when the world ended before the heal", seed, notes, want)
		}
	}
}

// Run refuses a partition that makes no sense.
func TestWorldPartitionRefusesBadSchedule(t *testing.T) {
	for _, p := range []sim.Partition{
		{From: []string{"a"}, To: []string{"zz"}},
		{From: []string{"a"}},
		{From: []string{"a"}, To: []string{"a"}},
		{From: []string{"a"}, To: []string{"b"}, At: 2 * time.Second, Heal: time.Second},
		{From: []string{"a"}, To: []string{"b"}, At: -time.Second},
	} {
		w := sim.NewWorld(sim.Config{})
		w.Host("a", func(*nodeloop.Loop) {})
		w.Host("b", func(*nodeloop.Loop) {})
		w.Partition(p)
		if res, err := w.Run(); res != nil || err == nil {
			t.Errorf("%+v: Run = %v, %v; want an error", p, res, err)
		}
	}
}
