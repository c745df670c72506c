package properties_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
)

// Under Test a program's own draws are rapid's and shrink: a request whose timeout
// fires while the cache refreshes its entry (from 20 ms to 50 ms) reads a stale
// entry, and on a calm world (no faults, no callback cost, so that only the
// workload decides) the failure shrinks to one request at exactly 20 ms. (rapid
// often tries a range's largest value, from which it may fail to shrink: the end
// of the refresh keeps that value from failing.)
func TestDrawsShrinkUnderTest(t *testing.T) {
	prev := flag.Lookup("rapid.nofailfile").Value.String()
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", prev)
	var requests int
	var timeout time.Duration
	r := &recordingTB{}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		properties.Test(r, func(l *nodeloop.Loop) {
			requests = sim.Choose(l, "requests", 10)
			timeout = sim.Duration(l, "timeout", time.Millisecond, 100*time.Millisecond)
			fresh := true // the cache's entry, refreshed from 20 ms to 50 ms
			l.SetTimeout(20*time.Millisecond, func() { fresh = false })
			l.SetTimeout(50*time.Millisecond, func() { fresh = true })
			for i := range requests {
				l.SetTimeout(timeout, func() {
					if !fresh {
						panic(fmt.Sprintf("request %d read a stale entry", i))
					}
				})
			}
		}, properties.WithoutFaults(), properties.WithCost(sim.Range{}))
	}()
	if !r.failed {
		t.Fatal("Test found no failure in a program with a planted bug")
	}
	if requests != 1 || timeout != 20*time.Millisecond {
		t.Fatalf("the failure shrank to %d requests at %v; want 1 at 20ms\n%s", requests, timeout, r.msg)
	}
}
