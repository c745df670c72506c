package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodeloop/nodeloop"
)

// Seeds is a closed range of seeds, First to Last, both included. A range may
// hold any number of seeds from 1 to 2^64-1: every range of uint64 except the one
// from 0 to 2^64-1, whose count does not fit a uint64.
type Seeds struct {
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
}

// ParseSeeds reads a range of seeds as "A-B" (A and B included) or "N" (the one
// seed N), each a whole number from 0 to 2^64-1. The error says what is wrong.
func ParseSeeds(s string) (Seeds, error) {
	a, b, isRange := strings.Cut(s, "-")
	if !isRange {
		b = a
	}
	first, err1 := strconv.ParseUint(a, 10, 64)
	last, err2 := strconv.ParseUint(b, 10, 64)
	switch {
	case errors.Is(err1, strconv.ErrRange) || errors.Is(err2, strconv.ErrRange):
		return Seeds{}, fmt.Errorf("%q: a seed is at most %d", s, uint64(math.MaxUint64))
	case err1 != nil || err2 != nil:
		return Seeds{}, fmt.Errorf("%q: want A-B (A and B included) or one seed N, whole numbers such as 1-1000", s)
	}
	r := Seeds{First: first, Last: last}
	if err := r.validate(); err != nil {
		return Seeds{}, fmt.Errorf("%q: %v", s, err)
	}
	return r, nil
}

func (s Seeds) validate() error {
	switch {
	case s.Last < s.First:
		return fmt.Errorf("the range %d-%d ends before it starts", s.First, s.Last)
	case s.First == 0 && s.Last == math.MaxUint64:
		return fmt.Errorf("the range 0-%d holds 2^64 seeds, one more than a count can hold: start at 1 or end at %d", s.Last, s.Last-1)
	}
	return nil
}

// String returns the range as ParseSeeds reads it: "A-B", or "N" for one seed.
func (s Seeds) String() string {
	if s.First == s.Last {
		return strconv.FormatUint(s.First, 10)
	}
	return fmt.Sprintf("%d-%d", s.First, s.Last)
}

// Len returns the number of seeds in the range, which must be one ParseSeeds
// accepts.
func (s Seeds) Len() uint64 { return s.Last - s.First + 1 }

// Shard is the K-th of N parts of a range of seeds, K counted from 1: the range's
// K-th seed and every N-th after it (First+K-1, First+K-1+N, ...). The N shards of
// a range hold each of its seeds exactly once, and any shard's seeds are computed,
// never listed, so a shard of a huge range starts at once. The zero Shard means
// the whole range, as 1/1 does.
type Shard struct {
	K uint64 `json:"k"`
	N uint64 `json:"n"`
}

// ParseShard reads a shard as "K/N", whole numbers with 1 <= K <= N.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.ParseUint(b, 10, 64)
	sh := Shard{K: k, N: n}
	if !ok || err1 != nil || err2 != nil || sh.validate() != nil {
		return Shard{}, fmt.Errorf("%q: want K/N with 1 <= K <= N, such as 3/8 (shards are counted from 1)", s)
	}
	return sh, nil
}

func (sh Shard) validate() error {
	if sh.N < 1 || sh.K < 1 || sh.K > sh.N {
		return fmt.Errorf("shard %d/%d: want K/N with 1 <= K <= N", sh.K, sh.N)
	}
	return nil
}

// whole turns the zero Shard into 1/1.
func (sh Shard) whole() Shard {
	if sh == (Shard{}) {
		return Shard{K: 1, N: 1}
	}
	return sh
}

// String returns the shard as ParseShard reads it, "K/N".
func (sh Shard) String() string {
	sh = sh.whole()
	return fmt.Sprintf("%d/%d", sh.K, sh.N)
}

// Len returns the number of seeds of s in the shard; s must be a range ParseSeeds
// accepts.
func (sh Shard) Len(s Seeds) uint64 {
	sh = sh.whole()
	off, span := sh.K-1, s.Last-s.First
	if off > span {
		return 0
	}
	return (span-off)/sh.N + 1
}

// at returns the i-th seed of s in the shard, for i < sh.Len(s).
func (sh Shard) at(s Seeds, i uint64) uint64 { return s.First + sh.K - 1 + i*sh.N }

// All returns the seeds of s in the shard, in increasing order, computed one at a
// time.
func (sh Shard) All(s Seeds) iter.Seq[uint64] {
	sh = sh.whole()
	n := sh.Len(s)
	return func(yield func(uint64) bool) {
		for i := uint64(0); i < n; i++ {
			if !yield(sh.at(s, i)) {
				return
			}
		}
	}
}

// The environment variables ShardFromEnv reads.
const (
	EnvShard  = "NODELOOP_SHARD"  // K/N, counted from 1: set it from a CI matrix
	EnvShards = "NODELOOP_SHARDS" // N, for an engine that gives only an index
)

// shardEngines are the batch engines ShardFromEnv knows, in the order it tries them:
// each gives the shard's index and, but for Kubernetes, the number of shards.
var shardEngines = []struct {
	name         string
	index, total string // the variables; total "" when the engine sets none
	base         uint64 // the index of the first shard: 0 or 1
}{
	{"a Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", "", 0},
	{"GitLab CI parallel", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1},
	{"CircleCI parallelism", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0},
	{"Buildkite parallelism", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0},
}

// ShardFromEnv returns the shard of this process as the environment of a batch
// engine gives it, with a sentence saying where it was found. getenv reads a
// variable (os.Getenv); shards, if not 0, is the number of shards the caller
// expects, which a Kubernetes Indexed Job does not say.
//
// It tries, in order: NODELOOP_SHARD=K/N (counted from 1; set it from a GitHub
// Actions matrix, or anywhere else); JOB_COMPLETION_INDEX (a Kubernetes Indexed
// Job, counted from 0), with the number of shards from shards or NODELOOP_SHARDS
// (the Job's completions); CI_NODE_INDEX and CI_NODE_TOTAL (GitLab's parallel
// jobs, counted from 1); CIRCLE_NODE_INDEX and CIRCLE_NODE_TOTAL (CircleCI,
// counted from 0); BUILDKITE_PARALLEL_JOB and BUILDKITE_PARALLEL_JOB_COUNT
// (Buildkite, counted from 0). The first that is set decides. It is an error when
// none is set, when a value is not a number or out of range, or when the number of
// shards found differs from shards.
func ShardFromEnv(getenv func(string) string, shards uint64) (Shard, string, error) {
	check := func(sh Shard, where string) (Shard, string, error) {
		if shards != 0 && sh.N != shards {
			return Shard{}, "", fmt.Errorf("%s gives %d shards, not the %d expected", where, sh.N, shards)
		}
		return sh, where, nil
	}
	if v := getenv(EnvShard); v != "" {
		sh, err := ParseShard(v)
		if err != nil {
			return Shard{}, "", fmt.Errorf("%s=%v", EnvShard, err)
		}
		return check(sh, fmt.Sprintf("%s=%s", EnvShard, v))
	}
	for _, e := range shardEngines {
		iv := getenv(e.index)
		if iv == "" {
			continue
		}
		idx, err := strconv.ParseUint(iv, 10, 64)
		if err != nil || idx < e.base {
			return Shard{}, "", fmt.Errorf("%s=%q (%s): want a whole number from %d", e.index, iv, e.name, e.base)
		}
		total, totalVar := shards, ""
		if e.total != "" {
			tv := getenv(e.total)
			totalVar = fmt.Sprintf(", %s=%s", e.total, tv)
			if total, err = strconv.ParseUint(tv, 10, 64); err != nil || total < 1 {
				return Shard{}, "", fmt.Errorf("%s=%q (%s): want the number of shards, a whole number from 1", e.total, tv, e.name)
			}
		} else if total == 0 {
			tv := getenv(EnvShards)
			if tv == "" {
				return Shard{}, "", fmt.Errorf("%s=%s (%s) gives the shard's index but not the number of shards: set %s to the Job's completions, or give it as a flag",
					e.index, iv, e.name, EnvShards)
			}
			totalVar = fmt.Sprintf(", %s=%s", EnvShards, tv)
			if total, err = strconv.ParseUint(tv, 10, 64); err != nil || total < 1 {
				return Shard{}, "", fmt.Errorf("%s=%q: want the number of shards, a whole number from 1", EnvShards, tv)
			}
		}
		if idx-e.base >= total {
			return Shard{}, "", fmt.Errorf("%s=%s (%s) is past the last of %d shards", e.index, iv, e.name, total)
		}
		return check(Shard{K: idx - e.base + 1, N: total}, fmt.Sprintf("%s=%s%s (%s)", e.index, iv, totalVar, e.name))
	}
	vars := []string{EnvShard}
	for _, e := range shardEngines {
		vars = append(vars, e.index)
	}
	return Shard{}, "", fmt.Errorf("no shard in the environment: none of %s is set (set %s=K/N, counted from 1)", strings.Join(vars, ", "), EnvShard)
}

// DefaultMaxFailures is how many failing seeds a sweep keeps when
// SweepOptions.MaxFailures is 0.
const DefaultMaxFailures = 100

// SweepJobsMax returns the most runs a sweep makes at a time: 4×GOMAXPROCS. Each run
// is a CPU-bound computation on one goroutine, so more gain nothing and only hold
// more memory.
func SweepJobsMax() int { return 4 * runtime.GOMAXPROCS(0) }

// SweepOptions shape a sweep; the zero value sweeps every seed of the range on
// GOMAXPROCS goroutines.
type SweepOptions struct {
	// Shard limits the sweep to one shard of the range; the zero Shard is the
	// whole range.
	Shard Shard
	// Jobs is how many seeds run at a time: 0 means GOMAXPROCS; it is clamped to 1
	// to SweepJobsMax().
	Jobs int
	// Check, if not nil, judges each run that ended OK: a non-nil error fails the
	// seed with that error. It is called on the run's goroutine, concurrently with
	// the Checks of other seeds. Set Config.KeepTrace to give it the events. It must
	// not keep the Result's Events or Choices once it has passed the seed: the
	// sweep reuses them for a later one.
	Check func(*Result) error
	// Reproduce, if not nil, returns the command that repeats one seed; the
	// report keeps it with each failure.
	Reproduce func(seed uint64) string
	// MaxFailures bounds how many failing seeds the report keeps, the smallest
	// ones; 0 means DefaultMaxFailures. The rest are counted.
	MaxFailures int
	// Progress, if not nil, is told after each run how many seeds have run and how
	// many of them failed. Its calls do not overlap.
	Progress func(done, failed uint64)

	_ struct{}
}

// Report formats.
const (
	SweepReportFormat  = "nodeloop-sweep-report"
	SweepReportVersion = 1
)

// SweepReport is what a sweep did: its configuration, its seeds, how many passed and
// which failed. It holds no passing run, so it is small whatever the range; written
// as JSON (WriteJSON) it is the report of one shard that MergeSweepReports joins
// with the others.
type SweepReport struct {
	Format  string `json:"format"`  // SweepReportFormat
	Version int    `json:"version"` // SweepReportVersion
	// Build identifies the program that ran: its module and VCS revision.
	Build BuildInfo `json:"build"`
	// Program is the program's name (Config.Scenario).
	Program string `json:"program"`
	// Config is the configuration of every run, as the trace header records it
	// (the seed aside), in compact JSON.
	Config json.RawMessage `json:"config"`
	// Seeds is the range the shard was taken from, and Shard the shard (1/1 for
	// the whole range).
	Seeds Seeds `json:"seeds"`
	Shard Shard `json:"shard"`
	// Runs counts the seeds run and Failed those that failed; Verdicts counts the
	// runs by verdict name ("ok", "failed", "stuck", ...).
	Runs     uint64            `json:"runs"`
	Failed   uint64            `json:"failed"`
	Verdicts map[string]uint64 `json:"verdicts"`
	// Failures are the MaxFailures smallest failing seeds, in increasing order;
	// FailuresOmitted counts the failing seeds left out.
	Failures        []SweepFailure `json:"failures"`
	FailuresOmitted uint64         `json:"failures_omitted"`
	MaxFailures     int            `json:"max_failures"`
	// Elapsed is the wall time the sweep took (the sum over shards in a merged
	// report): the one field that two sweeps of the same seeds do not share.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// BuildInfo identifies a build of the program, from runtime/debug.ReadBuildInfo.
type BuildInfo struct {
	Module    string `json:"module,omitempty"`   // the main module's path
	Version   string `json:"version,omitempty"`  // its version: (devel) unless installed as module@version
	Revision  string `json:"revision,omitempty"` // vcs.revision, when the build recorded it
	Modified  bool   `json:"modified,omitempty"` // vcs.modified: the work tree had changes
	GoVersion string `json:"go,omitempty"`
}

// SweepFailure is one failing seed of a sweep.
type SweepFailure struct {
	Seed    uint64 `json:"seed"`
	Verdict string `json:"verdict"`
	Error   string `json:"error,omitempty"`
	// Result is the run's one-line summary with what kept the loop alive, as
	// Result.String gives it.
	Result string `json:"result"`
	// Reproduce is the command that repeats the seed, from SweepOptions.Reproduce.
	Reproduce string `json:"reproduce,omitempty"`
	// Choices is the run's choice log: give it to Replay to repeat the run without
	// its seed.
	Choices []Choice `json:"choices"`
}

// Sweep runs program on every seed of a shard of seeds, each run a Run of cfg with
// that seed, opts.Jobs at a time, each on a goroutine of its own from start to end,
// and returns the report. Seeds are taken one at a time from the shard and a
// passing run is only counted, so a sweep holds opts.Jobs runs and at most twice
// MaxFailures failures, whatever the range.
//
// program is called concurrently, on a different loop each time; it must not share
// mutable state between runs. cfg.Seed is ignored; cfg.Choices, cfg.Trace and
// cfg.Tracer must be nil, since every run would share them. The error is for a range,
// shard or configuration that makes no sense; a seed that fails is in the report. The
// report is the same for the same inputs, however many jobs ran it, but for Elapsed.
func Sweep(cfg Config, seeds Seeds, program func(*nodeloop.Loop), opts SweepOptions) (*SweepReport, error) {
	if program == nil {
		panic("nodeloop: sim.Sweep needs a program; pass a func, not nil")
	}
	if cfg.Choices != nil || cfg.Trace != nil || cfg.Tracer != nil {
		panic("nodeloop: sim.Sweep runs many seeds at once, which cannot share Config.Choices, Trace or Tracer: leave them nil and look at each run in SweepOptions.Check")
	}
	shard := opts.Shard.whole()
	if err := seeds.validate(); err != nil {
		return nil, fmt.Errorf("sim: sweep: %v", err)
	}
	if err := shard.validate(); err != nil {
		return nil, fmt.Errorf("sim: sweep: %v", err)
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, err
	}
	rep := NewSweepReport(cfg, seeds, shard)
	rep.MaxFailures = opts.MaxFailures
	if rep.MaxFailures <= 0 {
		rep.MaxFailures = DefaultMaxFailures
	}
	count := shard.Len(seeds)
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = min(jobs, SweepJobsMax())
	if uint64(jobs) > count {
		jobs = int(count)
	}

	start := time.Now()
	var (
		next    atomic.Uint64 // the index in the shard of the next seed to run
		stop    atomic.Bool   // set by a configuration error
		wg      sync.WaitGroup
		mu      sync.Mutex // guards what follows
		runErr  error
		kept    []SweepFailure
		verdict = map[Verdict]uint64{}
	)
	take := func() (uint64, bool) {
		for !stop.Load() {
			i := next.Load()
			if i >= count {
				return 0, false
			}
			if next.CompareAndSwap(i, i+1) {
				return i, true
			}
		}
		return 0, false
	}
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spare := &runSpare{}
			for {
				i, ok := take()
				if !ok {
					return
				}
				c := cfg
				c.Seed = shard.at(seeds, i)
				c.spare = spare
				res, err := Run(c, program)
				if res == nil {
					// No run: the configuration is wrong, for every seed.
					mu.Lock()
					if runErr == nil {
						runErr = err
					}
					mu.Unlock()
					stop.Store(true)
					return
				}
				if !res.Failed() && opts.Check != nil {
					if err := opts.Check(res); err != nil {
						res.Verdict, res.Err = Failed, err
					}
				}
				if !res.Failed() {
					// A passing seed is only counted: its slices serve the next.
					spare.events, spare.choices = res.Events[:0], res.Choices[:0]
				} else {
					spare.events, spare.choices = nil, nil
				}
				res.Events = nil
				mu.Lock()
				rep.Runs++
				verdict[res.Verdict]++
				if res.Failed() {
					rep.Failed++
					kept = append(kept, newSweepFailure(res, opts.Reproduce))
					if len(kept) >= 2*rep.MaxFailures {
						kept = smallestFailures(kept, rep.MaxFailures)
					}
				}
				if opts.Progress != nil {
					opts.Progress(rep.Runs, rep.Failed)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if runErr != nil {
		return nil, runErr
	}
	for v, n := range verdict {
		rep.Verdicts[v.String()] = n
	}
	rep.Failures = smallestFailures(kept, rep.MaxFailures)
	rep.FailuresOmitted = rep.Failed - uint64(len(rep.Failures))
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// NewSweepReport returns the empty report of a sweep of the shard of seeds under cfg:
// its build, program and configuration filled in, nothing run yet.
func NewSweepReport(cfg Config, seeds Seeds, shard Shard) *SweepReport {
	conf, _ := json.Marshal(headerConfig(withDefaults(cfg), cfg.Faults)) // maps of plain values: no error
	return &SweepReport{
		Format:   SweepReportFormat,
		Version:  SweepReportVersion,
		Build:    readBuildInfo(),
		Program:  cfg.Scenario,
		Config:   conf,
		Seeds:    seeds,
		Shard:    shard.whole(),
		Verdicts: map[string]uint64{},
		Failures: []SweepFailure{},
	}
}

func newSweepFailure(res *Result, reproduce func(uint64) string) SweepFailure {
	f := SweepFailure{Seed: res.Seed, Verdict: res.Verdict.String(), Result: res.String(), Choices: res.Choices}
	if res.Err != nil {
		f.Error = res.Err.Error()
	}
	if f.Choices == nil {
		f.Choices = []Choice{}
	}
	if reproduce != nil {
		f.Reproduce = reproduce(res.Seed)
	}
	return f
}

// smallestFailures sorts fs by seed and keeps the first n.
func smallestFailures(fs []SweepFailure, n int) []SweepFailure {
	slices.SortFunc(fs, func(a, b SweepFailure) int {
		switch {
		case a.Seed < b.Seed:
			return -1
		case a.Seed > b.Seed:
			return 1
		}
		return 0
	})
	if len(fs) > n {
		clear(fs[n:])
		fs = fs[:n]
	}
	if fs == nil {
		fs = []SweepFailure{}
	}
	return fs
}

func readBuildInfo() BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return BuildInfo{}
	}
	b := BuildInfo{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// WriteJSON writes the report as indented JSON.
func (r *SweepReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadSweepReport decodes a report WriteJSON wrote. The error says what is wrong:
// not JSON, another format or version, or fields that contradict each other.
func ReadSweepReport(rd io.Reader) (*SweepReport, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(rd).Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a sweep report: %v", err)
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("not a sweep report: %v", err)
	}
	switch {
	case head.Format != SweepReportFormat:
		return nil, fmt.Errorf("not a sweep report: the format is %q, not %q", head.Format, SweepReportFormat)
	case head.Version != SweepReportVersion:
		return nil, fmt.Errorf("sweep report version %d: this build reads version %d", head.Version, SweepReportVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var r SweepReport
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("sweep report: %v", err)
	}
	if err := r.Seeds.validate(); err != nil {
		return nil, fmt.Errorf("seeds: %v", err)
	}
	if err := r.Shard.validate(); err != nil {
		return nil, err
	}
	var sum uint64
	for _, n := range r.Verdicts {
		sum += n
	}
	switch {
	case r.Runs != r.Shard.Len(r.Seeds):
		return nil, fmt.Errorf("runs is %d, but shard %v of seeds %v holds %d seeds", r.Runs, r.Shard, r.Seeds, r.Shard.Len(r.Seeds))
	case sum != r.Runs || r.Failed != r.Runs-r.Verdicts[OK.String()]:
		return nil, fmt.Errorf("the verdicts (%d runs, %d ok) do not add up to %d runs, %d failed", sum, r.Verdicts[OK.String()], r.Runs, r.Failed)
	case uint64(len(r.Failures))+r.FailuresOmitted != r.Failed:
		return nil, fmt.Errorf("%d failures kept and %d omitted, but %d failed", len(r.Failures), r.FailuresOmitted, r.Failed)
	case r.MaxFailures < 1:
		return nil, fmt.Errorf("max_failures is %d, want at least 1", r.MaxFailures)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, r.Config); err != nil {
		return nil, fmt.Errorf("config: %v", err)
	}
	r.Config = buf.Bytes()
	if r.Verdicts == nil {
		r.Verdicts = map[string]uint64{}
	}
	if r.Failures == nil {
		r.Failures = []SweepFailure{}
	}
	return &r, nil
}

// MergeError is why shard reports do not merge: a Gap (seeds no report ran), an
// Overlap (seeds two reports ran) or a Mismatch (reports of different programs,
// builds or configurations).
type MergeError struct {
	Kind string // "gap", "overlap" or "mismatch"
	Msg  string
}

func (e *MergeError) Error() string { return e.Kind + ": " + e.Msg }

// MergeSweepReports merges the reports of the shards of one sweep into the report of
// the whole, which equals the report of one sweep of the whole range but for
// Elapsed. It keeps the smallest failing seeds of all, as many as the smallest
// MaxFailures of the reports. names name the reports (their files) in errors, one
// per report.
//
// The reports must come from one build, program and configuration and cover one
// range of seeds exactly once: the shards 1/N to N/N of one range, or several such
// sets (each perhaps 1/1) over ranges that follow one another. Otherwise the error is
// a *MergeError naming the first seeds missing or run twice, or the field that
// differs.
func MergeSweepReports(names []string, reports []*SweepReport) (*SweepReport, error) {
	if len(reports) == 0 {
		return nil, errors.New("no report to merge")
	}
	if len(names) != len(reports) {
		panic("nodeloop: sim.MergeSweepReports needs one name per report")
	}
	first := reports[0]
	for i, r := range reports[1:] {
		if err := sameSweep(names[0], first, names[i+1], r); err != nil {
			return nil, err
		}
	}
	// Group the reports by range and number of shards; each group must hold
	// shards 1 to N once, and the groups' ranges must follow one another.
	type group struct {
		seeds Seeds
		n     uint64
		by    map[uint64]int // shard K -> index of its report
	}
	var groups []*group
	for i, r := range reports {
		var g *group
		for _, h := range groups {
			if h.seeds == r.Seeds && h.n == r.Shard.N {
				g = h
			}
		}
		if g == nil {
			g = &group{seeds: r.Seeds, n: r.Shard.N, by: map[uint64]int{}}
			groups = append(groups, g)
		}
		if j, dup := g.by[r.Shard.K]; dup {
			return nil, &MergeError{"overlap", fmt.Sprintf("%s and %s both ran shard %v of seeds %v", names[j], names[i], r.Shard, r.Seeds)}
		}
		g.by[r.Shard.K] = i
	}
	slices.SortFunc(groups, func(a, b *group) int {
		switch {
		case a.seeds.First != b.seeds.First:
			if a.seeds.First < b.seeds.First {
				return -1
			}
			return 1
		case a.seeds.Last != b.seeds.Last:
			if a.seeds.Last < b.seeds.Last {
				return -1
			}
			return 1
		}
		return 0
	})
	for gi, g := range groups {
		if uint64(len(g.by)) != g.n {
			for k := uint64(1); k <= g.n; k++ {
				if _, ok := g.by[k]; !ok {
					return nil, &MergeError{"gap", fmt.Sprintf("no report ran shard %d/%d of seeds %v (%d of its %d shards are here)", k, g.n, g.seeds, len(g.by), g.n)}
				}
			}
		}
		if gi == 0 {
			continue
		}
		prev := groups[gi-1]
		name := func(g *group) string { return names[g.by[1]] }
		switch {
		case g.seeds.First <= prev.seeds.Last:
			return nil, &MergeError{"overlap", fmt.Sprintf("seeds %v (%s) and seeds %v (%s) overlap", prev.seeds, name(prev), g.seeds, name(g))}
		case g.seeds.First > prev.seeds.Last+1:
			return nil, &MergeError{"gap", fmt.Sprintf("no report ran seeds %v, between seeds %v (%s) and %v (%s)",
				Seeds{prev.seeds.Last + 1, g.seeds.First - 1}, prev.seeds, name(prev), g.seeds, name(g))}
		}
	}
	all := Seeds{First: groups[0].seeds.First, Last: groups[len(groups)-1].seeds.Last}
	if err := all.validate(); err != nil {
		return nil, &MergeError{"mismatch", err.Error()}
	}
	m := &SweepReport{
		Format: SweepReportFormat, Version: SweepReportVersion,
		Build: first.Build, Program: first.Program, Config: first.Config,
		Seeds: all, Shard: Shard{K: 1, N: 1},
		Verdicts: map[string]uint64{}, MaxFailures: first.MaxFailures,
	}
	var fs []SweepFailure
	for _, r := range reports {
		m.Runs += r.Runs
		m.Failed += r.Failed
		m.Elapsed += r.Elapsed
		m.MaxFailures = min(m.MaxFailures, r.MaxFailures)
		for v, n := range r.Verdicts {
			m.Verdicts[v] += n
		}
		fs = append(fs, r.Failures...)
	}
	m.Failures = smallestFailures(fs, m.MaxFailures)
	m.FailuresOmitted = m.Failed - uint64(len(m.Failures))
	return m, nil
}

// sameSweep returns a *MergeError if a and b are not reports of one program, build
// and configuration.
func sameSweep(aName string, a *SweepReport, bName string, b *SweepReport) error {
	mismatch := func(what, av, bv string) error {
		return &MergeError{"mismatch", fmt.Sprintf("%s and %s differ in %s: %s against %s", aName, bName, what, av, bv)}
	}
	switch {
	case a.Program != b.Program:
		return mismatch("program", strconv.Quote(a.Program), strconv.Quote(b.Program))
	case a.Build != b.Build:
		return mismatch("build", fmt.Sprintf("%+v", a.Build), fmt.Sprintf("%+v", b.Build))
	case !bytes.Equal(a.Config, b.Config):
		var am, bm map[string]json.RawMessage
		if json.Unmarshal(a.Config, &am) == nil && json.Unmarshal(b.Config, &bm) == nil {
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range am {
					if !yield(k) {
						return
					}
				}
				for k := range bm {
					if _, ok := am[k]; !ok && !yield(k) {
						return
					}
				}
			})
			for _, k := range keys {
				if !bytes.Equal(am[k], bm[k]) {
					return mismatch("config "+k, orNone(am[k]), orNone(bm[k]))
				}
			}
		}
		return mismatch("config", string(a.Config), string(b.Config))
	}
	return nil
}

func orNone(v json.RawMessage) string {
	if v == nil {
		return "none"
	}
	return string(v)
}
