package nodeloop_test

import (
	"net"
	"testing"

	"golang.org/x/sys/windows"
)

// listenBacklogZero returns the address of a loopback TCP listener of backlog 0,
// closed when the test ends, that nothing accepts on.
func listenBacklogZero(t *testing.T) string {
	t.Helper()
	h, err := windows.Socket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { windows.Closesocket(h) })
	if err := windows.Bind(h, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := windows.Listen(h, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := windows.Getsockname(h)
	if err != nil {
		t.Fatal(err)
	}
	return (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*windows.SockaddrInet4).Port}).String()
}

// openFds is -1 here: the process's handles are not counted.
func openFds(*testing.T) int { return -1 }
