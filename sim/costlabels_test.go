package sim_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// Every CPU cost drawn is named by the reading of the clock it comes before, so that
// a failure's choices say which stretch of the program took long; a reading the
// labels do not know (a renamed loop method, say) would show as plain "cpu.cost".
// The readings before the main callback, after no callback, draw nothing.
func TestCallbackCostLabelsNameTheReading(t *testing.T) {
	res, err := sim.Run(sim.Config{Seed: 3, CallbackCost: sim.Range{Max: time.Millisecond}}, func(l *nodeloop.Loop) {
		n := 0
		l.SetTimeout(time.Millisecond, func() {}) // runs before the interval, in its phase
		var iv *nodeloop.Timer
		iv = l.SetInterval(time.Millisecond, func() {
			if n++; n == 3 {
				l.ClearTimeout(iv)
			}
		})
		l.SetTimeout(2, func() {}).Refresh()
		l.SetImmediate(func() {})
	})
	if err != nil || res.Failed() {
		t.Fatalf("sim.Run: %v, %v", err, res)
	}
	got := map[string]bool{}
	for _, c := range res.Choices {
		got[c.What] = true
	}
	want := map[string]bool{
		"cpu.cost at timer start":  true,
		"cpu.cost before timers":   true,
		"cpu.cost before interval": true,
		"cpu.cost after wait":      true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("choice labels (-want +got):\n%s", diff)
	}
}
