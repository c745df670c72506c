package traces_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop/traces"
)

// sampleEvents has every kind, phase and source, and every optional field set by
// some event, with the strings that need escaping.
func sampleEvents() []traces.Event {
	ms := time.Millisecond
	ev := []traces.Event{
		{Kind: traces.KindPhase, Phase: traces.PhaseMain},
		{Kind: traces.KindCallback, Phase: traces.PhaseMain, Source: traces.SourceMain},
		{Kind: traces.KindTimerStart, Phase: traces.PhaseMain, ID: 1, Pending: 1, Delay: ms, Deadline: ms},
		{Kind: traces.KindTimerStart, Phase: traces.PhaseMain, ID: 2, Pending: 2, Delay: 5 * ms, Deadline: 5 * ms, Repeat: 5 * ms},
		{Kind: traces.KindImmediateQueue, Phase: traces.PhaseMain, ID: 3, Pending: 3},
		{Kind: traces.KindTickQueue, Phase: traces.PhaseMain, ID: 4, Pending: 3},
		{Kind: traces.KindMicrotaskQueue, Phase: traces.PhaseMain, ID: 5, Pending: 3},
		{Kind: traces.KindPoolSubmit, Phase: traces.PhaseMain, ID: 6, Pending: 4},
		{Kind: traces.KindOpStart, Phase: traces.PhaseMain, ID: 8, Handle: 7, Op: "read", Pending: 5},
		{Kind: traces.KindWatcher, Phase: traces.PhaseMain, ID: 9, Source: traces.SourceIdle, Count: 1, Pending: 6},
		{Kind: traces.KindWatcher, Phase: traces.PhaseMain, ID: 10, Source: traces.SourcePrepare, Count: 1, Pending: 6},
		{Kind: traces.KindWatcher, Phase: traces.PhaseMain, ID: 11, Source: traces.SourceCheck, Count: 1, Pending: 6},
		{Kind: traces.KindCallback, Phase: traces.PhaseMain, ID: 4, Source: traces.SourceNextTick, Pending: 6},
		{Kind: traces.KindCallback, Phase: traces.PhaseMain, ID: 5, Source: traces.SourceMicrotask, Pending: 6},
		{Kind: traces.KindLog, Phase: traces.PhaseMain, Msg: "quote \" backslash \\ newline \n </script><script>alert(1)</script> é \u2028", Pending: 6},

		{Kind: traces.KindChoice, Phase: traces.PhaseMain, Msg: "pool.duration", N: 4901, Count: 0, Pending: 6},
		{Kind: traces.KindTick, Tick: 1, Phase: traces.PhaseTimers, Pending: 6, Time: ms},
		{Kind: traces.KindInput, Tick: 1, Phase: traces.PhaseTimers, Msg: "clock", Input: `{"t":1000000,"note":"</script>"}`, Pending: 6, Time: ms},
		{Kind: traces.KindClock, Tick: 1, Phase: traces.PhaseTimers, Pending: 6, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseTimers, Pending: 5, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseTimers, ID: 1, Source: traces.SourceTimer, Pending: 5, Time: ms},
		{Kind: traces.KindTimerClear, Tick: 1, Phase: traces.PhaseTimers, ID: 2, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhasePending, Pending: 4, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePending, ID: 12, Source: traces.SourcePending, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseIdle, Pending: 4, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseIdle, ID: 9, Source: traces.SourceIdle, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhasePrepare, Pending: 4, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePrepare, ID: 10, Source: traces.SourcePrepare, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhasePoll, Pending: 4, Time: 2 * ms},
		{Kind: traces.KindPoll, Tick: 1, Phase: traces.PhasePoll, Timeout: 0, Count: 1, Pending: 4, Time: 2 * ms},
		{Kind: traces.KindOpComplete, Tick: 1, Phase: traces.PhasePoll, ID: 8, Handle: 7, Op: "read", N: 0, Err: "EOF", Pending: 4, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePoll, ID: 8, Handle: 7, Source: traces.SourceOp, Pending: 3, Time: 2 * ms},
		{Kind: traces.KindWake, Tick: 1, Phase: traces.PhasePoll, Count: 2, Pending: 3, Time: 2 * ms},
		{Kind: traces.KindPoolStart, Tick: 1, Phase: traces.PhasePoll, ID: 6, Worker: 1, Pending: 3, Time: 2 * ms},
		{Kind: traces.KindPoolDone, Tick: 1, Phase: traces.PhasePoll, ID: 6, Worker: 1, Err: "boom", Pending: 3, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePoll, ID: 6, Source: traces.SourcePool, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePoll, ID: 13, Source: traces.SourcePost, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindPoolCancel, Tick: 1, Phase: traces.PhasePoll, ID: 14, Count: 1, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseCheck, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseCheck, ID: 3, Source: traces.SourceImmediate, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseCheck, ID: 11, Source: traces.SourceCheck, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindImmediateClear, Tick: 1, Phase: traces.PhaseCheck, ID: 15, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindClose, Tick: 1, Phase: traces.PhaseCheck, ID: 7, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseClose, Pending: 1, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseClose, ID: 7, Source: traces.SourceClose, Pending: 1, Time: 2 * ms},

		{Kind: traces.KindTick, Tick: 2, Phase: traces.PhaseTimers, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindPhase, Tick: 2, Phase: traces.PhaseTimers, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindCallback, Tick: 2, Phase: traces.PhaseTimers, ID: 2, Source: traces.SourceInterval, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindStop, Tick: 2, Phase: traces.PhaseTimers, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindPhase, Tick: 2, Phase: traces.PhasePoll, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindPoll, Tick: 2, Phase: traces.PhasePoll, Timeout: -1, Count: 0, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindEnd, Tick: 2, Phase: traces.PhasePoll, Op: "run", Count: 1, Err: "stopped", Pending: 1, Time: 7 * ms},
	}
	for i := range ev {
		ev[i].Seq = uint64(i + 1)
	}
	return ev
}

func sampleHeader() traces.Header {
	return traces.Header{Format: traces.Format, Version: traces.Version, Mode: "sim", Seed: 42,
		Config: json.RawMessage(`{"workers":4}`), Scenario: "sample", Go: "go1.26", Module: "(devel)"}
}

// encode writes h and events as a Recorder does.
func encode(t testing.TB, h traces.Header, events []traces.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	r := traces.NewRecorder(&buf, h)
	for _, e := range events {
		r.Event(&e)
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// What the Recorder writes, Decode reads back into the same values: every kind,
// phase, source and field.
func TestDecodeRoundTrip(t *testing.T) {
	events := sampleEvents()
	seen := map[traces.Kind]bool{}
	for _, e := range events {
		seen[e.Kind] = true
	}
	for k := traces.KindTick; ; k++ {
		if _, ok := traces.ParseKind(k.String()); !ok {
			break // past the last kind
		}
		if !seen[k] {
			t.Errorf("the sample has no %s event", k)
		}
	}
	// Every field of Event is set by some event, so none is left out of the
	// round trip.
	typ := reflect.TypeFor[traces.Event]()
	for i := range typ.NumField() {
		if !slices.ContainsFunc(events, func(e traces.Event) bool { return !reflect.ValueOf(e).Field(i).IsZero() }) {
			t.Errorf("no sample event sets %s", typ.Field(i).Name)
		}
	}
	h := sampleHeader()
	data := encode(t, h, events)
	gotH, got, err := traces.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(h, gotH); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(events, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// The streaming decoder gives the same events, then io.EOF, again and again.
	d := traces.NewDecoder(bytes.NewReader(data))
	for i := range events {
		e, err := d.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if e != events[i] {
			t.Fatalf("event %d = %+v, want %+v", i, e, events[i])
		}
	}
	for range 2 {
		if _, err := d.Next(); err != io.EOF {
			t.Fatalf("after the last event Next = %v, want io.EOF", err)
		}
	}
}

// A real trace, as the demo wrote it, decodes, and re-encodes to the same bytes.
func TestDecodeDemoTrace(t *testing.T) {
	data, err := os.ReadFile("testdata/demo.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	h, events, err := traces.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if h.Mode != "real" || h.Scenario != "demo" || len(events) < 50 {
		t.Fatalf("header %+v, %d events", h, len(events))
	}
	if got := encode(t, h, events); !bytes.Equal(got, data) {
		t.Fatalf("re-encoded trace differs:\n%s", cmp.Diff(string(data), string(got)))
	}
}

// A line far longer than bufio.Scanner's default limit decodes.
func TestDecodeLongLine(t *testing.T) {
	msg := strings.Repeat("x", 1<<20)
	events := []traces.Event{{Seq: 1, Kind: traces.KindLog, Msg: msg}, {Seq: 2, Kind: traces.KindEnd}}
	_, got, err := traces.Decode(bytes.NewReader(encode(t, sampleHeader(), events)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Msg != msg {
		t.Fatalf("decoded %d events, first message %d bytes", len(got), len(got[0].Msg))
	}
}

// A last line without its newline is fine when it is whole.
func TestDecodeNoFinalNewline(t *testing.T) {
	data := bytes.TrimSuffix(encode(t, sampleHeader(), sampleEvents()), []byte("\n"))
	if _, got, err := traces.Decode(bytes.NewReader(data)); err != nil || len(got) != len(sampleEvents()) {
		t.Fatalf("Decode = %d events, %v", len(got), err)
	}
}

const header = `{"format":"nodeloop-trace","version":1,"mode":"sim","go":"go1.26","module":"(devel)"}`
const good = `{"seq":1,"tick":0,"phase":"main","kind":"phase","id":0,"pending":0,"t":0}`

// Malformed input is an error naming the line, never a panic.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the error's text
	}{
		{"empty file", ``, `trace line 1: empty trace: no header line`},
		{"header not JSON", "nope\n", `trace line 1: header: malformed JSON`},
		{"header is an array", "[1]\n", `trace line 1: header: a JSON array where an object was expected`},
		{"wrong format", `{"format":"other","version":1}` + "\n", `trace line 1: format "other", want "nodeloop-trace"`},
		{"future version", `{"format":"nodeloop-trace","version":2}` + "\n", `trace line 1: version 2 is newer than this reader's 1`},
		{"no version", `{"format":"nodeloop-trace"}` + "\n", `trace line 1: version 0, want 1 to 1`},
		{"truncated header", `{"format":"nodeloop-trace","vers`, `trace line 1: truncated: the last line is incomplete`},
		{"malformed event", header + "\n" + good + "\n{\"seq\":2,\n", `trace line 3: malformed JSON`},
		{"truncated last line", header + "\n" + good + "\n" + `{"seq":2,"tick":0,"pha`, `trace line 3: truncated: the last line is incomplete`},
		{"empty line", header + "\n\n" + good + "\n", `trace line 2: empty line`},
		{"unknown kind", header + "\n" + strings.Replace(good, `"phase","id"`, `"bogus","id"`, 1) + "\n", `trace line 2: unknown kind "bogus"`},
		{"invalid kind", header + "\n" + strings.Replace(good, `"phase","id"`, `"invalid","id"`, 1) + "\n", `trace line 2: unknown kind "invalid"`},
		{"unknown phase", header + "\n" + strings.Replace(good, `"main"`, `"lunch"`, 1) + "\n", `trace line 2: unknown phase "lunch"`},
		{"unknown source", header + "\n" + strings.Replace(good, `"t":0`, `"t":0,"source":"moon"`, 1) + "\n", `trace line 2: unknown source "moon"`},
		{"missing seq", header + "\n" + strings.Replace(good, `"seq":1,`, ``, 1) + "\n", `trace line 2: missing field "seq"`},
		{"missing tick", header + "\n" + strings.Replace(good, `"tick":0,`, ``, 1) + "\n", `trace line 2: missing field "tick"`},
		{"missing phase", header + "\n" + strings.Replace(good, `"phase":"main",`, ``, 1) + "\n", `trace line 2: missing field "phase"`},
		{"missing kind", header + "\n" + strings.Replace(good, `"kind":"phase",`, ``, 1) + "\n", `trace line 2: missing field "kind"`},
		{"missing id", header + "\n" + strings.Replace(good, `"id":0,`, ``, 1) + "\n", `trace line 2: missing field "id"`},
		{"missing pending", header + "\n" + strings.Replace(good, `"pending":0,`, ``, 1) + "\n", `trace line 2: missing field "pending"`},
		{"missing t", header + "\n" + strings.Replace(good, `,"t":0`, ``, 1) + "\n", `trace line 2: missing field "t"`},
		{"null event", header + "\n" + good + "\nnull\n", `trace line 3: missing field "seq"`},
		{"string seq", header + "\n" + strings.Replace(good, `"seq":1`, `"seq":"1"`, 1) + "\n", `trace line 2: field "seq": a JSON string where a non-negative integer was expected`},
		{"negative id", header + "\n" + strings.Replace(good, `"id":0`, `"id":-1`, 1) + "\n", `trace line 2: field "id": a JSON number -1 where a non-negative integer was expected`},
		{"fractional t", header + "\n" + strings.Replace(good, `"t":0`, `"t":1.5`, 1) + "\n", `trace line 2: field "t": a JSON number 1.5 where an integer was expected`},
		{"random bytes", header + "\n" + good + "\n\x00\xff\x13garbage{]\n", `trace line 3: malformed JSON`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := traces.Decode(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("Decode succeeded, want %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Decode error\n%q\nwant it to start with\n%q", err.Error(), tc.want)
			}
			var le *traces.LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not a *traces.LineError", err)
			}
			// The streaming decoder reports the same error, and keeps reporting it.
			d := traces.NewDecoder(strings.NewReader(tc.in))
			var last error
			for range 100 {
				if _, last = d.Next(); last != nil {
					break
				}
			}
			if last == nil || last.Error() != err.Error() {
				t.Fatalf("Decoder.Next = %v, want %v", last, err)
			}
			if _, again := d.Next(); again == nil || again.Error() != err.Error() {
				t.Fatalf("Next after the error = %v, want %v", again, err)
			}
		})
	}
}

// A read error from the underlying reader names the line it was reading.
func TestDecodeReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(header+"\n"+good+"\n"), errReader{boom})
	_, _, err := traces.Decode(r)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "trace line 3: ") {
		t.Fatalf("Decode = %v, want line 3 and the read error", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// Whatever bytes the decoder is given, it never panics, and whatever it decodes
// re-encodes to a trace that decodes to the same events.
func FuzzDecode(f *testing.F) {
	// A few real lines each: whole traces make every step of minimizing slow.
	for _, name := range []string{"testdata/demo.jsonl", "testdata/sim.jsonl"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 8)], nil))
	}
	sample := bytes.SplitAfter(encode(f, sampleHeader(), sampleEvents()), []byte("\n"))
	f.Add(bytes.Join(sample[:12], nil))
	f.Add(bytes.Join(append(sample[:1:1], sample[28:40]...), nil))
	f.Add([]byte(header + "\n" + good))
	f.Add([]byte(header + "\n" + good + "\n" + `{"seq":2,"tick":0,"pha`))
	f.Add([]byte(""))
	f.Add([]byte("\x00\xff{]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, events, err := traces.Decode(bytes.NewReader(data))
		if err != nil {
			var le *traces.LineError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("error %v does not name a line", err)
			}
			return
		}
		again := encode(t, h, events)
		h2, events2, err := traces.Decode(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-encoded trace does not decode: %v\n%s", err, again)
		}
		if diff := cmp.Diff(events, events2); diff != "" {
			t.Fatalf("events changed in a round trip (-first +second):\n%s", diff)
		}
		if h.Format != h2.Format || h.Version != h2.Version || h.Mode != h2.Mode || h.Seed != h2.Seed ||
			h.Scenario != h2.Scenario || h.Go != h2.Go || h.Module != h2.Module {
			t.Fatalf("header changed in a round trip: %+v then %+v", h, h2)
		}
		// The exports take anything that decodes.
		if err := traces.WriteChrome(io.Discard, h, events); err != nil {
			t.Fatalf("WriteChrome: %v", err)
		}
		if err := traces.WriteHTML(io.Discard, h, events); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
	})
}
