package main

import "testing"

// nodeloop run's garbage collector target keeps the growth between collections of
// a small live heap at runGCHeadroom, up to runGCPercentMax, and is runGCPercent
// for a large live heap.
func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, runGCPercent},
		{1 * mib, runGCPercentMax},
		{4 * mib, 1600},
		{8 * mib, 800},
		{10 * mib, 640},
		{16 * mib, 400},
		{175 * mib, runGCPercent},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}
