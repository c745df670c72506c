package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/traces"
)

// checkCmd checks a trace against the invariants of docs/semantics.md, one event
// at a time as it reads it, so a trace of any length is checked in the memory of
// what is live in it. The trace of a simulated world (its header lists hosts) is
// checked per host and per run of each host's program, and each violation names
// its host.
func checkCmd(_ *noFlags, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{"check: name one trace file: nodeloop check FILE"}
	}
	tf, err := openTraceFile(args[0])
	if err != nil {
		return err
	}
	defer tf.Close()
	if len(tf.Header().Hosts) > 0 {
		return checkWorld(tf, args[0], stdout)
	}
	c := properties.NewChecker()
	violations, err := checkAll(tf, c.Add, c.Finish, stdout)
	if err != nil {
		return err
	}
	if len(violations) > 0 {
		return findingError{fmt.Sprintf("%s: %d violations of %d events", args[0], len(violations), tf.events)}
	}
	fmt.Fprintf(stdout, "%s: %d events, every invariant holds (%d rules)\n", args[0], tf.events, len(properties.Rules()))
	return nil
}

// checkWorld checks tf, the trace of a world, per host and per run.
func checkWorld(tf *traceFile, path string, stdout io.Writer) error {
	c := properties.NewWorldChecker()
	violations, err := checkAll(tf, c.Add, c.Finish, stdout)
	if err != nil {
		return err
	}
	hosts := strings.Join(tf.Header().Hosts, ", ")
	if len(violations) > 0 {
		return findingError{fmt.Sprintf("%s: %d violations of %d events of hosts %s", path, len(violations), tf.events, hosts)}
	}
	fmt.Fprintf(stdout, "%s: %d events of hosts %s in %d runs, every invariant holds on each (%d rules)\n", path, tf.events, hosts, c.Runs(), len(properties.Rules()))
	return nil
}

// checkAll gives add every event of tf, then prints each violation finish returns,
// a line each, and returns them.
func checkAll(tf *traceFile, add func(traces.Event), finish func() []properties.Violation, stdout io.Writer) ([]properties.Violation, error) {
	for {
		e, err := tf.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		add(e)
	}
	violations := finish()
	for _, v := range violations {
		fmt.Fprintln(stdout, v)
	}
	return violations, nil
}
