package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/replay"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/tracediff"
)

// lookupScenario finds a scenario by name, or says which there are.
func lookupScenario(cmd, name string) (scenarios.Scenario, error) {
	sc, ok := scenarios.Lookup(name)
	if !ok {
		var names []string
		for _, s := range scenarios.All() {
			names = append(names, s.Name)
		}
		return sc, usageError{fmt.Sprintf("%s: no scenario %q (there are: %s)", cmd, name, strings.Join(names, ", "))}
	}
	return sc, nil
}

// recordFlags are the flags of nodeloop record.
type recordFlags struct {
	out string
}

func (f *recordFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "write the trace to `FILE` (required)")
}

// recordCmd runs a scenario on the operating system's back ends and records its
// trace with every input, for replay. The trace is flushed and closed even when the
// run fails.
func recordCmd(f *recordFlags, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{"record: name a scenario: nodeloop record SCENARIO -o FILE"}
	}
	name := args[0]
	if f.out == "" {
		return usageError{"record: -o FILE is required"}
	}
	sc, err := lookupScenario("record", name)
	if err != nil {
		return err
	}
	return writeToFile(f.out, func(w io.Writer) error {
		h := traces.NewHeader("real")
		h.Scenario = sc.Name
		out := scenarios.NewPrinter(stdout, nil)
		return replay.Record(w, h, func(l *nodeloop.Loop) { sc.Main(l, out)() })
	})
}

// replayCmd re-runs a recorded scenario from its trace's inputs and compares the
// events: exit 0 when every one is identical, 1 when not.
func replayCmd(_ *noFlags, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{"replay: name one trace file: nodeloop replay FILE"}
	}
	h, events, err := loadTraceFile(args[0])
	if err != nil {
		return err
	}
	if h.Mode != "real" || h.Scenario == "" {
		return inputError{fmt.Errorf("%s: not a recorded real run of a scenario (mode %q, scenario %q)", args[0], h.Mode, h.Scenario)}
	}
	sc, err := lookupScenario("replay", h.Scenario)
	if err != nil {
		return inputError{err}
	}
	got, err := replay.Replay(events, func(l *nodeloop.Loop) { sc.Main(l, discardOutput{})() })
	if err != nil {
		return findingError{fmt.Sprintf("replay of %s diverged: %v", args[0], err)}
	}
	if d := tracediff.Diff(events, got); d != nil {
		return findingError{fmt.Sprintf("replay of %s differs:\n%v", args[0], d)}
	}
	fmt.Fprintf(stdout, "%s: %d events replayed identically\n", args[0], len(events))
	return nil
}
