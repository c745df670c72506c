package properties_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
)

// TestModel is the model-based test: a rapid state machine grows a random Program
// one op at a time (at the top level or inside a callback already in it), and after
// every step runs the whole program in the simulator and in the reference model.
// They must log the same callbacks in the same order, end at the same virtual time
// after the same number of ticks, and agree on whether the loop is stuck; the trace
// must break no invariant.
func TestModel(t *testing.T) { rapid.Check(t, modelProperty) }

// FuzzModel is TestModel for go test -fuzz.
func FuzzModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(modelProperty)) }

// Bounds of the generated programs, each with its unit last.
const (
	genDepthMax    = 3  // nesting of ops inside callbacks
	genChildrenMax = 2  // ops drawn inside one new callback
	genCountMax    = 3  // runs of an interval or a watcher
	genDelayMsMax  = 12 // timer delays, before the odd shapes
	genJobQuarters = 40 // job durations, in quarters of a millisecond
)

// machine is the state of one TestModel case: the program so far and what its ops
// can be the target of.
type machine struct {
	p       properties.Program
	workers int
	nextID  int
	parents [][]int // index paths of the ops whose callbacks can hold more ops
	depths  []int   // parents' depths
	ids     map[properties.OpKind][]int
	runs    int
}

func modelProperty(t *rapid.T) {
	m := &machine{
		workers: rapid.IntRange(1, 4).Draw(t, "workers"),
		ids:     map[properties.OpKind][]int{},
	}
	actions := map[string]func(*rapid.T){"": m.check}
	for _, k := range []properties.OpKind{
		properties.OpTimeout, properties.OpInterval, properties.OpClearTimer, properties.OpRefresh,
		properties.OpImmediate, properties.OpClearImmediate, properties.OpNextTick, properties.OpMicrotask,
		properties.OpJob, properties.OpCancelJob, properties.OpIdle, properties.OpPrepare, properties.OpCheck,
		properties.OpStop,
	} {
		actions[k.String()] = func(t *rapid.T) { m.add(t, k) }
	}
	t.Repeat(actions)
}

// add puts a new op of kind k, with drawn children, at the end of the main callback
// or of a callback already in the program.
func (m *machine) add(t *rapid.T, k properties.OpKind) {
	where := rapid.IntRange(0, len(m.parents)).Draw(t, "parent")
	depth := 0
	ops := &m.p.Ops
	var path []int
	if where > 0 {
		path = m.parents[where-1]
		depth = m.depths[where-1]
		for _, i := range path {
			ops = &(*ops)[i].Ops
		}
	}
	o, ok := m.draw(t, k, depth+1)
	if !ok {
		t.Skip("no target for a " + k.String())
	}
	*ops = append(*ops, o)
	m.index(append(append([]int(nil), path...), len(*ops)-1), *ops, depth+1)
}

// index records the ops of the subtree at path (in ops, at depth) that can hold
// more ops.
func (m *machine) index(path []int, ops []properties.Op, depth int) {
	o := &ops[path[len(path)-1]]
	if !holdsOps(o.Kind) || depth >= genDepthMax {
		return
	}
	m.parents = append(m.parents, path)
	m.depths = append(m.depths, depth)
	for i := range o.Ops {
		m.index(append(append([]int(nil), path...), i), o.Ops, depth+1)
	}
}

func holdsOps(k properties.OpKind) bool {
	switch k {
	case properties.OpClearTimer, properties.OpRefresh, properties.OpClearImmediate,
		properties.OpCancelJob, properties.OpStop:
		return false
	}
	return true
}

// targets says which kinds of op a clear, refresh or cancel may name.
func targets(k properties.OpKind) []properties.OpKind {
	switch k {
	case properties.OpClearTimer, properties.OpRefresh:
		return []properties.OpKind{properties.OpTimeout, properties.OpInterval}
	case properties.OpClearImmediate:
		return []properties.OpKind{properties.OpImmediate}
	case properties.OpCancelJob:
		return []properties.OpKind{properties.OpJob}
	}
	return nil
}

// draw makes an op of kind k at depth, with children while depth allows. It reports
// false for a clear, refresh or cancel with nothing to name yet.
func (m *machine) draw(t *rapid.T, k properties.OpKind, depth int) (properties.Op, bool) {
	o := properties.Op{Kind: k}
	if ts := targets(k); ts != nil {
		var ids []int
		for _, tk := range ts {
			ids = append(ids, m.ids[tk]...)
		}
		if len(ids) == 0 {
			return o, false
		}
		o.Target = rapid.SampledFrom(ids).Draw(t, "target")
	}
	m.nextID++
	o.ID = m.nextID
	m.ids[k] = append(m.ids[k], o.ID)
	switch k {
	case properties.OpTimeout, properties.OpInterval:
		o.Delay = drawDelay(t)
		if k == properties.OpInterval {
			o.Count = rapid.IntRange(1, genCountMax).Draw(t, "count")
		}
	case properties.OpJob:
		o.Duration = time.Duration(rapid.IntRange(1, genJobQuarters).Draw(t, "job quarters")) * time.Millisecond / 4
	case properties.OpIdle, properties.OpPrepare, properties.OpCheck:
		o.Count = rapid.IntRange(1, genCountMax).Draw(t, "count")
		o.Close = rapid.Bool().Draw(t, "close")
	}
	if holdsOps(k) && depth < genDepthMax {
		n := rapid.IntRange(0, genChildrenMax).Draw(t, "children")
		for range n {
			ck := rapid.SampledFrom(childKinds).Draw(t, "child kind")
			if c, ok := m.draw(t, ck, depth+1); ok {
				o.Ops = append(o.Ops, c)
			}
		}
	}
	return o, true
}

// childKinds are the kinds of op drawn inside a new callback; Stop is left to the
// top-level action so that it does not cut most programs short.
var childKinds = []properties.OpKind{
	properties.OpTimeout, properties.OpInterval, properties.OpClearTimer, properties.OpRefresh,
	properties.OpImmediate, properties.OpClearImmediate, properties.OpNextTick, properties.OpMicrotask,
	properties.OpJob, properties.OpCancelJob, properties.OpIdle, properties.OpPrepare, properties.OpCheck,
}

// drawDelay draws a timer delay: mostly whole milliseconds, sometimes with a
// fraction, negative, or above Node's TIMEOUT_MAX (all three coerced).
func drawDelay(t *rapid.T) time.Duration {
	d := time.Duration(rapid.IntRange(0, genDelayMsMax).Draw(t, "delay ms")) * time.Millisecond
	switch rapid.IntRange(0, 9).Draw(t, "delay shape") {
	case 7:
		d += time.Duration(rapid.IntRange(1, 999).Draw(t, "delay µs")) * time.Microsecond
	case 8:
		d = -d
	case 9:
		d += (1 << 31) * time.Millisecond
	}
	return d
}

// check is the invariant: the program so far runs the same in the simulator and
// in the model.
func (m *machine) check(t *rapid.T) {
	m.runs++
	want := properties.Predict(m.p, m.workers)
	if want.Runaway {
		t.Fatalf("the model ran away on:\n%s", m.p)
	}
	var got []string
	in := newInterpreter(sim.Rapid(t), func(s string) { got = append(got, s) })
	cfg := sim.Config{
		Choices:   in,
		Workers:   m.workers,
		JobTime:   sim.Range{Min: jobTime.Min, Max: jobTime.Max},
		KeepTrace: true,
	}
	first := true
	res, err := sim.Run(cfg, func(l *nodeloop.Loop) {
		if !first {
			// sim.Run runs a stuck program again, from its choice log, to find where
			// its live handles were made: that run's log is not the one compared.
			newInterpreter(sim.Rapid(t), func(string) {}).RunProgram(l, m.p)
			return
		}
		first = false
		in.RunProgram(l, m.p)
	})
	if err != nil {
		t.Fatalf("sim.Run: %v", err)
	}
	if in.choiceE != nil {
		t.Fatalf("job durations: %v\nprogram (%d workers):\n%s", in.choiceE, m.workers, m.p)
	}
	if diff := cmp.Diff(want.Log, got); diff != "" {
		t.Fatalf("the loop and the model disagree on the order of callbacks (-model +loop):\n%s\nprogram (%d workers):\n%s%v",
			diff, m.workers, m.p, res)
	}
	switch {
	case want.Stuck && res.Verdict != sim.Stuck:
		t.Fatalf("the model says the loop is stuck, the simulator says %v\nprogram (%d workers):\n%s", res, m.workers, m.p)
	case !want.Stuck && res.Verdict != sim.OK:
		t.Fatalf("the run failed: %v\nprogram (%d workers):\n%s", res, m.workers, m.p)
	}
	if res.End != want.End || res.Ticks != want.Ticks {
		t.Fatalf("the run ended at %v after %d ticks, the model says %v after %d\nprogram (%d workers):\n%s",
			res.End, res.Ticks, want.End, want.Ticks, m.workers, m.p)
	}
	if vs := properties.Check(res.Events); len(vs) > 0 {
		msgs := make([]string, len(vs))
		for i, v := range vs {
			msgs[i] = v.String()
		}
		t.Fatalf("the trace breaks %d invariants:\n  %s\nprogram (%d workers):\n%s", len(vs), strings.Join(msgs, "\n  "), m.workers, m.p)
	}
}

// TestPredict checks the model against orders SEMANTICS.md states outright.
func TestPredict(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		p       properties.Program
		workers int
		want    []string
	}{
		{
			name: "nextTicks before microtasks, both before the next callback",
			p: properties.Program{Ops: []properties.Op{
				{Kind: properties.OpImmediate, ID: 1},
				{Kind: properties.OpMicrotask, ID: 2, Ops: []properties.Op{{Kind: properties.OpNextTick, ID: 3}}},
				{Kind: properties.OpNextTick, ID: 4, Ops: []properties.Op{{Kind: properties.OpMicrotask, ID: 5}}},
			}},
			want: []string{"main", "tick 4", "microtask 2", "microtask 5", "tick 3", "immediate 1"},
		},
		{
			name: "in a job's callback an immediate runs before a 0 ms timeout",
			p: properties.Program{Ops: []properties.Op{
				{Kind: properties.OpJob, ID: 1, Duration: ms / 2, Ops: []properties.Op{
					{Kind: properties.OpTimeout, ID: 2},
					{Kind: properties.OpImmediate, ID: 3},
				}},
			}},
			want: []string{"main", "job 1", "immediate 3", "timeout 2"},
		},
		{
			name: "equal deadlines in start order; a cleared timer never runs",
			p: properties.Program{Ops: []properties.Op{
				{Kind: properties.OpTimeout, ID: 1, Delay: 2 * ms, Ops: []properties.Op{{Kind: properties.OpClearTimer, ID: 4, Target: 3}}},
				{Kind: properties.OpTimeout, ID: 2, Delay: 2*ms + ms/2},
				{Kind: properties.OpTimeout, ID: 3, Delay: 2 * ms},
			}},
			want: []string{"main", "timeout 1", "timeout 2"},
		},
		{
			name: "an interval runs Count times",
			p: properties.Program{Ops: []properties.Op{
				{Kind: properties.OpInterval, ID: 1, Delay: 3 * ms, Count: 3},
				{Kind: properties.OpTimeout, ID: 2, Delay: 7 * ms},
			}},
			want: []string{"main", "interval 1", "interval 1", "timeout 2", "interval 1"},
		},
		{
			name: "one worker runs jobs FIFO; a queued job cancels",
			p: properties.Program{Ops: []properties.Op{
				{Kind: properties.OpJob, ID: 1, Duration: 2 * ms},
				{Kind: properties.OpJob, ID: 2, Duration: ms / 4},
				{Kind: properties.OpJob, ID: 3, Duration: ms / 4},
				{Kind: properties.OpCancelJob, ID: 4, Target: 3},
			}},
			workers: 1,
			want:    []string{"main", "job 3 canceled", "job 1", "job 2"},
		},
		{
			name: "watchers run newest first; close callbacks newest closed first",
			p: properties.Program{Ops: []properties.Op{
				{Kind: properties.OpCheck, ID: 1, Close: true},
				{Kind: properties.OpCheck, ID: 2, Close: true},
				{Kind: properties.OpImmediate, ID: 3},
			}},
			want: []string{"main", "check 2", "check 1", "immediate 3", "check 1 closed", "check 2 closed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := properties.Predict(tt.p, max(tt.workers, 1))
			if diff := cmp.Diff(tt.want, got.Log); diff != "" {
				t.Errorf("Predict(%s) (-want +got):\n%s", tt.p, diff)
			}
			if got.Stuck || got.Runaway {
				t.Errorf("Predict: stuck %v, runaway %v; want neither", got.Stuck, got.Runaway)
			}
		})
	}
}
