package js_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// The scripts whose exceptions a listener handles print in the simulator what
// node printed (their goldens), twice the same, with traces that keep the loop's
// rules: each throw is logged, and the Immediate the handler queues is an
// ordinary one, whose callback is named noop.
func TestUncaughtInSim(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "uncaught_*.js"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, path := range names {
		data, err := os.ReadFile(strings.TrimSuffix(path, ".js") + ".golden")
		if err != nil {
			t.Fatal(err)
		}
		want, err := parseGolden(string(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if want.code != 0 || want.stderr != "" || !strings.Contains(want.stdout, "caught") {
			continue // not one whose exceptions a listener handles
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ran++
		t.Run(strings.TrimSuffix(filepath.Base(path), ".js"), func(t *testing.T) {
			run := func() (string, []byte) {
				var out, trace bytes.Buffer
				w := sim.NewWorld(sim.Config{Seed: 1, Trace: &trace})
				w.Host("a", program(t, string(src), &out, ""))
				if _, err := w.Run(); err != nil {
					t.Fatalf("seed 1: World.Run: %v", err)
				}
				return out.String(), trace.Bytes()
			}
			out, trace := run()
			// A script that waits on Date.now for its timers to be due together
			// needs the command's clock costs; the others print node's bytes.
			if !bytes.Contains(src, []byte("Date.now()")) && out != want.stdout {
				t.Fatalf("seed 1 printed:\n%s\nwant, as node printed:\n%s", out, want.stdout)
			}
			if out2, trace2 := run(); out2 != out || !bytes.Equal(trace2, trace) {
				t.Fatalf("two runs of seed 1 differ:\n%s\n%s", out, out2)
			}
			_, events, err := traces.Decode(bytes.NewReader(trace))
			if err != nil {
				t.Fatal(err)
			}
			evs := sim.HostEvents(events, "a")
			if v := properties.Check(evs); len(v) > 0 {
				t.Errorf("the trace breaks the loop's rules: %v", v)
			}
			thrown, noops := 0, 0
			for _, e := range evs {
				if e.Kind == traces.KindLog && e.Msg == traces.MsgThrown {
					thrown++
				}
				if e.Kind == traces.KindCallback && e.Source == traces.SourceImmediate && e.Name == "noop" {
					noops++
				}
			}
			caught, rejections := strings.Count(out, "caught "), strings.Count(out, " unhandledRejection")
			// A rejection, or an exception of a microtask, leaves no drain
			// behind and logs nothing.
			if thrown > caught-rejections || thrown == 0 && caught > rejections || noops != caught {
				t.Errorf("%d exceptions caught, %d of them rejections; %d logged thrown, %d Immediates named noop queued; want at most one logged for each exception thrown, and one Immediate for each caught", caught, rejections, thrown, noops)
			}
		})
	}
	if ran < 4 {
		t.Fatalf("ran %d scripts, want at least 4", ran)
	}
}
