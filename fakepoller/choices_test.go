package fakepoller_test

import (
	"math"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop/fakepoller"
)

// fixed is the Choices that always answers v (clamped to the options there are).
type fixed int

func (v fixed) Choose(_ string, n int) int { return min(int(v), n-1) }

// counting counts the decisions asked of it and answers 0.
type counting struct{ n int }

func (c *counting) Choose(string, int) int { c.n++; return 0 }

// A draw of 0 is calm: First never makes a fault of probability below 1 strike, the
// highest draw makes any fault above 0 strike, and a fault of probability k/R
// strikes for exactly the k highest of the R draws.
func TestChanceZeroIsCalm(t *testing.T) {
	const r = fakepoller.ChanceResolution
	for _, p := range []float64{0.000001, 0.0005, 0.05, 0.5, 0.999999} {
		if fakepoller.Chance(fakepoller.First{}, "fault.x", p) {
			t.Errorf("Chance(First, %v) = true; want a draw of 0 to be calm", p)
		}
		if !fakepoller.Chance(fixed(r-1), "fault.x", p) {
			t.Errorf("Chance(draw %d, %v) = false; want the highest draw to strike", r-1, p)
		}
		k := int(p*r + 0.5)
		if !fakepoller.Chance(fixed(r-k), "fault.x", p) || fakepoller.Chance(fixed(r-k-1), "fault.x", p) {
			t.Errorf("Chance(%v): want draws from %d up to strike and %d not", p, r-k, r-k-1)
		}
	}
	for _, tc := range []struct {
		p      float64
		want   bool
		drawn  int
		reason string
	}{
		{0, false, 0, "probability 0 never strikes and draws nothing"},
		{-1, false, 0, "a negative probability is 0"},
		{1, true, 0, "probability 1 always strikes without a draw"},
		{0.5, false, 1, "a probability between draws once"},
	} {
		c := &counting{}
		if got := fakepoller.Chance(c, "fault.x", tc.p); got != tc.want || c.n != tc.drawn {
			t.Errorf("Chance(%v) = %v after %d draws; want %v after %d: %s", tc.p, got, c.n, tc.want, tc.drawn, tc.reason)
		}
	}
}

// CheckProbability accepts whole millionths from 0 to 1 and refuses the rest, saying
// why.
func TestCheckProbability(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want string // "" for accepted
	}{
		{0, ""}, {1, ""}, {0.05, ""}, {0.0005, ""}, {0.000001, ""}, {0.999999, ""}, {0.123456, ""},
		{0.0000005, "one in a million"}, {0.1234567, "one in a million"}, {1e-9, "one in a million"},
		{-0.1, "from 0 to 1"}, {1.5, "from 0 to 1"}, {math.NaN(), "from 0 to 1"},
	} {
		err := fakepoller.CheckProbability(tc.p)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckProbability(%v) = %v; want nil", tc.p, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckProbability(%v) = %v; want an error saying %q", tc.p, err, tc.want)
		}
	}
}
