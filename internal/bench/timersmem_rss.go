//go:build unix && !linux

package bench

import (
	"fmt"
	"runtime"
	"syscall"
)

// peakRSSKiB returns the process's peak resident set size so far, in KiB: getrusage's
// ru_maxrss, which Darwin counts in bytes and the other systems in KiB. (On Linux it
// would count the parent's size at the fork; timersmem_rss_linux.go reads VmHWM.)
func peakRSSKiB() (int64, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	rss := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		rss /= 1024
	}
	return rss, nil
}
