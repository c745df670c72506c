package poller

import (
	"errors"
	"time"
)

// Errors returned by Start for operations it refuses to begin, on every back end.
var (
	errBusy      = errors.New("poller: an operation of this kind is already in flight on the socket")
	errBadKind   = errors.New("poller: unknown operation kind")
	errNotListen = errors.New("poller: accept on a socket that is not listening")
	errListener  = errors.New("poller: read or write on a listening socket")
	errEmptyRead = errors.New("poller: read into an empty buffer")
	errNilOp     = errors.New("poller: nil operation")
	errTooMany   = errors.New("poller: too many sockets")
	errShutBusy  = errors.New("poller: shutdown while a write is in flight on the socket; shut down once it finished")
)

// admit checks what Start checks before it looks at the socket, on every back end:
// the poller is open, op is not nil and its kind is known. connect reports a
// Connect, which makes its own socket.
func admit(closed bool, op *Op) (connect bool, err error) {
	switch {
	case closed:
		return false, ErrClosed
	case op == nil:
		return false, errNilOp
	}
	switch op.Kind {
	case Accept, Read, Write, Shutdown:
		return false, nil
	case Connect:
		return true, nil
	}
	return false, errBadKind
}

// refuse says why Start must not begin op, an Accept, Read, Write or Shutdown, on a
// socket that is a listener or not and has inFlight as its operations in flight,
// indexed by kind; nil when it may.
func refuse(op *Op, listener bool, inFlight *[Write + 1]*Op) error {
	switch {
	case op.Kind == Accept && !listener:
		return errNotListen
	case op.Kind != Accept && listener:
		return errListener
	case op.Kind == Read && op.Buf != nil && len(op.Buf) == 0:
		return errEmptyRead
	case op.Kind == Shutdown:
		if inFlight[Write] != nil {
			return errShutBusy
		}
	case inFlight[op.Kind] != nil:
		return errBusy
	}
	return nil
}

// Errors of SetOption, on every back end.
var (
	errOptListener = errors.New("poller: option of a listening socket; set it on a connection")
	errOptKind     = errors.New("poller: unknown option kind")
	errOptDelay    = errors.New("poller: negative keep-alive delay")
)

// checkOption says why SetOption must not set o on a socket that is a listener or
// not; nil when it may.
func checkOption(o Option, listener bool) error {
	switch {
	case listener:
		return errOptListener
	case o.Kind != NoDelay && o.Kind != KeepAlive:
		return errOptKind
	case o.Delay < 0:
		return errOptDelay
	}
	return nil
}

// keepAliveSeconds is a keep-alive delay in whole seconds, rounded up, at least 1,
// and at most what an int32 holds.
func keepAliveSeconds(d time.Duration) int {
	secs := (d + time.Second - 1) / time.Second
	return int(min(max(secs, 1), 1<<31-1))
}
