package tracediff

import (
	"fmt"
	"io"
	"strconv"
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

// Difference is where two traces first diverge. Index is the position in both
// traces, from 0; A and B are the events there, nil for the trace that ended
// before it. Before holds up to three events before Index (from a; they are equal
// in both under the options), AfterA and AfterB up to three events after it.
type Difference struct {
	Index          int
	A, B           *traces.Event
	Before         []traces.Event
	AfterA, AfterB []traces.Event
	// LenA and LenB are the lengths of the two traces: [Diff] always knows them;
	// [DiffReaders], which stops reading after the context of the difference,
	// sets the length of a trace it did not read to its end to -1.
	LenA, LenB int
	FieldDiff  string // cmp.Diff(A, B) under the options, or "" when one is nil
	ignored    []string
}

// Reader yields the events of a trace in order, and io.EOF after the last:
// [*traces.Decoder] is one.
type Reader interface {
	Next() (traces.Event, error)
}

// Diff returns where events a and b first diverge, or nil when they are equal under
// opts. A trace that is a prefix of the other diverges at its length.
func Diff(a, b []traces.Event, opts ...DiffOption) *Difference {
	d, _ := DiffReaders(&sliceReader{ev: a}, &sliceReader{ev: b}, opts...)
	if d != nil {
		d.LenA, d.LenB = len(a), len(b)
	}
	return d
}

// sliceReader is a Reader of a slice.
type sliceReader struct {
	ev []traces.Event
	i  int
}

func (r *sliceReader) Next() (traces.Event, error) {
	if r.i == len(r.ev) {
		return traces.Event{}, io.EOF
	}
	r.i++
	return r.ev[r.i-1], nil
}

// DiffReaders reads a and b in step and returns where they first diverge under
// opts, or nil when they end together with every event equal; a trace that is a
// prefix of the other diverges at its length. It stops reading at the difference
// and the context after it, so its memory is that of a few events however long the
// traces are. An error from either reader other than io.EOF ends it: it returns
// that error, unchanged, and no Difference.
func DiffReaders(a, b Reader, opts ...DiffOption) (*Difference, error) {
	var ignored []string
	for _, o := range opts {
		ignored = append(ignored, o.fields...)
	}
	zero := zeroer(ignored)
	var before []traces.Event // the last diffContextEvents equal events, oldest first
	for i := 0; ; i++ {
		ea, errA := next(a)
		if errA != nil {
			return nil, errA
		}
		eb, errB := next(b)
		if errB != nil {
			return nil, errB
		}
		switch {
		case ea == nil && eb == nil:
			return nil, nil
		case ea != nil && eb != nil && zero(*ea) == zero(*eb):
			if len(before) == diffContextEvents {
				copy(before, before[1:])
				before = before[:diffContextEvents-1]
			}
			before = append(before, *ea)
			continue
		}
		d := &Difference{Index: i, A: ea, B: eb, Before: before, LenA: -1, LenB: -1, ignored: ignored}
		var err error
		if ea == nil {
			d.LenA = i
		} else if d.AfterA, d.LenA, err = after(a, i+1); err != nil {
			return nil, err
		}
		if eb == nil {
			d.LenB = i
		} else if d.AfterB, d.LenB, err = after(b, i+1); err != nil {
			return nil, err
		}
		if ea != nil && eb != nil {
			var cmpOpts []cmp.Option
			if len(ignored) > 0 {
				cmpOpts = append(cmpOpts, cmpopts.IgnoreFields(traces.Event{}, ignored...))
			}
			d.FieldDiff = cmp.Diff(*ea, *eb, cmpOpts...)
		}
		return d, nil
	}
}

// next returns r's next event, nil at its end.
func next(r Reader) (*traces.Event, error) {
	e, err := r.Next()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// after reads up to diffContextEvents events from r, which has given read so far,
// and returns them with r's length when it reached r's end, or -1.
func after(r Reader, read int) ([]traces.Event, int, error) {
	var out []traces.Event
	for len(out) < diffContextEvents {
		e, err := next(r)
		if err != nil {
			return nil, -1, err
		}
		if e == nil {
			return out, read + len(out), nil
		}
		out = append(out, *e)
	}
	return out, -1, nil
}

// zeroer returns a function that zeroes the fields named in ignored (the Event
// field names DiffOption uses) in a copy of an event, so that two events are equal
// under the options when their zeroed copies are ==.
func zeroer(ignored []string) func(traces.Event) traces.Event {
	return func(e traces.Event) traces.Event {
		for _, f := range ignored {
			switch f {
			case "Time":
				e.Time = 0
			case "Started":
				e.Started = 0
			case "Timeout":
				e.Timeout = 0
			case "Delay":
				e.Delay = 0
			case "Deadline":
				e.Deadline = 0
			case "Repeat":
				e.Repeat = 0
			case "Worker":
				e.Worker = 0
			case "Pending":
				e.Pending = 0
			default:
				panic("tracediff: no ignorable field " + f)
			}
		}
		return e
	}
}

// String describes the difference for a person: the position, the events before it,
// the two diverging events as trace lines, their field by field difference (-a +b),
// and what follows in each trace.
func (d *Difference) String() string {
	var sb strings.Builder
	count := func(n int, after []traces.Event) string {
		if n < 0 {
			return fmt.Sprintf("at least %d", d.Index+1+len(after))
		}
		return strconv.Itoa(n)
	}
	switch {
	case d.A == nil:
		fmt.Fprintf(&sb, "a ends after %d events where b goes on (b has %s)\n", d.LenA, count(d.LenB, d.AfterB))
	case d.B == nil:
		fmt.Fprintf(&sb, "b ends after %d events where a goes on (a has %s)\n", d.LenB, count(d.LenA, d.AfterA))
	case d.LenA < 0 || d.LenB < 0:
		fmt.Fprintf(&sb, "traces differ at event %d (a has %s events, b has %s)\n", d.Index+1, count(d.LenA, d.AfterA), count(d.LenB, d.AfterB))
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
