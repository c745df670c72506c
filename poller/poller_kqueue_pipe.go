//go:build netbsd || openbsd

package poller

import (
	"os"

	"golang.org/x/sys/unix"
)

// The kqueue waker on systems without EVFILT_USER in x/sys: a non-blocking pipe
// whose read end is registered for reading, as the Go runtime does on these
// systems. Wake writes one byte; Wait drains the pipe.

// wakeDrainReadsMax bounds the reads that empty the wake pipe. Wakes coalesce, so
// it rarely holds more than one byte.
const wakeDrainReadsMax = 16

// wakeState is the pipe waker's part of System.
type wakeState struct {
	wakeR, wakeW int
	wakeBuf      [16]byte
}

// wakeByte is what Wake writes into the pipe.
var wakeByte = [1]byte{1}

func (s *System) wakeOpen() error {
	s.wakeR, s.wakeW = -1, -1
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return os.NewSyscallError("pipe2", err)
	}
	clear(s.changeWords)
	ch := s.changes[:1]
	unix.SetKevent(&ch[0], p[0], unix.EVFILT_READ, unix.EV_ADD)
	setUdata(&ch[0], wakeToken)
	if err := s.kevent(ch); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return err
	}
	s.wakeR, s.wakeW = p[0], p[1]
	return nil
}

// pollWake writes one byte into the pipe. It runs with wakeMu held. EAGAIN means
// the pipe is full, so a wake-up is pending anyway.
func (s *System) pollWake() error {
	return wakeWrite(s.wakeW, wakeByte[:])
}

// wakeDrain empties the pipe.
func (s *System) wakeDrain() {
	for range wakeDrainReadsMax {
		n, err := unix.Read(s.wakeR, s.wakeBuf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n < len(s.wakeBuf) {
			return
		}
	}
}

func (s *System) wakeClose() error {
	var first error
	for _, fd := range [...]int{s.wakeR, s.wakeW} {
		if err := unix.Close(fd); err != nil && first == nil {
			first = os.NewSyscallError("close", err)
		}
	}
	s.wakeR, s.wakeW = -1, -1
	return first
}
