package traces_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop/traces"
)

// Every event encodes as one JSON object that encoding/json reads back to the same
// values, whatever bytes its strings hold.
func TestAppendJSONRoundTrip(t *testing.T) {
	for _, e := range []traces.Event{
		{Seq: 1, Kind: traces.KindTick, Tick: 1, Phase: traces.PhaseTimers},
		{Seq: 2, Kind: traces.KindPoll, Phase: traces.PhasePoll, Timeout: -1, Completions: 0, Pending: 3, Time: 5 * time.Millisecond},
		{Seq: 3, Kind: traces.KindLog, Msg: "quote \" backslash \\ newline \n tab \t <html> & nul \x00 bad \xff utf8 é \u2028"},
		{Seq: 4, Kind: traces.KindOpComplete, ID: 9, Op: "read", Bytes: 0, Err: "EOF"},
		{Seq: 5, Kind: traces.KindPoolDone, ID: 1<<64 - 1, Worker: 1024},
	} {
		line := traces.AppendJSON(nil, &e)
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if m["kind"] != e.Kind.String() || m["phase"] != e.Phase.String() {
			t.Fatalf("%s: kind %v phase %v", line, m["kind"], m["phase"])
		}
		if e.Msg != "" && m["msg"] != strings.ToValidUTF8(e.Msg, "\ufffd") {
			t.Fatalf("msg round-tripped as %q", m["msg"])
		}
		if bytes.Contains(line, []byte("\n")) {
			t.Fatalf("encoded event holds a newline: %q", line)
		}
	}
}

// The recorder writes the header, then one line per event, and keeps them in memory
// when asked.
func TestRecorderStreams(t *testing.T) {
	var buf bytes.Buffer
	r := traces.NewRecorder(&buf, traces.NewHeader("real")).Keep()
	for i := 1; i <= 3; i++ {
		r.Event(&traces.Event{Seq: uint64(i), Kind: traces.KindLog, Msg: "x"})
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], `{"format":"nodeloop-trace","version":2,"mode":"real"`) {
		t.Fatalf("trace:\n%s", buf.String())
	}
	if len(r.Events()) != 3 {
		t.Fatalf("kept %d events", len(r.Events()))
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// A write error is kept and returned by Flush.
func TestRecorderWriteError(t *testing.T) {
	r := traces.NewRecorder(failing{}, traces.NewHeader("sim"))
	r.Event(&traces.Event{Seq: 1, Kind: traces.KindEnd})
	if err := r.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush = %v, want the write error", err)
	}
}

// Names parse back.
func TestNamesRoundTrip(t *testing.T) {
	for k := traces.KindTick; k <= traces.KindInput; k++ {
		if got, ok := traces.ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	for p := traces.PhaseMain; p <= traces.PhaseClose; p++ {
		if got, ok := traces.ParsePhase(p.String()); !ok || got != p {
			t.Errorf("ParsePhase(%q) = %v, %v", p.String(), got, ok)
		}
	}
	for s := traces.SourceMain; s <= traces.SourcePending; s++ {
		if got, ok := traces.ParseSource(s.String()); !ok || got != s {
			t.Errorf("ParseSource(%q) = %v, %v", s.String(), got, ok)
		}
	}
}

// A Recorder copies repeated fields and counts the sequence up in place; each line it
// streams must still be the line AppendJSON writes for the event alone, across carries
// (9 to 10, 999 to 1000), jumps, repeats, negative values and the largest ones.
func TestRecorderLinesEqualAppendJSON(t *testing.T) {
	seqs := []uint64{1, 2, 8, 9, 10, 11, 99, 100, 101, 998, 999, 1000, 1001, 1001, 7, 0, 1, 1<<63 - 2, 1<<63 - 1, 1 << 63, 1<<64 - 1, 3}
	var events []traces.Event
	for i, s := range seqs {
		events = append(events, traces.Event{
			Seq: s, Tick: uint64(i / 3), Phase: traces.Phase(i % 9), Kind: traces.Kind(i % 28),
			ID: uint64(i * 7), Pending: 5 - i, Time: time.Duration(i/2) * 999_999,
		})
	}
	events = append(events,
		traces.Event{Seq: 4, Tick: 1<<64 - 1, Pending: -1 << 63, Time: -1 << 63},
		traces.Event{Seq: 5, Tick: 1<<64 - 1, Pending: 1<<63 - 1, Time: 1<<63 - 1})
	recordAndCompare(t, events)
}

// recordAndCompare streams events through one Recorder, requires each line to be
// what AppendJSON writes for its event alone, and returns the whole trace.
func recordAndCompare(t *testing.T, events []traces.Event) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	r := traces.NewRecorder(&buf, traces.NewHeader("real"))
	for i := range events {
		r.Event(&events[i])
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")[1:]
	if len(lines) != len(events) {
		t.Fatalf("%d lines for %d events", len(lines), len(events))
	}
	for i := range events {
		if want := string(traces.AppendJSON(nil, &events[i])); lines[i] != want {
			t.Fatalf("event %d:\n got %s\nwant %s", i, lines[i], want)
		}
	}
	return &buf
}

// BenchmarkRecorderTurn streams the six events one turn of a chain of immediates
// writes (tick, poll phase, poll, check phase, callback, immediate queued); one op is
// one turn.
func BenchmarkRecorderTurn(b *testing.B) {
	r := traces.NewRecorder(io.Discard, traces.NewHeader("real"))
	var seq uint64
	ev := func(e traces.Event) {
		seq++
		e.Seq = seq
		r.Event(&e)
	}
	b.ReportAllocs()
	for i := range b.N {
		tick, t := uint64(i+1), time.Duration(i)*137+1_000_000_000
		ev(traces.Event{Tick: tick, Phase: traces.PhaseTimers, Kind: traces.KindTick, Pending: 1, Time: t})
		t += 91
		ev(traces.Event{Tick: tick, Phase: traces.PhasePoll, Kind: traces.KindPhase, Pending: 1, Time: t})
		ev(traces.Event{Tick: tick, Phase: traces.PhasePoll, Kind: traces.KindPoll, Pending: 1, Time: t})
		ev(traces.Event{Tick: tick, Phase: traces.PhaseCheck, Kind: traces.KindPhase, Time: t})
		ev(traces.Event{Tick: tick, Phase: traces.PhaseCheck, Kind: traces.KindCallback, ID: tick, Source: traces.SourceImmediate, Time: t})
		ev(traces.Event{Tick: tick, Phase: traces.PhaseCheck, Kind: traces.KindImmediateQueue, ID: tick + 1, Pending: 1, Time: t})
	}
	if err := r.Flush(); err != nil {
		b.Fatal(err)
	}
}

// The same over a long random walk of numbers that mostly move by a little, as a
// loop's do, so that every way the recorder rewrites a number is taken many times.
func TestRecorderLinesEqualAppendJSONRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	step := func(v int64) int64 {
		switch rng.IntN(8) {
		case 0:
			return v
		case 1, 2:
			return v + 1
		case 3:
			return v + rng.Int64N(20_000)
		case 4:
			return v - rng.Int64N(20)
		case 5:
			return rng.Int64N(100) - 10
		default:
			return v + rng.Int64N(100)
		}
	}
	var events []traces.Event
	var seq, tick, id, pending, tm int64 = 1, 0, 0, 0, 999_990
	for range 20_000 {
		seq, tick, id, pending, tm = step(seq), step(tick), step(id), step(pending), step(tm)
		e := traces.Event{
			Seq: uint64(max(seq, 0)), Tick: uint64(max(tick, 0)), ID: uint64(max(id, 0)),
			Phase: traces.Phase(rng.IntN(8)), Kind: traces.Kind(1 + rng.IntN(25)),
			Pending: int(pending), Time: time.Duration(tm),
		}
		if rng.IntN(2) == 0 {
			e.Source = traces.Source(rng.IntN(15))
		}
		if !e.Kind.Has(traces.FieldSource) {
			e.Source = traces.SourceNone
		}
		for _, f := range e.Kind.Fields() {
			if f != traces.FieldSource && rng.IntN(2) == 0 {
				setField(t, &e, f, rng.IntN(3))
			}
		}
		events = append(events, e)
	}
	buf := recordAndCompare(t, events)
	_, back, err := traces.Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(events, back); diff != "" {
		t.Fatalf("decoded events differ (-recorded +decoded):\n%s", diff)
	}
}

// AppendJSON does not allocate when the buffer has room.
func TestAppendJSONAllocs(t *testing.T) {
	e := traces.Event{Seq: 12345, Tick: 7, Kind: traces.KindCallback, Source: traces.SourceTimer, ID: 99, Time: 123456789}
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { buf = traces.AppendJSON(buf[:0], &e) }); n != 0 {
		t.Fatalf("AppendJSON allocates %v times per call", n)
	}
}
