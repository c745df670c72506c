package tracediff

import (
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nodeloop/nodeloop/traces"
)

// diffContextEvents is how many events of context a Difference keeps on each side of
// the first diverging event.
const diffContextEvents = 3

// DiffOption changes what [Diff] counts as a difference.
type DiffOption struct {
	fields []string
}

// IgnoreTiming makes [Diff] ignore every field that holds a time: Time, Started,
// Timeout, Delay, Deadline and Repeat. Two real runs of the same program never agree
// on these; what ran in which order must still agree.
func IgnoreTiming() DiffOption {
	return DiffOption{fields: []string{"Time", "Started", "Timeout", "Delay", "Deadline", "Repeat"}}
}

// IgnoreWorkers makes [Diff] ignore which pool worker ran a job (Worker), which
// depends on the operating system's scheduling in a real run.
func IgnoreWorkers() DiffOption { return DiffOption{fields: []string{"Worker"}} }

// IgnorePending makes [Diff] ignore the pending count (Pending).
func IgnorePending() DiffOption { return DiffOption{fields: []string{"Pending"}} }

// Difference is where two traces first diverge. Index is a position in both event
// slices, from 0; A and B are the events there, nil for the trace that ended
// before it. Before holds up to three events before Index (from a; they are equal
// in both under the options), AfterA and AfterB up to three events after it.
type Difference struct {
	Index          int
	A, B           *traces.Event
	Before         []traces.Event
	AfterA, AfterB []traces.Event
	LenA, LenB     int    // the lengths of the two traces
	FieldDiff      string // cmp.Diff(A, B) under the options, or "" when one is nil
	ignored        []string
}

// Diff returns where events a and b first diverge, or nil when they are equal under
// opts. A trace that is a prefix of the other diverges at its length.
func Diff(a, b []traces.Event, opts ...DiffOption) *Difference {
	var ignored []string
	for _, o := range opts {
		ignored = append(ignored, o.fields...)
	}
	var cmpOpts []cmp.Option
	if len(ignored) > 0 {
		cmpOpts = append(cmpOpts, cmpopts.IgnoreFields(traces.Event{}, ignored...))
	}
	n := min(len(a), len(b))
	i := 0
	for i < n && cmp.Equal(a[i], b[i], cmpOpts...) {
		i++
	}
	if i == len(a) && i == len(b) {
		return nil
	}
	d := &Difference{Index: i, LenA: len(a), LenB: len(b), ignored: ignored}
	d.Before = append([]traces.Event(nil), a[max(0, i-diffContextEvents):i]...)
	if i < len(a) {
		d.A = &a[i]
		d.AfterA = append([]traces.Event(nil), a[i+1:min(len(a), i+1+diffContextEvents)]...)
	}
	if i < len(b) {
		d.B = &b[i]
		d.AfterB = append([]traces.Event(nil), b[i+1:min(len(b), i+1+diffContextEvents)]...)
	}
	if d.A != nil && d.B != nil {
		d.FieldDiff = cmp.Diff(*d.A, *d.B, cmpOpts...)
	}
	return d
}

// String describes the difference for a person: the position, the events before it,
// the two diverging events as trace lines, their field by field difference (-a +b),
// and what follows in each trace.
func (d *Difference) String() string {
	var sb strings.Builder
	switch {
	case d.A == nil:
		fmt.Fprintf(&sb, "a ends after %d events where b goes on (b has %d)\n", d.LenA, d.LenB)
	case d.B == nil:
		fmt.Fprintf(&sb, "b ends after %d events where a goes on (a has %d)\n", d.LenB, d.LenA)
	default:
		fmt.Fprintf(&sb, "traces differ at event %d (a has %d events, b has %d)\n", d.Index+1, d.LenA, d.LenB)
	}
	if len(d.ignored) > 0 {
		fmt.Fprintf(&sb, "ignoring %s\n", strings.Join(d.ignored, ", "))
	}
	for _, e := range d.Before {
		fmt.Fprintf(&sb, "  %s\n", traces.AppendJSON(nil, &e))
	}
	if d.A != nil {
		fmt.Fprintf(&sb, "- %s\n", traces.AppendJSON(nil, d.A))
	} else {
		sb.WriteString("- (end of a)\n")
	}
	if d.B != nil {
		fmt.Fprintf(&sb, "+ %s\n", traces.AppendJSON(nil, d.B))
	} else {
		sb.WriteString("+ (end of b)\n")
	}
	if d.FieldDiff != "" {
		sb.WriteString("field by field (-a +b):\n")
		sb.WriteString(d.FieldDiff)
		if !strings.HasSuffix(d.FieldDiff, "\n") {
			sb.WriteByte('\n')
		}
	}
	writeAfter := func(name string, events []traces.Event) {
		if len(events) == 0 {
			return
		}
		fmt.Fprintf(&sb, "then in %s:\n", name)
		for _, e := range events {
			fmt.Fprintf(&sb, "  %s\n", traces.AppendJSON(nil, &e))
		}
	}
	writeAfter("a", d.AfterA)
	writeAfter("b", d.AfterB)
	return sb.String()
}
