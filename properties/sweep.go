package properties

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// The flags of go test that widen, shard and report the sweeps of Sweep, so that a
// package's sweeps run from the command line without a main of their own. They
// follow the package on go test's command line: before it, they would make go test
// hand the package list to the test binary and test the current directory.
//
//	go test ./mypkg -run '^TestSweep$' -nodeloop.seeds=1-100000 -nodeloop.shard=3/8
var (
	sweepSeeds = flag.String("nodeloop.seeds", "",
		"properties.Sweep: run the seeds in `A-B` (inclusive), or the one seed N, instead of each sweep's own range")
	sweepShard = flag.String("nodeloop.shard", "",
		"properties.Sweep: run only shard `K/N` of the seeds (the K-th and every N-th after it, K counted from 1); auto reads it from the environment as nodeloop sim --shard auto does")
	sweepShards = flag.Uint64("nodeloop.shards", 0,
		"properties.Sweep: the number of shards, for -nodeloop.shard=auto in a Kubernetes Indexed Job")
	sweepJobs = flag.Int("nodeloop.j", 0,
		"properties.Sweep: run `N` seeds at a time (default GOMAXPROCS, at most 4×GOMAXPROCS)")
	sweepReport = flag.String("nodeloop.report", "",
		"properties.Sweep: write the sweep's JSON report, for nodeloop report merge, to `FILE`; select one sweep with -run")
)

// DefaultSweepSeeds is the range Sweep runs when neither SweepSeeds nor
// -nodeloop.seeds says otherwise: small enough for every go test.
var DefaultSweepSeeds = sim.Seeds{First: 1, Last: 100}

// SweepOption configures Sweep.
type SweepOption func(*sweepConfig)

type sweepConfig struct {
	seeds  sim.Seeds
	assert func(*sim.Result) error
}

// SweepSeeds sets the range a sweep runs when -nodeloop.seeds is not given.
func SweepSeeds(s sim.Seeds) SweepOption { return func(c *sweepConfig) { c.seeds = s } }

// SweepAssert adds the caller's own check of each run that ended OK: a non-nil
// error fails its seed. It is called concurrently from several goroutines, one run
// at a time on each.
func SweepAssert(check func(*sim.Result) error) SweepOption {
	return func(c *sweepConfig) { c.assert = check }
}

var (
	reportsMu sync.Mutex
	reportsBy = map[string]string{} // report file -> the test that wrote it
)

// Sweep runs program on a range of seeds from a Go test, in parallel (sim.Sweep), and
// fails t for every seed whose run fails, breaks an invariant of docs/semantics.md or
// fails the caller's check (SweepAssert), printing each failing seed with the go
// test command that runs it alone. cfg is every run's configuration (its Seed
// aside); Choices, Trace and Tracer must be nil. The report names the program by t's
// name unless cfg.Scenario names it.
//
// The range is DefaultSweepSeeds, or SweepSeeds's, and the flags of go test widen
// and split it, so a package exposes its sweeps to any batch engine by writing
// tests:
//
//	-nodeloop.seeds=A-B    the seeds to run instead
//	-nodeloop.shard=K/N    only shard K of N (K from 1), or auto: from the environment
//	-nodeloop.shards=N     the number of shards for auto in a Kubernetes Indexed Job
//	-nodeloop.j=N          seeds at a time
//	-nodeloop.report=FILE  the sweep's JSON report, which nodeloop report merge joins
//
// program is called concurrently, on a fresh loop each time: it must not share
// mutable state between runs, and must draw every nondeterministic input from the
// loop.
func Sweep(t testing.TB, cfg sim.Config, program func(*nodeloop.Loop), opts ...SweepOption) {
	t.Helper()
	c := sweepConfig{seeds: DefaultSweepSeeds}
	for _, o := range opts {
		o(&c)
	}
	seeds := c.seeds
	if *sweepSeeds != "" {
		s, err := sim.ParseSeeds(*sweepSeeds)
		if err != nil {
			t.Fatalf("-nodeloop.seeds %v", err)
		}
		seeds = s
	}
	var shard sim.Shard
	switch *sweepShard {
	case "":
		if *sweepShards != 0 {
			t.Fatalf("-nodeloop.shards gives the number of shards to -nodeloop.shard=auto: use them together")
		}
	case "auto":
		sh, where, err := sim.ShardFromEnv(os.Getenv, *sweepShards)
		if err != nil {
			t.Fatalf("-nodeloop.shard=auto: %v", err)
		}
		t.Logf("shard %v, from %s", sh, where)
		shard = sh
	default:
		sh, err := sim.ParseShard(*sweepShard)
		if err != nil {
			t.Fatalf("-nodeloop.shard %v", err)
		}
		shard = sh
	}
	if *sweepJobs < 0 {
		t.Fatalf("-nodeloop.j %d: want 0 (GOMAXPROCS) or more", *sweepJobs)
	}
	if *sweepReport != "" {
		reportsMu.Lock()
		other, taken := reportsBy[*sweepReport]
		if !taken {
			reportsBy[*sweepReport] = t.Name()
		}
		reportsMu.Unlock()
		if taken {
			t.Fatalf("-nodeloop.report=%s is %s's report already: select one sweep with -run", *sweepReport, other)
		}
	}
	if cfg.Scenario == "" {
		cfg.Scenario = t.Name()
	}
	cfg.KeepTrace = true
	pkg, run := callerPackage(), runPattern(t.Name())
	rep, err := sim.Sweep(cfg, seeds, program, sim.SweepOptions{
		Shard: shard,
		Jobs:  *sweepJobs,
		Check: func(res *sim.Result) error {
			if err := ViolationsError(Check(res.Events)); err != nil {
				return err
			}
			if c.assert != nil {
				return c.assert(res)
			}
			return nil
		},
		Reproduce: func(seed uint64) string {
			return fmt.Sprintf("go test %s -run '%s' -nodeloop.seeds=%d", pkg, run, seed)
		},
	})
	if err != nil {
		t.Fatalf("sim.Sweep: %v", err)
	}
	t.Logf("%d seeds (%d-%d, shard %v) in %v, %d failed", rep.Runs, seeds.First, seeds.Last, rep.Shard, rep.Elapsed.Round(time.Millisecond), rep.Failed)
	if *sweepReport != "" {
		if err := writeReport(*sweepReport, rep); err != nil {
			t.Errorf("-nodeloop.report: %v", err)
		}
	}
	for _, f := range rep.Failures {
		t.Errorf("%s\n  reproduce: %s", f.Result, f.Reproduce)
	}
	if rep.FailuresOmitted > 0 {
		t.Errorf("and %d more failing seeds, past the %d smallest kept", rep.FailuresOmitted, len(rep.Failures))
	}
}

func writeReport(path string, rep *sim.SweepReport) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	werr := rep.WriteJSON(f)
	if err := f.Close(); werr == nil {
		werr = err
	}
	return werr
}

// callerPackage returns the import path of the package whose code called Sweep, as
// go test names it: an external test package's _test suffix dropped.
func callerPackage() string {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if pkg := funcPackage(f.Function); pkg != "" && pkg != "github.com/nodeloop/nodeloop/properties" {
			return strings.TrimSuffix(pkg, "_test")
		}
		if !more {
			return "."
		}
	}
}

// funcPackage returns the package path of a function's full name, such as
// "example.com/m/pkg" of "example.com/m/pkg.TestSweep.func1".
func funcPackage(name string) string {
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}

// runPattern returns the -run pattern that selects exactly the test called name,
// subtests included.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
