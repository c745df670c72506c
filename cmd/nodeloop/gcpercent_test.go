package main

import "testing"

// nodeloop run's garbage collector target keeps the growth between collections at
// runGCHeadroom, from runGCPercentMax for a small live heap down to
// runGCPercentMin for a large one; before any collection it is runGCPercent.
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
		{32 * mib, 200},
		{50 * mib, 128},
		{64 * mib, 100},
		{175 * mib, runGCPercentMin},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}
