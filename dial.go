package nodeloop

import (
	"os"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop/poller"
)

// DialRequest is a connection being made by Loop.Dial or Loop.DialTimeout. Until its
// callback runs it is a handle of kind "dial" that keeps the loop alive while the
// connect is in flight; Cancel ends it early.
type DialRequest struct {
	handle // active: the connect in flight; closed: the callback's result is decided
	n      node[sockHandle]
	op     poller.Op
	cb     func(*Conn, error)
	timer  *Timer // DialTimeout's, unreferenced; nil without a timeout
}

// dialTimedOut is the error a dial given up by DialTimeout ends with.
type dialTimedOut struct{}

// errDialTimedOut is the error of every dial DialTimeout gave up, boxed once.
var errDialTimedOut error = &os.SyscallError{Syscall: "connect", Err: dialTimedOut{}}

// Error names the loop, so that a trace tells DialTimeout's timeout from the
// kernel's own (connect: connection timed out).
func (dialTimedOut) Error() string { return "nodeloop: dial timed out" }

// Is makes the error match both syscall.ETIMEDOUT, which a connect the kernel gives
// up on ends with, and os.ErrDeadlineExceeded, which net.DialTimeout's does.
func (dialTimedOut) Is(target error) bool {
	return target == syscall.ETIMEDOUT || target == os.ErrDeadlineExceeded
}

// Timeout reports true, as net.Error's Timeout does for a timeout.
func (dialTimedOut) Timeout() bool { return true }

// Dial connects to address on network, as net.Dial takes them, and calls cb in the
// poll phase with the connection, or with the error: in the next pending phase when
// the address is bad or the dial was given up (Cancel, DialTimeout). The connect keeps the loop alive until
// cb runs, for as long as the system takes to give up on a peer that never answers
// (on Linux, about two minutes); DialTimeout bounds that. A program that has no use
// for the returned DialRequest may ignore it.
func (l *Loop) Dial(network, address string, cb func(*Conn, error)) *DialRequest {
	l.mustOpen("Dial")
	if cb == nil {
		nilCallback("Dial")
	}
	return l.dial(network, address, 0, cb)
}

// DialTimeout is Dial with a timeout: when the connection is not made d after now, the
// dial is given up as Cancel gives it up, and cb receives, in the next pending phase
// (right after the timers phase that found the timeout due), an error that matches
// syscall.ETIMEDOUT, as a connect the kernel gives up on, and os.ErrDeadlineExceeded,
// as net.DialTimeout's, and whose Timeout method reports true. The timeout is a timer
// of the loop's own, which does not keep the loop alive (the connect does) and shows
// in traces as a timer: d is rounded up to whole milliseconds and counted from the
// start of the millisecond the dial starts in, as a timer's delay is, and a d above
// about 24.8 days (Node's TIMEOUT_MAX) is that much. d must be more than zero: a dial
// with no timeout is Dial.
func (l *Loop) DialTimeout(network, address string, d time.Duration, cb func(*Conn, error)) *DialRequest {
	l.mustOpen("DialTimeout")
	if cb == nil {
		nilCallback("DialTimeout")
	}
	if d <= 0 {
		panic("nodeloop: DialTimeout needs a timeout above zero; call Dial for a dial without one")
	}
	return l.dial(network, address, dialTimeout(d), cb)
}

// dialTimeout is the delay of DialTimeout's timer: d rounded up to whole
// milliseconds, at most TIMEOUT_MAX.
func dialTimeout(d time.Duration) time.Duration {
	if d >= maxDelayMillis*time.Millisecond {
		return maxDelayMillis * time.Millisecond
	}
	return (d + time.Millisecond - 1) / time.Millisecond * time.Millisecond
}

// dial starts a Connect, with a timer of timeout when it is more than zero.
func (l *Loop) dial(network, address string, timeout time.Duration, cb func(*Conn, error)) *DialRequest {
	d := &DialRequest{handle: l.newHandle(), cb: cb}
	l.site(d.id)
	d.op = poller.Op{Kind: poller.Connect, Network: network, Address: address, Data: d}
	d.setActive(true)
	d.n.v = d
	l.socks.insertTail(&d.n)
	if err := l.startOp(&d.op, d.id); err != nil {
		l.traceOpDone(&d.op, d.id, 0, err)
		d.n.remove()
		d.setActive(false)
		d.closed = true
		l.deferToPending(d.id, func() { cb(nil, err) })
		return d
	}
	if timeout > 0 {
		// SetTimeout coerces a delay as Node does; the timeout is already a whole
		// number of milliseconds in range, which the coercion keeps.
		d.timer = l.SetTimeout(timeout, func() {
			if !d.closed {
				d.end(errDialTimedOut)
			}
		})
		d.timer.Unref() // the connect in flight keeps the loop alive, not its timeout
	}
	return d
}

// Cancel gives the dial up if its outcome is not known yet, and reports whether it
// did. The callback of a canceled dial receives ErrCanceled in the next pending
// phase, never from inside Cancel; the socket it was connecting is closed, and a
// connection the system made all the same (the connect finished before the
// cancel reached it) is closed too, never handed to the program. Cancel does nothing
// and reports false once the callback ran, or when its result is already decided:
// an error found at the start, or a timeout that passed.
func (d *DialRequest) Cancel() bool {
	d.use("DialRequest.Cancel")
	if d.closed {
		return false
	}
	d.end(ErrCanceled)
	return true
}

// ID returns the id that names the dial in traces: the handle of its connect
// operation.
func (d *DialRequest) ID() uint64 { return d.id }

func (d *DialRequest) kind() string { return "dial" }

// end gives the dial up with err: the connect is canceled in the poller (whose late
// report the loop drops, closing a connection it may carry) and cb receives err in
// the next pending phase.
func (d *DialRequest) end(err error) {
	l := d.l
	d.closed = true
	d.stopTimer()
	l.traceOpDone(&d.op, d.id, 0, err)
	l.poller.Cancel(&d.op)
	cb := d.cb
	l.deferToPending(d.id, func() { cb(nil, err) })
	d.n.remove()
	d.setActive(false) // the pending callback keeps the loop alive from here
}

// stopTimer clears DialTimeout's timer, if any.
func (d *DialRequest) stopTimer() {
	if d.timer != nil {
		d.l.ClearTimeout(d.timer)
		d.timer = nil
	}
}

func (d *DialRequest) opDone(op *poller.Op) {
	l := d.l
	d.closed = true
	d.stopTimer()
	d.n.remove()
	d.setActive(false)
	var c *Conn
	if op.Err == nil {
		c = l.newConn(op.Conn, op.Local, op.Remote)
	}
	l.enterOpCallback(op.ID, d.id)
	d.cb(c, op.Err)
	l.leaveCallback()
}
