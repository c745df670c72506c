//go:build !linux

package nodeloop

import "unsafe"

// populatePages maps the n bytes at p where the system can in one call; here it
// cannot, and it reports false.
func populatePages(p unsafe.Pointer, n uintptr) bool { return false }
