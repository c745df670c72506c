//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kqueue back end, the mirror of the epoll one. Every socket is registered once
// with two filters, EVFILT_READ and EVFILT_WRITE, both EV_CLEAR (edge-triggered, as
// the Go runtime registers them), carrying the socket's token in udata. The waker is
// EVFILT_USER where the system has it (poller_kqueue_user.go) and a pipe elsewhere
// (poller_kqueue_pipe.go); its udata is wakeToken.
//
// udata is declared *byte on most of these systems. A token is not a pointer, and
// the garbage collector must never see one where it expects a pointer, or it may
// take it for a pointer into the heap. So the kevent buffers handed to the kernel
// are allocated as pointer-free memory and udata is only ever read and written
// through unsafe as an integer of its size, never as a *byte.

// udataBytes is the size of kevent's udata field: 8 on 64-bit systems, 4 on some
// 32-bit ones, where a token is packed as slot<<16 | generation.
const udataBytes = unsafe.Sizeof(unix.Kevent_t{}.Udata)

// Slab bounds: a slot and a generation must each fit half of udata.
const (
	udataHalfBits = udataBytes * 4
	slotsMax      = 1<<(udataHalfBits-1) - 1
	gensMax       = 1<<udataHalfBits - 1
)

// pollState is the kqueue back end's part of System.
type pollState struct {
	kq int
	// events and changes are kevent arrays in pointer-free memory (see above).
	events  []unix.Kevent_t
	changes []unix.Kevent_t
	// changeWords is the memory behind changes, cleared through its own type.
	changeWords []uint64
	// ts is the timeout of the current kevent call, kept here so that passing
	// its address does not allocate.
	ts unix.Timespec
	wakeState
}

// keventBuf returns n kevents in fresh pointer-free memory, and that memory.
func keventBuf(n int) ([]unix.Kevent_t, []uint64) {
	size := int(unsafe.Sizeof(unix.Kevent_t{}))
	words := make([]uint64, (n*size+7)/8)
	return unsafe.Slice((*unix.Kevent_t)(unsafe.Pointer(&words[0])), n), words
}

func setUdata(ev *unix.Kevent_t, tok uint64) {
	slot, gen := splitToken(tok)
	v := uint64(slot)<<udataHalfBits | uint64(gen)
	p := unsafe.Pointer(&ev.Udata)
	if udataBytes == 8 {
		*(*uint64)(p) = v
	} else {
		*(*uint32)(p) = uint32(v)
	}
}

func udataToken(ev *unix.Kevent_t) uint64 {
	p := unsafe.Pointer(&ev.Udata)
	var v uint64
	if udataBytes == 8 {
		v = *(*uint64)(p)
	} else {
		v = uint64(*(*uint32)(p))
	}
	return makeToken(uint32(v>>udataHalfBits), uint32(v&(1<<udataHalfBits-1)))
}

func (s *System) pollOpen() error {
	s.kq = -1
	kq, err := unix.Kqueue()
	if err != nil {
		return os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	s.kq = kq
	s.events, _ = keventBuf(pollEventsMax)
	s.changes, s.changeWords = keventBuf(2)
	if err := s.wakeOpen(); err != nil {
		unix.Close(kq)
		s.kq = -1
		return err
	}
	return nil
}

// kevent applies changes, retrying when interrupted.
func (s *System) kevent(changes []unix.Kevent_t) error {
	for range eintrRetriesMax {
		_, err := unix.Kevent(s.kq, changes, nil, nil)
		if err != unix.EINTR {
			if err != nil {
				return os.NewSyscallError("kevent", err)
			}
			return nil
		}
	}
	return os.NewSyscallError("kevent", unix.EINTR)
}

func (s *System) pollRegister(fd int, tok uint64) error {
	clear(s.changeWords)
	ch := s.changes[:2]
	unix.SetKevent(&ch[0], fd, unix.EVFILT_READ, unix.EV_ADD|unix.EV_CLEAR)
	setUdata(&ch[0], tok)
	unix.SetKevent(&ch[1], fd, unix.EVFILT_WRITE, unix.EV_ADD|unix.EV_CLEAR)
	setUdata(&ch[1], tok)
	return s.kevent(ch)
}

// pollWait runs one kevent wait of up to timeout (<0 forever, cut to
// keventWaitSecMax) and hands each event to ioReady as keventWakes decides.
// interrupted reports EINTR, which returns no events.
func (s *System) pollWait(done []*Op, timeout time.Duration) (_ []*Op, interrupted bool, _ error) {
	var ts *unix.Timespec
	if nsec, timed := keventTimeout(timeout); timed {
		s.ts = unix.NsecToTimespec(nsec)
		ts = &s.ts
	}
	n, err := unix.Kevent(s.kq, nil, s.events, ts)
	if err == unix.EINTR {
		return done, true, nil
	}
	if err != nil {
		return done, false, os.NewSyscallError("kevent", err)
	}
	for i := range n {
		ev := &s.events[i]
		tok := udataToken(ev)
		if tok == wakeToken {
			s.wakeDrain()
			s.wakeSig.Store(0)
			continue
		}
		// EV_EOF and EV_ERROR arrive on the filter they concern; the retried
		// system call reports them.
		f := filterOther
		switch ev.Filter {
		case unix.EVFILT_READ:
			f = filterRead
		case unix.EVFILT_WRITE:
			f = filterWrite
		}
		r, w, h := keventWakes(f, ev.Flags&unix.EV_EOF != 0, ev.Flags&unix.EV_ERROR != 0)
		done = s.ioReady(done, tok, r, w, h)
	}
	return done, false, nil
}

// pollUnregister does nothing: closing the descriptor removes its kevents.
func (s *System) pollUnregister(tok uint64) {}

// pollPending is false: kqueue cannot tell what it holds without being asked.
func (s *System) pollPending() bool { return false }

// Name reports the back end in use: "kqueue".
func (s *System) Name() string { return "kqueue" }

func (s *System) pollClose() error {
	first := s.wakeClose()
	if err := unix.Close(s.kq); err != nil && first == nil {
		first = os.NewSyscallError("close", err)
	}
	s.kq = -1
	return first
}

// sockRead is read(2) on a non-blocking socket.
func sockRead(fd int, b []byte) (int, error) { return unix.Read(fd, b) }

// sockWrite is write(2) on a non-blocking socket.
func sockWrite(fd int, b []byte) (int, error) { return unix.Write(fd, b) }
