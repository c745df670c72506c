//go:build linux || dragonfly || freebsd

package poller

import "golang.org/x/sys/unix"

// sysAccept accepts one connection on the listening socket lfd as a non-blocking,
// close-on-exec socket, in one system call. Its error is the bare errno, for the
// caller to classify and wrap.
func sysAccept(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}
