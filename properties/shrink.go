package properties

import (
	"slices"
	"sort"
	"time"

	"github.com/nodeloop/nodeloop/sim"
)

// Limits of the pass that finishes rapid's shrinking: finishRunsMax bounds the
// runs it makes, finishTime the time it takes after rapid's shrinking (a test of
// the shrinking itself lifts it, so that the runs alone bound it and a loaded
// machine shrinks as far as an idle one).
const finishRunsMax = 4000

var finishTime = 10 * time.Second

// byLabel is a choice source that answers the k-th decision named L with the k-th
// value the plan has for L, and with 0, the calm option, past the plan's values or
// when the value does not fit: a run whose path changes with the plan (a shorter
// latency that saves a retry, say) still gets its values by what they decide.
type byLabel struct {
	plan map[string][]int
	next map[string]int
}

func newByLabel(log []sim.Choice) *byLabel {
	b := &byLabel{plan: map[string][]int{}, next: map[string]int{}}
	for _, c := range log {
		b.plan[c.What] = append(b.plan[c.What], c.Value)
	}
	return b
}

// Choose returns the plan's next value for what, or 0.
func (b *byLabel) Choose(what string, n int) int {
	k := b.next[what]
	b.next[what] = k + 1
	if vs := b.plan[what]; k < len(vs) && vs[k] < n {
		return vs[k]
	}
	return 0
}

// finisher tries to take a failing case's choices further towards their defaults
// than rapid did. rapid shrinks each draw on its own, so a failure that needs a sum
// (a reply later than a timeout: latencies and callback costs that add up past it)
// stays spread over many draws, none of which can shrink alone. The finisher moves
// the sum into one draw and then lowers it, zeroes what the failure does without,
// and lowers each draw that is left as far as the failure allows.
type finisher struct {
	run      func(*logged) *failure // runs one case, returns its failure or nil
	deadline time.Time
	runs     int
}

// finish returns the failing case with the fewest choices off their defaults that
// it finds from f, f itself when it finds none better.
func (r *runner) finish(f *failure) *failure {
	return finish(func(src *logged) *failure { return r.runCase(src, nil) }, f)
}

// finish is runner.finish for cases that run runs: a Test's or a TestWorld's.
func finish(run func(*logged) *failure, f *failure) *failure {
	s := &finisher{run: run, deadline: time.Now().Add(finishTime)}
	best := f
	for improved := true; improved && s.budget(); {
		improved = false
		for _, try := range []func(*failure) *failure{s.concentrate, s.zero, s.lower} {
			if g := try(best); g != nil && better(g, best) {
				best, improved = g, true
			}
		}
	}
	return best
}

// budget reports whether the finisher may run another case.
func (s *finisher) budget() bool {
	return s.runs < finishRunsMax && time.Now().Before(s.deadline)
}

// try runs the case that log plans, and returns its failure, or nil when it passes
// or the budget is spent.
func (s *finisher) try(log []sim.Choice) *failure {
	if !s.budget() {
		return nil
	}
	s.runs++
	return s.run(&logged{src: newByLabel(log)})
}

// better reports whether g has fewer choices off their defaults than f, or as many
// with a smaller sum of values.
func better(g, f *failure) bool {
	gn, gs := offCount(g.log)
	fn, fs := offCount(f.log)
	return gn < fn || gn == fn && gs < fs
}

// offCount returns how many of log's choices are off their defaults, and the sum of
// their values.
func offCount(log []sim.Choice) (n, sum int) {
	for _, c := range log {
		if c.Value != 0 {
			n++
			sum += c.Value
		}
	}
	return n, sum
}

// concentrate tries, for each choice off its default, from the largest value down,
// the case where it is at its highest value and every other choice that the failure
// does without is at its default, then lowers that value as far as the case still
// fails.
func (s *finisher) concentrate(f *failure) *failure {
	if n, _ := offCount(f.log); n <= 1 {
		return nil
	}
	order := make([]int, 0, len(f.log))
	for i, c := range f.log {
		if c.Value != 0 {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return f.log[order[a]].Value > f.log[order[b]].Value })
	for _, i := range order {
		log := slices.Clone(f.log)
		log[i].Value = log[i].N - 1
		g := s.try(log)
		if g == nil {
			continue
		}
		if h := s.zero(g); h != nil {
			g = h
		}
		if h := s.lower(g); h != nil {
			g = h
		}
		if better(g, f) {
			return g
		}
	}
	return nil
}

// lower lowers each choice off its default, by halves, to the lowest value at which
// the case still fails, the others as they are.
func (s *finisher) lower(f *failure) *failure {
	best := f
	for i := 0; i < len(best.log) && s.budget(); i++ {
		c := best.log[i]
		if c.Value <= 1 {
			continue
		}
		base := best
		lo, hi := 0, c.Value // the case fails at hi and, as far as is known, not at lo
		for lo+1 < hi && s.budget() {
			mid := lo + (hi-lo)/2
			log := slices.Clone(base.log)
			log[i].Value = mid
			if g := s.try(log); g != nil && better(g, best) {
				best, hi = g, mid
			} else {
				lo = mid
			}
		}
	}
	if best == f {
		return nil
	}
	return best
}

// zero tries each choice off its default at its default, keeping each change after
// which the case still fails.
func (s *finisher) zero(f *failure) *failure {
	best := f
	for i := 0; i < len(best.log); i++ {
		if best.log[i].Value == 0 {
			continue
		}
		log := slices.Clone(best.log)
		log[i].Value = 0
		if g := s.try(log); g != nil && better(g, best) {
			best = g
			i = -1 // the log may have another shape now: start again
		}
	}
	if best == f {
		return nil
	}
	return best
}
