package tracediff_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/internal/tracetest"
	"github.com/nodeloop/nodeloop/traces/tracediff"
)

// Diff finds the first event that differs under the options, with context, and
// nothing when the traces agree.
func TestDiff(t *testing.T) {
	base := tracetest.SampleEvents()
	change := func(i int, f func(*traces.Event)) []traces.Event {
		c := append([]traces.Event(nil), base...)
		f(&c[i])
		return c
	}
	for _, tc := range []struct {
		name      string
		a, b      []traces.Event
		opts      []tracediff.DiffOption
		wantIndex int // -1: no difference
		wantText  []string
	}{
		{name: "equal", a: base, b: base, wantIndex: -1},
		{name: "both empty", wantIndex: -1},
		{
			name: "kind", a: base, b: change(20, func(e *traces.Event) { e.Kind = traces.KindImmediateClear }), wantIndex: 20,
			wantText: []string{"traces differ at event 21", `- {"seq":21,`, `"kind":"timer_clear"`, `+ {"seq":21,`, `"kind":"immediate_clear"`, "field by field (-a +b):", "Kind:", "then in a:", "then in b:"},
		},
		{
			name: "time", a: base, b: change(30, func(e *traces.Event) { e.Time += time.Microsecond }), wantIndex: 30,
			wantText: []string{"traces differ at event 31", "Time:"},
		},
		{name: "time ignored", a: base, b: change(30, func(e *traces.Event) { e.Time += time.Microsecond }), opts: []tracediff.DiffOption{tracediff.IgnoreTiming()}, wantIndex: -1},
		{name: "timeout ignored", a: base, b: change(28, func(e *traces.Event) { e.Timeout = time.Second }), opts: []tracediff.DiffOption{tracediff.IgnoreTiming()}, wantIndex: -1},
		{name: "job start ignored", a: base, b: change(33, func(e *traces.Event) { e.Started = 0 }), opts: []tracediff.DiffOption{tracediff.IgnoreTiming()}, wantIndex: -1},
		{name: "job start", a: base, b: change(33, func(e *traces.Event) { e.Started = 0 }), wantIndex: 33},
		{name: "delay ignored", a: base, b: change(3, func(e *traces.Event) { e.Delay, e.Deadline, e.Repeat = 1, 2, 3 }), opts: []tracediff.DiffOption{tracediff.IgnoreTiming()}, wantIndex: -1},
		{
			name: "timing ignored, order not", a: base, b: change(3, func(e *traces.Event) { e.ID = 99; e.Delay = 1 }), opts: []tracediff.DiffOption{tracediff.IgnoreTiming()}, wantIndex: 3,
			wantText: []string{"ignoring Time, Started, Timeout, Delay, Deadline, Repeat", "ID:"},
		},
		{name: "worker", a: base, b: change(32, func(e *traces.Event) { e.Worker = 3 }), wantIndex: 32, wantText: []string{"Worker:"}},
		{name: "worker ignored", a: base, b: change(32, func(e *traces.Event) { e.Worker = 3 }), opts: []tracediff.DiffOption{tracediff.IgnoreWorkers()}, wantIndex: -1},
		{name: "pending ignored", a: base, b: change(5, func(e *traces.Event) { e.Pending = 40 }), opts: []tracediff.DiffOption{tracediff.IgnorePending()}, wantIndex: -1},
		{
			name: "a shorter", a: base[:10], b: base, wantIndex: 10,
			wantText: []string{"a ends after 10 events where b goes on (b has " /* ... */, "- (end of a)", `+ {"seq":11,`},
		},
		{
			name: "b shorter", a: base, b: base[:4], wantIndex: 4,
			wantText: []string{"b ends after 4 events where a goes on", "+ (end of b)"},
		},
		{name: "first event", a: base, b: change(0, func(e *traces.Event) { e.Seq = 7 }), wantIndex: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tracediff.Diff(tc.a, tc.b, tc.opts...)
			if tc.wantIndex < 0 {
				if d != nil {
					t.Fatalf("Diff found a difference in equal traces:\n%s", d)
				}
				return
			}
			if d == nil {
				t.Fatalf("Diff = nil, want a difference at %d", tc.wantIndex)
			}
			if d.Index != tc.wantIndex {
				t.Fatalf("Index = %d, want %d\n%s", d.Index, tc.wantIndex, d)
			}
			if d.LenA != len(tc.a) || d.LenB != len(tc.b) {
				t.Errorf("LenA, LenB = %d, %d, want %d, %d", d.LenA, d.LenB, len(tc.a), len(tc.b))
			}
			if wantBefore := min(3, d.Index); len(d.Before) != wantBefore {
				t.Errorf("%d events of context before, want %d", len(d.Before), wantBefore)
			}
			for i, e := range d.Before {
				if e != tc.a[d.Index-len(d.Before)+i] {
					t.Errorf("Before[%d] = %+v, not the event before the difference", i, e)
				}
			}
			if (d.A == nil) != (d.Index >= len(tc.a)) || (d.B == nil) != (d.Index >= len(tc.b)) {
				t.Errorf("A, B = %v, %v at index %d of lengths %d, %d", d.A, d.B, d.Index, len(tc.a), len(tc.b))
			}
			if d.A != nil && d.B != nil && d.FieldDiff == "" {
				t.Errorf("no field diff for two events")
			}
			if wantAfter := min(3, max(0, len(tc.a)-d.Index-1)); len(d.AfterA) != wantAfter {
				t.Errorf("%d events after in a, want %d", len(d.AfterA), wantAfter)
			}
			s := d.String()
			for _, want := range tc.wantText {
				if !strings.Contains(s, want) {
					t.Errorf("String lacks %q:\n%s", want, s)
				}
			}
		})
	}
}
