package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// peakRSSKiB returns the process's peak resident set size so far, in KiB: VmHWM of
// /proc/self/status, the high-water mark of this program's memory alone. getrusage's
// ru_maxrss will not do on Linux: a child starts with the size its parent had when it
// forked, so a small child of a large parent would report the parent's.
func peakRSSKiB() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !ok {
			continue
		}
		kib, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(kib)), 10, 64)
		if !ok || err != nil {
			return 0, fmt.Errorf("/proc/self/status: VmHWM is %q, not a count of kB", bytes.TrimSpace(rest))
		}
		return n, nil
	}
	return 0, fmt.Errorf("/proc/self/status has no VmHWM line")
}
