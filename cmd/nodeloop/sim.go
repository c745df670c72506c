package main

import (
	"errors"
	"flag"
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

// simFlags are the flags of nodeloop sim.
type simFlags struct {
	seed                              seedFlag
	seeds, shard, faults, cost, trace string
	jobs                              int
	swarm                             bool
}

func (f *simFlags) define(fs *flag.FlagSet) {
	f.seed.n = 1
	fs.Var(&f.seed, "seed", "run seed `N`, printing the scenario's output")
	fs.StringVar(&f.seeds, "seeds", "", "run the seeds in `A-B` (inclusive) and summarise")
	fs.IntVar(&f.jobs, "j", runtime.GOMAXPROCS(0), "run `N` seeds at a time")
	fs.StringVar(&f.shard, "shard", "", "run only shard `K/N` of the seeds of --seeds (every N-th, from the K-th)")
	fs.StringVar(&f.faults, "faults", "", "inject `FAULTS`: a comma-separated list of "+strings.Join(sim.FaultNames, ", ")+" or all, each optionally =P (a probability, default 0.05) and :LATENCY where it has one (spike=0.2:1s)")
	fs.BoolVar(&f.swarm, "swarm", false, "draw each seed's mix of faults from the seed")
	fs.StringVar(&f.cost, "cost", "", "charge callbacks a virtual CPU time in `MIN-MAX` (e.g. 0-2ms)")
	fs.StringVar(&f.trace, "trace", "", "write the trace of the one seed run to `FILE`")
}

// seedFlag is the value of --seed, which remembers whether it was given.
type seedFlag struct {
	n   uint64
	set bool
}

func (s *seedFlag) String() string { return strconv.FormatUint(s.n, 10) }

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return errors.New("want a whole number from 0 to 2^64-1")
	}
	s.n, s.set = n, true
	return nil
}

// simCmd runs a scenario on the simulator: one seed with its output, or a range of
// seeds in parallel with a summary.
func simCmd(f *simFlags, args []string, stdout, stderr io.Writer) error {
	name := "demo"
	switch len(args) {
	case 0:
	case 1:
		name = args[0]
	default:
		return usageError{fmt.Sprintf("sim: name one scenario, not %d", len(args))}
	}
	sc, err := lookupScenario("sim", name)
	if err != nil {
		return err
	}
	faults, err := sim.ParseFaults(f.faults)
	if err != nil {
		return usageError{err.Error()}
	}
	base := sim.Config{Faults: faults, Swarm: f.swarm, Scenario: sc.Name}
	if f.cost != "" {
		lo, hi, ok := strings.Cut(f.cost, "-")
		min, err1 := time.ParseDuration(lo)
		max, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || min < 0 || max < min {
			return usageError{fmt.Sprintf("sim: --cost %q: want MIN-MAX durations such as 0-2ms", f.cost)}
		}
		base.CallbackCost = sim.Range{Min: min, Max: max}
	}
	opts := simOptions{scenario: sc.Name, faults: f.faults, swarm: f.swarm, cost: f.cost}
	if f.seeds == "" {
		if f.shard != "" {
			return usageError{"sim: --shard splits the seeds of a sweep: use it with --seeds A-B"}
		}
		return simOne(sc, base, f.seed.n, f.trace, opts, stdout)
	}
	if f.seed.set {
		return usageError{"sim: --seed runs one seed and --seeds a range: give one of them"}
	}
	if f.trace != "" {
		return usageError{"sim: --trace writes one run: use it with --seed"}
	}
	first, last, err := parseRange(f.seeds)
	if err != nil {
		return usageError{err.Error()}
	}
	k, n := 1, 1
	if f.shard != "" {
		if k, n, err = parseShard(f.shard); err != nil {
			return usageError{err.Error()}
		}
	}
	if f.jobs < 1 {
		return usageError{"sim: -j must be at least 1"}
	}
	return simSweep(sc, base, first, last, k, n, f.jobs, opts, stdout, stderr)
}

// simOne runs one seed and prints the scenario's output and the verdict. The trace,
// when asked for, is flushed and closed whatever the run's outcome.
func simOne(sc scenarios.Scenario, cfg sim.Config, seed uint64, traceFile string, opts simOptions, stdout io.Writer) error {
	cfg.Seed = seed
	if traceFile != "" {
		return writeToFile(traceFile, func(w io.Writer) error {
			cfg.Trace = w
			return simRun(sc, cfg, opts, stdout)
		})
	}
	return simRun(sc, cfg, opts, stdout)
}

// simRun runs cfg's one seed and prints the scenario's output and the verdict.
func simRun(sc scenarios.Scenario, cfg sim.Config, opts simOptions, stdout io.Writer) error {
	seed := cfg.Seed
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
// docs/semantics.md: a run that breaks one fails, whatever its verdict.
func runChecked(cfg sim.Config, program func(*nodeloop.Loop)) (*sim.Result, error) {
	cfg.KeepTrace = true
	res, err := sim.Run(cfg, program)
	var failed *sim.RunError
	if err != nil && !errors.As(err, &failed) {
		return nil, err // a configuration sim refuses; a failed run says so in res
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
	if o, ok := w.(*output); ok {
		w = o.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
