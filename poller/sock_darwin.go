package poller

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysSocket returns a new non-blocking, close-on-exec stream socket of family.
// macOS has no SOCK_NONBLOCK or SOCK_CLOEXEC, so the flags are set afterwards, under
// syscall.ForkLock so that no fork inherits the descriptor in between.
func sysSocket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	// Writes to a connection the peer closed fail with EPIPE instead of raising
	// SIGPIPE, which the Go runtime would otherwise have to field.
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
	return fd, nil
}
