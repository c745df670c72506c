//go:build unix

package js

import (
	"syscall"
	"time"
)

// processCPU returns the user and the system CPU time the process has used, every
// thread included; zero when the system does not say.
func processCPU() (user, system time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
