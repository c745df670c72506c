package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// The choice log file: JSON Lines, a header and then one choice a line, in the order
// the run made them.
//
//	{"format":"nodeloop-choices","version":1,"seed":7,"scenario":"echo","config":{…}}
//	{"what":"net.latency","n":1991,"value":12}
//	{"what":"user.requests","n":4,"value":3}
const (
	ChoicesFormat  = "nodeloop-choices" // the header's format
	ChoicesVersion = 1                  // the header's version, which ReadChoices reads
)

// choiceLineMax bounds one line of a choice log file; a choice's line is far
// shorter, the header holds the configuration.
const choiceLineMax = 1 << 20

// ChoicesHeader is the first line of a choice log file: its format and version, and
// what the run was, so that the log alone can repeat it.
type ChoicesHeader struct {
	Format  string `json:"format"`  // always ChoicesFormat
	Version int    `json:"version"` // always ChoicesVersion when written
	// Seed is the run's seed. A replay keeps it although the log decides, since the
	// Result names it.
	Seed uint64 `json:"seed,omitempty"`
	// Scenario names the program, if it has a name.
	Scenario string `json:"scenario,omitempty"`
	// Config is the run's configuration, as a simulated trace's header records it
	// (see HeaderConfig), if it was written with one.
	Config json.RawMessage `json:"config,omitempty"`
}

// NewChoicesHeader returns the header of the choice log of res, a run of cfg: its
// seed, cfg.Scenario, and the configuration with the faults in force (res.Faults,
// after Swarm drew them), as a trace's header has it.
func NewChoicesHeader(cfg Config, res *Result) ChoicesHeader {
	h := ChoicesHeader{Format: ChoicesFormat, Version: ChoicesVersion, Seed: res.Seed, Scenario: cfg.Scenario}
	h.Config, _ = json.Marshal(headerConfig(withDefaults(cfg), res.Faults))
	return h
}

// WriteChoices writes h and then log to w as a choice log file, one JSON line each.
// An empty Format or Version in h is filled in. The error is w's.
func WriteChoices(w io.Writer, h ChoicesHeader, log []Choice) error {
	if h.Format == "" {
		h.Format = ChoicesFormat
	}
	if h.Version == 0 {
		h.Version = ChoicesVersion
	}
	head, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("sim: choice log header: %w", err)
	}
	bw := bufio.NewWriter(w)
	bw.Write(head)
	bw.WriteByte('\n')
	line := make([]byte, 0, 64)
	for _, c := range log {
		line = append(line[:0], `{"what":`...)
		what, _ := json.Marshal(c.What) // a string always marshals
		line = append(line, what...)
		line = append(line, `,"n":`...)
		line = strconv.AppendInt(line, int64(c.N), 10)
		line = append(line, `,"value":`...)
		line = strconv.AppendInt(line, int64(c.Value), 10)
		line = append(line, "}\n"...)
		bw.Write(line)
	}
	return bw.Flush()
}

// ChoicesError is a choice log file that cannot be read: the line, counted from 1,
// and what is wrong with it.
type ChoicesError struct {
	Line int
	Err  error
}

func (e *ChoicesError) Error() string {
	return fmt.Sprintf("choice log line %d: %v", e.Line, e.Err)
}

func (e *ChoicesError) Unwrap() error { return e.Err }

// ReadChoices reads a choice log file that WriteChoices wrote: its header and its
// choices. A file of another format or a newer version, a line that is not a choice
// (a label, n of at least 1 and a value from 0 to n-1, and no other field), or a
// failing reader is an error; one of the file's content is a *ChoicesError naming
// the line.
func ReadChoices(r io.Reader) (ChoicesHeader, []Choice, error) {
	var h ChoicesHeader
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), choiceLineMax)
	line := 0
	bad := func(format string, args ...any) error {
		return &ChoicesError{Line: line, Err: fmt.Errorf(format, args...)}
	}
	var log []Choice
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			if err := json.Unmarshal(b, &h); err != nil {
				return h, nil, bad("not a choice log header: %v", err)
			}
			switch {
			case h.Format != ChoicesFormat:
				return h, nil, bad("format %q, not %q: not a choice log", h.Format, ChoicesFormat)
			case h.Version < 1 || h.Version > ChoicesVersion:
				return h, nil, bad("version %d; this nodeloop reads version %d", h.Version, ChoicesVersion)
			}
			continue
		}
		c, err := parseChoiceLine(b)
		if err != nil {
			return h, nil, bad("%v", err)
		}
		log = append(log, c)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return h, nil, &ChoicesError{Line: line + 1, Err: fmt.Errorf("longer than %d bytes", choiceLineMax)}
		}
		return h, nil, fmt.Errorf("reading the choice log: %w", err)
	}
	if line == 0 {
		return h, nil, &ChoicesError{Line: 1, Err: errors.New("the file is empty: no header")}
	}
	return h, log, nil
}

// parseChoiceLine reads one {"what":…,"n":…,"value":…} line, every field present.
func parseChoiceLine(b []byte) (Choice, error) {
	var v struct {
		What  *string `json:"what"`
		N     *int    `json:"n"`
		Value *int    `json:"value"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Choice{}, fmt.Errorf("not a choice: %q is a JSON %s, want %v", te.Field, te.Value, te.Type)
		}
		if errors.As(err, &te) {
			return Choice{}, fmt.Errorf(`not a choice: a JSON %s, want an object of "what", "n" and "value"`, te.Value)
		}
		return Choice{}, fmt.Errorf("not a choice: %v", err)
	}
	if dec.More() {
		return Choice{}, errors.New("more than one value on the line")
	}
	switch {
	case v.What == nil || *v.What == "":
		return Choice{}, errors.New(`no "what": a choice names what it decides`)
	case v.N == nil:
		return Choice{}, fmt.Errorf(`choice %q has no "n", its number of options`, *v.What)
	case v.Value == nil:
		return Choice{}, fmt.Errorf(`choice %q has no "value", the option taken`, *v.What)
	case *v.N < 1:
		return Choice{}, fmt.Errorf("choice %q has %d options; a choice has at least 1", *v.What, *v.N)
	case *v.Value < 0 || *v.Value >= *v.N:
		return Choice{}, fmt.Errorf("choice %q took option %d of %d; options go from 0 to %d", *v.What, *v.Value, *v.N, *v.N-1)
	}
	return Choice{What: *v.What, N: *v.N, Value: *v.Value}, nil
}

// headerConfigJSON is what headerConfig writes, read back.
type headerConfigJSON struct {
	Workers      int               `json:"workers"`
	Latency      []int64           `json:"latency"`
	JobTime      []int64           `json:"job_time"`
	CallbackCost []int64           `json:"callback_cost"`
	Faults       string            `json:"faults"`
	Swarm        bool              `json:"swarm"`
	TimeLimit    int64             `json:"time_limit"`
	StepLimit    uint64            `json:"step_limit"`
	Program      map[string]string `json:"program"`
}

// HeaderConfig returns the Config that config, the configuration of a simulated
// trace's header or of a choice log's, records: workers, latency, job time,
// callback cost, faults, limits, the program's settings. Its Faults are those that were in force and its
// Swarm is off, since the faults were drawn already: a run of it with the recorded
// choices (Config.Choices) is the recorded run. An empty config is the zero Config.
// Fields it does not know are ignored; a known field of the wrong shape, a range
// that ends before it starts or faults ParseFaults refuses is an error that names it.
func HeaderConfig(config json.RawMessage) (Config, error) {
	var cfg Config
	if len(bytes.TrimSpace(config)) == 0 {
		return cfg, nil
	}
	var v headerConfigJSON
	if err := json.Unmarshal(config, &v); err != nil {
		return cfg, fmt.Errorf("sim: the header's config: %v", err)
	}
	ranges := []struct {
		name string
		in   []int64
		out  *Range
	}{
		{"latency", v.Latency, &cfg.Latency},
		{"job_time", v.JobTime, &cfg.JobTime},
		{"callback_cost", v.CallbackCost, &cfg.CallbackCost},
	}
	for _, r := range ranges {
		switch {
		case r.in == nil:
			continue
		case len(r.in) != 2:
			return Config{}, fmt.Errorf("sim: the header's config: %s has %d values, not [min, max] in nanoseconds", r.name, len(r.in))
		case r.in[0] < 0 || r.in[1] < r.in[0]:
			return Config{}, fmt.Errorf("sim: the header's config: %s [%d, %d] is not a range of durations from min to max", r.name, r.in[0], r.in[1])
		}
		*r.out = Range{Min: time.Duration(r.in[0]), Max: time.Duration(r.in[1])}
	}
	if v.Workers < 0 || v.TimeLimit < 0 {
		return Config{}, fmt.Errorf("sim: the header's config: workers %d and time_limit %d cannot be negative", v.Workers, v.TimeLimit)
	}
	faults, err := ParseFaults(v.Faults)
	if err != nil {
		return Config{}, fmt.Errorf("sim: the header's config: %v", err)
	}
	cfg.Workers, cfg.Faults = v.Workers, faults
	cfg.TimeLimit, cfg.StepLimit = time.Duration(v.TimeLimit), v.StepLimit
	if len(v.Program) > 0 {
		cfg.Program = v.Program
	}
	return cfg, nil
}
