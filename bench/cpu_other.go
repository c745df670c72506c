//go:build !unix

package bench

import "time"

// processCPU reports no CPU time where getrusage is not available; a Result's CPU is
// then zero, which its readers take as unknown.
func processCPU() time.Duration { return 0 }
