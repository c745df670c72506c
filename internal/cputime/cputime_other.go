//go:build !unix

package cputime

import "time"

// Process reports no CPU time where getrusage is not available: zero, which
// callers take as unknown.
func Process() time.Duration { return 0 }
