package sim_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

const maxSeed = uint64(math.MaxUint64)

// Ranges of seeds read as A-B or N, and every range whose count fits a uint64
// works; the rest are errors naming what is wrong.
func TestParseSeeds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want sim.Seeds
		err  string
	}{
		{in: "1-100", want: sim.Seeds{First: 1, Last: 100}},
		{in: "7", want: sim.Seeds{First: 7, Last: 7}},
		{in: "0-0", want: sim.Seeds{}},
		{in: "1-18446744073709551615", want: sim.Seeds{First: 1, Last: maxSeed}},
		{in: "0-18446744073709551614", want: sim.Seeds{First: 0, Last: maxSeed - 1}},
		{in: "18446744073709551615", want: sim.Seeds{First: maxSeed, Last: maxSeed}},
		{in: "0-18446744073709551615", err: "2^64 seeds"},
		{in: "1-18446744073709551616", err: "at most 18446744073709551615"},
		{in: "5-1", err: "ends before it starts"},
		{in: "", err: "want A-B"},
		{in: "1-", err: "want A-B"},
		{in: "-5", err: "want A-B"},
		{in: "a-b", err: "want A-B"},
		{in: "1-2-3", err: "want A-B"},
	} {
		got, err := sim.ParseSeeds(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseSeeds(%q): %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseSeeds(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseSeeds(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"1/1", true}, {"3/8", true}, {"8/8", true}, {"18446744073709551615/18446744073709551615", true},
		{"0/3", false}, {"4/3", false}, {"1/0", false}, {"1", false}, {"a/b", false}, {"-1/3", false}, {"", false},
	} {
		sh, err := sim.ParseShard(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseShard(%q) = %v, %v; want ok %v", tt.in, sh, err, tt.ok)
		}
		if err == nil && sh.String() != tt.in {
			t.Errorf("ParseShard(%q).String() = %q", tt.in, sh.String())
		}
	}
}

// The N shards of a range hold each of its seeds once, and a shard's seeds are
// computed: the last shard of a million of a 10^12-seed range, or a shard of the
// widest range, starts at once.
func TestShardSeeds(t *testing.T) {
	for _, r := range []sim.Seeds{{First: 1, Last: 1}, {First: 1, Last: 10}, {First: 5, Last: 17}, {First: 0, Last: 99}} {
		for n := uint64(1); n <= 12; n++ {
			var all []uint64
			for k := uint64(1); k <= n; k++ {
				sh := sim.Shard{K: k, N: n}
				got := slices.Collect(sh.All(r))
				if uint64(len(got)) != sh.Len(r) {
					t.Fatalf("shard %v of %v: %d seeds, Len says %d", sh, r, len(got), sh.Len(r))
				}
				all = append(all, got...)
			}
			slices.Sort(all)
			var want []uint64
			for s := r.First; s <= r.Last; s++ {
				want = append(want, s)
			}
			if !slices.Equal(all, want) {
				t.Fatalf("the %d shards of %v hold %v", n, r, all)
			}
		}
	}
	huge := sim.Seeds{First: 1, Last: 1_000_000_000_000}
	last := sim.Shard{K: 1_000_000, N: 1_000_000}
	if got := last.Len(huge); got != 1_000_000 {
		t.Fatalf("shard %v of %v: Len %d, want 1000000", last, huge, got)
	}
	var first []uint64
	for s := range last.All(huge) {
		if first = append(first, s); len(first) == 3 {
			break
		}
	}
	if !slices.Equal(first, []uint64{1_000_000, 2_000_000, 3_000_000}) {
		t.Fatalf("shard %v of %v starts %v", last, huge, first)
	}
	widest := sim.Seeds{First: 1, Last: maxSeed}
	if got, want := widest.Len(), maxSeed; got != want {
		t.Fatalf("%v: Len %d, want %d", widest, got, want)
	}
	third := sim.Shard{K: 3, N: 3}
	if got, want := third.Len(widest), maxSeed/3; got != want {
		t.Fatalf("shard %v of %v: Len %d, want %d", third, widest, got, want)
	}
	var lastSeed uint64
	tail := sim.Seeds{First: maxSeed - 5, Last: maxSeed}
	for s := range third.All(tail) {
		lastSeed = s
	}
	if lastSeed != maxSeed {
		t.Fatalf("shard %v of %v ends at %d, want %d", third, tail, lastSeed, maxSeed)
	}
}

// --shard auto reads each engine's variables, with its own base; what is missing
// or wrong is an error naming the variable.
func TestShardFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env    map[string]string
		shards uint64
		want   sim.Shard
		err    string
	}{
		{env: map[string]string{"NODELOOP_SHARD": "3/8"}, want: sim.Shard{K: 3, N: 8}},
		{env: map[string]string{"NODELOOP_SHARD": "3/8"}, shards: 8, want: sim.Shard{K: 3, N: 8}},
		{env: map[string]string{"NODELOOP_SHARD": "3/8"}, shards: 4, err: "not the 4 expected"},
		{env: map[string]string{"NODELOOP_SHARD": "0/8"}, err: "NODELOOP_SHARD"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "0", "NODELOOP_SHARDS": "4"}, want: sim.Shard{K: 1, N: 4}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, shards: 4, want: sim.Shard{K: 4, N: 4}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "4"}, shards: 4, err: "past the last of 4"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "2"}, err: "NODELOOP_SHARDS"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "18446744073709551615"}, shards: 4, err: "past the last of 4"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "x", "NODELOOP_SHARDS": "4"}, err: "JOB_COMPLETION_INDEX"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "1", "NODELOOP_SHARDS": "0"}, err: "NODELOOP_SHARDS"},
		{env: map[string]string{"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "4"}, want: sim.Shard{K: 1, N: 4}},
		{env: map[string]string{"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "4"}, want: sim.Shard{K: 4, N: 4}},
		{env: map[string]string{"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "4"}, err: "from 1"},
		{env: map[string]string{"CI_NODE_INDEX": "2"}, err: "CI_NODE_TOTAL"},
		{env: map[string]string{"CIRCLE_NODE_INDEX": "0", "CIRCLE_NODE_TOTAL": "3"}, want: sim.Shard{K: 1, N: 3}},
		{env: map[string]string{"CIRCLE_NODE_INDEX": "3", "CIRCLE_NODE_TOTAL": "3"}, err: "past the last"},
		{env: map[string]string{"BUILDKITE_PARALLEL_JOB": "4", "BUILDKITE_PARALLEL_JOB_COUNT": "5"}, want: sim.Shard{K: 5, N: 5}},
		{env: map[string]string{"BUILDKITE_PARALLEL_JOB": "1", "BUILDKITE_PARALLEL_JOB_COUNT": "5"}, shards: 4, err: "not the 4 expected"},
		{env: map[string]string{"NODELOOP_SHARD": "2/2", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "2"}, want: sim.Shard{K: 2, N: 2}},
		{env: map[string]string{}, err: "no shard in the environment"},
	} {
		sh, where, err := sim.ShardFromEnv(func(k string) string { return tt.env[k] }, tt.shards)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ShardFromEnv(%v, %d): %v", tt.env, tt.shards, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ShardFromEnv(%v, %d) = %v, %v; want an error with %q", tt.env, tt.shards, sh, err, tt.err)
		case tt.err == "" && (sh != tt.want || where == ""):
			t.Errorf("ShardFromEnv(%v, %d) = %v (%q), want %v", tt.env, tt.shards, sh, where, tt.want)
		}
	}
}

// race runs the race scenario, which fails on some seeds when callbacks cost time.
func race(l *nodeloop.Loop) { scenarios.Race(l, discard{})() }

var raceConfig = sim.Config{CallbackCost: sim.Range{Max: 2 * time.Millisecond}, Scenario: "race"}

func sweep(t *testing.T, cfg sim.Config, seeds sim.Seeds, program func(*nodeloop.Loop), opts sim.SweepOptions) *sim.SweepReport {
	t.Helper()
	rep, err := sim.Sweep(cfg, seeds, program, opts)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	rep.Elapsed = 0
	return rep
}

// A sweep's report is the same however many jobs run it; it counts every seed,
// keeps each failure with its choices and reproduce command, and every failure
// it keeps does fail when run alone.
func TestSweep(t *testing.T) {
	seeds := sim.Seeds{First: 1, Last: 80}
	reproduce := func(seed uint64) string { return fmt.Sprintf("repeat %d", seed) }
	one := sweep(t, raceConfig, seeds, race, sim.SweepOptions{Jobs: 1, Reproduce: reproduce})
	many := sweep(t, raceConfig, seeds, race, sim.SweepOptions{Jobs: 8, Reproduce: reproduce})
	if diff := cmp.Diff(one, many); diff != "" {
		t.Fatalf("1 job and 8 jobs differ (-1 +8):\n%s", diff)
	}
	if one.Runs != 80 || one.Failed == 0 || one.Failed == 80 || one.Verdicts["ok"]+one.Verdicts["failed"] != 80 {
		t.Fatalf("runs %d, failed %d, verdicts %v: want 80 runs, some failing", one.Runs, one.Failed, one.Verdicts)
	}
	if len(one.Failures) != int(one.Failed) || one.FailuresOmitted != 0 {
		t.Fatalf("%d failures kept, %d omitted, of %d", len(one.Failures), one.FailuresOmitted, one.Failed)
	}
	for i, f := range one.Failures {
		if i > 0 && f.Seed <= one.Failures[i-1].Seed {
			t.Fatalf("failures out of order: %d after %d", f.Seed, one.Failures[i-1].Seed)
		}
		if f.Verdict != "failed" || f.Reproduce != reproduce(f.Seed) || len(f.Choices) == 0 || !strings.Contains(f.Error, "immediate ran before the timeout") {
			t.Fatalf("failure %+v", f)
		}
		cfg := raceConfig
		cfg.Choices = sim.Replay(f.Choices)
		if res := run(t, cfg, race); !res.Failed() {
			t.Fatalf("seed %d's choices replay to %v", f.Seed, res)
		}
	}
	if one.Program != "race" || !strings.Contains(string(one.Config), `"callback_cost":[0,2000000]`) {
		t.Fatalf("program %q, config %s", one.Program, one.Config)
	}
}

// A Check fails the runs it rejects; a sweep keeps only the smallest failing seeds
// and counts the others.
func TestSweepCheckAndCap(t *testing.T) {
	seeds := sim.Seeds{First: 10, Last: 59}
	odd := func(r *sim.Result) error {
		if r.Seed%2 == 1 {
			return errors.New("odd")
		}
		return nil
	}
	rep := sweep(t, sim.Config{}, seeds, demo, sim.SweepOptions{Check: odd, MaxFailures: 3, Jobs: 3})
	if rep.Runs != 50 || rep.Failed != 25 || rep.FailuresOmitted != 22 || rep.Verdicts["failed"] != 25 || rep.Verdicts["ok"] != 25 {
		t.Fatalf("runs %d, failed %d, omitted %d, verdicts %v", rep.Runs, rep.Failed, rep.FailuresOmitted, rep.Verdicts)
	}
	var kept []uint64
	for _, f := range rep.Failures {
		kept = append(kept, f.Seed)
	}
	if !slices.Equal(kept, []uint64{11, 13, 15}) || rep.Failures[0].Error != "odd" {
		t.Fatalf("kept %v (%+v), want 11, 13, 15", kept, rep.Failures[0])
	}
}

// A configuration no run can start with is the sweep's error.
func TestSweepConfigError(t *testing.T) {
	if _, err := sim.Sweep(sim.Config{Workers: -1}, sim.Seeds{First: 1, Last: 100}, demo, sim.SweepOptions{}); err == nil || !strings.Contains(err.Error(), "workers") {
		t.Fatalf("Sweep with -1 workers: %v", err)
	}
	if _, err := sim.Sweep(sim.Config{}, sim.Seeds{First: 3, Last: 1}, demo, sim.SweepOptions{}); err == nil {
		t.Fatal("Sweep of 3-1 did not fail")
	}
	if _, err := sim.Sweep(sim.Config{}, sim.Seeds{First: 1, Last: 3}, demo, sim.SweepOptions{Shard: sim.Shard{K: 5, N: 4}}); err == nil {
		t.Fatal("Sweep of shard 5/4 did not fail")
	}
}

// The reports of a sweep's shards, written and read back, merge into the report of
// the whole sweep; so do consecutive ranges.
func TestMergeSweepReports(t *testing.T) {
	seeds := sim.Seeds{First: 1, Last: 60}
	opts := sim.SweepOptions{MaxFailures: 4}
	whole := sweep(t, raceConfig, seeds, race, opts)
	if whole.FailuresOmitted == 0 {
		t.Fatalf("want more failures than the 4 kept: %d", whole.Failed)
	}
	var names []string
	var shards []*sim.SweepReport
	for k := uint64(1); k <= 4; k++ {
		o := opts
		o.Shard = sim.Shard{K: k, N: 4}
		shards = append(shards, roundTrip(t, sweep(t, raceConfig, seeds, race, o)))
		names = append(names, fmt.Sprintf("shard%d.json", k))
	}
	low := opts
	low.Shard = sim.Shard{K: 1, N: 1}
	head := roundTrip(t, sweep(t, raceConfig, sim.Seeds{First: 1, Last: 25}, race, low))
	tail := roundTrip(t, sweep(t, raceConfig, sim.Seeds{First: 26, Last: 60}, race, low))
	for _, tt := range []struct {
		name    string
		names   []string
		reports []*sim.SweepReport
	}{
		{"shards", names, shards},
		{"shards reversed", reversed(names), reversed(shards)},
		{"ranges", []string{"tail", "head"}, []*sim.SweepReport{tail, head}},
	} {
		m, err := sim.MergeSweepReports(tt.names, tt.reports)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(roundTrip(t, whole), roundTrip(t, m)); diff != "" {
			t.Fatalf("%s: merged differs from the whole sweep (-whole +merged):\n%s", tt.name, diff)
		}
	}

	other := raceConfig
	other.Workers = 7
	otherCfg := roundTrip(t, sweep(t, other, seeds, race, sim.SweepOptions{MaxFailures: 4, Shard: sim.Shard{K: 4, N: 4}}))
	renamed := *shards[3]
	renamed.Program = "echo"
	overlapping := roundTrip(t, sweep(t, raceConfig, sim.Seeds{First: 20, Last: 60}, race, low))
	for _, tt := range []struct {
		reports []*sim.SweepReport
		kind    string
		msg     string
	}{
		{shards[:3], "gap", "no report ran shard 4/4 of seeds 1-60"},
		{[]*sim.SweepReport{shards[0], shards[1], shards[2], shards[1]}, "overlap", "shard2.json and shard4.json both ran shard 2/4"},
		{[]*sim.SweepReport{shards[0], shards[1], shards[2], otherCfg}, "mismatch", "config workers: 4 against 7"},
		{[]*sim.SweepReport{shards[0], shards[1], shards[2], &renamed}, "mismatch", `program: "race" against "echo"`},
		{[]*sim.SweepReport{head, overlapping}, "overlap", "seeds 1-25 (shard1.json) and seeds 20-60 (shard2.json) overlap"},
		{[]*sim.SweepReport{head, roundTrip(t, sweep(t, raceConfig, sim.Seeds{First: 30, Last: 60}, race, low))}, "gap", "no report ran seeds 26-29"},
	} {
		_, err := sim.MergeSweepReports(names[:len(tt.reports)], tt.reports)
		var me *sim.MergeError
		if !errors.As(err, &me) || me.Kind != tt.kind || !strings.Contains(me.Msg, tt.msg) {
			t.Errorf("merge: %v; want a %s naming %q", err, tt.kind, tt.msg)
		}
	}
}

func roundTrip(t *testing.T, r *sim.SweepReport) *sim.SweepReport {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := sim.ReadSweepReport(&b)
	if err != nil {
		t.Fatalf("ReadSweepReport: %v\n%s", err, b.String())
	}
	return back
}

// A report that is not one, or whose counts contradict each other, is an error
// naming what is wrong.
func TestReadSweepReportErrors(t *testing.T) {
	var b bytes.Buffer
	good := sweep(t, sim.Config{}, sim.Seeds{First: 1, Last: 4}, demo, sim.SweepOptions{})
	if err := good.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, tt := range []struct{ in, err string }{
		{"{", "not a sweep report"},
		{`{"format":"nodeloop-trace","version":1}`, `the format is "nodeloop-trace"`},
		{strings.Replace(text, `"version": 1`, `"version": 9`, 1), "version 9"},
		{strings.Replace(text, `"runs": 4`, `"runs": 5`, 1), "runs is 5"},
		{strings.Replace(text, `"failed": 0`, `"failed": 1`, 1), "do not add up"},
		{strings.Replace(text, `"last": 4`, `"last": 0`, 1), "ends before it starts"},
		{strings.Replace(text, `"runs"`, `"ruins"`, 1), "unknown field"},
		{strings.Replace(strings.Replace(text, `"runs"`, `"ruins"`, 1), `"version": 1`, `"version": 2`, 1), "version 2"},
	} {
		if _, err := sim.ReadSweepReport(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ReadSweepReport(%.60q): %v, want an error with %q", tt.in, err, tt.err)
		}
	}
}

func reversed[T any](s []T) []T {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// A sweep keeps no passing run: its live heap after 20,000 seeds is what it was
// after 1,000.
func TestSweepMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 runs")
	}
	program := func(l *nodeloop.Loop) {
		for i := range 5 {
			l.SetTimeout(time.Duration(i)*time.Millisecond, func() {})
		}
		nodeloop.Work(l, func() (int, error) { return 1, nil }, func(int, error) {})
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var at1k, atEnd uint64
	const n = 20_000
	rep := sweep(t, sim.Config{KeepTrace: true}, sim.Seeds{First: 1, Last: n}, program, sim.SweepOptions{
		Check: func(*sim.Result) error { return nil },
		Progress: func(done, _ uint64) {
			switch done {
			case 1000:
				at1k = heap()
			case n:
				atEnd = heap()
			}
		},
	})
	if rep.Runs != n {
		t.Fatalf("%d runs", rep.Runs)
	}
	if growth := int64(atEnd) - int64(at1k); growth > 1<<20 {
		t.Fatalf("the live heap grew by %d KB from seed 1,000 to seed %d: %d bytes a seed", growth>>10, n, growth/(n-1000))
	}
}

// BenchmarkSweepEcho sweeps the echo scenario on GOMAXPROCS goroutines; one op is
// one seed.
func BenchmarkSweepEcho(b *testing.B) {
	echo := func(l *nodeloop.Loop) { scenarios.Echo(l, discard{})() }
	b.ReportAllocs()
	rep, err := sim.Sweep(sim.Config{Scenario: "echo"}, sim.Seeds{First: 1, Last: uint64(b.N)}, echo, sim.SweepOptions{})
	if err != nil || rep.Failed != 0 {
		b.Fatalf("%v, %+v", err, rep)
	}
}
