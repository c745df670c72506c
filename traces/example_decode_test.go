package traces_test

import (
	"fmt"
	"strings"

	"github.com/nodeloop/nodeloop/traces"
)

// Decode reads a trace back into the events that were recorded.
func ExampleDecode() {
	file := `{"format":"nodeloop-trace","version":2,"mode":"sim","seed":7,"go":"go1.26","module":"(devel)"}
{"seq":1,"tick":1,"phase":"timers","kind":"tick","id":0,"pending":1,"t":1000000}
{"seq":2,"tick":1,"phase":"timers","kind":"callback","id":3,"pending":0,"t":1000000,"source":"timer"}
`
	h, events, err := traces.Decode(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Mode, h.Seed)
	for _, e := range events {
		fmt.Println(e.Seq, e.Tick, e.Phase, e.Kind, e.Source, e.ID, e.Time)
	}
	_, _, err = traces.Decode(strings.NewReader(strings.Replace(file, `"callback"`, `"bogus"`, 1)))
	fmt.Println(err)
	// Output:
	// sim 7
	// 1 1 timers tick  0 1ms
	// 2 1 timers callback timer 3 1ms
	// trace line 3: unknown kind "bogus"
}
