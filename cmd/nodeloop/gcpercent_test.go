package main

import "testing"

// nodeloop run's garbage collector target is runGCPercent for a small live heap and
// falls with a larger one, keeping the growth between collections at
// runGCHeadroom, down to runGCPercentMin.
func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, runGCPercent},
		{1 * mib, runGCPercent},
		{32 * mib, 400},
		{64 * mib, 200},
		{128 * mib, 100},
		{100 * mib, 128},
		{175 * mib, 100},
		{4096 * mib, runGCPercentMin},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}
