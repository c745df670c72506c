//go:build darwin || netbsd || openbsd

package poller

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// sysAccept accepts one connection on the listening socket lfd and makes it
// non-blocking and close-on-exec. These systems lack accept4 in x/sys, so the flags
// are set afterwards, under syscall.ForkLock so that no fork inherits the descriptor
// in between. Its error is the bare errno, for the caller to classify and wrap.
func sysAccept(lfd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	fd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, sa, nil
}
