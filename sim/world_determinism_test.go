package sim_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// everyFault is every row of the fault table, each at its own probability and
// latency: the network's, the pools', the disks' and the world's (crash,
// partition, clog).
func everyFault(t testing.TB) sim.Faults {
	t.Helper()
	f, err := sim.ParseFaults(strings.Join(sim.FaultNames, ","))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// jumpyClock is a wall clock off by up to a second, drifting by up to 500 ppm and
// stepping by up to 200 ms on a tenth of its readings.
var jumpyClock = sim.ClockSkew{MaxOffset: time.Second, MaxDriftPPM: 500, Jumps: 0.1, MaxJump: 200 * time.Millisecond}

// logServer is a host that listens on port 80 for a second: for each message it
// appends a line with its wall clock's reading to a log file, syncs it, and
// answers; a connection ends at its peer's end of stream or an error.
func logServer(l *nodeloop.Loop) {
	ln, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		var read func([]byte, error)
		read = func(b []byte, err error) {
			if err != nil {
				c.Close(nil)
				return
			}
			line := fmt.Appendf(nil, "%d %s\n", sim.WallClock(l).UnixMilli(), b)
			l.AppendFile("log", line, func(err error) {
				l.Fsync("log", func(error) {
					c.Write([]byte("ok;"), func(int, error) {})
					c.Read(read)
				})
			})
		}
		c.Read(read)
	})
	if err != nil {
		panic(err)
	}
	l.SetTimeout(time.Second, func() { ln.Close(nil) })
}

// retryClient is a host that, every 50 ms for ten rounds, runs a pool job and
// dials the server, sends one message and reads the answer; an error ends the
// round.
func retryClient(l *nodeloop.Loop) {
	n := 0
	var iv *nodeloop.Timer
	iv = l.SetInterval(50*time.Millisecond, func() {
		if n++; n == 10 {
			l.ClearTimeout(iv)
		}
		nodeloop.Work(l, func() (int, error) { return n, nil }, func(int, error) {})
		l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			c.Write(fmt.Appendf(nil, "round %d at %d", n, sim.WallClock(l).UnixMilli()), func(int, error) {})
			c.Read(func([]byte, error) { c.Close(nil) })
		})
	})
}

// busyWorld is a world of five hosts, a server with a disk and four clients, each
// with a jumpy wall clock, configured by cfg.
func busyWorld(t testing.TB, cfg sim.Config) *sim.World {
	t.Helper()
	disk, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := sim.NewWorld(cfg)
	w.HostWith("server", logServer, sim.HostOptions{Disk: disk, Clock: jumpyClock})
	for i := range 4 {
		w.HostWith(fmt.Sprint("c", i+1), retryClient, sim.HostOptions{Clock: jumpyClock})
	}
	return w
}

// worldHash runs busyWorld on seed with every fault on and returns the hash of its
// trace, with its verdict; seen, when not nil, counts the marks of faults
// (faultMarks) the trace holds.
func worldHash(t testing.TB, seed uint64, faults sim.Faults, seen map[string]int) ([32]byte, sim.Verdict) {
	t.Helper()
	var buf bytes.Buffer
	res, _ := busyWorld(t, sim.Config{Seed: seed, Faults: faults, Trace: &buf}).Run()
	if res == nil {
		t.Fatalf("seed %d: the world did not run", seed)
	}
	for _, m := range faultMarks {
		if seen != nil && bytes.Contains(buf.Bytes(), []byte(m)) {
			seen[m]++
		}
	}
	return sha256.Sum256(buf.Bytes()), res.Verdict
}

// faultMarks are what a world's trace holds when a fault struck: a crash, a
// partition, a clog, a wall clock's step, a short write to the disk, a short read
// and a short write on the network, a pool job failed, a connection refused and
// one reset.
var faultMarks = []string{
	`"msg":"crash `, `"msg":"partition `, `"msg":"clog `, `"choice":"clock.jump"`, `"choice":"disk.write.size"`,
	`"choice":"net.read.size"`, `"choice":"net.write.size"`, `injected pool failure`, `connection refused`, `connection reset`,
}

// The same seed gives a world's trace byte for byte under one thread and under
// two, with every fault on.
func TestWorldSameTraceUnderGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	faults := everyFault(t)
	for seed := range uint64(20) {
		var traces [2][]byte
		for k, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			var buf bytes.Buffer
			if res, _ := busyWorld(t, sim.Config{Seed: seed, Faults: faults, Trace: &buf}).Run(); res == nil {
				t.Fatalf("seed %d: the world did not run", seed)
			}
			traces[k] = buf.Bytes()
		}
		if len(traces[0]) == 0 || !bytes.Equal(traces[0], traces[1]) {
			t.Fatalf("seed %d: the trace under GOMAXPROCS 1 (%d bytes) differs from the one under 2 (%d bytes)", seed, len(traces[0]), len(traces[1]))
		}
	}
}

// Over a thousand seeds (a hundred with -short) with every fault on, each world
// runs twice to the same trace; every kind of fault strikes on some seed, and the
// seeds do not all write one trace.
func TestWorldSameTraceOverSeeds(t *testing.T) {
	seeds := uint64(1000)
	if testing.Short() {
		seeds = 100
	}
	faults := everyFault(t)
	verdicts := map[sim.Verdict]int{}
	distinct := map[[32]byte]bool{}
	seen := map[string]int{}
	for seed := range seeds {
		a, v := worldHash(t, seed, faults, seen)
		b, _ := worldHash(t, seed, faults, nil)
		if a != b {
			t.Fatalf("seed %d: two runs of the world wrote different traces; replay with sim.Config{Seed: %d}", seed, seed)
		}
		verdicts[v]++
		distinct[a] = true
	}
	t.Logf("%d seeds: %v; faults seen: %v", seeds, verdicts, seen)
	for _, m := range faultMarks {
		if seen[m] == 0 {
			t.Errorf("no trace of %d seeds holds %s", seeds, m)
		}
	}
	if len(distinct) < int(seeds)/2 {
		t.Fatalf("%d seeds wrote only %d different traces", seeds, len(distinct))
	}
	if verdicts[sim.OK] == 0 {
		t.Fatalf("no world ended ok: %v", verdicts)
	}
}
