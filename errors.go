package nodeloop

import (
	"errors"
	"fmt"

	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/traces"
)

var (
	// ErrClosed is matched by Post's error once Close has begun, and given to the
	// callbacks of operations on a closed handle.
	ErrClosed = poller.ErrClosed
	// ErrCanceled is given to the done callback of a pool request canceled before it
	// started, and to the callback of a dial given up by DialRequest.Cancel.
	ErrCanceled = poller.ErrCanceled
	// ErrRunning is returned by Run and RunOnce when the loop is already running: they
	// are not reentrant.
	ErrRunning = errors.New("nodeloop: Run or RunOnce called while the loop is running; return from the callback instead")
	// ErrStopped is returned by Run and RunOnce after a callback panicked: the loop is
	// left in the state the panic found it and can only be closed.
	ErrStopped = errors.New("nodeloop: the loop was stopped by a panicking callback; Close it")
)

// errPostClosed is Post's error once Close has begun.
var errPostClosed error = closedError("nodeloop: Post on a closed loop")

// closedError is an error that says what was closed and matches ErrClosed.
type closedError string

func (e closedError) Error() string { return string(e) }

// Is reports whether target is ErrClosed.
func (e closedError) Is(target error) bool { return target == ErrClosed }

// DroppedPostsError is returned by Close when functions Post had accepted could not
// run: the loop had been stopped by a panicking callback or by the step limit, or a
// posted function Close ran panicked and N more were left. It matches ErrClosed.
type DroppedPostsError struct {
	N int // the accepted functions that never ran
}

func (e *DroppedPostsError) Error() string {
	return fmt.Sprintf("nodeloop: Close dropped %d posted functions: the loop was stopped by a panic or the step limit", e.N)
}

// Is reports whether target is ErrClosed.
func (e *DroppedPostsError) Is(target error) bool { return target == ErrClosed }

// CallbackPanic is the error Run and RunOnce return when a callback panicked. The loop
// stops at once; it can still be closed.
type CallbackPanic struct {
	Value any          // what the callback passed to panic
	Stack []byte       // the goroutine's stack where it panicked
	Seq   uint64       // the trace position of the callback's event
	Tick  uint64       // the tick it ran in
	Phase traces.Phase // the phase it ran in
}

func (e *CallbackPanic) Error() string {
	return fmt.Sprintf("nodeloop: callback panicked in tick %d, %s phase (trace seq %d): %v", e.Tick, e.Phase, e.Seq, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *CallbackPanic) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// PanicError is the error a pool request's done callback receives when its work
// function panicked. The worker survives.
type PanicError struct {
	Value any    // what the work function passed to panic
	Stack []byte // the worker's stack where it panicked
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("nodeloop: work function panicked: %v", e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// nilCallback panics for a required callback that is nil.
func nilCallback(method string) {
	panic("nodeloop: " + method + " needs a callback; pass a func, not nil")
}
