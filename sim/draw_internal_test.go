package sim

import (
	"strings"
	"testing"
)

// A loop outside the simulator is seeded by NODELOOP_SEED; unset, by a seed drawn
// once per process and printed once; bad, by that seed, with a message naming the
// variable and its value.
func TestSeedFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    string
		set    bool
		fresh  bool
		want   uint64
		stderr string
	}{
		{"set", "12345", true, true, 12345, ""},
		{"largest", "18446744073709551615", true, true, 1<<64 - 1, ""},
		{"unset, first loop", "", false, true, 7, "nodeloop: NODELOOP_SEED=7\n"},
		{"unset, later loop", "", false, false, 7, ""},
		{"empty", "", true, true, 7, "nodeloop: NODELOOP_SEED=7\n"},
		{"bad", "-1", true, true, 7, `nodeloop: NODELOOP_SEED="-1" is not a whole number from 0 to 18446744073709551615; drawing from NODELOOP_SEED=7 instead` + "\n"},
		{"too large", "18446744073709551616", true, false, 7, `NODELOOP_SEED="18446744073709551616" is not a whole number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) {
				if k != SeedEnv {
					t.Fatalf("looked up %s", k)
				}
				return tc.env, tc.set
			}
			var w strings.Builder
			got := seedFromEnv(lookup, &w, func() (uint64, bool) { return 7, tc.fresh })
			if got != tc.want {
				t.Errorf("seed %d; want %d", got, tc.want)
			}
			if tc.stderr == "" && w.Len() > 0 || !strings.Contains(w.String(), tc.stderr) {
				t.Errorf("printed %q; want %q", w.String(), tc.stderr)
			}
		})
	}
}
