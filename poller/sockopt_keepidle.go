//go:build linux || dragonfly || freebsd || netbsd

package poller

import (
	"os"

	"golang.org/x/sys/unix"
)

// setKeepAliveIdle sets the idle time before the first keep-alive probe, as Go's
// net package does here: TCP_KEEPIDLE, in seconds.
func setKeepAliveIdle(fd, secs int) error {
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}
