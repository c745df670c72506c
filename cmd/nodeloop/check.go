package main

import (
	"fmt"
	"io"

	"github.com/nodeloop/nodeloop/properties"
)

// checkCmd checks a trace against the invariants of docs/semantics.md, one event
// at a time as it reads it, so a trace of any length is checked in the memory of
// what is live in it.
func checkCmd(_ *noFlags, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{"check: name one trace file: nodeloop check FILE"}
	}
	tf, err := openTraceFile(args[0])
	if err != nil {
		return err
	}
	defer tf.Close()
	c := properties.NewChecker()
	for {
		e, err := tf.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		c.Add(e)
	}
	violations := c.Finish()
	for _, v := range violations {
		fmt.Fprintln(stdout, v)
	}
	if len(violations) > 0 {
		return findingError{fmt.Sprintf("%s: %d violations of %d events", args[0], len(violations), tf.events)}
	}
	fmt.Fprintf(stdout, "%s: %d events, every invariant holds (%d rules)\n", args[0], tf.events, len(properties.Rules()))
	return nil
}
