package properties_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// orderFree are the scenarios whose callback order depends on no timing: no I/O, and
// delays far apart.
var orderFree = map[string]bool{"timers": true}

// lines records what a scenario prints, in order. As scenarios.Output requires, it
// is safe for concurrent use: the pool's workers print too.
type lines struct {
	mu  sync.Mutex
	out []string
}

func (l *lines) Print(thread, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out = append(l.out, thread+": "+msg)
}

// printed returns the lines printed so far.
func (l *lines) printed() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.out...)
}

// Every scenario's real trace keeps the invariants; for the scenarios whose order
// depends on no timing, the real and simulated runs run the same callbacks in the
// same order and print the same lines.
func TestScenariosRealAgainstSimulated(t *testing.T) {
	for _, sc := range scenarios.All() {
		if sc.Name == "demo" && testing.Short() {
			continue // 3.5 s of real time
		}
		t.Run(sc.Name, func(t *testing.T) {
			var (
				rec     *traces.Recorder
				realOut *lines
				runErr  error
			)
			// An order-free scenario keeps its order only while the loop keeps up
			// with its timers: on a machine so loaded that a timer runs later than
			// half the scenario's margin, the real run says nothing about the
			// order, and it runs again.
			for attempt := 1; ; attempt++ {
				rec, realOut = traces.NewMemory(), &lines{}
				l, err := nodeloop.New(nodeloop.WithTracer(rec))
				if err != nil {
					t.Fatal(err)
				}
				runErr = l.Run(sc.Main(l, realOut))
				l.Close()
				late := latest(rec.Events())
				if !orderFree[sc.Name] || late <= orderFreeLateMax {
					break
				}
				if attempt == realRunsMax {
					t.Skipf("the machine is too loaded to compare orders: in each of %d real runs a timer ran up to %v late (at most %v keeps the order)", attempt, late, orderFreeLateMax)
				}
				t.Logf("real run %d: a timer ran %v late; running again", attempt, late)
			}
			if sc.Name == "race" {
				// Its failure depends on timing; when it fails, it fails by panicking.
				if runErr != nil {
					return
				}
			} else if runErr != nil {
				t.Fatalf("real run: %v", runErr)
			}
			for _, v := range properties.Check(rec.Events()) {
				t.Errorf("real trace: %v", v)
			}
			if !orderFree[sc.Name] {
				return
			}
			var simOut lines
			res, err := sim.Run(sim.Config{Seed: 1, KeepTrace: true}, func(l *nodeloop.Loop) { sc.Main(l, &simOut)() })
			if err != nil || res.Failed() {
				t.Fatalf("sim: %v %v", err, res)
			}
			if diff := cmp.Diff(callbacks(rec.Events()), callbacks(res.Events)); diff != "" {
				t.Errorf("callback order, real against simulated (-real +sim):\n%s", diff)
			}
			if diff := cmp.Diff(realOut.printed(), simOut.printed()); diff != "" {
				t.Errorf("output, real against simulated (-real +sim):\n%s", diff)
			}
		})
	}
}

// Limits of the real runs of an order-free scenario.
const (
	// orderFreeLateMax is how late a timer may run in a real run whose order is
	// compared: half the 40 ms that separate the timers of the timers scenario.
	orderFreeLateMax = 20 * time.Millisecond
	// realRunsMax is how many real runs are tried before the comparison is given up
	// on a machine too loaded to keep up.
	realRunsMax = 3
)

// latest returns how much later than its deadline the latest timer or interval of a
// trace ran.
func latest(events []traces.Event) time.Duration {
	deadline := map[uint64]time.Duration{}
	var late time.Duration
	for _, e := range events {
		switch {
		case e.Kind == traces.KindTimerStart:
			deadline[e.ID] = e.Deadline
		case e.Kind == traces.KindCallback && (e.Source == traces.SourceTimer || e.Source == traces.SourceInterval):
			if d, ok := deadline[e.ID]; ok {
				late = max(late, e.Time-d)
			}
		}
	}
	return late
}

// callbacks lists a trace's callbacks by source and id.
func callbacks(events []traces.Event) []string {
	var out []string
	for _, e := range events {
		if e.Kind == traces.KindCallback {
			out = append(out, e.Source.String()+" "+strconv.FormatUint(e.ID, 10))
		}
	}
	return out
}
