package replay_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/replay"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/traces"
)

type discard struct{}

func (discard) Print(string, string) {}

func record(t *testing.T, name string) []traces.Event {
	t.Helper()
	sc, _ := scenarios.Lookup(name)
	var buf bytes.Buffer
	h := traces.NewHeader("real")
	h.Scenario = name
	if err := replay.Record(&buf, h, func(l *nodeloop.Loop) { sc.Main(l, discard{})() }); err != nil {
		t.Fatalf("Record: %v", err)
	}
	_, events, err := traces.Decode(&buf)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return events
}

// A real run of the demo and of the echo scenario, on real sockets, threads and
// clock, replays identically, event for event, twenty times.
func TestRecordReplay(t *testing.T) {
	for _, name := range []string{"demo", "echo"} {
		t.Run(name, func(t *testing.T) {
			if name == "demo" && testing.Short() {
				t.Skip("the demo takes 3.5 s of real time")
			}
			recorded := record(t, name)
			sc, _ := scenarios.Lookup(name)
			for i := 0; i < 20; i++ {
				got, err := replay.Replay(recorded, func(l *nodeloop.Loop) { sc.Main(l, discard{})() })
				if err != nil {
					t.Fatalf("replay %d: %v", i, err)
				}
				if diff := cmp.Diff(recorded, got); diff != "" {
					t.Fatalf("replay %d differs (-recorded +replayed):\n%s", i, diff)
				}
			}
			inputs := 0
			for _, e := range recorded {
				if e.Kind == traces.KindInput {
					inputs++
				}
			}
			t.Logf("%d events, %d of them inputs, replayed 20 times identically", len(recorded), inputs)
		})
	}
}

// A program that changed since the recording diverges: the replay stops at the first
// input that no longer fits.
func TestReplayDiverges(t *testing.T) {
	recorded := record(t, "echo")
	sc, _ := scenarios.Lookup("echo")
	_, err := replay.Replay(recorded, func(l *nodeloop.Loop) {
		l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {})
		sc.Main(l, discard{})()
	})
	var de *replay.DivergedError
	if !errors.As(err, &de) || de.What != "listen" {
		t.Fatalf("a changed program under replay: %v; want a *DivergedError at a listen", err)
	}
}
