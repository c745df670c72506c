package replay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/replay"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/traces"
)

// recordings are real runs Record wrote, of the scenarios they are named after.
var recordings = []string{"testdata/echo.jsonl", "testdata/demo.jsonl"}

// replayable are the scenarios a recording may name for a replay in these tests:
// those whose work touches nothing outside the loop.
var replayable = map[string]bool{"echo": true, "demo": true}

func readRecording(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// splitLines splits a trace into its lines, each with its newline.
func splitLines(data []byte) [][]byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func decode(t testing.TB, data []byte) (traces.Header, []traces.Event) {
	t.Helper()
	h, events, err := traces.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return h, events
}

// replayScenario replays events as a run of the scenario the header names.
func replayScenario(h traces.Header, events []traces.Event) ([]traces.Event, error) {
	sc, _ := scenarios.Lookup(h.Scenario)
	return replay.Replay(events, func(l *nodeloop.Loop) { sc.Main(l, discard{})() })
}

// The recordings in testdata replay identically: they are the seeds of the tests
// below, and must be good ones.
func TestReplayRecordings(t *testing.T) {
	for _, name := range recordings {
		h, events := decode(t, readRecording(t, name))
		got, err := replayScenario(h, events)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(events, got); diff != "" {
			t.Fatalf("%s: replay differs (-recorded +replayed):\n%s", name, diff)
		}
	}
}

// A recording cut after any of its lines, the header-only one included, replays
// into a *DivergedError naming the last line, or, cut after its last input, into no
// error: never a panic.
func TestReplayCutRecording(t *testing.T) {
	for _, name := range recordings {
		lines := splitLines(readRecording(t, name))
		diverged := 0
		for n := 1; n <= len(lines); n++ {
			h, events := decode(t, bytes.Join(lines[:n], nil))
			_, err := replayScenario(h, events)
			if err == nil {
				continue
			}
			var de *replay.DivergedError
			if !errors.As(err, &de) || de.Line != n {
				t.Fatalf("%s cut after line %d: %v; want a *DivergedError naming line %d", name, n, err, n)
			}
			if n == 1 && (de.What != "clock" || de.Index != 0) {
				t.Fatalf("%s, header only: %v; want the first clock reading missing", name, err)
			}
			diverged++
		}
		if diverged == 0 {
			t.Fatalf("%s: no cut diverged", name)
		}
		t.Logf("%s: %d of %d cuts diverged", name, diverged, len(lines))
	}
}

// A hand-edited recording replays into a *DivergedError naming the edited line and
// what is wrong with it.
func TestReplayEditedRecording(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		edit       func(t *testing.T, ev []traces.Event) int // returns the index of the edited event
		want       string                                    // in the error's Why
	}{
		{"clock unreadable", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			i := nthInput(t, ev, "clock", 2)
			ev[i].Value = `{"ns":"soon"}`
			return i
		}, "unreadable"},
		{"listen not JSON", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			i := nthInput(t, ev, "listen", 0)
			ev[i].Value = `listening`
			return i
		}, "unreadable"},
		{"an operation never started", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool { op["id"] = 999999; return true })
		}, "operation 999999 finished but was never started"},
		{"a read of more bytes than recorded", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["data"] == nil {
					return false
				}
				op["n"] = op["n"].(float64) + 1
				return true
			})
		}, "bytes, but the recording holds"},
		{"more bytes than the buffer", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["n"] == nil || op["data"] != nil {
					return false
				}
				op["n"] = 1 << 30
				return true
			})
		}, "bytes, but its buffer has"},
		{"a negative count", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["n"] == nil {
					return false
				}
				op["n"] = -1
				return true
			})
		}, "finished with -1 bytes"},
		{"bytes read by a write", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["n"] == nil || op["data"] != nil {
					return false
				}
				op["data"] = []byte("surprise")
				return true
			})
		}, "holds bytes read, but it is no read"},
		{"a listener without its address", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			i := nthInput(t, ev, "listen", 0)
			ev[i].Value = `{"socket":1}`
			return i
		}, `a listener on socket 1, address "", network "", which no poller returns`},
		{"a connection without its socket", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["conn"] == nil {
					return false
				}
				delete(op, "conn")
				return true
			})
		}, "succeeded without its connection or its addresses"},
		{"a name for an address", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["remote"] == nil {
					return false
				}
				op["remote"] = "localhost:80"
				return true
			})
		}, "which no poller returns"},
		{"a read of nothing", "testdata/echo.jsonl", func(t *testing.T, ev []traces.Event) int {
			return editOp(t, ev, func(op map[string]any) bool {
				if op["data"] == nil {
					return false
				}
				delete(op, "data")
				delete(op, "n")
				return true
			})
		}, "read nothing and has no error"},
		{"a job never submitted", "testdata/demo.jsonl", func(t *testing.T, ev []traces.Event) int {
			i := nthKind(t, ev, traces.KindPoolDone, 0)
			ev[i].ID = 999
			return i
		}, "job 999 finished but was never submitted"},
		{"a job done before any wait", "testdata/demo.jsonl", func(t *testing.T, ev []traces.Event) int {
			done := ev[nthKind(t, ev, traces.KindPoolDone, 0)]
			copy(ev[2:], ev[1:len(ev)-1])
			ev[1] = done
			return 1
		}, "finished before any wait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, events := decode(t, readRecording(t, tc.file))
			i := tc.edit(t, events)
			_, err := replayScenario(h, events)
			var de *replay.DivergedError
			if !errors.As(err, &de) || de.Line != i+2 || !strings.Contains(de.Why, tc.want) {
				t.Fatalf("replay = %v; want a *DivergedError naming line %d and saying %q", err, i+2, tc.want)
			}
			if msg := fmt.Sprintf("replay: trace line %d: ", i+2); !strings.HasPrefix(err.Error(), msg) {
				t.Fatalf("error %q does not begin %q", err, msg)
			}
		})
	}
}

// nthInput returns the index of the n-th (from 0) input event of a kind.
func nthInput(t *testing.T, ev []traces.Event, what string, n int) int {
	t.Helper()
	for i, e := range ev {
		if e.Kind == traces.KindInput && e.Input == what {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("the recording has too few %s inputs", what)
	return 0
}

// nthKind returns the index of the n-th (from 0) event of a kind.
func nthKind(t *testing.T, ev []traces.Event, k traces.Kind, n int) int {
	t.Helper()
	for i, e := range ev {
		if e.Kind == k {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("the recording has too few %s events", k)
	return 0
}

// editOp applies edit to the first finished operation of a recorded wait it accepts,
// and returns the index of that wait's event.
func editOp(t *testing.T, ev []traces.Event, edit func(op map[string]any) bool) int {
	t.Helper()
	for i := range ev {
		if ev[i].Kind != traces.KindInput || ev[i].Input != "wait" {
			continue
		}
		var w map[string]any
		if err := json.Unmarshal([]byte(ev[i].Value), &w); err != nil {
			t.Fatal(err)
		}
		ops, _ := w["ops"].([]any)
		for _, op := range ops {
			if edit(op.(map[string]any)) {
				b, err := json.Marshal(w)
				if err != nil {
					t.Fatal(err)
				}
				ev[i].Value = string(b)
				return i
			}
		}
	}
	t.Fatal("no recorded operation to edit")
	return 0
}

// Whatever bytes replay is given, through the trace decoder, it never panics: a
// replay ends with the events it made and nil, a *DivergedError naming a line of the
// trace, or an error of the program's own; a fault of nodeloop's (a runtime error,
// a misuse panic) is a failure. The same bytes replay the same way twice.
func FuzzReplay(f *testing.F) {
	for _, name := range recordings {
		data := readRecording(f, name)
		f.Add(data)
		lines := splitLines(data)
		f.Add(lines[0]) // the header alone
		for _, n := range []int{2, len(lines) / 4, len(lines) / 2, len(lines) - 1} {
			f.Add(bytes.Join(lines[:n], nil))
		}
		half := bytes.Join(lines[:len(lines)/2], nil)
		f.Add(half[:len(half)-len(lines[len(lines)/2-1])/2]) // cut inside a line
		f.Add(bytes.Replace(data, []byte(`\"n\":19`), []byte(`\"n\":1900`), 1))
		f.Add(bytes.Replace(data, []byte(`{\"ns\":`), []byte(`{\"ns\":-`), 3))
		f.Add(bytes.Replace(data, []byte(`"kind":"pool_done","id":1`), []byte(`"kind":"pool_done","id":7`), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A trace that stops decoding at a line replays as the recording cut before
		// it: the decoder itself is FuzzDecode's.
		h, events, _ := traces.Decode(bytes.NewReader(data))
		if !replayable[h.Scenario] {
			return
		}
		got, err := replayScenario(h, events)
		checkReplayError(t, err, len(events))
		again, err2 := replayScenario(h, events)
		if fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("the same trace replayed into %v, then %v", err, err2)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("the same trace replayed two ways (-first +second):\n%s", diff)
		}
	})
}

// checkReplayError fails t when err, a replay's error, is a fault of nodeloop's
// rather than of the n events replayed.
func checkReplayError(t *testing.T, err error, n int) {
	t.Helper()
	var de *replay.DivergedError
	var cp *nodeloop.CallbackPanic
	var re runtime.Error
	switch {
	case errors.As(err, &de):
		if de.Line < 1 || de.Line > n+1 {
			t.Fatalf("%v: line %d is not one of the trace's 1 to %d", err, de.Line, n+1)
		}
	case errors.As(err, &cp):
		msg, _ := cp.Value.(string)
		if errors.As(err, &re) || strings.HasPrefix(msg, "nodeloop:") {
			t.Fatalf("nodeloop failed on a replayed input: %v\n%s", err, cp.Stack)
		}
	}
}
