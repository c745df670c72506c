package traces

import (
	"encoding/json"
	"io"
	"math"
	"math/bits"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Header is the first line of a trace file. It says what produced the events that
// follow, so that a run can be reproduced.
type Header struct {
	Format   string          `json:"format"`             // always Format
	Version  int             `json:"version"`            // always Version when written
	Mode     string          `json:"mode"`               // "real" or "sim"
	Seed     uint64          `json:"seed,omitempty"`     // sim: the run's seed
	Config   json.RawMessage `json:"config,omitempty"`   // sim: the run's configuration
	Scenario string          `json:"scenario,omitempty"` // the named program, if any
	Go       string          `json:"go"`                 // runtime.Version()
	Module   string          `json:"module"`             // nodeloop's module version
	Hosts    []string        `json:"hosts,omitempty"`    // sim of a world: its hosts' names, in the order they were added
}

// NewHeader returns a header for mode ("real" or "sim") with the format, version, Go
// and module versions filled in.
func NewHeader(mode string) Header {
	h := Header{Format: Format, Version: Version, Mode: mode, Go: runtime.Version(), Module: "(devel)"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == "github.com/nodeloop/nodeloop" && bi.Main.Version != "" {
			h.Module = bi.Main.Version
		} else {
			for _, d := range bi.Deps {
				if d.Path == "github.com/nodeloop/nodeloop" {
					h.Module = d.Version
				}
			}
		}
	}
	return h
}

// flushBytes is the size at which a streaming Recorder writes its buffer out.
const flushBytes = 64 << 10

// Recorder is a tracer that keeps events in memory, streams them as JSON Lines to a
// writer, or both. Give it to nodeloop.WithTracer. It is used from the loop's
// goroutine only.
type Recorder struct {
	w      io.Writer
	keep   bool
	events []Event
	enc    encoder
	buf    []byte
	err    error
}

// NewRecorder returns a Recorder that writes h and then one line per event to w,
// buffered: call Flush when the run is over. Write errors are kept and returned by
// Flush; events after the first error are dropped.
func NewRecorder(w io.Writer, h Header) *Recorder {
	r := &Recorder{w: w, enc: newEncoder(), buf: make([]byte, 0, flushBytes+1024)}
	if h.Format == "" {
		h.Format = Format
	}
	if h.Version == 0 {
		h.Version = Version
	}
	line, err := json.Marshal(h)
	if err != nil {
		r.err = err
		return r
	}
	r.buf = append(append(r.buf, line...), '\n')
	return r
}

// NewMemory returns a Recorder that keeps every event in memory; see Events.
func NewMemory() *Recorder { return &Recorder{keep: true} }

// Keep makes a streaming Recorder also keep events in memory, and returns it.
func (r *Recorder) Keep() *Recorder { r.keep = true; return r }

// Event records e.
func (r *Recorder) Event(e *Event) {
	if r.keep {
		r.events = append(r.events, *e)
	}
	if r.w == nil || r.err != nil {
		return
	}
	r.buf = r.enc.append(r.buf, e)
	r.buf = append(r.buf, '\n')
	if len(r.buf) >= flushBytes {
		r.flush()
	}
}

// Events returns the events kept in memory, in order.
func (r *Recorder) Events() []Event { return r.events }

// Flush writes out what is buffered and returns the first write error, if any.
func (r *Recorder) Flush() error {
	if r.w != nil && r.err == nil {
		r.flush()
	}
	return r.err
}

func (r *Recorder) flush() {
	if len(r.buf) == 0 {
		return
	}
	_, r.err = r.w.Write(r.buf)
	r.buf = r.buf[:0]
}

// AppendJSON appends e as one JSON object, without a newline, and returns the
// extended buffer. Fields that are zero and optional for the event's kind are left
// out. It does not allocate when buf has room.
func AppendJSON(buf []byte, e *Event) []byte {
	buf = append(buf, `{"seq":`...)
	buf = strconv.AppendUint(buf, e.Seq, 10)
	buf = append(buf, `,"tick":`...)
	buf = strconv.AppendUint(buf, e.Tick, 10)
	buf = append(buf, `,"phase":"`...)
	buf = append(buf, e.Phase.String()...)
	buf = append(buf, `","kind":"`...)
	buf = append(buf, e.Kind.String()...)
	buf = append(buf, `","id":`...)
	buf = strconv.AppendUint(buf, e.ID, 10)
	buf = append(buf, `,"pending":`...)
	buf = strconv.AppendInt(buf, int64(e.Pending), 10)
	buf = append(buf, `,"t":`...)
	buf = strconv.AppendInt(buf, int64(e.Time), 10)
	return appendRest(buf, e)
}

// encoder writes events as AppendJSON does, faster. A Recorder keeps one, so that the fields
// that repeat from one event to the next (the tick, the time, the pending count) are
// copied from the previous line instead of formatted again, and the numbers that
// move by little (the sequence, the ids, the time) have only their last digits
// rewritten. Each of these fields is kept with its label, and the fields up to the
// time are written with fixed-size array copies into room reserved for them, which
// compile to a few stores each.
type encoder struct {
	seq     decimal
	tick    decimal
	id      decimal
	pending decimal
	time    decimal
}

func newEncoder() encoder {
	return encoder{
		seq:     newDecimal(`{"seq":`),
		tick:    newDecimal(`,"tick":`),
		id:      newDecimal(""),
		pending: newDecimal(`,"pending":`),
		time:    newDecimal(`,"t":`),
	}
}

// decimal is a field's label and the decimal text of its last value, kept so that
// the next value, which mostly shares all but its last digits, is written by
// rewriting only those.
type decimal struct {
	v      int64
	ok     bool
	prefix int      // the label is text[:prefix]
	n      int      // the label and the digits are text[:n]
	text   [32]byte // at most 11 bytes of label and 20 of digits, copied 32 at once
	// digits holds the label followed by each of 0 to 9: a one-digit value is
	// written from it and leaves the last value in place, so that a field that
	// alternates between 0 and a large number (an id) or moves among small ones
	// (the pending count) never formats anything.
	digits *[10][32]byte
}

func newDecimal(label string) decimal {
	d := decimal{prefix: len(label), n: len(label), digits: new([10][32]byte)}
	if copy(d.text[:], label) != len(label) || len(label) > len(d.text)-20 {
		panic("traces: label too long: " + label)
	}
	for i := range d.digits {
		copy(d.digits[i][:], label)
		d.digits[i][len(label)] = byte('0' + i)
	}
	return d
}

// lowDigits is how many trailing digits put rewrites when the rest is unchanged.
const (
	lowDigits = 4
	lowMod    = 10_000 // 10^lowDigits
)

// twoDigits holds "00" to "99".
var twoDigits = func() (t [200]byte) {
	for i := range 100 {
		t[2*i], t[2*i+1] = byte('0'+i/10), byte('0'+i%10)
	}
	return t
}()

// put writes the label and v's decimal text at the start of b, which has room for
// 32 bytes, and returns their length. The old text is copied out first and the
// digits that change are then written to both places, so that no wide read follows
// a narrow write to the same bytes.
func (d *decimal) put(b []byte, v int64) int {
	if v == d.v && d.ok {
		*(*[32]byte)(b) = d.text
		return d.n
	}
	return d.change(b, v)
}

// change is put for a value that is not the last one.
func (d *decimal) change(b []byte, v int64) int {
	switch {
	case uint64(v) < 10:
		*(*[32]byte)(b) = d.digits[v]
		return d.prefix + 1
	case d.ok && v == d.v+1 && d.v > 0 && d.text[d.n-1] != '9':
		*(*[32]byte)(b) = d.text
		d.v = v
		c := d.text[d.n-1] + 1
		d.text[d.n-1], b[d.n-1] = c, c
		return d.n
	case d.ok && v >= lowMod && d.v >= lowMod && v/lowMod == d.v/lowMod:
		*(*[32]byte)(b) = d.text
		d.v = v
		low := uint64(v % lowMod)
		t, o := d.text[d.n-lowDigits:d.n], b[d.n-lowDigits:d.n]
		for i := lowDigits - 2; i >= 0; i -= 2 {
			q := low % 100 * 2
			low /= 100
			t[i], t[i+1] = twoDigits[q], twoDigits[q+1]
			o[i], o[i+1] = twoDigits[q], twoDigits[q+1]
		}
		return d.n
	default:
		d.v, d.ok = v, true
		d.n = len(strconv.AppendInt(d.text[:d.prefix], v, 10))
		return copy(b, d.text[:d.n])
	}
}

// label is a constant piece of a line, padded to be copied at once.
type label struct {
	text [64]byte
	n    int
}

func newLabel(s string) label {
	var l label
	l.n = copy(l.text[:], s)
	if l.n != len(s) {
		panic("traces: label too long: " + s)
	}
	return l
}

// put writes the label at the start of b, which has room for 64 bytes, and returns
// its length.
func (l *label) put(b []byte) int {
	*(*[64]byte)(b) = l.text
	return l.n
}

var (
	// tails holds, for every source, the end of an event that has no other optional
	// field: `,"source":"immediate"}`, or `}` for none.
	tails = func() (t [sourceCount]label) {
		t[SourceNone] = newLabel(`}`)
		for src := SourceNone + 1; src < sourceCount; src++ {
			t[src] = newLabel(`,"source":"` + src.String() + `"}`)
		}
		return t
	}()

	// heads holds, for every phase and kind, the text from the phase's name to the
	// id's label: `,"phase":"poll","kind":"poll","id":`.
	heads = func() (h [phaseCount][kindCount]label) {
		for p := range phaseCount {
			for k := range kindCount {
				h[p][k] = newLabel(`,"phase":"` + p.String() + `","kind":"` + k.String() + `","id":`)
			}
		}
		return h
	}()
)

// fixedRoom is the room reserved for an event's fields up to its time and its end:
// five labelled numbers written as 32-byte copies, the phase and kind and the source
// as 64-byte ones.
const fixedRoom = 5*32 + 2*64

func (enc *encoder) append(buf []byte, e *Event) []byte {
	if e.Seq > math.MaxInt64 || e.Tick > math.MaxInt64 || e.ID > math.MaxInt64 || e.Phase >= phaseCount || e.Kind >= kindCount {
		return AppendJSON(buf, e)
	}
	buf = slices.Grow(buf, fixedRoom)
	n := len(buf)
	b := buf[n : n+fixedRoom]
	i := enc.seq.put(b, int64(e.Seq))
	i += enc.tick.put(b[i:], int64(e.Tick))
	i += heads[e.Phase][e.Kind].put(b[i:])
	i += enc.id.put(b[i:], int64(e.ID))
	i += enc.pending.put(b[i:], int64(e.Pending))
	i += enc.time.put(b[i:], int64(e.Time))
	// Most events end here, or with their source: those need no more than a copy.
	k := &kindFields[e.Kind]
	if k.always == 0 && e.restZero(k.has&^(1<<FieldSource)) {
		src := e.Source
		if !k.has.has(FieldSource) {
			src = SourceNone
		}
		if src < sourceCount {
			i += tails[src].put(b[i:])
			return buf[:n+i]
		}
	}
	return appendRest(buf[:n+i], e)
}

// restZero reports whether every field of s is zero in e. The sets of the most
// frequent events, none and a callback's handle, are told at once.
func (e *Event) restZero(s fieldSet) bool {
	switch s {
	case 0:
		return true
	case 1 << FieldHandle:
		return e.Handle == 0
	}
	for ; s != 0; s &= s - 1 {
		if !e.IsZero(Field(bits.TrailingZeros32(uint32(s)))) {
			return false
		}
	}
	return true
}

// fieldLabels holds, for every field, its label in a line: `,"worker":`.
var fieldLabels = func() (l [fieldCount]string) {
	for f := range fieldCount {
		l[f] = `,"` + f.String() + `":`
	}
	return l
}()

// appendRest appends the fields after the time that the event's kind carries, in
// order: those that are not zero, and those the kind always writes.
func appendRest(buf []byte, e *Event) []byte {
	if e.Kind >= kindCount {
		return append(buf, '}')
	}
	k := &kindFields[e.Kind]
	for s := k.has; s != 0; s &= s - 1 {
		f := Field(bits.TrailingZeros32(uint32(s)))
		if !k.always.has(f) && e.IsZero(f) {
			continue
		}
		buf = append(buf, fieldLabels[f]...)
		switch p := e.ref(f).(type) {
		case *Source:
			buf = append(buf, '"')
			buf = append(buf, p.String()...)
			buf = append(buf, '"')
		case *uint64:
			buf = strconv.AppendUint(buf, *p, 10)
		case *int:
			buf = strconv.AppendInt(buf, int64(*p), 10)
		case *time.Duration:
			buf = strconv.AppendInt(buf, int64(*p), 10)
		case *bool:
			buf = strconv.AppendBool(buf, *p)
		case *string:
			buf = appendString(buf, *p)
		}
	}
	return append(buf, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does, so the output always decodes.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}
