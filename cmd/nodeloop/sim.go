package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// simOptions are the flags of nodeloop sim that shape a run, kept to print the one
// command that reproduces a failing seed.
type simOptions struct {
	scenario string
	faults   string
	swarm    bool
	cost     string
}

func (o simOptions) command(seed uint64) string {
	cmd := fmt.Sprintf("nodeloop sim %s --seed %d", o.scenario, seed)
	if o.faults != "" {
		cmd += " --faults " + o.faults
	}
	if o.swarm {
		cmd += " --swarm"
	}
	if o.cost != "" {
		cmd += " --cost " + o.cost
	}
	return cmd
}

// simCmd runs a scenario on the simulator: one seed with its output, or a range of
// seeds in parallel with a summary.
func simCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim")
	seed := fs.Uint64("seed", 1, "run seed `N`, printing the scenario's output")
	seeds := fs.String("seeds", "", "run the seeds in `A-B` (inclusive) and summarise")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "run `N` seeds at a time")
	shard := fs.String("shard", "", "run only shard `K/N` of the seeds (every N-th, from the K-th)")
	faults := fs.String("faults", "", "inject `FAULTS`: "+strings.Join(sim.FaultNames, ",")+", all; each may take =P")
	swarm := fs.Bool("swarm", false, "draw each seed's mix of faults from the seed")
	cost := fs.String("cost", "", "charge callbacks a virtual CPU time in `MIN-MAX` (e.g. 0-2ms)")
	traceFile := fs.String("trace", "", "write the trace of the one seed run to `FILE`")
	name := "demo"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	sc, ok := scenarios.Lookup(name)
	if !ok {
		var names []string
		for _, s := range scenarios.All() {
			names = append(names, s.Name)
		}
		return usageError{fmt.Sprintf("sim: no scenario %q (there are: %s)", name, strings.Join(names, ", "))}
	}
	f, err := sim.ParseFaults(*faults)
	if err != nil {
		return usageError{err.Error()}
	}
	base := sim.Config{Faults: f, Swarm: *swarm, Scenario: sc.Name}
	if *cost != "" {
		lo, hi, ok := strings.Cut(*cost, "-")
		min, err1 := time.ParseDuration(lo)
		max, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || min < 0 || max < min {
			return usageError{fmt.Sprintf("sim: --cost %q: want MIN-MAX durations such as 0-2ms", *cost)}
		}
		base.CallbackCost = sim.Range{Min: min, Max: max}
	}
	opts := simOptions{scenario: sc.Name, faults: *faults, swarm: *swarm, cost: *cost}
	if *seeds == "" {
		return simOne(sc, base, *seed, *traceFile, opts, stdout)
	}
	if *traceFile != "" {
		return usageError{"sim: --trace writes one run: use it with --seed"}
	}
	first, last, err := parseRange(*seeds)
	if err != nil {
		return usageError{err.Error()}
	}
	k, n := 1, 1
	if *shard != "" {
		if k, n, err = parseShard(*shard); err != nil {
			return usageError{err.Error()}
		}
	}
	if *jobs < 1 {
		return usageError{"sim: -j must be at least 1"}
	}
	return simSweep(sc, base, first, last, k, n, *jobs, opts, stdout, stderr)
}

// simOne runs one seed and prints the scenario's output and the verdict.
func simOne(sc scenarios.Scenario, cfg sim.Config, seed uint64, traceFile string, opts simOptions, stdout io.Writer) error {
	cfg.Seed = seed
	if traceFile != "" {
		f, err := os.Create(traceFile)
		if err != nil {
			return err
		}
		defer f.Close()
		w := bufio.NewWriter(f)
		defer w.Flush()
		cfg.Trace = w
	}
	out := scenarios.NewPrinter(stdout, nil)
	cfg.Tracer = out
	start := time.Now()
	res, err := runChecked(cfg, func(l *nodeloop.Loop) { sc.Main(l, out)() })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "===== FINISHED =====\n%v (%v of wall time)\n", res, time.Since(start).Round(time.Microsecond))
	if res.Failed() {
		return findingError{fmt.Sprintf("seed %d failed: %s\nreproduce: %s", seed, res.Verdict, opts.command(seed))}
	}
	return nil
}

// simSweep runs the seeds of shard k of n in [first, last] on jobs goroutines, each
// run on its own goroutine from start to end, and summarises.
func simSweep(sc scenarios.Scenario, base sim.Config, first, last uint64, k, n, jobs int, opts simOptions, stdout, stderr io.Writer) error {
	var todo []uint64
	for s := first; ; s++ {
		if int((s-first)%uint64(n)) == k-1 {
			todo = append(todo, s)
		}
		if s == last {
			break
		}
	}
	results := make([]*sim.Result, len(todo))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     int
		failures int
		next     = make(chan int)
		runErr   error
	)
	progress := isTerminal(stderr)
	start := time.Now()
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cfg := base
				cfg.Seed = todo[i]
				res, err := runChecked(cfg, func(l *nodeloop.Loop) { sc.Main(l, discardOutput{})() })
				mu.Lock()
				if err != nil && runErr == nil {
					runErr = err
				}
				results[i] = res
				done++
				if res != nil && res.Failed() {
					failures++
				}
				if progress && (done%100 == 0 || done == len(todo)) {
					fmt.Fprintf(stderr, "\r%d/%d seeds, %d failed", done, len(todo), failures)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	if progress {
		fmt.Fprintln(stderr)
	}
	if runErr != nil {
		return runErr
	}
	var failed []*sim.Result
	for _, r := range results {
		if r.Failed() {
			failed = append(failed, r)
		}
	}
	fmt.Fprintf(stdout, "%s: %d seeds (%d-%d, shard %d/%d) in %v, %d failed\n",
		sc.Name, len(todo), first, last, k, n, time.Since(start).Round(time.Millisecond), len(failed))
	for _, r := range failed {
		fmt.Fprintf(stdout, "%v\n  reproduce: %s\n", r, opts.command(r.Seed))
	}
	if len(failed) > 0 {
		return findingError{fmt.Sprintf("%d of %d seeds failed; first: %s", len(failed), len(todo), opts.command(failed[0].Seed))}
	}
	return nil
}

// runChecked runs one simulation and checks its trace against the invariants of
// SEMANTICS.md: a run that breaks one fails, whatever its verdict.
func runChecked(cfg sim.Config, program func(*nodeloop.Loop)) (*sim.Result, error) {
	cfg.KeepTrace = true
	res, err := sim.Run(cfg, program)
	if err != nil {
		return nil, err
	}
	if vs := properties.Check(res.Events); len(vs) > 0 && !res.Failed() {
		res.Verdict = sim.Failed
		msgs := make([]string, len(vs))
		for i, v := range vs {
			msgs[i] = v.String()
		}
		res.Err = fmt.Errorf("the trace breaks %d invariants:\n  %s", len(vs), strings.Join(msgs, "\n  "))
	}
	res.Events = nil
	return res, nil
}

type discardOutput struct{}

func (discardOutput) Print(string, string) {}

func parseRange(s string) (uint64, uint64, error) {
	a, b, ok := strings.Cut(s, "-")
	first, err1 := strconv.ParseUint(a, 10, 64)
	last, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || last < first {
		return 0, 0, fmt.Errorf("sim: --seeds %q: want A-B with A <= B, such as 1-1000", s)
	}
	return first, last, nil
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("sim: --shard %q: want K/N with 1 <= K <= N, such as 3/8", s)
	}
	return k, n, nil
}

// isTerminal reports whether w is a terminal, where progress may be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
