package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/replay"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
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

// replayCmd re-runs a scenario from its trace and compares the events: a recorded
// real run from its inputs, a simulated run from its choices. Exit 0 when every
// event is identical, 1 when not.
func replayCmd(_ *noFlags, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{"replay: name one trace file: nodeloop replay FILE"}
	}
	h, events, err := loadTraceFile(args[0])
	if err != nil {
		return err
	}
	if h.Mode == "sim" {
		return replaySim(args[0], h, events, stdout)
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

// replaySim re-runs the simulated run of a trace: the scenario its header names,
// with the seed and configuration the header records and the choices its events
// hold, taken tolerantly (sim.ReplayFrom), and compares the new trace with it. A
// replay that had to leave the choices (the program changed since) says where.
func replaySim(file string, h traces.Header, events []traces.Event, stdout io.Writer) error {
	if h.Scenario == "" {
		return inputError{fmt.Errorf("%s: a simulated run of no named scenario: there is no program to replay", file)}
	}
	cfg, err := sim.HeaderConfig(h.Config)
	if err != nil {
		return inputError{fmt.Errorf("%s: %w", file, err)}
	}
	sc, err := lookupScenario("replay", h.Scenario)
	if isScript(h.Scenario) {
		// A script's run, replayed with the settings its header records.
		readCost, rerr := scriptReadCost(cfg)
		if rerr != nil {
			return inputError{fmt.Errorf("%s: %w", file, rerr)}
		}
		if err := configureScript(&cfg, h.Scenario, readCost); err != nil {
			return err
		}
		sc, err = jsScenario(h.Scenario, scriptOptions{readCost: readCost, syncLimit: syncLimitDefault}, io.Discard, io.Discard), nil
	}
	if err != nil {
		return inputError{err}
	}
	var log []sim.Choice
	for i := range events {
		if e := &events[i]; e.Kind == traces.KindChoice {
			log = append(log, sim.Choice{What: e.Choice, N: e.Options, Value: e.Pick})
		}
	}
	var trace bytes.Buffer
	cfg.Seed, cfg.Scenario, cfg.Trace = h.Seed, sc.Name, &trace
	cfg.Choices = sim.ReplayFrom(log, sim.ReplayOptions{})
	res, err := sim.Run(cfg, func(l *nodeloop.Loop) { sc.Main(l, discardOutput{})() })
	if res == nil {
		return inputError{fmt.Errorf("%s: the header's configuration: %w", file, err)}
	}
	_, got, err := traces.Decode(&trace)
	if err != nil {
		return fmt.Errorf("replay of %s: reading the new trace: %w", file, err)
	}
	fmt.Fprintf(stdout, "%s: replayed %d choices: %v\n", file, len(log), res)
	if d := tracediff.Diff(events, got); d != nil {
		return findingError{fmt.Sprintf("replay of %s differs:\n%v", file, d)}
	}
	fmt.Fprintf(stdout, "%s: %d events replayed identically\n", file, len(events))
	return nil
}
