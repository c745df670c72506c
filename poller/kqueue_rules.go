package poller

import "time"

// The kqueue back end's two rules, as plain functions in a file built on every
// system so that their tests run everywhere; poller_kqueue.go applies them to the
// kernel's types.

// keventWaitSecMax is the longest single kevent wait, in seconds. Darwin rejects a
// longer timeout with EINVAL, so a longer wait is cut to it, as Go's runtime cuts
// it; the loop simply waits again.
const keventWaitSecMax = 1_000_000

// keventTimeout converts Wait's timeout into the nanoseconds of kevent's timespec,
// clamped to keventWaitSecMax. timed is false when the wait has no timeout
// (timeout < 0, a nil timespec); a zero timeout polls.
func keventTimeout(timeout time.Duration) (nsec int64, timed bool) {
	switch {
	case timeout < 0:
		return 0, false
	case timeout > keventWaitSecMax*time.Second:
		return int64(keventWaitSecMax * time.Second), true
	}
	return int64(timeout), true
}

// keventFilter is the filter of a kevent as the back end sees it.
type keventFilter uint8

const (
	filterOther keventFilter = iota // neither EVFILT_READ nor EVFILT_WRITE
	filterRead                      // EVFILT_READ
	filterWrite                     // EVFILT_WRITE
)

// keventWakes decides which waiting operations of a socket one kevent retries:
// readable retries its Accept and Read, writable its Connect and Write. eof and
// failed are the event's EV_EOF and EV_ERROR flags; either sets hangup, after which
// every Read tries its system call, which reports the end or the error.
//
// An EV_EOF on the read filter is also writable: some systems send no EVFILT_WRITE
// event when the peer closes, so a waiting write would never learn of it. The
// retried write says what happened (it succeeds, fails with EPIPE, or waits again
// on EAGAIN). Go's runtime wakes its writers on that event for the same reason.
func keventWakes(f keventFilter, eof, failed bool) (readable, writable, hangup bool) {
	readable = f == filterRead
	writable = f == filterWrite || (f == filterRead && eof)
	hangup = eof || failed
	return readable, writable, hangup
}
