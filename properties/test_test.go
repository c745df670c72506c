package properties_test

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

type quiet struct{}

func (quiet) Print(string, string) {}

// A correct program passes: the echo scenario, under every fault and callback cost,
// keeps the invariants, asserts what it should and runs the same twice.
func TestTestPassesACorrectProgram(t *testing.T) {
	properties.Test(t, func(l *nodeloop.Loop) { scenarios.Echo(l, quiet{})() },
		properties.WithAssert(func(res *sim.Result) error {
			if res.Callbacks == 0 {
				return errors.New("nothing ran")
			}
			return nil
		}))
}

// recordingTB is a rapid.TB that keeps the final failure instead of failing, so that
// an example can show it, and removes the files of the failing case it names.
type recordingTB struct {
	failed bool
	msg    string
}

type stop struct{}

func (r *recordingTB) Helper()              {}
func (r *recordingTB) Name() string         { return "ExampleTest" }
func (r *recordingTB) Logf(string, ...any)  {}
func (r *recordingTB) Log(...any)           {}
func (r *recordingTB) Skipf(string, ...any) { panic(stop{}) }
func (r *recordingTB) Skip(...any)          { panic(stop{}) }
func (r *recordingTB) SkipNow()             { panic(stop{}) }
func (r *recordingTB) Errorf(f string, a ...any) {
	r.failed, r.msg = true, fmt.Sprintf(f, a...)
	removeFiles(r.msg) // the failing case's files: an example or a test leaves none behind
}
func (r *recordingTB) Error(a ...any)            { r.failed, r.msg = true, fmt.Sprint(a...) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.Errorf(f, a...); panic(stop{}) }
func (r *recordingTB) Fatal(a ...any)            { r.Error(a...); panic(stop{}) }
func (r *recordingTB) FailNow()                  { r.failed = true; panic(stop{}) }
func (r *recordingTB) Fail()                     { r.failed = true }
func (r *recordingTB) Failed() bool              { return r.failed }

// run calls properties.Test with t, returning once it has reported.
func (r *recordingTB) run(program func(*nodeloop.Loop)) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(stop); !ok {
				panic(p)
			}
		}
	}()
	properties.Test(r, program, properties.WithoutFaults())
}

// Test finds the classic ordering bug of a Node program's main module: a value filled
// in a 0 ms timeout and read in an immediate works on most runs, and fails when a
// millisecond passes before the first timers phase. In a Go test, pass the *testing.T:
// the test fails with the shrunk case and the command that replays it.
func ExampleTest() {
	flag.Set("rapid.nofailfile", "true") // an example leaves no fail file behind
	t := &recordingTB{}
	t.run(func(l *nodeloop.Loop) {
		var config map[string]string
		l.SetTimeout(0, func() { config = map[string]string{"greeting": "hello"} })
		l.SetImmediate(func() {
			if _, ok := config["greeting"]; !ok {
				panic("the immediate ran before the timeout")
			}
		})
	})
	fmt.Println("failed:", t.failed)
	fmt.Println("found the bug:", strings.Contains(t.msg, "the immediate ran before the timeout"))
	fmt.Println("says how to replay it:", strings.Contains(t.msg, "-rapid.seed="))
	// Output:
	// failed: true
	// found the bug: true
	// says how to replay it: true
}

// A program that is not a function of its loop (here: of a counter outside it) runs
// differently from the same choices, and Test says so.
func TestTestCatchesNondeterminism(t *testing.T) {
	prev := flag.Lookup("rapid.nofailfile").Value.String()
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", prev)
	calls := 0
	r := &recordingTB{}
	r.run(func(l *nodeloop.Loop) {
		calls++
		if calls%2 == 0 {
			l.SetTimeout(5, func() {})
		}
	})
	if !r.failed || !strings.Contains(r.msg, "not deterministic") {
		t.Fatalf("Test did not report the nondeterministic program: %q", r.msg)
	}
}
