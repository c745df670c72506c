package nodeloop

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// populatePagesMinBytes is the least memory populatePages asks the kernel to map in
// one call: below it, writing to each page costs less than the system call.
const populatePagesMinBytes = 4 * touchPagesBytes

// populatePages asks the kernel to map, writable, every page of the n bytes at p
// (madvise MADV_POPULATE_WRITE, Linux 5.14 and later), which it does in one call
// rather than one fault per page, and leaves the memory as it was. It reports
// whether the kernel did; false for less than populatePagesMinBytes.
func populatePages(p unsafe.Pointer, n uintptr) bool {
	if n < populatePagesMinBytes {
		return false
	}
	// The range starts at the page that holds p: the allocator's header before a
	// block shares it, and a page of the block can only be mapped whole.
	off := uintptr(p) & uintptr(unix.Getpagesize()-1)
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(p)-off, n+off, unix.MADV_POPULATE_WRITE)
	return errno == 0
}
