package properties

import (
	"io/fs"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// moreConfig is what the options of this file set: the rest of sim.Config.
type moreConfig struct {
	latency, jobTime sim.Range
	fsys             fs.FS
	steps            uint64
	tracer           nodeloop.Tracer
	noSwarm          bool
	configs          []func(*sim.Config)
}

// WithLatency bounds each network message's delay (sim.Config.Latency; the zero
// Range is sim's default, 10 µs to 2 ms).
func WithLatency(r sim.Range) TestOption { return func(c *testConfig) { c.more.latency = r } }

// WithJobTime bounds each pool job's duration (sim.Config.JobTime; the zero Range is
// sim's default, 100 µs to 5 ms).
func WithJobTime(r sim.Range) TestOption { return func(c *testConfig) { c.more.jobTime = r } }

// WithFS makes fsys what ReadFile and WriteFile see in every case (sim.Config.FS).
// Without it they see the operating system's files, which a program under Test
// should not touch.
func WithFS(fsys fs.FS) TestOption { return func(c *testConfig) { c.more.fsys = fsys } }

// WithStepLimit bounds each case's number of callbacks (sim.Config.StepLimit; 0 is
// sim's default).
func WithStepLimit(n uint64) TestOption { return func(c *testConfig) { c.more.steps = n } }

// WithSwarm says whether each case draws, from rapid, which of the faults of
// WithFaults are on (swarm testing, the default, so that a failure shrinks towards
// the fewest faults that still make it), or, with false, runs every case with all
// of them on.
func WithSwarm(on bool) TestOption { return func(c *testConfig) { c.more.noSwarm = !on } }

// WithTracer sends every event of every run Test makes to t (sim.Config.Tracer): a
// case may run more than once (to shrink it, to check that it repeats), and the
// tracer sees each run from its start.
func WithTracer(t nodeloop.Tracer) TestOption { return func(c *testConfig) { c.more.tracer = t } }

// WithConfig gives f each case's sim.Config before the case runs, to set any field
// of it: f runs after every named option has taken effect (whatever their order),
// and several WithConfig functions run in the order given. Afterwards Test sets the
// two fields it needs itself: Choices, to the case's rapid source (sim.Rapid), and
// KeepTrace, to what its checks need; what f sets there is overwritten. Seed only
// names the run, since the choices come from rapid; Faults set by f hold in every
// case as given, without the swarm draw of WithFaults; Swarm draws from Seed, which
// is the same in every case, so WithSwarm is the way to vary the faults; Trace
// receives every run's trace, one after the other.
func WithConfig(f func(*sim.Config)) TestOption {
	return func(c *testConfig) { c.more.configs = append(c.more.configs, f) }
}

// faults returns the faults of one case: each of f on or off as src draws ("fault
// NAME", 1 for on), or all of f without swarm.
func (m *moreConfig) faults(src interface{ Choose(string, int) int }, f sim.Faults) sim.Faults {
	if m.noSwarm {
		return f
	}
	return f.Select(func(name string) bool { return src.Choose("fault "+name, 2) == 1 })
}

// configure completes a case's Config with the named options, then the WithConfig
// functions, and keeps the fields Test sets.
func (m *moreConfig) configure(cfg *sim.Config) {
	cfg.Latency, cfg.JobTime, cfg.FS, cfg.StepLimit = m.latency, m.jobTime, m.fsys, m.steps
	if m.tracer != nil {
		cfg.Tracer = m.tracer
	}
	choices, keep := cfg.Choices, cfg.KeepTrace
	for _, f := range m.configs {
		f(cfg)
	}
	cfg.Choices, cfg.KeepTrace = choices, keep
}
