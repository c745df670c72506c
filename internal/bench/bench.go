package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nodeloop/nodeloop/internal/cputime"
)

// The benchmarks' names, as a [Result] and a [Workload] spell them.
const (
	Immediates = "immediates"
	// ImmediatesListener is Immediates with one idle TCP listener open on
	// 127.0.0.1: a turn that does not wait while the poller has something that could
	// become ready.
	ImmediatesListener = "immediates_listener"
	Timers             = "timers"
	Pool               = "pool"
	PingPong           = "pingpong"
	// Post1, Post4 and Post16 are the throughput of posting to the loop from 1, 4 and
	// 16 goroutines (threads in the peers) at once, the benchmarks of group PostGroup.
	Post1  = "post1"
	Post4  = "post4"
	Post16 = "post16"
	// PostRTT is a post's round trip: another goroutine posts, waits until the
	// posted function ran, and posts again.
	PostRTT = "postrtt"
)

// PostGroup names the benchmarks Post1, Post4 and Post16 together, wherever a list
// of benchmark names is read (see [Expand]).
const PostGroup = "post"

// The implementations' names, as a [Result] and a [Workload] spell them. A
// [Config.Workloads] may name others.
const (
	ImplNodeloop = "nodeloop"
	ImplLibuv    = "libuv"
	ImplNode     = "node"
	ImplGo       = "go"
)

// Benchmark describes one workload: its name, its default operation count and the
// unit one operation stands for.
type Benchmark struct {
	Name string
	Ops  int    // default operation count
	Unit string // what one operation is: "turn", "timer", "job", "round trip"
	// Group, when not empty, is a name that stands for every benchmark of the
	// group at once (see [Expand]).
	Group string
	// Peer is the external peers' program for the benchmark (peers/libuv/Peer.c,
	// peers/node/Peer.js); empty means Name. Args are given to it after the
	// operation count.
	Peer string
	Args []string
}

var benchmarks = []Benchmark{
	{Name: Immediates, Ops: 10_000_000, Unit: "turn"},
	{Name: ImmediatesListener, Ops: 10_000_000, Unit: "turn"},
	{Name: Timers, Ops: 1_000_000, Unit: "timer"},
	{Name: TimersMem, Ops: 1_000_000, Unit: "timer"},
	{Name: Pool, Ops: 200_000, Unit: "job"},
	{Name: PingPong, Ops: 200_000, Unit: "round trip"},
	{Name: HTTP, Ops: 200_000, Unit: "request"},
	{Name: Post1, Ops: 2_000_000, Unit: "message", Group: PostGroup, Peer: "post", Args: []string{"1"}},
	{Name: Post4, Ops: 2_000_000, Unit: "message", Group: PostGroup, Peer: "post", Args: []string{"4"}},
	{Name: Post16, Ops: 2_000_000, Unit: "message", Group: PostGroup, Peer: "post", Args: []string{"16"}},
	{Name: PostRTT, Ops: 200_000, Unit: "round trip"},
	{Name: JSImmediates, Ops: 1_000_000, Unit: "turn", Group: JSGroup},
	{Name: JSTimers, Ops: 1_000_000, Unit: "timer", Group: JSGroup},
	{Name: JSTicks, Ops: 1_000_000, Unit: "step", Group: JSGroup},
	{Name: JSPingPong, Ops: 100_000, Unit: "round trip", Group: JSGroup},
	{Name: JSStart, Ops: 20, Unit: "start", Group: JSGroup},
}

// Expand returns the benchmarks word stands for: the benchmark of that name, or the
// benchmarks of the group of that name, in the order of [Benchmarks]; nil when it
// names neither.
func Expand(word string) []string {
	var names []string
	for _, b := range benchmarks {
		if b.Name == word || b.Group == word {
			names = append(names, b.Name)
		}
	}
	return names
}

// benchmark returns the Benchmark called name, if there is one.
func benchmark(name string) (Benchmark, bool) {
	for _, b := range benchmarks {
		if b.Name == name {
			return b, true
		}
	}
	return Benchmark{}, false
}

// timerDelay is the delay of timer i of the [Timers] benchmark, the same in every
// implementation: 1 ms, and 1 ms more every 1,000 timers.
func timerDelay(i int) time.Duration { return time.Duration(1+i/1000) * time.Millisecond }

// Benchmarks returns the workloads in their usual order, with their default sizes.
// The slice is a copy.
func Benchmarks() []Benchmark { return slices.Clone(benchmarks) }

// Names returns the names of [Benchmarks], in order.
func Names() []string {
	names := make([]string, len(benchmarks))
	for i, b := range benchmarks {
		names[i] = b.Name
	}
	return names
}

// DefaultOps returns the default operation count of the named benchmark, or 0 when
// the name is not one of [Benchmarks].
func DefaultOps(name string) int {
	for _, b := range benchmarks {
		if b.Name == name {
			return b.Ops
		}
	}
	return 0
}

// Result is one implementation's run of one benchmark.
type Result struct {
	Name    string        // benchmark, e.g. "immediates"
	Impl    string        // implementation, e.g. "libuv"
	Ops     int           // operations done
	Wall    time.Duration // wall time of the measured part
	CPU     time.Duration // user plus system CPU time of the process over it; 0 if unknown
	Version string        // version of the implementation (libuv's, Node's, Go's), if known
	// Extra holds the further key=value fields of a RESULT line, such as the
	// pool's thread count; nil when there are none.
	Extra map[string]string
}

// NsPerOp returns the wall time per operation in nanoseconds (NaN when Ops is 0).
func (r Result) NsPerOp() float64 { return perOp(r.Wall, r.Ops) }

// CPUNsPerOp returns the CPU time per operation in nanoseconds (NaN when Ops or CPU
// is 0).
func (r Result) CPUNsPerOp() float64 {
	if r.CPU <= 0 {
		return math.NaN()
	}
	return perOp(r.CPU, r.Ops)
}

// OpsPerSec returns the operations per second of wall time (NaN when Wall is 0).
func (r Result) OpsPerSec() float64 {
	if r.Wall <= 0 {
		return math.NaN()
	}
	return float64(r.Ops) / r.Wall.Seconds()
}

func perOp(d time.Duration, ops int) float64 {
	if ops <= 0 {
		return math.NaN()
	}
	return float64(d.Nanoseconds()) / float64(ops)
}

// String formats r as a RESULT line, the form [ParseResult] reads back.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "RESULT name=%s impl=%s ops=%d ns=%d cpu_ns=%d", r.Name, r.Impl, r.Ops,
		r.Wall.Nanoseconds(), r.CPU.Nanoseconds())
	if r.Version != "" {
		fmt.Fprintf(&b, " version=%s", r.Version)
	}
	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, r.Extra[k])
	}
	return b.String()
}

// ParseResult reads one RESULT line: the word RESULT, then space-separated key=value
// fields. name, impl, ops and ns are required; cpu_ns and version are optional; any
// other key goes into Extra. A malformed line is an error that says what is wrong.
func ParseResult(line string) (Result, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "RESULT" {
		return Result{}, fmt.Errorf("bench: not a RESULT line: %q", line)
	}
	var r Result
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return Result{}, fmt.Errorf("bench: RESULT field %q is not key=value in %q", f, line)
		}
		if seen[k] {
			return Result{}, fmt.Errorf("bench: RESULT field %q appears twice in %q", k, line)
		}
		seen[k] = true
		switch k {
		case "name":
			r.Name = v
		case "impl":
			r.Impl = v
		case "version":
			r.Version = v
		case "ops", "ns", "cpu_ns":
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil || x < 0 {
				return Result{}, fmt.Errorf("bench: RESULT field %s=%q is not a count in %q", k, v, line)
			}
			switch k {
			case "ops":
				if x > math.MaxInt {
					return Result{}, fmt.Errorf("bench: RESULT ops=%d is too large", x)
				}
				r.Ops = int(x)
			case "ns":
				r.Wall = time.Duration(x)
			case "cpu_ns":
				r.CPU = time.Duration(x)
			}
		default:
			if r.Extra == nil {
				r.Extra = map[string]string{}
			}
			r.Extra[k] = v
		}
	}
	for _, k := range []string{"name", "impl", "ops", "ns"} {
		if !seen[k] {
			return Result{}, fmt.Errorf("bench: RESULT line lacks %s=: %q", k, line)
		}
	}
	if r.Name == "" || r.Impl == "" {
		return Result{}, fmt.Errorf("bench: RESULT line has an empty name or impl: %q", line)
	}
	return r, nil
}

// Span measures one run in process: the wall clock and the process's CPU time from
// [StartSpan] to [Span.Result].
type Span struct {
	wall time.Time
	cpu  time.Duration
}

// StartSpan collects the garbage left by earlier runs and returns the memory it freed
// to the operating system, so that an in-process run starts as cold as an external
// peer in its own new process: it is charged neither for its predecessors' garbage nor
// spared the cost of getting memory from the system. Then it reads both clocks.
func StartSpan() Span {
	debug.FreeOSMemory()
	return Span{wall: time.Now(), cpu: cputime.Process()}
}

// Result reads both clocks again and returns the Result of ops operations of the
// named benchmark and implementation since s started. CPU time covers the whole
// process, every goroutine included.
func (s Span) Result(name, impl string, ops int) Result {
	wall := time.Since(s.wall)
	cpu := cputime.Process()
	r := Result{Name: name, Impl: impl, Ops: ops, Wall: wall}
	if s.cpu > 0 || cpu > 0 {
		r.CPU = cpu - s.cpu
	}
	return r
}

// Func runs n operations of one benchmark in this process and returns what it
// measured. It should leave nothing running when it returns. A Func that times its
// own measured part with [StartSpan] need not fill in Name and Impl: [Run] sets them,
// and prefixes an error with them.
type Func func(n int) (Result, error)

// Workload is one in-process implementation of one benchmark: Func runs benchmark
// Name as implementation Impl.
type Workload struct {
	Name string // benchmark, e.g. "timers"
	Impl string // implementation, e.g. "nodeloop"
	Func Func
}

// workloads is every in-process implementation of every benchmark, in the order [Run]
// lists implementations by default: nodeloop's (nodeloop.go), then plain Go's
// (goref.go).
var workloads = []Workload{
	{Immediates, ImplNodeloop, nodeloopImmediates},
	{ImmediatesListener, ImplNodeloop, nodeloopImmediatesListener},
	{Timers, ImplNodeloop, nodeloopTimers},
	{TimersMem, ImplNodeloop, nodeloopTimersMem},
	{Pool, ImplNodeloop, nodeloopPool},
	{PingPong, ImplNodeloop, nodeloopPingPong},
	{HTTP, ImplNodeloop, nodeloopHTTP},
	{Post1, ImplNodeloop, nodeloopPost(1)},
	{Post4, ImplNodeloop, nodeloopPost(4)},
	{Post16, ImplNodeloop, nodeloopPost(16)},
	{PostRTT, ImplNodeloop, nodeloopPostRTT},
	{JSImmediates, ImplNodeloop, nodeloopJS(JSImmediates, "")},
	{JSTimers, ImplNodeloop, nodeloopJS(JSTimers, "")},
	{JSTicks, ImplNodeloop, nodeloopJS(JSTicks, "")},
	{JSPingPong, ImplNodeloop, nodeloopJS(JSPingPong, "")},
	{JSStart, ImplNodeloop, nodeloopJS(JSStart, "")},
	{Immediates, ImplGo, goImmediates},
	{ImmediatesListener, ImplGo, goImmediatesListener},
	{Timers, ImplGo, goTimers},
	{TimersMem, ImplGo, goTimersMem},
	{Pool, ImplGo, goPool},
	{PingPong, ImplGo, goPingPong},
	{HTTP, ImplGo, goHTTP},
	{Post1, ImplGo, goPost(1)},
	{Post4, ImplGo, goPost(4)},
	{Post16, ImplGo, goPost(16)},
	{PostRTT, ImplGo, goPostRTT},
	// Node's HTTP server is a process of its own, but the load client that drives
	// it is this package's, so it runs from here.
	{HTTP, ImplNode, nodeHTTP},
}

// Workloads returns the in-process implementations this package has: nodeloop's and
// plain Go's, for each benchmark of [Benchmarks]. The slice is a copy.
func Workloads() []Workload { return slices.Clone(workloads) }

// Lookup returns the in-process implementation impl of benchmark name from
// [Workloads], if there is one.
func Lookup(name, impl string) (Func, bool) { return lookup(workloads, name, impl) }

func lookup(ws []Workload, name, impl string) (Func, bool) {
	for _, w := range ws {
		if w.Name == name && w.Impl == impl {
			return w.Func, true
		}
	}
	return nil, false
}

// implsOf returns the implementations in ws, each once, in the order they first
// appear.
func implsOf(ws []Workload) []string {
	var impls []string
	for _, w := range ws {
		if !slices.Contains(impls, w.Impl) {
			impls = append(impls, w.Impl)
		}
	}
	return impls
}

// checkWorkloads returns an error naming the first entry of ws that lacks a name, an
// implementation or a Func, or that repeats an earlier entry's pair.
func checkWorkloads(ws []Workload) error {
	for i, w := range ws {
		if w.Name == "" || w.Impl == "" || w.Func == nil {
			return fmt.Errorf("bench: workload %d (%q, %q) needs a benchmark name, an implementation name and a Func", i, w.Name, w.Impl)
		}
		for _, prev := range ws[:i] {
			if prev.Name == w.Name && prev.Impl == w.Impl {
				return fmt.Errorf("bench: workloads list benchmark %q, implementation %q twice", w.Name, w.Impl)
			}
		}
	}
	return nil
}

// Config says what [Run] runs. The zero value runs every benchmark of [Benchmarks] at
// its default size, with every in-process implementation of [Workloads] and the
// libuv and Node.js peers.
type Config struct {
	// Names lists the benchmarks, in the order to run them; empty means [Names].
	Names []string
	// Impls lists the implementations to run for each benchmark, in order; empty
	// means those of Workloads, followed by "libuv" and "node". An implementation that
	// exists for some benchmarks but not this one is left out of this one's rows; a
	// word that names no implementation at all is an error.
	Impls []string
	// Workloads lists the in-process implementations to choose from; nil means
	// [Workloads]. A pair listed twice, or an entry without a name or a Func, is
	// an error.
	Workloads []Workload
	// Ops sets the operation count per benchmark; a missing or zero entry means the
	// benchmark's default.
	Ops map[string]int
	// Dir is where the external peers are written and compiled; empty means a new
	// temporary directory, removed when Run returns.
	Dir string
	// Progress, when not nil, receives each Result's RESULT line as it comes in.
	Progress io.Writer

	_ struct{}
}

// Run runs the implementations of the benchmarks that c names, one at a time, and
// returns their results in order: for each benchmark, one Result per implementation.
// It stops at the first error, returning the results so far. When a peer's toolchain
// is missing, the error wraps [ErrUnavailable] and names bench/setup.sh.
func Run(ctx context.Context, c Config) ([]Result, error) {
	names := c.Names
	if len(names) == 0 {
		names = Names()
	}
	ws := c.Workloads
	if ws == nil {
		ws = workloads
	}
	if err := checkWorkloads(ws); err != nil {
		return nil, err
	}
	inProcess := implsOf(ws)
	impls := c.Impls
	if len(impls) == 0 {
		impls = slices.Clone(inProcess)
		for _, ext := range []string{ImplLibuv, ImplNode} {
			if !slices.Contains(impls, ext) {
				impls = append(impls, ext)
			}
		}
	}
	for _, impl := range impls {
		if !slices.Contains(inProcess, impl) && !isExternal(impl) {
			return nil, fmt.Errorf("bench: no implementation is called %q (in process: %s; external: %s, %s)",
				impl, strings.Join(inProcess, ", "), ImplLibuv, ImplNode)
		}
	}

	var peers *Peers
	defer func() {
		if peers != nil {
			peers.Close()
		}
	}()
	var rows []Result
	for _, name := range names {
		n := c.Ops[name]
		if n <= 0 {
			n = DefaultOps(name)
		}
		if n <= 0 {
			return rows, fmt.Errorf("bench: benchmark %q has no default size; set Config.Ops[%q]", name, name)
		}
		for _, impl := range impls {
			if err := ctx.Err(); err != nil {
				return rows, err
			}
			var (
				r   Result
				err error
			)
			if f, ok := lookup(ws, name, impl); ok {
				r, err = f(n)
				if err != nil {
					return rows, fmt.Errorf("bench: %s %s: %w", name, impl, err)
				}
				r.Name, r.Impl = name, impl
			} else if isExternal(impl) && hasPeer(impl, name) {
				if peers == nil {
					if peers, err = NewPeers(c.Dir); err != nil {
						return rows, err
					}
				}
				r, err = peers.Run(ctx, impl, name, n)
			} else {
				continue // this implementation has no such benchmark
			}
			if err != nil {
				return rows, err // it names the peer and the benchmark
			}
			if c.Progress != nil {
				fmt.Fprintln(c.Progress, r)
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// Ratio compares one implementation, the subject, with another, the peer, on one
// benchmark: each figure is the subject's time per operation divided by the peer's,
// so below 1 means the subject is faster.
type Ratio struct {
	Name, Subject, Peer string
	Wall                float64 // wall time per op, subject ÷ peer
	CPU                 float64 // CPU time per op, subject ÷ peer; NaN if either is unknown
}

// Ratios returns, for each benchmark in rows that subject ran, its Ratio against
// every other implementation in rows, in the order the rows come.
func Ratios(rows []Result, subject string) []Ratio {
	var out []Ratio
	for _, g := range groups(rows) {
		s, ok := find(g, subject)
		if !ok {
			continue
		}
		for _, r := range g {
			if r.Impl == subject {
				continue
			}
			out = append(out, Ratio{
				Name: r.Name, Subject: subject, Peer: r.Impl,
				Wall: s.NsPerOp() / r.NsPerOp(),
				CPU:  s.CPUNsPerOp() / r.CPUNsPerOp(),
			})
		}
	}
	return out
}

// groups splits rows by benchmark, in order of first appearance.
func groups(rows []Result) [][]Result {
	var order []string
	by := map[string][]Result{}
	for _, r := range rows {
		if _, ok := by[r.Name]; !ok {
			order = append(order, r.Name)
		}
		by[r.Name] = append(by[r.Name], r)
	}
	out := make([][]Result, len(order))
	for i, name := range order {
		out[i] = by[name]
	}
	return out
}

func find(rows []Result, impl string) (Result, bool) {
	for _, r := range rows {
		if r.Impl == impl {
			return r, true
		}
	}
	return Result{}, false
}

// Table prints rows side by side, grouped by benchmark: operations, wall and CPU time
// per operation, operations per second, and each row's wall and CPU time per
// operation divided by the baseline implementation's on the same benchmark (so the
// baseline reads 1.00x and a row that takes twice as long reads 2.00x). An empty
// baseline means each benchmark's first row; a benchmark without a baseline row
// shows "-" there.
func Table(w io.Writer, rows []Result, baseline string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	base := baseline
	if base == "" {
		base = "first"
	}
	fmt.Fprintf(tw, "benchmark\timpl\tops\twall/op\tcpu/op\tops/s\twall vs %s\tcpu vs %s\t\n", base, base)
	for _, g := range groups(rows) {
		b, ok := find(g, baseline)
		if baseline == "" {
			b, ok = g[0], true
		}
		for _, r := range g {
			wall, cpu := "-", "-"
			if ok {
				wall = fmtRatio(r.NsPerOp() / b.NsPerOp())
				cpu = fmtRatio(r.CPUNsPerOp() / b.CPUNsPerOp())
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Name, r.Impl, r.Ops,
				fmtNs(r.NsPerOp()), fmtNs(r.CPUNsPerOp()), fmtRate(r.OpsPerSec()), wall, cpu)
		}
	}
	return tw.Flush()
}

// RatioTable prints one line per benchmark that subject ran, with one column per
// other implementation: subject's wall and CPU time per operation divided by that
// implementation's ("wall/cpu", below 1 means subject is faster).
func RatioTable(w io.Writer, rows []Result, subject string) error {
	ratios := Ratios(rows, subject)
	var peers, names []string
	cell := map[[2]string]Ratio{}
	for _, r := range ratios {
		if !slices.Contains(peers, r.Peer) {
			peers = append(peers, r.Peer)
		}
		if !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
		cell[[2]string{r.Name, r.Peer}] = r
	}
	if len(ratios) == 0 {
		_, err := fmt.Fprintf(w, "no benchmark has both %s and another implementation\n", subject)
		return err
	}
	if _, err := fmt.Fprintf(w, "%s's time per op ÷ each peer's, wall/cpu (below 1: %s is faster)\n", subject, subject); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "benchmark\t")
	for _, p := range peers {
		fmt.Fprintf(tw, "vs %s\t", p)
	}
	fmt.Fprintln(tw)
	for _, name := range names {
		fmt.Fprintf(tw, "%s\t", name)
		for _, p := range peers {
			r, ok := cell[[2]string{name, p}]
			if !ok {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%s/%s\t", fmtRatio(r.Wall), fmtRatio(r.CPU))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func fmtRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	if x < 0.1 {
		return strconv.FormatFloat(x, 'f', 3, 64) + "x"
	}
	return strconv.FormatFloat(x, 'f', 2, 64) + "x"
}

// fmtNs prints a duration in nanoseconds with three significant digits or more.
func fmtNs(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "-"
	case ns < 100:
		return strconv.FormatFloat(ns, 'f', 1, 64) + "ns"
	case ns < 10_000:
		return strconv.FormatFloat(ns, 'f', 0, 64) + "ns"
	case ns < 10_000_000:
		return strconv.FormatFloat(ns/1e3, 'f', 1, 64) + "µs"
	default:
		return strconv.FormatFloat(ns/1e6, 'f', 1, 64) + "ms"
	}
}

func fmtRate(x float64) string {
	switch {
	case math.IsNaN(x):
		return "-"
	case x >= 1e6:
		return strconv.FormatFloat(x/1e6, 'f', 2, 64) + "M"
	case x >= 1e3:
		return strconv.FormatFloat(x/1e3, 'f', 1, 64) + "k"
	default:
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
}

// ErrUnavailable is wrapped by the error returned when an external peer cannot run
// because its toolchain (gcc, pkg-config, libuv's headers, node) is not installed.
var ErrUnavailable = errors.New("peer toolchain not installed (run bench/setup.sh as root)")
