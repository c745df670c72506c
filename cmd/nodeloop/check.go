package main

import (
	"fmt"
	"io"

	"github.com/nodeloop/nodeloop/properties"
)

// checkCmd checks a trace against the invariants of docs/semantics.md.
func checkCmd(_ *noFlags, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{"check: name one trace file: nodeloop check FILE"}
	}
	_, events, err := loadTraceFile(args[0])
	if err != nil {
		return err
	}
	violations := properties.Check(events)
	for _, v := range violations {
		fmt.Fprintln(stdout, v)
	}
	if len(violations) > 0 {
		return findingError{fmt.Sprintf("%s: %d violations of %d events", args[0], len(violations), len(events))}
	}
	fmt.Fprintf(stdout, "%s: %d events, every invariant holds (%d rules)\n", args[0], len(events), len(properties.Rules()))
	return nil
}
