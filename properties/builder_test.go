package properties_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/traces"
)

// builder writes hand-made traces: each method appends one event stamped with the
// builder's current tick, phase, pending count and time, and returns its
// position. Tests change pending and now directly.
type builder struct {
	ev      []traces.Event
	tick    uint64
	phase   traces.Phase
	pending int
	now     time.Duration
}

// newBuilder returns a builder in the main phase of tick 0 with pending 1.
func newBuilder() *builder { return &builder{pending: 1} }

func (b *builder) add(e traces.Event) int {
	e.Seq = uint64(len(b.ev) + 1)
	e.Tick, e.Phase, e.Pending, e.Time = b.tick, b.phase, b.pending, b.now
	b.ev = append(b.ev, e)
	return len(b.ev) - 1
}

// main begins a Run: the main phase's event and the main callback.
func (b *builder) main() int {
	b.phase = traces.PhaseMain
	b.add(traces.Event{Kind: traces.KindPhase})
	return b.call(traces.SourceMain, 0)
}

// newTick begins the next tick in the timers phase.
func (b *builder) newTick() int {
	b.tick++
	b.phase = traces.PhaseTimers
	return b.add(traces.Event{Kind: traces.KindTick})
}

// enter writes the phase event of p.
func (b *builder) enter(p traces.Phase) int {
	b.phase = p
	return b.add(traces.Event{Kind: traces.KindPhase})
}

func (b *builder) event(k traces.Kind, id uint64) int { return b.add(traces.Event{Kind: k, ID: id}) }

func (b *builder) call(src traces.Source, id uint64) int {
	return b.add(traces.Event{Kind: traces.KindCallback, Source: src, ID: id})
}

func (b *builder) opCall(id, handle uint64) int {
	return b.add(traces.Event{Kind: traces.KindCallback, Source: traces.SourceOp, ID: id, Handle: handle})
}

func (b *builder) opStart(id, handle uint64) int {
	return b.add(traces.Event{Kind: traces.KindOpStart, ID: id, Handle: handle, Op: "read"})
}

func (b *builder) opComplete(id, handle uint64, err string) int {
	return b.add(traces.Event{Kind: traces.KindOpComplete, ID: id, Handle: handle, Op: "read", Err: err})
}

// connectStart and connectComplete are opStart and opComplete for a dial's connect.
func (b *builder) connectStart(id, handle uint64) int {
	return b.add(traces.Event{Kind: traces.KindOpStart, ID: id, Handle: handle, Op: "connect"})
}

func (b *builder) connectComplete(id, handle uint64, err string) int {
	return b.add(traces.Event{Kind: traces.KindOpComplete, ID: id, Handle: handle, Op: "connect", Err: err})
}

// timeout arms timer id at now+delay; interval arms it as an interval.
func (b *builder) timeout(id uint64, delay time.Duration) int {
	return b.add(traces.Event{Kind: traces.KindTimerStart, ID: id, Delay: delay, Deadline: b.now + delay})
}

func (b *builder) interval(id uint64, delay time.Duration) int {
	return b.add(traces.Event{Kind: traces.KindTimerStart, ID: id, Delay: delay, Deadline: b.now + delay, Repeat: delay})
}

// endRun ends a Run because nothing keeps the loop alive: pending 0.
func (b *builder) endRun() int {
	b.pending = 0
	return b.add(traces.Event{Kind: traces.KindEnd, Mode: "run"})
}

func (b *builder) end(mode string, stopped bool, err string) int {
	return b.add(traces.Event{Kind: traces.KindEnd, Mode: mode, Stopped: stopped, Err: err})
}

// found is what a test expects of one violation: its rule and event positions.
type found struct {
	Rule   string
	Events []int
}

// ruleCase is one hand-made trace and the violations Check must find in it; none
// for a correct trace.
type ruleCase struct {
	name  string
	build func(b *builder) []found
}

// runRuleCases checks each case's trace and compares the violations found, by
// rule and positions, with the case's.
func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder()
			want := tc.build(b)
			vs := properties.Check(b.ev)
			// A Checker given the events one at a time finds the same, and what
			// it has found at each event is already among them.
			c := properties.NewChecker()
			for i := range b.ev {
				c.Add(b.ev[i])
				for _, v := range c.Violations() {
					if !slices.ContainsFunc(vs, func(w properties.Violation) bool { return cmp.Equal(v, w) }) {
						t.Errorf("after event %d the Checker has found %v, which Check does not report", i, v)
					}
				}
			}
			if diff := cmp.Diff(vs, c.Finish()); diff != "" {
				t.Errorf("Checker.Finish differs from Check (-Check +Checker):\n%s", diff)
			}
			var got []found
			for _, v := range vs {
				got = append(got, found{v.Rule, v.Events})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Check found (-want +got):\n%s", diff)
				for _, v := range vs {
					t.Logf("found: %s", v)
				}
				for i := range b.ev {
					t.Logf("%d: %s", i, traces.AppendJSON(nil, &b.ev[i]))
				}
			}
		})
	}
}

// one returns a single expected violation.
func one(rule string, pos ...int) []found { return []found{{rule, pos}} }

// newTickIn begins the next tick in phase p (RunOnce begins tick 1 in the pending
// phase).
func (b *builder) newTickIn(p traces.Phase) int {
	b.tick++
	b.phase = p
	return b.add(traces.Event{Kind: traces.KindTick})
}

// toPoll begins the next tick and goes to its poll phase: the tick, the phase and
// the poll events.
func (b *builder) toPoll() int {
	b.newTick()
	b.enter(traces.PhasePoll)
	return b.add(traces.Event{Kind: traces.KindPoll, Timeout: -1})
}
