package properties

import (
	"encoding/binary"
	"hash/maphash"
	"io"

	"github.com/nodeloop/nodeloop/traces"
)

// traceHash is a tracer that hashes every field of every event, in order: two runs
// gave the same trace when their sums are equal (up to a collision of 64-bit hashes),
// which costs a case a few nanoseconds an event instead of a trace's encoding or a
// comparison of decoded events.
type traceHash struct {
	h   maphash.Hash
	buf []byte
}

func newTraceHash(seed maphash.Seed) *traceHash {
	t := &traceHash{buf: make([]byte, 0, 256)}
	t.h.SetSeed(seed)
	return t
}

// Event hashes e.
func (t *traceHash) Event(e *traces.Event) {
	b := t.buf[:0]
	for _, u := range [...]uint64{
		e.Seq, e.Tick, uint64(e.Phase), uint64(e.Kind), e.ID, uint64(e.Pending), uint64(e.Time),
		uint64(e.Source), e.Handle, uint64(e.Worker), uint64(e.Started), uint64(e.Timeout),
		uint64(e.Completions), uint64(e.Items), bit(e.Active) | bit(e.Canceled)<<1 | bit(e.Stopped)<<2,
		uint64(e.Delay), uint64(e.Deadline), uint64(e.Repeat), uint64(e.Bytes), uint64(e.Options), uint64(e.Pick), uint64(e.Sent),
	} {
		b = binary.LittleEndian.AppendUint64(b, u)
	}
	for _, s := range [...]string{e.Mode, e.Op, e.Err, e.Msg, e.Choice, e.Input, e.Value, e.Host, e.Name, e.Site, e.From, e.To, e.Segment} {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	t.h.Write(b)
	t.buf = b
}

// Sum returns the hash of the events so far.
func (t *traceHash) Sum() uint64 { return t.h.Sum64() }

func bit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// tee returns a tracer that gives each event to a, then to b when b is not nil.
func tee(a, b interface{ Event(*traces.Event) }) interface{ Event(*traces.Event) } {
	if b == nil {
		return a
	}
	return teeTracer{a, b}
}

type teeTracer struct {
	a, b interface{ Event(*traces.Event) }
}

func (t teeTracer) Event(e *traces.Event) {
	t.a.Event(e)
	t.b.Event(e)
}

// teeWriter returns a writer to both a and b, either of which may be nil.
func teeWriter(a, b io.Writer) io.Writer {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return io.MultiWriter(a, b)
}
