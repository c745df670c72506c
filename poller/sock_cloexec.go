//go:build linux || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"os"

	"golang.org/x/sys/unix"
)

// sysSocket returns a new non-blocking, close-on-exec stream socket of family, made
// in one system call so that no fork can inherit it.
func sysSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	return fd, nil
}
