package traces

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"time"
	"unicode/utf8"
)

// lineBytesMax is the longest line a Decoder accepts, in bytes. A log message can
// make a line long; a line longer than this is taken for a corrupt file rather than
// read into memory.
const lineBytesMax = 64 << 20

// LineError is a trace that cannot be read: the line where reading failed, counted
// from 1 (the header is line 1), and what was wrong with it.
type LineError struct {
	Line int   // the line, from 1
	Err  error // what was wrong
}

// Error returns "trace line N: " and the reason.
func (e *LineError) Error() string { return fmt.Sprintf("trace line %d: %v", e.Line, e.Err) }

// Unwrap returns the reason, so errors.Is sees a read error from the underlying
// reader.
func (e *LineError) Unwrap() error { return e.Err }

// Decoder reads a trace written by [Recorder] back, one event at a time, into the
// values that were recorded. Make one with [NewDecoder].
type Decoder struct {
	r      *bufio.Reader
	line   int
	header Header
	err    error // the first error; every later call returns it
	buf    []byte
}

// NewDecoder returns a Decoder that reads a trace from r. It reads the header line
// at once: when that fails, Header returns the zero Header and Next returns the
// error.
func NewDecoder(r io.Reader) *Decoder {
	d := &Decoder{r: bufio.NewReaderSize(r, 64<<10)}
	d.readHeader()
	return d
}

// Header returns the trace's header line.
func (d *Decoder) Header() Header { return d.header }

// Next returns the next event. At the end of the trace it returns io.EOF; when the
// trace is malformed it returns a *[LineError] naming the line, and returns it again
// on every later call.
func (d *Decoder) Next() (Event, error) {
	if d.err != nil {
		return Event{}, d.err
	}
	line, err := d.readLine()
	if err != nil {
		d.err = err
		return Event{}, err
	}
	e, err := decodeEvent(line, d.header.Version)
	if err != nil {
		d.err = &LineError{Line: d.line, Err: err}
		return Event{}, d.err
	}
	return e, nil
}

// Decode reads a whole trace from r: its header and its events, in order. A
// malformed, truncated or future-version trace is a *[LineError] naming the line;
// the events before that line are returned with it.
func Decode(r io.Reader) (Header, []Event, error) {
	d := NewDecoder(r)
	var events []Event
	for {
		e, err := d.Next()
		if err == io.EOF {
			return d.Header(), events, nil
		}
		if err != nil {
			return d.Header(), events, err
		}
		events = append(events, e)
	}
}

func (d *Decoder) readHeader() {
	line, err := d.readLine()
	if err == io.EOF {
		d.err = &LineError{Line: 1, Err: errors.New("empty trace: no header line")}
		return
	}
	if err != nil {
		d.err = err
		return
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil {
		d.err = &LineError{Line: 1, Err: fmt.Errorf("header: %w", cleanJSONError(err))}
		return
	}
	switch {
	case h.Format != Format:
		d.err = &LineError{Line: 1, Err: fmt.Errorf("format %q, want %q", h.Format, Format)}
	case h.Version > Version:
		d.err = &LineError{Line: 1, Err: fmt.Errorf("version %d is newer than this reader's %d", h.Version, Version)}
	case h.Version < 1:
		d.err = &LineError{Line: 1, Err: fmt.Errorf("version %d, want 1 to %d", h.Version, Version)}
	default:
		d.header = h
	}
}

// readLine returns the next line without its newline, io.EOF at the end of the
// input, or a *LineError. The returned slice is valid until the next call.
func (d *Decoder) readLine() ([]byte, error) {
	d.buf = d.buf[:0]
	for {
		chunk, err := d.r.ReadSlice('\n')
		if len(d.buf)+len(chunk) > lineBytesMax {
			return nil, &LineError{Line: d.line + 1, Err: fmt.Errorf("line longer than %d bytes", lineBytesMax)}
		}
		d.buf = append(d.buf, chunk...)
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(d.buf) == 0:
			return nil, io.EOF
		case err == io.EOF:
			// The last line has no newline: it is whole only if it is a complete
			// JSON value.
			d.line++
			if !json.Valid(d.buf) {
				return nil, &LineError{Line: d.line, Err: errors.New("truncated: the last line is incomplete")}
			}
			return d.buf, nil
		case err != nil:
			return nil, &LineError{Line: d.line + 1, Err: err}
		}
		d.line++
		line := d.buf[:len(d.buf)-1]
		if len(bytes.TrimSpace(line)) == 0 {
			return nil, &LineError{Line: d.line, Err: errors.New("empty line")}
		}
		return line, nil
	}
}

// wireCommon is the part of an event line that every event has. The fields are
// pointers, so a missing one is told from a zero one.
type wireCommon struct {
	Seq     *uint64 `json:"seq"`
	Tick    *uint64 `json:"tick"`
	Phase   *string `json:"phase"`
	Kind    *string `json:"kind"`
	ID      *uint64 `json:"id"`
	Pending *int    `json:"pending"`
	T       *int64  `json:"t"`
}

// commonNames are the keys of wireCommon.
var commonNames = []string{"seq", "tick", "phase", "kind", "id", "pending", "t"}

// decodeCommon reads the fields every event has into e.
func decodeCommon(line []byte, e *Event) error {
	var w wireCommon
	if err := json.Unmarshal(line, &w); err != nil {
		return cleanJSONError(err)
	}
	switch {
	case w.Seq == nil:
		return missing("seq")
	case w.Tick == nil:
		return missing("tick")
	case w.Phase == nil:
		return missing("phase")
	case w.Kind == nil:
		return missing("kind")
	case w.ID == nil:
		return missing("id")
	case w.Pending == nil:
		return missing("pending")
	case w.T == nil:
		return missing("t")
	}
	kind, ok := ParseKind(*w.Kind)
	if !ok {
		return fmt.Errorf("unknown kind %q", *w.Kind)
	}
	phase, ok := ParsePhase(*w.Phase)
	if !ok {
		return fmt.Errorf("unknown phase %q", *w.Phase)
	}
	e.Seq, e.Tick, e.Phase, e.Kind, e.ID, e.Pending, e.Time = *w.Seq, *w.Tick, phase, kind, *w.ID, *w.Pending, time.Duration(*w.T)
	return nil
}

// decodeEvent turns one line of a trace of the given version into an event.
func decodeEvent(line []byte, version int) (Event, error) {
	if version == 1 {
		return decodeEventV1(line)
	}
	if e, ok := decodeFast(line); ok {
		return e, nil
	}
	return decodeSlow(line)
}

// decodeSlow turns one line of a version 2 trace into an event with encoding/json,
// and says what is wrong with a line that is not one.
func decodeSlow(line []byte) (Event, error) {
	var e Event
	if err := decodeCommon(line, &e); err != nil {
		return Event{}, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return Event{}, cleanJSONError(err)
	}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if slices.Contains(commonNames, name) {
			continue
		}
		f, ok := ParseField(name)
		if !ok {
			return Event{}, fmt.Errorf("unknown field %q", name)
		}
		if !e.Kind.Has(f) {
			return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, name)
		}
		if err := decodeField(&e, f, raw[name]); err != nil {
			return Event{}, err
		}
	}
	return e, nil
}

// decodeField reads the JSON value v into e's field f.
func decodeField(e *Event, f Field, v json.RawMessage) error {
	switch p := e.ref(f).(type) {
	case *Source:
		var name string
		if err := json.Unmarshal(v, &name); err != nil {
			return fieldError(f.String(), err)
		}
		src, ok := ParseSource(name)
		if !ok {
			return fmt.Errorf("unknown source %q", name)
		}
		*p = src
	case *time.Duration:
		var ns int64
		if err := json.Unmarshal(v, &ns); err != nil {
			return fieldError(f.String(), err)
		}
		*p = time.Duration(ns)
	default:
		if err := json.Unmarshal(v, p); err != nil {
			return fieldError(f.String(), err)
		}
	}
	return nil
}

// fieldError says what was wrong with the value of the named field.
func fieldError(name string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q: a JSON %s where %s was expected", name, te.Value, describeType(te.Type.Kind().String()))
	}
	return fmt.Errorf("field %q: %w", name, cleanJSONError(err))
}

// wireEventV1 is the optional part of an event line of version 1, where a few
// fields meant different things for different kinds.
type wireEventV1 struct {
	Source   string `json:"source"`
	Handle   uint64 `json:"handle"`
	Worker   int    `json:"worker"`
	Timeout  int64  `json:"timeout"`
	Count    int    `json:"count"`
	Delay    int64  `json:"delay"`
	Deadline int64  `json:"deadline"`
	Repeat   int64  `json:"repeat"`
	Op       string `json:"op"`
	N        int    `json:"n"`
	Err      string `json:"err"`
	Msg      string `json:"msg"`
	Input    string `json:"input"`
}

// decodeEventV1 turns one line of a version 1 trace into an event, giving each of
// count, op, n, msg and input the field its kind meant by it. A version 1 pool_start
// was written when the job finished: its start is taken to be then.
func decodeEventV1(line []byte) (Event, error) {
	var e Event
	if err := decodeCommon(line, &e); err != nil {
		return Event{}, err
	}
	var w wireEventV1
	if err := json.Unmarshal(line, &w); err != nil {
		return Event{}, cleanJSONError(err)
	}
	source, ok := ParseSource(w.Source)
	if !ok {
		return Event{}, fmt.Errorf("unknown source %q", w.Source)
	}
	e.Source, e.Handle, e.Worker, e.Timeout = source, w.Handle, w.Worker, time.Duration(w.Timeout)
	e.Delay, e.Deadline, e.Repeat, e.Err = time.Duration(w.Delay), time.Duration(w.Deadline), time.Duration(w.Repeat), w.Err
	count, op, n, msg, input := w.Count, w.Op, w.N, w.Msg, w.Input
	switch e.Kind {
	case KindPoll:
		e.Completions, count = count, 0
	case KindWake:
		e.Items, count = count, 0
	case KindWatcher:
		e.Active, count = count != 0, 0
	case KindPoolCancel:
		e.Canceled, count = count != 0, 0
	case KindPoolStart:
		e.Started = e.Time
	case KindEnd:
		e.Stopped, e.Mode, count, op = count != 0, op, 0, ""
	case KindOpStart, KindOpComplete:
		e.Op, e.Bytes, op, n = op, n, "", 0
	case KindLog:
		e.Msg, msg = msg, ""
	case KindChoice:
		e.Choice, e.Options, e.Pick, msg, n, count = msg, n, count, "", 0, 0
	case KindInput:
		e.Input, e.Value, msg, input = msg, input, "", ""
	}
	switch {
	case count != 0:
		return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, "count")
	case op != "":
		return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, "op")
	case n != 0:
		return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, "n")
	case msg != "":
		return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, "msg")
	case input != "":
		return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, "input")
	}
	for f := range fieldCount {
		if !e.Kind.Has(f) && !e.IsZero(f) {
			return Event{}, fmt.Errorf("a %s event has no field %q", e.Kind, f)
		}
	}
	return e, nil
}

func missing(field string) error { return fmt.Errorf("missing field %q", field) }

// cleanJSONError says what encoding/json found wrong in the trace's own terms: the
// field and the value, without the Go type that was decoded into.
func cleanJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("a JSON %s where an object was expected", te.Value)
		}
		return fmt.Errorf("field %q: a JSON %s where %s was expected", te.Field, te.Value, describeType(te.Type.Kind().String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
	}
	return fmt.Errorf("malformed JSON: %w", err)
}

// describeType names the JSON value a Go kind wants.
func describeType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "uint64", "uint", "uint32", "uint8":
		return "a non-negative integer"
	case "slice":
		return "raw JSON"
	default:
		return "an integer"
	}
}

// The bits of decodeFast's set of keys seen: the common keys first, then the
// fields.
const (
	seenSeq = 1 << iota
	seenTick
	seenPhase
	seenKind
	seenID
	seenPending
	seenT
	seenFields // the bit of Field f is seenFields << f
	seenCommon = seenFields - 1
)

// decodeFast decodes the line of a version 2 trace the way a Recorder writes one:
// a flat JSON object with no space between tokens, keys without escapes, integer
// numbers, strings without escapes and true or false. It returns ok false for any
// other line, valid or not, which decodeSlow then reads; for a line it accepts it
// returns what decodeSlow would. It is the fast path of reading a long trace: it
// makes no allocation but the strings of the event's fields.
func decodeFast(line []byte) (e Event, ok bool) {
	p := 0
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return Event{}, false
	}
	p = 1
	var seen uint64
	var rawFields [fieldCount][]byte
	var phase, kind []byte
	for {
		key, n := fastString(line[p:])
		if n == 0 || p+n >= len(line) || line[p+n] != ':' {
			return Event{}, false
		}
		p += n + 1
		// The value's extent: a string, or a bare token up to ',' or '}'.
		var val []byte
		if line[p] == '"' {
			_, n := fastString(line[p:])
			if n == 0 {
				return Event{}, false
			}
			val = line[p : p+n]
		} else {
			k := p
			for k < len(line) && line[k] != ',' && line[k] != '}' {
				k++
			}
			val = line[p:k]
		}
		p += len(val)
		var bit uint64
		switch string(key) {
		case "seq":
			bit, ok = seenSeq, fastUint(val, &e.Seq)
		case "tick":
			bit, ok = seenTick, fastUint(val, &e.Tick)
		case "phase":
			bit, phase = seenPhase, val
			ok = len(val) >= 2 && val[0] == '"'
		case "kind":
			bit, kind = seenKind, val
			ok = len(val) >= 2 && val[0] == '"'
		case "id":
			bit, ok = seenID, fastUint(val, &e.ID)
		case "pending":
			var v int64
			bit, ok = seenPending, fastInt(val, &v)
			e.Pending = int(v)
		case "t":
			var v int64
			bit, ok = seenT, fastInt(val, &v)
			e.Time = time.Duration(v)
		default:
			f, known := ParseField(string(key))
			if !known {
				return Event{}, false
			}
			bit, ok = seenFields<<f, true
			rawFields[f] = val
		}
		if !ok || seen&bit != 0 {
			return Event{}, false
		}
		seen |= bit
		switch {
		case p == len(line)-1:
			if seen&seenCommon != seenCommon {
				return Event{}, false
			}
			k, okKind := ParseKind(string(kind[1 : len(kind)-1]))
			ph, okPhase := ParsePhase(string(phase[1 : len(phase)-1]))
			if !okKind || !okPhase {
				return Event{}, false
			}
			e.Kind, e.Phase = k, ph
			for f := range fieldCount {
				if seen&(seenFields<<f) == 0 {
					continue
				}
				if !k.Has(f) || !fastField(&e, f, rawFields[f]) {
					return Event{}, false
				}
			}
			return e, true
		case line[p] == ',':
			p++
		default:
			return Event{}, false
		}
	}
}

// fastString returns the contents of the JSON string at the start of b and the
// length of the string with its quotes, or 0 when b does not start with a string
// decodeFast takes: one with no escape, no control character and valid UTF-8.
func fastString(b []byte) ([]byte, int) {
	if len(b) == 0 || b[0] != '"' {
		return nil, 0
	}
	for k := 1; k < len(b); k++ {
		switch c := b[k]; {
		case c == '"':
			if !utf8.Valid(b[1:k]) {
				return nil, 0
			}
			return b[1:k], k + 1
		case c == '\\' || c < 0x20:
			return nil, 0
		}
	}
	return nil, 0
}

// fastUint parses a JSON integer that fits a uint64 into v.
func fastUint(b []byte, v *uint64) bool {
	if len(b) == 0 || len(b) > 20 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return false
		}
		n = n*10 + d
	}
	*v = n
	return true
}

// fastInt parses a JSON integer that fits an int64 into v; "-0" it leaves to the
// slow path.
func fastInt(b []byte, v *int64) bool {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var u uint64
	if !fastUint(b, &u) {
		return false
	}
	switch {
	case neg && u == 0:
		return false
	case neg && u <= 1<<63:
		*v = int64(-u)
	case !neg && u < 1<<63:
		*v = int64(u)
	default:
		return false
	}
	return true
}

// fastField reads the raw value v into e's field f, as decodeField would.
func fastField(e *Event, f Field, v []byte) bool {
	switch p := e.ref(f).(type) {
	case *Source:
		if len(v) < 2 || v[0] != '"' {
			return false
		}
		src, ok := ParseSource(string(v[1 : len(v)-1]))
		*p = src
		return ok
	case *string:
		if len(v) < 2 || v[0] != '"' {
			return false
		}
		*p = string(v[1 : len(v)-1])
	case *bool:
		switch string(v) {
		case "true":
			*p = true
		case "false":
			*p = false
		default:
			return false
		}
	case *uint64:
		return fastUint(v, p)
	case *int:
		var n int64
		if !fastInt(v, &n) || int64(int(n)) != n {
			return false
		}
		*p = int(n)
	case *time.Duration:
		var n int64
		if !fastInt(v, &n) {
			return false
		}
		*p = time.Duration(n)
	default:
		return false
	}
	return true
}
