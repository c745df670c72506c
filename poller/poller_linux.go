package poller

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The Linux back ends: io_uring (poller_uring_linux.go) where the kernel has it and
// allows it, epoll otherwise, or as NODELOOP_POLLER says. The epoll one follows.
//
// The epoll back end. Every socket is registered once, edge-triggered for reading
// and writing, with its token in epoll_data: the slot in the Fd half and the
// generation in the Pad half, which together are the kernel's 64-bit data field.
// An eventfd, registered level-triggered, carries Wake.

// Slab bounds: a slot must fit the 32 bits of epoll_data's Fd half and a generation
// the 32 bits of its Pad half.
const (
	slotsMax = 1<<31 - 1
	gensMax  = 1<<32 - 1
)

// pollState is the Linux back ends' part of System.
type pollState struct {
	// uring is the io_uring back end's state; nil when System runs on epoll.
	uring  *uring
	epfd   int
	wakeFd int
	// events is the buffer every epoll_wait fills, allocated once.
	events []unix.EpollEvent
	// wakeBuf receives the eventfd counter when Wait drains it.
	wakeBuf [8]byte
}

// wakeOne is the eventfd increment Wake writes: the integer 1 in host byte order.
var wakeOne = func() (b [8]byte) {
	binary.NativeEndian.PutUint64(b[:], 1)
	return b
}()

// epollFlags is the interest of every socket: readable, writable, peer shutdown,
// edge-triggered.
const epollFlags = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

// pollerEnv is the environment variable that chooses the Linux back end: "epoll"
// (the default), "io_uring", or "auto" for io_uring where the kernel has it and
// allows it and epoll otherwise.
const pollerEnv = "NODELOOP_POLLER"

// The names Name reports, and the values NODELOOP_POLLER takes, on Linux.
const (
	epollKindName = "epoll"
	autoKindName  = "auto" // not a name, a choice
)

// pollOpen makes the back end NODELOOP_POLLER names: epoll when it is unset or
// empty (io_uring is not the faster on the loop's TCP ping-pong, see doc.go),
// except for a System made by NewForThread, which gets io_uring where the kernel
// has it (its ring for one thread is the faster), as with "auto"; and with "auto"
// io_uring, falling back to epoll without a word when the kernel lacks
// io_uring (ENOSYS, or EINVAL from one too old for the back end), forbids it
// (EPERM, as container runtimes' seccomp profiles and kernel.io_uring_disabled
// do) or cannot make a ring (ENOMEM under a small RLIMIT_MEMLOCK on kernels
// before 5.12).
func (s *System) pollOpen() error {
	s.epfd, s.wakeFd = -1, -1
	switch want := os.Getenv(pollerEnv); want {
	case "":
		if s.oneThread && s.uringOpen() == nil {
			return nil
		}
		return s.epollOpen()
	case epollKindName:
		return s.epollOpen()
	case autoKindName:
		if s.uringOpen() == nil {
			return nil
		}
		return s.epollOpen()
	case uringKindName:
		if err := s.uringOpen(); err != nil {
			return fmt.Errorf("poller: %s=%s, but io_uring is not available here: %w", pollerEnv, want, err)
		}
		return nil
	default:
		return fmt.Errorf("poller: %s=%q: no such back end (want %s, %s or %s)", pollerEnv, want, epollKindName, uringKindName, autoKindName)
	}
}

// Name reports the back end in use: "io_uring" or "epoll" on Linux, "kqueue" on
// macOS and the BSDs, "iocp" on Windows.
func (s *System) Name() string {
	if s.uring != nil {
		return uringKindName
	}
	return epollKindName
}

func (s *System) epollOpen() error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("epoll_create1", err)
	}
	wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return os.NewSyscallError("eventfd", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN}
	setEpollToken(&ev, wakeToken)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wfd, &ev); err != nil {
		unix.Close(wfd)
		unix.Close(epfd)
		return os.NewSyscallError("epoll_ctl", err)
	}
	s.epfd, s.wakeFd = epfd, wfd
	s.events = make([]unix.EpollEvent, pollEventsMax)
	return nil
}

func setEpollToken(ev *unix.EpollEvent, tok uint64) {
	slot, gen := splitToken(tok)
	ev.Fd, ev.Pad = int32(slot), int32(gen)
}

func epollToken(ev *unix.EpollEvent) uint64 {
	return makeToken(uint32(ev.Fd), uint32(ev.Pad))
}

func (s *System) pollRegister(fd int, tok uint64) error {
	if s.uring != nil {
		return s.uringRegister(fd, tok)
	}
	ev := unix.EpollEvent{Events: epollFlags}
	setEpollToken(&ev, tok)
	if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// epollWaitMsMax is the longest single epoll_wait, in milliseconds; a longer
// positive timeout is clamped to it (the loop simply waits again).
const epollWaitMsMax = 1<<31 - 1

// epollTimeout converts Wait's timeout into epoll_wait's milliseconds: -1 forever,
// a positive timeout rounded up (so a timer due in under a millisecond does not
// spin) and clamped to epollWaitMsMax.
func epollTimeout(timeout time.Duration) int {
	switch {
	case timeout < 0:
		return -1
	case timeout == 0:
		return 0
	case timeout >= epollWaitMsMax*time.Millisecond:
		return epollWaitMsMax
	}
	return int((timeout + time.Millisecond - 1) / time.Millisecond)
}

// pollWait runs one epoll_wait of up to timeout (<0 forever, see epollTimeout) and
// hands each event to ioReady. interrupted reports EINTR, which returns no events.
func (s *System) pollWait(done []*Op, timeout time.Duration) (_ []*Op, interrupted bool, _ error) {
	if s.uring != nil {
		return s.uringWait(done, timeout)
	}
	ms := epollTimeout(timeout)
	var n int
	var err error
	if ms == 0 {
		n, err = epollPoll(s.epfd, s.events)
	} else {
		n, err = unix.EpollWait(s.epfd, s.events, ms)
	}
	if err == unix.EINTR {
		return done, true, nil
	}
	if err != nil {
		return done, false, os.NewSyscallError("epoll_wait", err)
	}
	for i := range n {
		ev := &s.events[i]
		tok := epollToken(ev)
		if tok == wakeToken {
			// Drain first, then clear the flag: a Wake in between finds the
			// flag set and stays coalesced into this wake-up, which the caller
			// is about to act on.
			unix.Read(s.wakeFd, s.wakeBuf[:])
			s.wakeSig.Store(0)
			continue
		}
		r := ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
		w := ev.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0
		h := ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
		done = s.ioReady(done, tok, r, w, h)
	}
	return done, false, nil
}

// pollWake adds one to the eventfd. EAGAIN means the counter is already non-zero,
// so the wake-up is pending anyway.
func (s *System) pollWake() error {
	return wakeWrite(s.wakeFd, wakeOne[:])
}

// pollUnregister is called before the descriptor of the socket tok is closed. On
// epoll the close itself removes the registration.
func (s *System) pollUnregister(tok uint64) {
	if s.uring != nil {
		s.uringUnregister(tok)
	}
}

// pollStart starts op, a Read or a Write whose socket's sk.ops holds it, as a
// request to the kernel where the back end is io_uring's completion model, and
// reports whether it did; false leaves op to the readiness model.
func (s *System) pollStart(tok uint64, sk *sock, op *Op) bool {
	return s.uring != nil && s.uringStart(tok, sk, op)
}

// pollCancel settles op, which Cancel is about to end, with the kernel, where a
// request of io_uring's completion model carries it.
func (s *System) pollCancel(tok uint64, sk *sock, op *Op) {
	if s.uring != nil {
		s.uringCancel(tok, sk, op)
	}
}

// pollPending reports whether the kernel holds something for a zero-timeout Wait
// that it can tell without a system call; epoll cannot tell, so false.
func (s *System) pollPending() bool {
	return s.uring != nil && s.uringPending()
}

func (s *System) pollClose() error {
	var first error
	if err := unix.Close(s.wakeFd); err != nil {
		first = os.NewSyscallError("close", err)
	}
	if s.uring != nil {
		if err := s.uring.close(); err != nil && first == nil {
			first = err
		}
		s.uring, s.wakeFd = nil, -1
		return first
	}
	if err := unix.Close(s.epfd); err != nil && first == nil {
		first = os.NewSyscallError("close", err)
	}
	s.wakeFd, s.epfd = -1, -1
	return first
}

// A read or write on a non-blocking socket and an epoll_wait that does not wait all
// return at once, so they are made as raw system calls that the Go scheduler does
// not see, as its own network poller makes them. Through the ordinary entry points,
// the system monitor could find the loop's thread in the call, hand its processor to
// another thread and wake one to run it, several times per round trip of a busy
// connection.

// sockRead is read(2) on a non-blocking socket.
func sockRead(fd int, b []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// sockWrite is write(2) on a non-blocking socket.
func sockWrite(fd int, b []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// epollPoll is epoll_wait(2) with a zero timeout.
func epollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(unsafe.SliceData(events))), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
