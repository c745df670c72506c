//go:build darwin || dragonfly || freebsd

package poller

import "golang.org/x/sys/unix"

// The kqueue waker on systems with EVFILT_USER: one user event, registered
// EV_CLEAR, that Wake triggers with NOTE_TRIGGER. Delivering it resets it.

// wakeIdent is the ident of the user event; user events have their own ident
// space, so it cannot clash with a descriptor.
const wakeIdent = 0

// wakeState is the EVFILT_USER waker's part of System.
type wakeState struct {
	// wakeChange is Wake's changelist, kept here so that Wake does not allocate;
	// its udata is always nil. wakeMu guards it.
	wakeChange [1]unix.Kevent_t
}

func (s *System) wakeOpen() error {
	clear(s.changeWords)
	ch := s.changes[:1]
	unix.SetKevent(&ch[0], wakeIdent, unix.EVFILT_USER, unix.EV_ADD|unix.EV_CLEAR)
	setUdata(&ch[0], wakeToken)
	return s.kevent(ch)
}

// pollWake triggers the user event. It runs with wakeMu held.
func (s *System) pollWake() error {
	ev := &s.wakeChange[0]
	unix.SetKevent(ev, wakeIdent, unix.EVFILT_USER, 0)
	ev.Fflags = unix.NOTE_TRIGGER
	return s.kevent(s.wakeChange[:])
}

// wakeDrain has nothing to do: EV_CLEAR resets the event when it is delivered.
func (s *System) wakeDrain() {}

func (s *System) wakeClose() error { return nil }
