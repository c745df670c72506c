package properties

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"
)

// quietTB is the rapid.TB that Test gives rapid.Check: it passes skips and rapid's
// notes on to the test, and keeps a failure to itself, so that Test reports it in its
// own words. rapid logs every draw of the shrunk case, hundreds of unlabelled lines
// for a simulated run, and the case's message again; Test prints the choices off
// their defaults and the message once instead.
type quietTB struct {
	rapid.TB
	failed bool
	msgs   []string // what rapid reported, in order
}

// stopCheck is what quietTB's FailNow panics with to end rapid.Check.
type stopCheck struct{}

func (q *quietTB) Helper() { q.TB.Helper() }

func (q *quietTB) Logf(format string, args ...any) {
	q.TB.Helper()
	q.log(fmt.Sprintf(format, args...))
}
func (q *quietTB) Log(args ...any) { q.TB.Helper(); q.log(fmt.Sprint(args...)) }

// log passes on what rapid says of the whole check while it passes; once a case
// failed, the lines are the shrunk case's draws and its message, which the report
// replaces.
func (q *quietTB) log(s string) {
	if q.failed || strings.HasPrefix(s, "[rapid] draw") {
		return
	}
	q.TB.Helper()
	q.TB.Log(s)
}

func (q *quietTB) Errorf(format string, args ...any) {
	q.failed = true
	q.msgs = append(q.msgs, fmt.Sprintf(format, args...))
}
func (q *quietTB) Error(args ...any) {
	q.failed = true
	q.msgs = append(q.msgs, fmt.Sprint(args...))
}
func (q *quietTB) Fatalf(format string, args ...any) { q.Errorf(format, args...); q.FailNow() }
func (q *quietTB) Fatal(args ...any)                 { q.Error(args...); q.FailNow() }
func (q *quietTB) Fail()                             { q.failed = true }
func (q *quietTB) FailNow()                          { q.failed = true; panic(stopCheck{}) }
func (q *quietTB) Failed() bool                      { return q.failed }

// check runs rapid.Check on q, and returns once it has ended, failed or not.
func (q *quietTB) check(prop func(*rapid.T)) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(stopCheck); !ok {
				panic(p)
			}
		}
	}()
	rapid.Check(q, prop)
}

// rapidSummary picks from rapid's report of a failure how many cases passed and
// its own way to find the case again: the "-rapid.seed=N" or "-rapid.failfile=F"
// arguments, which make rapid search and shrink anew.
func rapidSummary(msgs []string) (after, reproduce string) {
	for _, m := range msgs {
		for _, line := range strings.Split(m, "\n") {
			if rest, ok := strings.CutPrefix(line, "[rapid] failed after "); ok {
				after, _, _ = strings.Cut(rest, " tests:")
			} else if rest, ok := strings.CutPrefix(line, "[rapid] panic after "); ok {
				after, _, _ = strings.Cut(rest, " tests:")
			}
			if rest, ok := strings.CutPrefix(line, "To reproduce, specify "); ok {
				reproduce = rest
			}
		}
	}
	return after, reproduce
}
