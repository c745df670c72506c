package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixed is a Choices that answers every request with v, capped to the options.
type fixed int

func (f fixed) Choose(_ string, n int) int { return min(int(f), n-1) }

// A tolerant replay follows its log where it fits and says how it went on where not.
func TestReplayFromTolerates(t *testing.T) {
	log := []Choice{{"a", 4, 1}, {"b", 3, 2}, {"c", 5, 4}, {"d", 2, 1}}
	type ask struct {
		what string
		n    int
	}
	for _, tc := range []struct {
		name string
		opts ReplayOptions
		asks []ask
		want []int
		div  *Divergence
	}{
		{"in order", ReplayOptions{}, []ask{{"a", 4}, {"b", 3}, {"c", 5}, {"d", 2}}, []int{1, 2, 4, 1}, nil},
		{"fewer at the end", ReplayOptions{}, []ask{{"a", 4}, {"b", 3}}, []int{1, 2}, nil},
		{"one-option choices draw nothing", ReplayOptions{}, []ask{{"a", 4}, {"x", 1}, {"b", 3}}, []int{1, 0, 2}, nil},
		{"a new choice first", ReplayOptions{}, []ask{{"new", 9}, {"a", 4}, {"b", 3}, {"c", 5}, {"d", 2}}, []int{0, 1, 2, 4, 1},
			&Divergence{Index: 0, Asked: Choice{"new", 9, 0}, Logged: &Choice{"a", 4, 1}, Fresh: 1}},
		{"a new choice from Fresh", ReplayOptions{Fresh: fixed(7)}, []ask{{"a", 4}, {"new", 9}, {"b", 3}}, []int{1, 7, 2},
			&Divergence{Index: 1, Asked: Choice{"new", 9, 7}, Logged: &Choice{"b", 3, 2}, Fresh: 1}},
		{"a choice no longer asked", ReplayOptions{}, []ask{{"a", 4}, {"c", 5}, {"d", 2}}, []int{1, 4, 1},
			&Divergence{Index: 1, Asked: Choice{"c", 5, 4}, Logged: &Choice{"b", 3, 2}, Skipped: 1}},
		{"beyond the window", ReplayOptions{Window: 1}, []ask{{"a", 4}, {"d", 2}, {"b", 3}}, []int{1, 0, 2},
			&Divergence{Index: 1, Asked: Choice{"d", 2, 0}, Logged: &Choice{"b", 3, 2}, Fresh: 1}},
		{"no window", ReplayOptions{Window: -1}, []ask{{"b", 3}, {"a", 4}}, []int{0, 1},
			&Divergence{Index: 0, Asked: Choice{"b", 3, 0}, Logged: &Choice{"a", 4, 1}, Fresh: 1}},
		{"more options", ReplayOptions{}, []ask{{"a", 8}, {"b", 3}}, []int{1, 2},
			&Divergence{Index: 0, Asked: Choice{"a", 8, 1}, Logged: &Choice{"a", 4, 1}, Refitted: 1}},
		{"fewer options", ReplayOptions{}, []ask{{"a", 4}, {"b", 2}, {"c", 5}}, []int{1, 0, 4},
			&Divergence{Index: 1, Asked: Choice{"b", 2, 0}, Logged: &Choice{"b", 3, 2}, Refitted: 1, Fresh: 1}},
		{"past the end", ReplayOptions{}, []ask{{"a", 4}, {"b", 3}, {"c", 5}, {"d", 2}, {"e", 6}, {"a", 4}}, []int{1, 2, 4, 1, 0, 0},
			&Divergence{Index: 4, Asked: Choice{"e", 6, 0}, Fresh: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ReplayFrom(log, tc.opts).(*replay)
			var got []int
			for _, a := range tc.asks {
				got = append(got, r.Choose(a.what, a.n))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("choices (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.div, r.divergence()); diff != "" {
				t.Errorf("divergence (-want +got):\n%s", diff)
			}
		})
	}
}

// A strict replay stops at the first choice that does not fit, as Replay always did.
func TestReplayStrict(t *testing.T) {
	log := []Choice{{"a", 4, 1}}
	for _, tc := range []struct {
		what  string
		n     int
		index int
		want  *Choice
	}{
		{"b", 4, 0, &log[0]},
		{"a", 5, 0, &log[0]},
	} {
		r := Replay(log)
		func() {
			defer func() {
				re, ok := recover().(*ReplayError)
				if !ok || re.Index != tc.index || re.Got != (Choice{What: tc.what, N: tc.n}) || *re.Want != *tc.want {
					t.Errorf("Choose(%q, %d) panicked with %v, want a *ReplayError at %d", tc.what, tc.n, re, tc.index)
				}
			}()
			r.Choose(tc.what, tc.n)
		}()
	}
	r := Replay(log)
	r.Choose("a", 4)
	defer func() {
		if re, ok := recover().(*ReplayError); !ok || re.Want != nil || re.Index != 1 {
			t.Errorf("a choice past the end panicked with %v, want a *ReplayError at 1 with no Want", re)
		}
	}()
	r.Choose("a", 4)
}
