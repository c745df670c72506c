package nodeloop

import "time"

// NextDeadline is libuv's uv_backend_timeout: how long after Now, the loop's cached
// time, the loop next needs to run when nothing arrives from its poller. It returns
// 0 and true when the loop has work that must not wait (pending callbacks, idle
// watchers, immediates, handles closing, a Stop requested, posted work or finished
// pool jobs handed to it and not yet run), the time to its earliest
// timer and true when it has one, and false when only its poller can wake it (an
// operation in flight, a Post still to come) or when nothing keeps it alive (see Alive). A driver
// that runs several loops on one clock, such as a simulated world, steps each loop
// with RunOnce when its deadline comes or its poller has completions. Call it
// between runs, on the loop's goroutine.
func (l *Loop) NextDeadline() (time.Duration, bool) {
	l.mustOpen("NextDeadline")
	if !l.Alive() {
		return 0, false
	}
	if l.async.end() != l.async.lastSeen || l.async.hasReady() {
		return 0, true // posted work or finished pool jobs handed to the loop, not yet run
	}
	d := l.pollTimeout()
	if d < 0 {
		return 0, false
	}
	return d, true
}
