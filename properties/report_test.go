package properties_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// section returns the lines of out from the one starting with start (excluded) to
// the next blank line.
func section(out, start string) []string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, start) {
			var s []string
			for _, m := range lines[i+1:] {
				if strings.TrimSpace(m) == "" {
					break
				}
				s = append(s, m)
			}
			return s
		}
	}
	return nil
}

var (
	tracePath   = regexp.MustCompile(`trace of the failing run: (\S+)`)
	viewCommand = regexp.MustCompile(`nodeloop view (\S+)`)
	replayCmd   = regexp.MustCompile(`go test -run '\^(\S+)\$' (\S+) -nodeloop\.choices=(\S+)`)
	choiceLine  = regexp.MustCompile(`^  ([^=]+)=([1-9][0-9]*)$`)
)

// A failing case shows itself: the panic with the program's frames only, the
// choices off their defaults one label=value a line, the trace file with the command
// that opens it, and the command that replays the case once, which does.
func TestFailureReport(t *testing.T) {
	c := capture("TestFailureReport", timerRacesJob)
	out := c.out.String()
	if !c.failed {
		t.Fatalf("the planted bug was not found:\n%s", out)
	}
	if strings.Contains(out, "[rapid] draw") {
		t.Errorf("the report lists rapid's draws:\n%s", out)
	}

	// The panic, and a stack of the program's frames only.
	if !strings.Contains(out, "panic: runtime error: index out of range") {
		t.Errorf("the report does not give the panic:\n%s", out)
	}
	stack := section(out, "(in a timers phase callback")
	if len(stack) == 0 || !strings.Contains(strings.Join(stack, "\n"), "properties_test.firstEntry\n\t") ||
		!strings.Contains(strings.Join(stack, "\n"), "planted_test.go:") {
		t.Errorf("the stack does not show the program's frame firstEntry:\n%s", out)
	}
	for _, l := range stack {
		for _, harness := range []string{"runtime.", "nodeloop.(*Loop)", "nodeloop/sim.", "nodeloop/properties.", "pgregory.net/rapid", "testing."} {
			if strings.Contains(l, harness) {
				t.Errorf("the stack keeps a frame of the harness (%s): %q", harness, l)
			}
		}
	}

	// The choices off their defaults, one label=value a line.
	m := offDefaults.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no choices section:\n%s", out)
	}
	choices := section(out, "choices off their defaults")
	if fmt.Sprint(len(choices)) != m[1] || len(choices) == 0 || len(choices) > 5 {
		t.Errorf("%d choice lines, the count says %s, want 1 to 5:\n%s", len(choices), m[1], out)
	}
	for _, l := range choices {
		if !choiceLine.MatchString(l) {
			t.Errorf("choice line %q is not label=value with a value off its default", l)
		}
	}

	// The trace file, and the command that opens it.
	tm := tracePath.FindStringSubmatch(out)
	vm := viewCommand.FindStringSubmatch(out)
	if tm == nil || vm == nil || vm[1] != tm[1] {
		t.Fatalf("no trace file with its view command:\n%s", out)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(tm[1])) })
	f, err := os.Open(tm[1])
	if err != nil {
		t.Fatal(err)
	}
	h, events, err := traces.Decode(f)
	f.Close()
	if err != nil || h.Mode != "sim" || len(events) == 0 {
		t.Fatalf("the trace file does not decode as a simulated trace: %v, %+v, %d events", err, h, len(events))
	}
	if vs := properties.Check(events); len(vs) > 0 {
		t.Errorf("the failing run's trace breaks invariants: %v", vs)
	}

	// The command that replays it: with its flag, Test runs the log once and fails
	// the same way, with the same choices.
	rm := replayCmd.FindStringSubmatch(out)
	if rm == nil || rm[1] != "TestFailureReport" || rm[2] != "github.com/nodeloop/nodeloop/properties" {
		t.Fatalf("no replay command for the test and its package:\n%s", out)
	}
	setFlag(t, "nodeloop.choices", rm[3])
	again := capture("TestFailureReport", timerRacesJob)
	aout := again.out.String()
	if !again.failed || !strings.Contains(aout, "the case of "+rm[3]+" fails") ||
		!strings.Contains(aout, "panic: runtime error: index out of range") {
		t.Fatalf("the replay does not fail the same way:\n%s", aout)
	}
	if got := section(aout, "choices off their defaults"); strings.Join(got, "\n") != strings.Join(choices, "\n") {
		t.Errorf("the replay's choices %q, want the case's %q", got, choices)
	}
	removeFiles(aout)
}

// Under -nodeloop.keep, the failing case's files go under testdata/nodeloop/, where
// they outlast the machine's temporary directories.
func TestFailureReportKeep(t *testing.T) {
	setFlag(t, "nodeloop.keep", "true")
	t.Cleanup(func() {
		os.RemoveAll(filepath.Join("testdata", "nodeloop", "TestFailureReportKeep"))
		os.Remove(filepath.Join("testdata", "nodeloop")) // when nothing else is kept there
	})
	c := capture("TestFailureReportKeep", timerRacesJob, properties.WithoutFaults())
	out := c.out.String()
	wd, _ := os.Getwd()
	dir := filepath.Join(wd, "testdata", "nodeloop", "TestFailureReportKeep")
	for _, name := range []string{"trace.jsonl", "choices.jsonl"} {
		p := filepath.Join(dir, name)
		if !strings.Contains(out, p) {
			t.Errorf("the report does not name %s:\n%s", p, out)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

// A choice log that is not one is an error naming its line, not a panic.
func TestFailureReplayBadLog(t *testing.T) {
	name := filepath.Join(t.TempDir(), "choices.jsonl")
	if err := os.WriteFile(name, []byte(`{"what":"wait.order","n":2,"value":1}`+"\n"+`{"what":"x","n":2,"value":7}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	setFlag(t, "nodeloop.choices", name)
	c := capture("TestFailureReplayBadLog", timerRacesJob)
	removeFiles(c.out.String())
	if out := c.out.String(); !c.failed || !strings.Contains(out, name+":2:") {
		t.Fatalf("the bad log is not reported at its line 2:\n%s", out)
	}
}

// Errorf fails the case without stopping the run: a later callback still runs, and
// every message is reported, in order.
func TestErrorfLetsTheRunGoOn(t *testing.T) {
	later := false
	c := capture("TestErrorfLetsTheRunGoOn", func(l *nodeloop.Loop) {
		later = false
		l.SetTimeout(time.Millisecond, func() { properties.Errorf(l, "first: %d", 1) })
		l.SetTimeout(2*time.Millisecond, func() {
			later = true
			properties.Errorf(l, "second")
		})
	}, properties.WithoutFaults())
	out := c.out.String()
	removeFiles(out)
	first, second := strings.Index(out, "report_test.go:"), strings.Index(out, ": second")
	if !c.failed || !later || first < 0 || !strings.Contains(out, ": first: 1") || second < first {
		t.Fatalf("failed %v, later callback ran %v; want both messages in order, each with its line:\n%s", c.failed, later, out)
	}
}

// Outside Test, nobody collects Errorf's message: it panics with it, which fails the
// run.
func TestErrorfOutsideTest(t *testing.T) {
	res, _ := sim.Run(sim.Config{}, func(l *nodeloop.Loop) {
		l.SetTimeout(0, func() { properties.Errorf(l, "bad %s", "thing") })
	})
	if res == nil || res.Verdict != sim.Failed || !strings.Contains(fmt.Sprint(res.Err), "properties.Errorf: report_test.go:") ||
		!strings.Contains(fmt.Sprint(res.Err), "bad thing") {
		t.Fatalf("got %v, want a failed run with Errorf's message", res)
	}
}

// The caller's check runs on a stuck run and on one out of time, and sees its
// verdict; the case fails with the verdict and the check's message.
func TestAssertSeesStalledVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		program func(*nodeloop.Loop)
		opts    []properties.TestOption
		want    sim.Verdict
	}{
		{"stuck", func(l *nodeloop.Loop) {
			if _, err := l.Listen("tcp", "127.0.0.1:0", func(*nodeloop.Conn, error) {}); err != nil {
				panic(err)
			}
		}, nil, sim.Stuck},
		{"time limit", func(l *nodeloop.Loop) {
			l.SetInterval(time.Millisecond, func() {})
		}, []properties.TestOption{properties.WithTimeLimit(20 * time.Millisecond)}, sim.TimeLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen []sim.Verdict
			opts := append([]properties.TestOption{properties.WithoutFaults(), properties.WithAssert(func(res *sim.Result) error {
				seen = append(seen, res.Verdict)
				return errors.New("the check saw " + res.Verdict.String())
			})}, tc.opts...)
			c := capture("TestAssertSeesStalledVerdicts", tc.program, opts...)
			out := c.out.String()
			if !c.failed || len(seen) == 0 || seen[len(seen)-1] != tc.want ||
				!strings.Contains(out, "the run ended "+tc.want.String()) ||
				!strings.Contains(out, "assertion: the check saw "+tc.want.String()) {
				t.Fatalf("the check saw %v; want it to see %v, and the report to give both:\n%s", seen, tc.want, out)
			}
			removeFiles(out)
		})
	}
}
