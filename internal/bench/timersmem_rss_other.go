//go:build !unix

package bench

import (
	"errors"
	"fmt"
	"runtime"
)

// peakRSSKiB reports that this system's peak resident set size is not measured here.
func peakRSSKiB() (int64, error) {
	return 0, fmt.Errorf("the peak resident set size is not measured on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
