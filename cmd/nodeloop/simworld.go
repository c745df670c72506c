package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/scenarios/kv"
	"github.com/nodeloop/nodeloop/scenarios/ledger"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// worldScenario is a scenario of several hosts: a sim.World that build fills in.
type worldScenario struct {
	name, doc string
	// build adds the hosts to w and returns the judge of the run that ended: check
	// says what it found wrong, if anything, and verdict is one line on it for a
	// person (a history's verdict, say).
	build func(w *sim.World) (check func(*sim.WorldResult) error, verdict func() string, err error)
}

// worldScenarios are the scenarios of several hosts that nodeloop sim runs, beside
// the single-loop ones of package scenarios.
var worldScenarios = []worldScenario{
	{"kv", "a replicated key-value store (a primary, two backups, their disks) and a client whose history must be linearizable", kvWorld(false)},
	{"kv-lost-write", "kv with a planted bug: the primary acknowledges a put before it is durable anywhere, which partition,crash finds", kvWorld(true)},
	{"ledger", "a JavaScript ledger server (" + ledgerScript + ", run from the repository's root) and two Go clients; every acknowledged entry must survive crashes, partitions and disk faults", ledgerWorld(false)},
	{"ledger-ack-before-fsync", "ledger with a planted bug: the script acknowledges an entry before its fsync, which crash finds", ledgerWorld(true)},
}

// ledgerScript is the ledger's script, read from the current directory.
const ledgerScript = "examples/world/ledger.js"

// ledgerWorld builds the world of package ledger, with its bug or not.
func ledgerWorld(bug bool) func(*sim.World) (func(*sim.WorldResult) error, func() string, error) {
	return func(w *sim.World) (func(*sim.WorldResult) error, func() string, error) {
		g, err := ledger.New(w, ledger.Options{Script: ledgerScript, Bug: bug})
		if err != nil {
			return nil, nil, usageError{fmt.Sprintf("sim: %v (run nodeloop sim ledger from the repository's root)", err)}
		}
		return g.Check, g.Verdict, nil
	}
}

// kvWorld builds the world of package kv, with the lost write or not.
func kvWorld(lost bool) func(*sim.World) (func(*sim.WorldResult) error, func() string, error) {
	return func(w *sim.World) (func(*sim.WorldResult) error, func() string, error) {
		s, err := kv.New(w, kv.Options{LostWrite: lost})
		if err != nil {
			return nil, nil, err
		}
		return func(*sim.WorldResult) error { return s.Check() }, s.Verdict, nil
	}
}

// lookupWorld returns the world scenario called name.
func lookupWorld(name string) (worldScenario, bool) {
	for _, ws := range worldScenarios {
		if ws.name == name {
			return ws, true
		}
	}
	return worldScenario{}, false
}

// worldList names the world scenarios, for an error that lists the scenarios.
func worldList() string {
	names := make([]string, len(worldScenarios))
	for i, ws := range worldScenarios {
		names[i] = ws.name
	}
	return "; worlds: " + strings.Join(names, ", ")
}

// simScenarioList lists the scenarios nodeloop sim runs, each with what it is,
// for its help: those of one loop, then the worlds.
func simScenarioList() string {
	var b strings.Builder
	b.WriteString("scenarios (one loop):\n")
	tw := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	for _, sc := range scenarios.All() {
		fmt.Fprintf(tw, "  %s\t%s\n", sc.Name, sc.Doc)
	}
	tw.Flush()
	b.WriteString("\nworlds (several hosts, each run judged per host and by the world's own check):\n")
	tw = tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	for _, ws := range worldScenarios {
		fmt.Fprintf(tw, "  %s\t%s\n", ws.name, ws.doc)
	}
	tw.Flush()
	return b.String()
}

// runWorld runs one world of ws under cfg and judges it: a world that ended OK
// fails when a run of one of its hosts breaks an invariant of docs/semantics.md,
// checked as the events come (properties.WorldChecker), or when the scenario's
// check finds something. The result is nil, with the error, for a configuration
// the world refuses.
func runWorld(ws worldScenario, cfg sim.Config) (*sim.WorldResult, func() string, error) {
	wc := properties.NewWorldChecker()
	cfg.Tracer = teeTracer{wc, cfg.Tracer}
	w := sim.NewWorld(cfg)
	check, verdict, err := ws.build(w)
	if err != nil {
		return nil, nil, err
	}
	res, err := w.Run()
	if res == nil {
		return nil, nil, err
	}
	if !res.Failed() {
		if err := properties.ViolationsError(wc.Finish()); err != nil {
			res.Verdict, res.Err = sim.Failed, err
		}
	}
	if !res.Failed() {
		if err := check(res); err != nil {
			res.Verdict, res.Err = sim.Failed, err
		}
	}
	return res, verdict, nil
}

// teeTracer passes each event to a checker and then, if there is one, to next.
type teeTracer struct {
	check *properties.WorldChecker
	next  interface{ Event(*traces.Event) }
}

func (t teeTracer) Event(e *traces.Event) {
	t.check.Event(e)
	if t.next != nil {
		t.next.Event(e)
	}
}

// simWorldOne runs one seed of a world scenario and prints its verdict and the
// scenario's; the trace and the choice log are written when asked for, whatever
// the outcome.
func simWorldOne(ws worldScenario, cfg sim.Config, seed uint64, traceFile, choicesFile string, opts simOptions, stdout io.Writer) error {
	cfg.Seed = seed
	if traceFile != "" {
		return writeToFile(traceFile, func(w io.Writer) error {
			cfg.Trace = w
			return simWorldRun(ws, cfg, choicesFile, opts, stdout)
		})
	}
	return simWorldRun(ws, cfg, choicesFile, opts, stdout)
}

func simWorldRun(ws worldScenario, cfg sim.Config, choicesFile string, opts simOptions, stdout io.Writer) error {
	start := time.Now()
	res, verdict, err := runWorld(ws, cfg)
	if res == nil {
		return err
	}
	fmt.Fprintf(stdout, "===== FINISHED =====\n%v (%v of wall time)\n%s\n", res, time.Since(start).Round(time.Microsecond), verdict())
	if choicesFile != "" {
		// The header of a run of one loop and of a world are the same: the
		// seed, the scenario, the configuration with the faults in force.
		h := sim.NewChoicesHeader(cfg, &sim.Result{Seed: res.Seed, Faults: res.Faults})
		if err := writeToFile(choicesFile, func(w io.Writer) error { return sim.WriteChoices(w, h, res.Choices) }); err != nil {
			return err
		}
	}
	if res.Failed() {
		msg := fmt.Sprintf("seed %d failed", res.Seed)
		if res.Verdict != sim.Failed {
			msg += fmt.Sprintf(": %s", res.Verdict) // stuck, not live, out of time or steps
		}
		msg += "\nreproduce: " + opts.command(res.Seed)
		if choicesFile != "" {
			msg += fmt.Sprintf("\nor from its choices: nodeloop sim %s --choices %s", ws.name, choicesFile)
		}
		return findingError{msg}
	}
	return nil
}

// simWorldSweep runs the seeds of shard of seeds of a world scenario, jobs at a
// time, each world on its own goroutine from start to end, as simSweep does for a
// single loop, with the same summary and report.
func simWorldSweep(ws worldScenario, base sim.Config, seeds sim.Seeds, shard sim.Shard, jobs int, opts simOptions, reportFile string, stdout, stderr io.Writer) error {
	rep := sim.NewSweepReport(base, seeds, shard)
	rep.MaxFailures = sim.DefaultMaxFailures
	total := shard.Len(seeds)
	jobs = int(min(uint64(jobs), total))
	progress := isTerminal(stderr)
	start := time.Now()
	var (
		next     atomic.Uint64
		wg       sync.WaitGroup
		mu       sync.Mutex // guards what follows
		runErr   error
		kept     []sim.SweepFailure
		verdicts = map[sim.Verdict]uint64{}
	)
	sh := shard
	if sh.N == 0 {
		sh = sim.Shard{K: 1, N: 1}
	}
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				c := base
				c.Seed = seeds.First + sh.K - 1 + i*sh.N // the shard's i-th seed
				res, verdict, err := runWorld(ws, c)
				mu.Lock()
				if res == nil {
					if runErr == nil {
						runErr = err
					}
					next.Store(total) // every seed would fail so
					mu.Unlock()
					return
				}
				rep.Runs++
				verdicts[res.Verdict]++
				if res.Failed() {
					rep.Failed++
					kept = append(kept, sim.SweepFailure{
						Seed: res.Seed, Verdict: res.Verdict.String(), Error: fmt.Sprint(res.Err),
						Result: res.String() + "\n  " + verdict(), Reproduce: opts.command(res.Seed), Choices: res.Choices,
					})
					if len(kept) >= 2*rep.MaxFailures {
						kept = smallestSweepFailures(kept, rep.MaxFailures)
					}
				}
				if progress && (rep.Runs%100 == 0 || rep.Runs == total) {
					fmt.Fprintf(stderr, "\r%d/%d seeds, %d failed", rep.Runs, total, rep.Failed)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if progress {
		fmt.Fprintln(stderr)
	}
	if runErr != nil {
		return runErr
	}
	for v, n := range verdicts {
		rep.Verdicts[v.String()] = n
	}
	rep.Failures = smallestSweepFailures(kept, rep.MaxFailures)
	rep.FailuresOmitted = rep.Failed - uint64(len(rep.Failures))
	rep.Elapsed = time.Since(start)
	return reportSweep(ws.name, seeds, shard, rep, reportFile, stdout)
}

// smallestSweepFailures returns the n failures of the smallest seeds, in increasing
// order.
func smallestSweepFailures(fs []sim.SweepFailure, n int) []sim.SweepFailure {
	slices.SortFunc(fs, func(a, b sim.SweepFailure) int { return cmp.Compare(a.Seed, b.Seed) })
	if len(fs) > n {
		fs = fs[:n]
	}
	return fs
}
