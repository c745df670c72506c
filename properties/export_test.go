package properties

import "time"

// SetFinishTime sets the time the pass that finishes rapid's shrinking may take,
// until restore is called.
func SetFinishTime(d time.Duration) (restore func()) {
	prev := finishTime
	finishTime = d
	return func() { finishTime = prev }
}
