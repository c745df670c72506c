package properties

import (
	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
)

// rapidSource is the choice source of a case under rapid: each choice is a draw of
// rapid's, labelled by what it decides, in [0, n), which rapid shrinks towards 0,
// the calm option.
//
// While rapid shrinks, it replays shortened data, and a draw past its end panics to
// tell rapid that the case is invalid. Inside a run, that panic would go through the
// loop, which stops on it and records the stack of the panicking callback: most of the
// time of shrinking went there. So the source keeps the panic, answers 0 from then on,
// stops the loop (at once, or as soon as the program starts when the draw came
// before), and raises the panic again once the run has returned (rethrow).
type rapidSource struct {
	t       *rapid.T
	loop    *nodeloop.Loop // the run's, once it started
	overrun any            // rapid's panic, kept until the run returns
}

// Choose draws from rapid.
func (s *rapidSource) Choose(what string, n int) (v int) {
	if n <= 1 || s.overrun != nil {
		return 0
	}
	defer func() {
		if p := recover(); p != nil {
			s.overrun, v = p, 0
			if s.loop != nil {
				s.loop.Stop()
			}
		}
	}()
	return rapid.IntRange(0, n-1).Draw(s.t, what)
}

// rethrow raises again the panic of a draw made during the run, if there was one.
func (s *rapidSource) rethrow() {
	if p := s.overrun; p != nil {
		s.overrun = nil
		panic(p)
	}
}
