//go:build !(linux || windows || darwin || dragonfly || freebsd || netbsd || openbsd)

package poller

import (
	"errors"
	"net"
	"time"
)

// System is the operating system's Poller. This system has none: New returns
// errors.ErrUnsupported, and every method of System does too.
type System struct{}

var _ Poller = (*System)(nil)

// New returns errors.ErrUnsupported: this operating system has no back end.
func New() (*System, error) { return nil, errors.ErrUnsupported }

// NewForThread is New.
func NewForThread() (*System, error) { return New() }

// Name reports the back end in use: none, "".
func (*System) Name() string { return "" }

// Listen returns errors.ErrUnsupported.
func (*System) Listen(network, address string) (Socket, net.Addr, error) {
	return 0, nil, errors.ErrUnsupported
}

// Start returns errors.ErrUnsupported.
func (*System) Start(op *Op) error { return errors.ErrUnsupported }

// Cancel does nothing.
func (*System) Cancel(op *Op) {}

// CloseSocket returns errors.ErrUnsupported.
func (*System) CloseSocket(s Socket) error { return errors.ErrUnsupported }

// SetOption returns errors.ErrUnsupported.
func (*System) SetOption(s Socket, o Option) error { return errors.ErrUnsupported }

// Wait returns errors.ErrUnsupported.
func (*System) Wait(done []*Op, timeout time.Duration) ([]*Op, error) {
	return done, errors.ErrUnsupported
}

// Wake returns errors.ErrUnsupported.
func (*System) Wake() error { return errors.ErrUnsupported }

// Close returns errors.ErrUnsupported.
func (*System) Close() error { return errors.ErrUnsupported }
