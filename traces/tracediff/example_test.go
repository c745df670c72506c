package tracediff_test

import (
	"fmt"

	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/tracediff"
)

// Diff finds where two runs first went different ways.
func ExampleDiff() {
	a := []traces.Event{
		{Seq: 1, Kind: traces.KindCallback, Source: traces.SourceTimer, ID: 1},
		{Seq: 2, Kind: traces.KindCallback, Source: traces.SourceImmediate, ID: 2},
	}
	b := []traces.Event{
		{Seq: 1, Kind: traces.KindCallback, Source: traces.SourceTimer, ID: 1},
		{Seq: 2, Kind: traces.KindCallback, Source: traces.SourceImmediate, ID: 3},
	}
	d := tracediff.Diff(a, b)
	fmt.Println(d.Index, d.A.ID, d.B.ID)
	fmt.Println(tracediff.Diff(a, a) == nil)
	// Output:
	// 1 2 3
	// true
}
