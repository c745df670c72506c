package poller

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/windows"
)

// The Winsock and NT codes of the common connection failures match the errnos
// errors.Is matches on every system, wrapped once with the call's name.
func TestWrapErrTranslates(t *testing.T) {
	for _, tc := range []struct {
		in   syscall.Errno
		want syscall.Errno
	}{
		{windows.WSAECONNREFUSED, syscall.ECONNREFUSED},
		{windows.ERROR_CONNECTION_REFUSED, syscall.ECONNREFUSED},
		{windows.WSAECONNRESET, syscall.ECONNRESET},
		{windows.WSAETIMEDOUT, syscall.ETIMEDOUT},
		{windows.ERROR_SEM_TIMEOUT, syscall.ETIMEDOUT},
	} {
		err := wrapErr("connectex", tc.in)
		var se *os.SyscallError
		if !errors.Is(err, tc.want) || !errors.As(err, &se) || se.Syscall != "connectex" {
			t.Errorf("wrapErr(connectex, %d) = %v; want a connectex *os.SyscallError matching %v", uint32(tc.in), err, tc.want)
		}
	}
}
