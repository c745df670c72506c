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
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// simOptions are the flags of nodeloop sim that shape a run, kept to print the one
// command that reproduces a failing seed.
type simOptions struct {
	scenario  string
	faults    string
	swarm     bool
	cost      string
	readCost  string // a script's --read-cost, when not the default
	syncLimit string // a script's --sync-limit, when not the default
	choices   string // the choice log the run replays, if it replays one
}

func (o simOptions) command(seed uint64) string {
	if o.choices != "" {
		return fmt.Sprintf("nodeloop sim %s --choices %s", o.scenario, o.choices)
	}
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
	if o.readCost != "" {
		cmd += " --read-cost " + o.readCost
	}
	if o.syncLimit != "" {
		cmd += " --sync-limit " + o.syncLimit
	}
	return cmd
}

// simFlags are the flags of nodeloop sim.
type simFlags struct {
	seed                              seedFlag
	seeds, shard, faults, cost, trace string
	jobs                              int
	swarm                             bool
	shards                            uint64
	report                            string
	saveChoices, choices              string
	readCost, syncLimit               time.Duration
}

func (f *simFlags) define(fs *flag.FlagSet) {
	f.seed.n = 1
	fs.Var(&f.seed, "seed", "run seed `N`, printing the scenario's output")
	fs.StringVar(&f.seeds, "seeds", "", "run the seeds in `A-B` (inclusive; any range of 0 to 2^64-1 but the whole) and summarise")
	fs.IntVar(&f.jobs, "j", runtime.GOMAXPROCS(0), "run `N` seeds at a time (at most 4×GOMAXPROCS)")
	fs.IntVar(&f.jobs, "jobs", runtime.GOMAXPROCS(0), "the same as -j: run `N` seeds at a time")
	fs.StringVar(&f.shard, "shard", "", "run only shard `K/N` of the seeds of --seeds: the K-th and every N-th after it, K counted from 1; auto reads it from the environment: "+
		sim.EnvShard+"=K/N, a Kubernetes Indexed Job, GitLab, CircleCI or Buildkite parallel jobs")
	fs.Uint64Var(&f.shards, "shards", 0, "the number `N` of shards, for --shard auto in a Kubernetes Indexed Job (its completions; or set "+sim.EnvShards+")")
	fs.StringVar(&f.report, "report", "", "write the sweep's JSON report to `FILE` (with --seeds), for nodeloop report merge")
	fs.StringVar(&f.faults, "faults", "", "inject `FAULTS`: a comma-separated list of "+strings.Join(sim.FaultNames, ", ")+" or all, each optionally =P (a probability, default 0.05) and :LATENCY where it has one (spike=0.2:1s)")
	fs.BoolVar(&f.swarm, "swarm", false, "draw each seed's mix of faults from the seed")
	fs.StringVar(&f.cost, "cost", "", "charge callbacks a virtual CPU time in `MIN-MAX` (e.g. 0-2ms)")
	fs.DurationVar(&f.readCost, "read-cost", readCostDefault, "charge each clock reading of a JavaScript program (Date.now, new Date, performance.now, process.hrtime) `D` of virtual CPU time, so that a busy-wait on the clock ends")
	fs.DurationVar(&f.syncLimit, "sync-limit", syncLimitDefault, "fail the run of a JavaScript program when one callback runs longer than `D` of real time (an endless synchronous loop that reads no clock); 0 means no limit. "+
		"The one limit of a run in real time: a run that passes it cannot be replayed")
	fs.StringVar(&f.trace, "trace", "", "write the trace of the one seed run to `FILE`")
	fs.StringVar(&f.saveChoices, "save-choices", "", "write the choice log of the one seed run to `FILE`, which --choices replays; with --seeds it is a usage error: "+
		"a failing seed's reproduce command takes --save-choices, and --report keeps every failure's choices")
	fs.StringVar(&f.choices, "choices", "", "replay the run whose choice log `FILE` holds (written by --save-choices), instead of a seed: the scenario, the seed and the configuration are the log's; "+
		"a choice that no longer fits the program is found further on in the log or drawn fresh, and the output says where")
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
	if len(args) > 1 {
		return usageError{fmt.Sprintf("sim: name one scenario, not %d", len(args))}
	}
	if f.choices != "" {
		return simFromChoices(f, args, stdout, stderr)
	}
	name := "demo"
	if len(args) == 1 {
		name = args[0]
	}
	ws, isWorld := lookupWorld(name)
	sc := scenarios.Scenario{Name: name}
	if !isWorld {
		var err error
		if sc, err = simScenario(f, name, stdout, stderr); err != nil {
			return err
		}
	}
	faults, err := sim.ParseFaults(f.faults)
	if err != nil {
		return usageError{err.Error()}
	}
	base := sim.Config{Faults: faults, Swarm: f.swarm, Scenario: sc.Name}
	if isScript(sc.Name) {
		if err := configureScript(&base, sc.Name, f.readCost); err != nil {
			return err
		}
	}
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
	if f.readCost != readCostDefault {
		opts.readCost = f.readCost.String()
	}
	if f.syncLimit != syncLimitDefault {
		opts.syncLimit = f.syncLimit.String()
	}
	if f.seeds == "" {
		switch {
		case f.shard != "":
			return usageError{"sim: --shard splits the seeds of a sweep: use it with --seeds A-B"}
		case f.report != "":
			return usageError{"sim: --report writes the report of a sweep: use it with --seeds A-B"}
		}
		if isWorld {
			return simWorldOne(ws, base, f.seed.n, f.trace, f.saveChoices, opts, stdout)
		}
		return simOne(sc, base, f.seed.n, f.trace, f.saveChoices, opts, stdout)
	}
	if f.seed.set {
		return usageError{"sim: --seed runs one seed and --seeds a range: give one of them"}
	}
	if f.trace != "" {
		return usageError{"sim: --trace writes one run: use it with --seed"}
	}
	if f.saveChoices != "" {
		return usageError{"sim: --save-choices writes one run's log: use it with --seed (a failing seed's reproduce command takes it; --report keeps every failure's choices)"}
	}
	seeds, err := sim.ParseSeeds(f.seeds)
	if err != nil {
		return usageError{"sim: --seeds " + err.Error()}
	}
	var shard sim.Shard
	switch f.shard {
	case "auto":
		sh, where, err := sim.ShardFromEnv(os.Getenv, f.shards)
		if err != nil {
			return usageError{"sim: --shard auto: " + err.Error()}
		}
		fmt.Fprintf(stderr, "nodeloop: --shard auto: shard %v, from %s\n", sh, where)
		shard = sh
	case "":
		shard = sim.Shard{K: 1, N: 1}
	default:
		if shard, err = sim.ParseShard(f.shard); err != nil {
			return usageError{"sim: --shard " + err.Error()}
		}
	}
	if f.shards != 0 && f.shard != "auto" {
		return usageError{"sim: --shards gives the number of shards to --shard auto: use them together"}
	}
	if f.jobs < 1 {
		return usageError{"sim: -j must be at least 1"}
	}
	if most := sim.SweepJobsMax(); f.jobs > most {
		fmt.Fprintf(stderr, "nodeloop: -j %d: running %d seeds at a time, 4×GOMAXPROCS: each run takes a CPU, so more would only hold more memory\n", f.jobs, most)
		f.jobs = most
	}
	if isWorld {
		return simWorldSweep(ws, base, seeds, shard, f.jobs, opts, f.report, stdout, stderr)
	}
	return simSweep(sc, base, seeds, shard, f.jobs, opts, f.report, stdout, stderr)
}

// simFromChoices replays the run of the choice log f.choices: the scenario, seed and
// configuration of its header, and its choices, tolerantly (sim.ReplayFrom).
func simFromChoices(f *simFlags, args []string, stdout, stderr io.Writer) error {
	for _, other := range []struct {
		name string
		set  bool
	}{
		{"--seed", f.seed.set}, {"--seeds", f.seeds != ""}, {"--faults", f.faults != ""}, {"--swarm", f.swarm},
		{"--cost", f.cost != ""}, {"--shard", f.shard != ""}, {"--shards", f.shards != 0}, {"--report", f.report != ""},
		{"--read-cost", f.readCost != readCostDefault},
	} {
		if other.set {
			return usageError{fmt.Sprintf("sim: --choices replays the run its log describes, seed and configuration: %s cannot change it", other.name)}
		}
	}
	h, log, err := readChoicesFile(f.choices)
	if err != nil {
		return err
	}
	name := h.Scenario
	switch {
	case len(args) == 1 && name != "" && args[0] != name:
		return usageError{fmt.Sprintf("sim: %s is the log of scenario %q, not %q", f.choices, name, args[0])}
	case len(args) == 1:
		name = args[0]
	case name == "":
		name = "demo"
	}
	ws, isWorld := lookupWorld(name)
	cfg, err := sim.HeaderConfig(h.Config)
	if err != nil {
		return inputError{fmt.Errorf("%s: %w", f.choices, err)}
	}
	if isWorld {
		cfg.Scenario, cfg.Choices = name, sim.ReplayFrom(log, sim.ReplayOptions{})
		return simWorldOne(ws, cfg, h.Seed, f.trace, f.saveChoices, simOptions{scenario: name, choices: f.choices}, stdout)
	}
	if isScript(name) {
		// The script runs as the log's run did: with its cost of a clock reading.
		if f.readCost, err = scriptReadCost(cfg); err != nil {
			return inputError{fmt.Errorf("%s: %w", f.choices, err)}
		}
		if err := configureScript(&cfg, name, f.readCost); err != nil {
			return err
		}
	}
	sc, err := simScenario(f, name, stdout, stderr)
	if err != nil {
		return err
	}
	cfg.Scenario, cfg.Choices = sc.Name, sim.ReplayFrom(log, sim.ReplayOptions{})
	opts := simOptions{scenario: sc.Name, choices: f.choices}
	return simOne(sc, cfg, h.Seed, f.trace, f.saveChoices, opts, stdout)
}

// simScenario is the scenario nodeloop sim runs: a JavaScript file (a name ending
// in .js) or a built-in scenario.
func simScenario(f *simFlags, name string, stdout, stderr io.Writer) (scenarios.Scenario, error) {
	if !isScript(name) {
		sc, err := lookupScenario("sim", name)
		if err != nil {
			return sc, usageError{err.Error() + worldList()}
		}
		return sc, nil
	}
	if f.readCost < 0 {
		return scenarios.Scenario{}, usageError{fmt.Sprintf("sim: --read-cost %v: must not be negative", f.readCost)}
	}
	if f.syncLimit < 0 {
		return scenarios.Scenario{}, usageError{fmt.Sprintf("sim: --sync-limit %v: must not be negative", f.syncLimit)}
	}
	return jsScenario(name, scriptOptions{readCost: f.readCost, syncLimit: f.syncLimit}, stdout, stderr), nil
}

// readChoicesFile reads the choice log file path; an unreadable or bad file is an
// inputError naming it (and the line).
func readChoicesFile(path string) (sim.ChoicesHeader, []sim.Choice, error) {
	file, err := os.Open(path)
	if err != nil {
		return sim.ChoicesHeader{}, nil, inputError{err}
	}
	defer file.Close()
	h, log, err := sim.ReadChoices(file)
	if err != nil {
		return h, nil, inputError{fmt.Errorf("%s: %w", path, err)}
	}
	return h, log, nil
}

// simOne runs one seed and prints the scenario's output and the verdict. The trace,
// when asked for, is flushed and closed whatever the run's outcome; so is the choice
// log, written to choicesFile when it is not empty.
func simOne(sc scenarios.Scenario, cfg sim.Config, seed uint64, traceFile, choicesFile string, opts simOptions, stdout io.Writer) error {
	cfg.Seed = seed
	if traceFile != "" {
		return writeToFile(traceFile, func(w io.Writer) error {
			cfg.Trace = w
			return simRun(sc, cfg, choicesFile, opts, stdout)
		})
	}
	return simRun(sc, cfg, choicesFile, opts, stdout)
}

// simRun runs cfg's one seed and prints the scenario's output and the verdict, and
// writes the run's choice log to choicesFile when it is not empty.
func simRun(sc scenarios.Scenario, cfg sim.Config, choicesFile string, opts simOptions, stdout io.Writer) error {
	if isScript(sc.Name) {
		return simScriptRun(sc, cfg, choicesFile, opts, stdout)
	}
	seed := cfg.Seed
	out := scenarios.NewPrinter(stdout, nil)
	cfg.Tracer = out
	start := time.Now()
	res, err := runChecked(cfg, func(l *nodeloop.Loop) { sc.Main(l, out)() })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "===== FINISHED =====\n%v (%v of wall time)\n", res, time.Since(start).Round(time.Microsecond))
	if choicesFile != "" {
		h := sim.NewChoicesHeader(cfg, res)
		if err := writeToFile(choicesFile, func(w io.Writer) error { return sim.WriteChoices(w, h, res.Choices) }); err != nil {
			return err
		}
	}
	if res.Failed() {
		msg := fmt.Sprintf("seed %d failed: %s\nreproduce: %s", seed, res.Verdict, opts.command(seed))
		if choicesFile != "" {
			msg += fmt.Sprintf("\nor from its choices: nodeloop sim %s --choices %s", sc.Name, choicesFile)
		}
		return findingError{msg}
	}
	return nil
}

// simSweep runs the seeds of shard of seeds, jobs at a time, each run on its own
// goroutine from start to end, summarises, and writes the report when asked. Passing
// seeds are only counted, so the sweep's memory does not grow with the range.
func simSweep(sc scenarios.Scenario, base sim.Config, seeds sim.Seeds, shard sim.Shard, jobs int, opts simOptions, reportFile string, stdout, stderr io.Writer) error {
	base.KeepTrace = true // for the invariants
	total := shard.Len(seeds)
	sweepOpts := sim.SweepOptions{
		Shard:     shard,
		Jobs:      jobs,
		Check:     checkInvariants,
		Reproduce: opts.command,
	}
	progress := isTerminal(stderr)
	if progress {
		sweepOpts.Progress = func(done, failed uint64) {
			if done%100 == 0 || done == total {
				fmt.Fprintf(stderr, "\r%d/%d seeds, %d failed", done, total, failed)
			}
		}
	}
	rep, err := sim.Sweep(base, seeds, func(l *nodeloop.Loop) { sc.Main(l, discardOutput{})() }, sweepOpts)
	if progress {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	return reportSweep(sc.Name, seeds, shard, rep, reportFile, stdout)
}

// reportSweep prints the summary of a sweep of scenario name and its failures,
// writes its report to reportFile when one is named, and returns a finding when a
// seed failed.
func reportSweep(name string, seeds sim.Seeds, shard sim.Shard, rep *sim.SweepReport, reportFile string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "%s: %d seeds (%d-%d, shard %v) in %v, %d failed\n",
		name, rep.Runs, seeds.First, seeds.Last, shard, rep.Elapsed.Round(time.Millisecond), rep.Failed)
	printFailures(stdout, rep)
	if reportFile != "" {
		if err := writeToFile(reportFile, rep.WriteJSON); err != nil {
			return err
		}
	}
	if rep.Failed > 0 {
		return findingError{fmt.Sprintf("%d of %d seeds failed; first: %s", rep.Failed, rep.Runs, rep.Failures[0].Reproduce)}
	}
	return nil
}

// printFailures lists the failures a report keeps, each with the command that
// reproduces it, and counts those it left out.
func printFailures(w io.Writer, rep *sim.SweepReport) {
	for _, f := range rep.Failures {
		fmt.Fprintf(w, "%s\n  reproduce: %s\n", f.Result, f.Reproduce)
	}
	if rep.FailuresOmitted > 0 {
		fmt.Fprintf(w, "and %d more failing seeds, past the %d smallest kept\n", rep.FailuresOmitted, len(rep.Failures))
	}
}

// runChecked runs one simulation and checks its trace against the invariants of
// docs/semantics.md: a run that breaks one fails, whatever its verdict.
func runChecked(cfg sim.Config, program func(*nodeloop.Loop)) (*sim.Result, error) {
	cfg.KeepTrace = true
	res, err := sim.Run(cfg, program)
	if res == nil {
		return nil, err // a configuration sim refuses; a failed run says so in res
	}
	if !res.Failed() {
		if err := checkInvariants(res); err != nil {
			res.Verdict, res.Err = sim.Failed, err
		}
	}
	res.Events = nil
	return res, nil
}

// checkInvariants checks a run's trace (Result.Events) against the invariants of
// docs/semantics.md.
func checkInvariants(res *sim.Result) error {
	vs := properties.Check(res.Events)
	if len(vs) == 0 {
		return nil
	}
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.String()
	}
	return fmt.Errorf("the trace breaks %d invariants:\n  %s", len(vs), strings.Join(msgs, "\n  "))
}

type discardOutput struct{}

func (discardOutput) Print(string, string) {}

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
