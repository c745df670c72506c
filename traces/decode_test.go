package traces_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/internal/tracetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// testdata/sample.jsonl, which the exporters' tests read, is the sample trace
// written out (and rewritten with -update).
func TestSampleFile(t *testing.T) {
	sample := tracetest.Encode(t, tracetest.SampleHeader(), tracetest.SampleEvents())
	if *update {
		if err := os.WriteFile("testdata/sample.jsonl", sample, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile("testdata/sample.jsonl"); err != nil || !bytes.Equal(got, sample) {
		t.Fatalf("testdata/sample.jsonl is not the sample events (%v); run go test -update", err)
	}
}

// What the Recorder writes, Decode reads back into the same values: every kind,
// phase, source and field.
func TestDecodeRoundTrip(t *testing.T) {
	// The sample is one loop's; a world's event names its host, and a message
	// between two hosts is an event of the world's own.
	events := tracetest.SampleEvents()
	last := events[len(events)-1]
	events = append(events, traces.Event{Seq: last.Seq + 1, Tick: last.Tick, Phase: traces.PhasePoll, Kind: traces.KindLog, Time: last.Time, Msg: "hi", Host: "db1"},
		traces.Event{Seq: 1, Kind: traces.KindMessage, ID: 1, Time: 3_000_000, Bytes: 5, From: "client", To: "db1", Sent: 2_000_000, Segment: "data"})
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
	h := tracetest.SampleHeader()
	h.Hosts = []string{"db1", "client"}
	data := tracetest.Encode(t, h, events)
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
	if got := tracetest.Encode(t, h, events); !bytes.Equal(got, data) {
		t.Fatalf("re-encoded trace differs:\n%s", cmp.Diff(string(data), string(got)))
	}
}

// A line far longer than bufio.Scanner's default limit decodes.
func TestDecodeLongLine(t *testing.T) {
	msg := strings.Repeat("x", 1<<20)
	events := []traces.Event{{Seq: 1, Kind: traces.KindLog, Msg: msg}, {Seq: 2, Kind: traces.KindEnd}}
	_, got, err := traces.Decode(bytes.NewReader(tracetest.Encode(t, tracetest.SampleHeader(), events)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Msg != msg {
		t.Fatalf("decoded %d events, first message %d bytes", len(got), len(got[0].Msg))
	}
}

// A last line without its newline is fine when it is whole.
func TestDecodeNoFinalNewline(t *testing.T) {
	data := bytes.TrimSuffix(tracetest.Encode(t, tracetest.SampleHeader(), tracetest.SampleEvents()), []byte("\n"))
	if _, got, err := traces.Decode(bytes.NewReader(data)); err != nil || len(got) != len(tracetest.SampleEvents()) {
		t.Fatalf("Decode = %d events, %v", len(got), err)
	}
}

const header = `{"format":"nodeloop-trace","version":2,"mode":"sim","go":"go1.26","module":"(devel)"}`
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
		{"future version", `{"format":"nodeloop-trace","version":3}` + "\n", `trace line 1: version 3 is newer than this reader's 2`},
		{"no version", `{"format":"nodeloop-trace"}` + "\n", `trace line 1: version 0, want 1 to 2`},
		{"truncated header", `{"format":"nodeloop-trace","vers`, `trace line 1: truncated: the last line is incomplete`},
		{"malformed event", header + "\n" + good + "\n{\"seq\":2,\n", `trace line 3: malformed JSON`},
		{"truncated last line", header + "\n" + good + "\n" + `{"seq":2,"tick":0,"pha`, `trace line 3: truncated: the last line is incomplete`},
		{"empty line", header + "\n\n" + good + "\n", `trace line 2: empty line`},
		{"unknown kind", header + "\n" + strings.Replace(good, `"phase","id"`, `"bogus","id"`, 1) + "\n", `trace line 2: unknown kind "bogus"`},
		{"invalid kind", header + "\n" + strings.Replace(good, `"phase","id"`, `"invalid","id"`, 1) + "\n", `trace line 2: unknown kind "invalid"`},
		{"unknown phase", header + "\n" + strings.Replace(good, `"main"`, `"lunch"`, 1) + "\n", `trace line 2: unknown phase "lunch"`},
		{"unknown source", header + "\n" + strings.Replace(good, `"phase","id":0,"pending":0,"t":0`, `"callback","id":0,"pending":0,"t":0,"source":"moon"`, 1) + "\n", `trace line 2: unknown source "moon"`},
		{"unknown source, version 1", strings.Replace(header, `"version":2`, `"version":1`, 1) + "\n" + strings.Replace(good, `"t":0`, `"t":0,"source":"moon"`, 1) + "\n", `trace line 2: unknown source "moon"`},
		{"field of another kind", header + "\n" + strings.Replace(good, `"t":0`, `"t":0,"msg":"hi"`, 1) + "\n", `trace line 2: a phase event has no field "msg"`},
		{"version 1 field", header + "\n" + strings.Replace(good, `"phase","id":0,"pending":0,"t":0`, `"poll","id":0,"pending":0,"t":0,"count":1`, 1) + "\n", `trace line 2: unknown field "count"`},
		{"number for a boolean", header + "\n" + strings.Replace(good, `"phase","id":0,"pending":0,"t":0`, `"watcher","id":0,"pending":0,"t":0,"active":1`, 1) + "\n", `trace line 2: field "active": a JSON number where true or false was expected`},
		{"string for a duration", header + "\n" + strings.Replace(good, `"phase","id":0,"pending":0,"t":0`, `"poll","id":0,"pending":0,"t":0,"timeout":"1s"`, 1) + "\n", `trace line 2: field "timeout": a JSON string where an integer was expected`},
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
	sample := bytes.SplitAfter(tracetest.Encode(f, tracetest.SampleHeader(), tracetest.SampleEvents()), []byte("\n"))
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
		again := tracetest.Encode(t, h, events)
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
	})
}

// A version 1 trace, where count, op, n, msg and input meant different things for
// different kinds, decodes into the fields of today's events: the sample as version
// 1 wrote it is the sample (its pool_start taken to start when it was written), and
// the demo trace is the one converted to the current version.
func TestDecodeVersion1(t *testing.T) {
	data, err := os.ReadFile("testdata/v1/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	h, got, err := traces.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 1 {
		t.Fatalf("testdata/v1/sample.jsonl has version %d", h.Version)
	}
	want := tracetest.SampleEvents()
	for i := range want {
		if want[i].Kind == traces.KindPoolStart {
			want[i].Started = want[i].Time
		}
		want[i].Name, want[i].Site = "", "" // version 1 had no names of a host's handles
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("version 1 sample (-want +got):\n%s", diff)
	}

	for _, name := range []string{"demo.jsonl"} {
		v1, err := os.ReadFile("testdata/v1/" + name)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		_, old, err := traces.Decode(bytes.NewReader(v1))
		if err != nil {
			t.Fatal(err)
		}
		_, now, err := traces.Decode(bytes.NewReader(v2))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(now, old); diff != "" {
			t.Errorf("%s: version 1 (-current +version 1):\n%s", name, diff)
		}
	}

	// A version 1 line with a field its kind had no use for is an error.
	header := `{"format":"nodeloop-trace","version":1,"mode":"sim","go":"go","module":"m"}`
	for _, line := range []string{
		`{"seq":1,"tick":0,"phase":"main","kind":"tick","id":0,"pending":0,"t":0,"count":1}`,
		`{"seq":1,"tick":0,"phase":"main","kind":"log","id":0,"pending":0,"t":0,"n":1}`,
		`{"seq":1,"tick":0,"phase":"main","kind":"poll","id":0,"pending":0,"t":0,"worker":1}`,
	} {
		_, _, err := traces.Decode(strings.NewReader(header + "\n" + line + "\n"))
		var le *traces.LineError
		if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), "has no field") {
			t.Errorf("%s: %v, want an error on line 2 about a field", line, err)
		}
	}
}
