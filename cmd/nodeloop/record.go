package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
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

// recordCmd runs a scenario on the operating system's back ends and records its
// trace with every input, for replay.
func recordCmd(args []string, stdout io.Writer) error {
	fs := newFlags("record")
	outFile := fs.String("o", "", "write the trace to `FILE` (required)")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"record: name a scenario: nodeloop record SCENARIO -o FILE"}
	}
	name, args := args[0], args[1:]
	if err := parse(fs, args); err != nil {
		return err
	}
	if *outFile == "" {
		return usageError{"record: -o FILE is required"}
	}
	sc, err := lookupScenario("record", name)
	if err != nil {
		return err
	}
	f, err := os.Create(*outFile)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	h := traces.NewHeader("real")
	h.Scenario = sc.Name
	out := scenarios.NewPrinter(stdout, nil)
	if err := replay.Record(w, h, func(l *nodeloop.Loop) { sc.Main(l, out)() }); err != nil {
		return err
	}
	return w.Flush()
}

// replayCmd re-runs a recorded scenario from its trace's inputs and compares the
// events: exit 0 when every one is identical, 1 when not.
func replayCmd(args []string, stdout io.Writer) error {
	fs := newFlags("replay")
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usageError{"replay: name one trace file: nodeloop replay FILE"}
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
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
