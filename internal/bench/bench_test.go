package bench

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallOps is the operation count the tests run every implementation with: enough to
// exercise each program's whole path, small enough to take milliseconds (the timers
// benchmark still waits for its 1 ms delay).
const smallOps = 1000

// checkResult fails t unless r is a plausible run of n operations of name by impl.
func checkResult(t *testing.T, r Result, name, impl string, n int) {
	t.Helper()
	if r.Name != name || r.Impl != impl || r.Ops != n {
		t.Fatalf("got name=%s impl=%s ops=%d, want name=%s impl=%s ops=%d", r.Name, r.Impl, r.Ops, name, impl, n)
	}
	if r.Wall <= 0 {
		t.Fatalf("%s: wall time %v, want > 0", r, r.Wall)
	}
	if r.CPU < 0 {
		t.Fatalf("%s: CPU time %v, want >= 0", r, r.CPU)
	}
	if r.Version == "" {
		t.Fatalf("%s: no version", r)
	}
	if math.IsNaN(r.NsPerOp()) || math.IsNaN(r.OpsPerSec()) {
		t.Fatalf("%s: NsPerOp %v, OpsPerSec %v", r, r.NsPerOp(), r.OpsPerSec())
	}
	if name == Timers {
		// Every implementation says how long starting its timers took.
		start, err := strconv.ParseInt(r.Extra["start_ns"], 10, 64)
		if err != nil || start <= 0 || time.Duration(start) > r.Wall {
			t.Fatalf("%s: start_ns=%q, want a count of nanoseconds in (0, ns]", r, r.Extra["start_ns"])
		}
	}
}

func TestExternalPeers(t *testing.T) {
	peers, err := NewPeers(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, impl := range []string{ImplLibuv, ImplNode} {
		t.Run(impl, func(t *testing.T) {
			if err := peers.Check(ctx, impl); err != nil {
				if errors.Is(err, ErrUnavailable) {
					t.Skipf("precondition: %v", err)
				}
				t.Fatal(err)
			}
			for _, name := range Names() {
				if !hasPeer(impl, name) {
					if impl == ImplLibuv && name != HTTP && !isJS(name) {
						t.Errorf("no libuv peer for %s", name)
					}
					continue // Node.js has no fair peer of every benchmark
				}
				t.Run(name, func(t *testing.T) {
					r, err := peers.Run(ctx, impl, name, testOps(name))
					if err != nil {
						t.Fatal(err)
					}
					checkResult(t, r, name, impl, testOps(name))
				})
			}
		})
	}
}

// TestInProcess runs every row of Workloads once at a small size: each must report
// the operations it was asked for, done on real time.
func TestInProcess(t *testing.T) {
	for _, w := range WithNodeloop(Workloads(), nodeloopCommand(t)) {
		t.Run(w.Impl+"/"+w.Name, func(t *testing.T) {
			n := testOps(w.Name)
			r, err := w.Func(n)
			if errors.Is(err, ErrUnavailable) {
				t.Skipf("precondition: %v", err) // an external server this package drives
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Name == "" {
				r.Name = w.Name // Run fills it in for a Func that leaves it out
			}
			if r.Impl == "" {
				r.Impl = w.Impl
			}
			checkResult(t, r, w.Name, w.Impl, n)
			if w.Name == Timers {
				// On the real clock no run ends before its last timer is due; on a
				// fake one it would, in a fraction of that.
				if last := timerDelay(smallOps - 1); r.Wall < last {
					t.Fatalf("%s: wall time %v is less than the last timer's delay %v", r, r.Wall, last)
				}
			}
		})
	}
}

// TestWorkloads checks the table: nodeloop implements every benchmark of Benchmarks,
// plain Go every one but the JavaScript ones, each once.
func TestWorkloads(t *testing.T) {
	if err := checkWorkloads(Workloads()); err != nil {
		t.Fatal(err)
	}
	for _, impl := range []string{ImplNodeloop, ImplGo} {
		for _, name := range Names() {
			if impl == ImplGo && isJS(name) {
				if _, ok := Lookup(name, impl); ok {
					t.Errorf("Workloads has a %s implementation of the JavaScript benchmark %s", impl, name)
				}
				continue
			}
			if _, ok := Lookup(name, impl); !ok {
				t.Errorf("Workloads has no %s implementation of %s", impl, name)
			}
		}
	}
	// Node's HTTP server runs from Workloads too, since this package's load client
	// drives it.
	if got, want := implsOf(Workloads()), []string{ImplNodeloop, ImplGo, ImplNode}; !slices.Equal(got, want) {
		t.Errorf("implementations in Workloads = %v, want %v", got, want)
	}
	if _, ok := Lookup(HTTP, ImplNode); !ok {
		t.Errorf("Workloads has no %s implementation of %s", ImplNode, HTTP)
	}
	if want := 2*len(Names()) - len(Expand(JSGroup)) + 1; len(Workloads()) != want {
		t.Errorf("Workloads has %d rows, want %d", len(Workloads()), want)
	}
}

// TestRunNodeloop runs every nodeloop workload through Run, as the command does, at
// a tiny size, and checks each row.
func TestRunNodeloop(t *testing.T) {
	ops := map[string]int{}
	for _, name := range Names() {
		ops[name] = testOps(name)
	}
	var progress strings.Builder
	ws := WithNodeloop(Workloads(), nodeloopCommand(t))
	rows, err := Run(context.Background(), Config{Impls: []string{ImplNodeloop}, Ops: ops, Workloads: ws, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(Names()) {
		t.Fatalf("got %d rows, want %d: %v", len(rows), len(Names()), rows)
	}
	for i, name := range Names() {
		checkResult(t, rows[i], name, ImplNodeloop, testOps(name))
	}
	if got := strings.Count(progress.String(), "RESULT name="); got != len(Names()) {
		t.Errorf("Progress got %d RESULT lines, want %d:\n%s", got, len(Names()), progress.String())
	}
}

func TestPeersRejectUnknown(t *testing.T) {
	peers, err := NewPeers("")
	if err != nil {
		t.Fatal(err)
	}
	defer peers.Close()
	tests := []struct{ impl, name string }{
		{ImplLibuv, "no-such-benchmark"},
		{ImplNode, "../peer"},
		{ImplGo, Immediates},
	}
	for _, tt := range tests {
		if _, err := peers.Run(context.Background(), tt.impl, tt.name, 10); err == nil {
			t.Errorf("Run(%q, %q): no error", tt.impl, tt.name)
		}
	}
}

func TestParseResult(t *testing.T) {
	r, err := ParseResult("RESULT name=pool impl=node ops=200 ns=4000 cpu_ns=6000 version=20.20.2 threads=4 work=pbkdf2")
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Name: Pool, Impl: ImplNode, Ops: 200, Wall: 4000, CPU: 6000, Version: "20.20.2",
		Extra: map[string]string{"threads": "4", "work": "pbkdf2"}}
	if r.String() != want.String() {
		t.Fatalf("got  %s\nwant %s", r, want)
	}
	if got := r.NsPerOp(); got != 20 {
		t.Errorf("NsPerOp = %v, want 20", got)
	}
	if got := r.CPUNsPerOp(); got != 30 {
		t.Errorf("CPUNsPerOp = %v, want 30", got)
	}
	if got := r.OpsPerSec(); got != 50e6 {
		t.Errorf("OpsPerSec = %v, want 5e7", got)
	}
	back, err := ParseResult(r.String())
	if err != nil || back.String() != r.String() {
		t.Fatalf("round trip: got %v, %v; want %s", back, err, r)
	}

	bad := []string{
		"",
		"result name=a impl=b ops=1 ns=1",
		"RESULT name=a impl=b ops=1",
		"RESULT name=a impl=b ns=1",
		"RESULT impl=b ops=1 ns=1",
		"RESULT name=a ops=1 ns=1",
		"RESULT name= impl=b ops=1 ns=1",
		"RESULT name=a impl=b ops=x ns=1",
		"RESULT name=a impl=b ops=1 ns=-5",
		"RESULT name=a impl=b ops=1 ns=1 cpu_ns=1.5",
		"RESULT name=a impl=b ops=1 ns=1 ns=2",
		"RESULT name=a impl=b ops=1 ns=1 junk",
		"RESULT name=a impl=b ops=99999999999999999999 ns=1",
	}
	for _, line := range bad {
		if r, err := ParseResult(line); err == nil {
			t.Errorf("ParseResult(%q) = %v, want an error", line, r)
		}
	}
}

func TestOnlyResult(t *testing.T) {
	if _, err := onlyResult([]byte("warming up\nRESULT name=a impl=b ops=1 ns=1\n")); err != nil {
		t.Errorf("one RESULT line among others: %v", err)
	}
	for _, out := range []string{"", "nothing\n", "RESULT name=a impl=b ops=1 ns=1\nRESULT name=a impl=b ops=1 ns=1\n"} {
		if _, err := onlyResult([]byte(out)); err == nil {
			t.Errorf("onlyResult(%q): no error", out)
		}
	}
}

func TestResultZero(t *testing.T) {
	var r Result
	if !math.IsNaN(r.NsPerOp()) || !math.IsNaN(r.CPUNsPerOp()) || !math.IsNaN(r.OpsPerSec()) {
		t.Fatalf("zero Result: NsPerOp %v, CPUNsPerOp %v, OpsPerSec %v, want NaN each",
			r.NsPerOp(), r.CPUNsPerOp(), r.OpsPerSec())
	}
}

var tableRows = []Result{
	{Name: Immediates, Impl: "subject", Ops: 1000, Wall: 500 * time.Microsecond, CPU: 400 * time.Microsecond},
	{Name: Immediates, Impl: ImplLibuv, Ops: 1000, Wall: 250 * time.Microsecond, CPU: 200 * time.Microsecond},
	{Name: Immediates, Impl: ImplNode, Ops: 1000, Wall: time.Millisecond, CPU: 800 * time.Microsecond},
	{Name: Pool, Impl: ImplNode, Ops: 10, Wall: time.Millisecond},
}

func TestTable(t *testing.T) {
	var b strings.Builder
	if err := Table(&b, tableRows, ImplLibuv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 1+len(tableRows) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), 1+len(tableRows), b.String())
	}
	for i, want := range [][]string{
		{"benchmark", "impl", "wall vs libuv", "cpu vs libuv"},
		{"immediates", "subject", "500ns", "400ns", "2.00M", "2.00x", "2.00x"},
		{"immediates", "libuv", "250ns", "1.00x", "1.00x"},
		{"immediates", "node", "1000ns", "4.00x", "4.00x"},
		{"pool", "node", "100.0µs", "-"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d = %q, want it to contain %q", i, lines[i], w)
			}
		}
	}
}

func TestRatios(t *testing.T) {
	got := Ratios(tableRows, "subject")
	want := []Ratio{
		{Name: Immediates, Subject: "subject", Peer: ImplLibuv, Wall: 2, CPU: 2},
		{Name: Immediates, Subject: "subject", Peer: ImplNode, Wall: 0.5, CPU: 0.5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d ratios %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ratio %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var b strings.Builder
	if err := RatioTable(&b, tableRows, "subject"); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"vs libuv", "vs node", "2.00x/2.00x", "0.50x/0.50x"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("RatioTable output lacks %q:\n%s", w, b.String())
		}
	}
}

func TestRunWorkloads(t *testing.T) {
	calls := 0
	stub := func(n int) (Result, error) {
		calls++
		return Result{Ops: n, Wall: time.Duration(n)}, nil
	}
	ws := []Workload{{Name: "test-only", Impl: "stub", Func: stub}}
	rows, err := Run(context.Background(), Config{
		Names:     []string{"test-only", Immediates},
		Impls:     []string{"stub"},
		Workloads: ws,
		Ops:       map[string]int{"test-only": 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || calls != 1 {
		t.Fatalf("Run: %d rows after %d calls, want 1 row and 1 call: %v", len(rows), calls, rows)
	}
	if r := rows[0]; r.Name != "test-only" || r.Impl != "stub" || r.Ops != 7 {
		t.Fatalf("Run: got %s, want name=test-only impl=stub ops=7", r)
	}

	if _, err := Run(context.Background(), Config{Impls: []string{"no-such-impl"}}); err == nil {
		t.Error("Run with an unknown implementation: no error")
	}
	if _, err := Run(context.Background(), Config{Names: []string{"test-only"}, Impls: []string{"stub"}, Workloads: ws}); err == nil {
		t.Error("Run of a benchmark with no default size and no Ops: no error")
	}
	if rows, err := Run(context.Background(), Config{Impls: []string{"stub"}, Workloads: ws}); len(rows) != 0 || err != nil {
		t.Errorf("Run of benchmarks the stub lacks: %v, %v; want no row and no error", rows, err)
	}
	if _, err := Run(context.Background(), Config{Names: []string{Immediates}, Impls: []string{ImplNodeloop}, Workloads: ws}); err == nil {
		t.Error("Run of an implementation outside Config.Workloads: no error")
	}

	bad := []struct {
		what string
		ws   []Workload
	}{
		{"a pair twice", []Workload{ws[0], {Name: "test-only", Impl: "stub", Func: stub}}},
		{"no Func", []Workload{{Name: "test-only", Impl: "other"}}},
		{"no name", []Workload{{Impl: "other", Func: stub}}},
		{"no impl", []Workload{{Name: "test-only", Func: stub}}},
		{"a default pair twice", append(Workloads(), Workload{Name: Timers, Impl: ImplGo, Func: stub})},
	}
	for _, tt := range bad {
		if _, err := Run(context.Background(), Config{Names: []string{"test-only"}, Workloads: tt.ws, Ops: map[string]int{"test-only": 1}}); err == nil {
			t.Errorf("Run with workloads with %s: no error", tt.what)
		}
	}
	if calls != 1 {
		t.Errorf("the stub ran %d times, want once", calls)
	}
}

func TestRunGoAndPeers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ops := map[string]int{}
	for _, name := range Names() {
		ops[name] = testOps(name)
	}
	rows, err := Run(ctx, Config{Impls: []string{ImplGo, ImplLibuv, ImplNode}, Ops: ops})
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("precondition: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, name := range Names() {
		for _, impl := range []string{ImplLibuv, ImplNode} {
			if _, inProcess := Lookup(name, impl); inProcess || hasPeer(impl, name) {
				want++
			}
		}
	}
	want += len(Names()) - len(Expand(JSGroup)) // the plain Go peer has every benchmark but the JavaScript ones
	if len(rows) != want {
		t.Fatalf("got %d rows, want %d", len(rows), want)
	}
	var b strings.Builder
	if err := Table(&b, rows, ImplLibuv); err != nil {
		t.Fatal(err)
	}
	if err := RatioTable(&b, rows, ImplGo); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", b.String())
}

// benchGo runs the plain Go peer of benchmark name with b.N operations and reports
// the wall time per operation of its measured part (not of StartSpan's collection
// before it) and its CPU time per operation beside it.
func benchGo(b *testing.B, name string) {
	f, ok := Lookup(name, ImplGo)
	if !ok {
		b.Fatalf("Workloads has no go implementation of %s", name)
	}
	b.ResetTimer()
	r, err := f(b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.NsPerOp(), "ns/op")
	if cpu := r.CPUNsPerOp(); !math.IsNaN(cpu) {
		b.ReportMetric(cpu, "cpu-ns/op")
	}
}

func BenchmarkGoImmediates(b *testing.B) { benchGo(b, Immediates) }
func BenchmarkGoTimers(b *testing.B)     { benchGo(b, Timers) }
func BenchmarkGoPool(b *testing.B)       { benchGo(b, Pool) }
func BenchmarkGoPingPong(b *testing.B)   { benchGo(b, PingPong) }

// TestExpand: a benchmark's name stands for itself, a group's for its benchmarks in
// order, and any other word for nothing; the post benchmarks' peers are one program
// given the poster count, and Node.js has none (no fair peer posts across threads).
func TestExpand(t *testing.T) {
	for _, tt := range []struct {
		word string
		want []string
	}{
		{Pool, []string{Pool}},
		{PostGroup, []string{Post1, Post4, Post16}},
		{PostRTT, []string{PostRTT}},
		{"no-such", nil},
	} {
		if got := Expand(tt.word); !slices.Equal(got, tt.want) {
			t.Errorf("Expand(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
	for name, want := range map[string]string{Post16: "16", Post1: "1", Pool: ""} {
		prog, args := peerProgram(name)
		if got := strings.Join(args, " "); got != want || (want != "" && prog != "post") {
			t.Errorf("peerProgram(%q) = %q %v, want program post with args %q", name, prog, args, want)
		}
	}
	for _, name := range []string{Post1, Post4, Post16, PostRTT} {
		if !hasPeer(ImplLibuv, name) || hasPeer(ImplNode, name) {
			t.Errorf("%s: libuv peer %v, node peer %v; want a libuv peer only", name, hasPeer(ImplLibuv, name), hasPeer(ImplNode, name))
		}
	}
}

// benchNodeloop runs nodeloop's side of benchmark name with b.N operations, as
// benchGo does the plain Go peer's, for a CPU profile of one workload:
//
//	go test ./internal/bench -run '^$' -bench NodeloopPost1 -cpuprofile cpu.out
func benchNodeloop(b *testing.B, name string) {
	f, ok := Lookup(name, ImplNodeloop)
	if !ok {
		b.Fatalf("Workloads has no nodeloop implementation of %s", name)
	}
	b.ResetTimer()
	r, err := f(b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.NsPerOp(), "ns/op")
	if cpu := r.CPUNsPerOp(); !math.IsNaN(cpu) {
		b.ReportMetric(cpu, "cpu-ns/op")
	}
}

func BenchmarkNodeloopPost1(b *testing.B)    { benchNodeloop(b, Post1) }
func BenchmarkNodeloopPost16(b *testing.B)   { benchNodeloop(b, Post16) }
func BenchmarkNodeloopPostRTT(b *testing.B)  { benchNodeloop(b, PostRTT) }
func BenchmarkNodeloopPool(b *testing.B)     { benchNodeloop(b, Pool) }
func BenchmarkNodeloopPingPong(b *testing.B) { benchNodeloop(b, PingPong) }
