package traces_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// Every event encodes as one JSON object that encoding/json reads back to the same
// values, whatever bytes its strings hold.
func TestAppendJSONRoundTrip(t *testing.T) {
	for _, e := range []traces.Event{
		{Seq: 1, Kind: traces.KindTick, Tick: 1, Phase: traces.PhaseTimers},
		{Seq: 2, Kind: traces.KindPoll, Phase: traces.PhasePoll, Timeout: -1, Count: 0, Pending: 3, Time: 5 * time.Millisecond},
		{Seq: 3, Kind: traces.KindLog, Msg: "quote \" backslash \\ newline \n tab \t <html> & nul \x00 bad \xff utf8 é \u2028"},
		{Seq: 4, Kind: traces.KindOpComplete, ID: 9, Op: "read", N: 0, Err: "EOF"},
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
		r.Event(traces.Event{Seq: uint64(i), Kind: traces.KindLog, Msg: "x"})
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], `{"format":"nodeloop-trace","version":1,"mode":"real"`) {
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
	r.Event(traces.Event{Seq: 1, Kind: traces.KindEnd})
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
