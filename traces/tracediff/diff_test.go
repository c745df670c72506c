package tracediff_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
			// DiffReaders finds the same, reading no further than the context.
			ra, rb := &countingReader{ev: tc.a}, &countingReader{ev: tc.b}
			ds, err := tracediff.DiffReaders(ra, rb, tc.opts...)
			if err != nil || ds == nil {
				t.Fatalf("DiffReaders = %v, %v, want the difference Diff found", ds, err)
			}
			for _, r := range []struct {
				name      string
				got, want int
				read      int
			}{{"a", ds.LenA, len(tc.a), ra.i}, {"b", ds.LenB, len(tc.b), rb.i}} {
				if r.read > d.Index+1+3 {
					t.Errorf("DiffReaders read %d events of %s, past the difference at %d and 3 of context", r.read, r.name, d.Index)
				}
				if r.got != r.want && r.got != -1 {
					t.Errorf("DiffReaders: length of %s = %d, want %d or -1", r.name, r.got, r.want)
				}
			}
			ds.LenA, ds.LenB = d.LenA, d.LenB
			if diff := cmp.Diff(d, ds, cmp.AllowUnexported(tracediff.Difference{})); diff != "" {
				t.Errorf("DiffReaders differs from Diff (-Diff +DiffReaders):\n%s", diff)
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

// countingReader is a tracediff.Reader of a slice that counts what it gave.
type countingReader struct {
	ev    []traces.Event
	i     int
	err   error // returned instead of the event at index errAt
	errAt int
}

func (r *countingReader) Next() (traces.Event, error) {
	if r.err != nil && r.i == r.errAt {
		return traces.Event{}, r.err
	}
	if r.i == len(r.ev) {
		return traces.Event{}, io.EOF
	}
	r.i++
	return r.ev[r.i-1], nil
}

// DiffReaders compares two decoded files as it reads them, stops at a reader's
// error and returns it, and says where it does not know a length.
func TestDiffReaders(t *testing.T) {
	base := tracetest.SampleEvents()
	h := tracetest.SampleHeader()
	data := tracetest.Encode(t, h, base)
	d, err := tracediff.DiffReaders(traces.NewDecoder(bytes.NewReader(data)), traces.NewDecoder(bytes.NewReader(data)))
	if d != nil || err != nil {
		t.Fatalf("DiffReaders of one file twice = %v, %v, want nil, nil", d, err)
	}

	boom := errors.New("boom")
	_, err = tracediff.DiffReaders(&countingReader{ev: base}, &countingReader{ev: base, err: boom, errAt: 5})
	if err != boom {
		t.Fatalf("DiffReaders with a failing reader: error %v, want %v", err, boom)
	}

	changed := append([]traces.Event(nil), base...)
	changed[2].ID = 999
	d, err = tracediff.DiffReaders(&countingReader{ev: base}, &countingReader{ev: changed})
	if err != nil || d == nil {
		t.Fatalf("DiffReaders = %v, %v, want a difference", d, err)
	}
	if d.Index != 2 || d.LenA != -1 || d.LenB != -1 {
		t.Errorf("Index, LenA, LenB = %d, %d, %d, want 2, -1, -1", d.Index, d.LenA, d.LenB)
	}
	if want := "traces differ at event 3 (a has at least 6 events, b has at least 6)"; !strings.Contains(d.String(), want) {
		t.Errorf("String lacks %q:\n%s", want, d)
	}
}

// BenchmarkDiffReaders compares two equal traces as it reads them, under
// IgnoreTiming; the figure to read is ns/event.
func BenchmarkDiffReaders(b *testing.B) {
	base := tracetest.SampleEvents()
	var long []traces.Event
	for len(long) < 100_000 {
		long = append(long, base...)
	}
	b.ResetTimer()
	for range b.N {
		d, err := tracediff.DiffReaders(&countingReader{ev: long}, &countingReader{ev: long}, tracediff.IgnoreTiming())
		if d != nil || err != nil {
			b.Fatal(d, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(long)), "ns/event")
}
