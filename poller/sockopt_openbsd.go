package poller

import (
	"os"
	"syscall"
)

// setKeepAliveIdle fails: OpenBSD has no per-socket keep-alive idle time, as Go's
// net package says there (keep-alive itself is on; the system's time applies).
func setKeepAliveIdle(fd, secs int) error {
	return os.NewSyscallError("setsockopt", syscall.ENOPROTOOPT)
}
