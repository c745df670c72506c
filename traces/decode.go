package traces

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
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
	e, err := decodeEvent(line)
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

// wireEvent is an event line as JSON has it. The fields every event has are
// pointers, so a missing one is told from a zero one.
type wireEvent struct {
	Seq     *uint64 `json:"seq"`
	Tick    *uint64 `json:"tick"`
	Phase   *string `json:"phase"`
	Kind    *string `json:"kind"`
	ID      *uint64 `json:"id"`
	Pending *int    `json:"pending"`
	T       *int64  `json:"t"`

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

// decodeEvent turns one line into an event.
func decodeEvent(line []byte) (Event, error) {
	var w wireEvent
	if err := json.Unmarshal(line, &w); err != nil {
		return Event{}, cleanJSONError(err)
	}
	switch {
	case w.Seq == nil:
		return Event{}, missing("seq")
	case w.Tick == nil:
		return Event{}, missing("tick")
	case w.Phase == nil:
		return Event{}, missing("phase")
	case w.Kind == nil:
		return Event{}, missing("kind")
	case w.ID == nil:
		return Event{}, missing("id")
	case w.Pending == nil:
		return Event{}, missing("pending")
	case w.T == nil:
		return Event{}, missing("t")
	}
	kind, ok := ParseKind(*w.Kind)
	if !ok {
		return Event{}, fmt.Errorf("unknown kind %q", *w.Kind)
	}
	phase, ok := ParsePhase(*w.Phase)
	if !ok {
		return Event{}, fmt.Errorf("unknown phase %q", *w.Phase)
	}
	source, ok := ParseSource(w.Source)
	if !ok {
		return Event{}, fmt.Errorf("unknown source %q", w.Source)
	}
	return Event{
		Seq:      *w.Seq,
		Tick:     *w.Tick,
		Phase:    phase,
		Kind:     kind,
		ID:       *w.ID,
		Pending:  *w.Pending,
		Time:     time.Duration(*w.T),
		Source:   source,
		Handle:   w.Handle,
		Worker:   w.Worker,
		Timeout:  time.Duration(w.Timeout),
		Count:    w.Count,
		Delay:    time.Duration(w.Delay),
		Deadline: time.Duration(w.Deadline),
		Repeat:   time.Duration(w.Repeat),
		Op:       w.Op,
		N:        w.N,
		Err:      w.Err,
		Msg:      w.Msg,
		Input:    w.Input,
	}, nil
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
