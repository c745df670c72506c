//go:build !unix && !windows

package js

import "time"

// processCPU returns zero: this system does not say how much CPU time the process
// used.
func processCPU() (user, system time.Duration) { return 0, 0 }
