package sim

import (
	"fmt"
	"math/rand/v2"

	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop/fakepoller"
)

// Choice is one decision of a simulated world: what was decided, among how many
// options, and which was taken.
type Choice struct {
	What  string `json:"what"`
	N     int    `json:"n"`
	Value int    `json:"value"`
}

func (c Choice) String() string { return fmt.Sprintf("%s=%d/%d", c.What, c.Value, c.N) }

// seedStream is the PCG stream of seeded runs; the seed picks the state.
const seedStream = 0x9e3779b97f4a7c15

// Seeded returns choices drawn from a PCG generator seeded with seed: the source of
// seed sweeps. The same seed always gives the same choices.
func Seeded(seed uint64) fakepoller.Choices {
	return &seeded{rng: rand.New(rand.NewPCG(seed, seedStream))}
}

type seeded struct{ rng *rand.Rand }

func (s *seeded) Choose(_ string, n int) int {
	if n <= 1 {
		return 0
	}
	return s.rng.IntN(n)
}

// Rapid returns choices drawn by t, so that rapid explores and shrinks the schedule,
// the faults and the program's own draws together: every choice is a labeled draw
// that shrinks towards 0, the first option, which is the calm schedule.
func Rapid(t *rapid.T) fakepoller.Choices { return rapidChoices{t} }

type rapidChoices struct{ t *rapid.T }

func (r rapidChoices) Choose(what string, n int) (v int) {
	if n <= 1 {
		return 0
	}
	defer func() {
		if p := recover(); p != nil {
			panic(rapidPanic{p})
		}
	}()
	return rapid.IntRange(0, n-1).Draw(r.t, what)
}

// rapidPanic carries a panic of rapid's own (its way to end a test case whose data
// ran out, say) through the loop, which turns panics into errors, so that Run can
// raise it again for rapid to see.
type rapidPanic struct{ value any }

// ReplayError is the panic value, and then the Result's Err, of a replay that asked
// for a choice its log does not have: the program or the simulator changed since the
// log was recorded, and from this choice on the run is a different one.
type ReplayError struct {
	Index int     // position of the choice in the log
	Want  *Choice // what the log recorded there, nil past its end
	Got   Choice  // what the run asked for (Value unset)
}

func (e *ReplayError) Error() string {
	if e.Want == nil {
		return fmt.Sprintf("sim: replay: choice %d (%s among %d) is past the end of the log", e.Index, e.Got.What, e.Got.N)
	}
	return fmt.Sprintf("sim: replay: choice %d no longer fits: the log has %s among %d, the run asks for %s among %d",
		e.Index, e.Want.What, e.Want.N, e.Got.What, e.Got.N)
}

// Replay returns choices that repeat log, and stop the run with a *ReplayError at the
// first choice that does not match it in name and number of options.
func Replay(log []Choice) fakepoller.Choices { return &replay{log: log} }

type replay struct {
	log []Choice
	i   int
}

func (r *replay) Choose(what string, n int) int {
	got := Choice{What: what, N: n}
	if r.i >= len(r.log) {
		panic(&ReplayError{Index: r.i, Got: got})
	}
	want := r.log[r.i]
	if want.What != what || want.N != n || want.Value < 0 || want.Value >= n {
		panic(&ReplayError{Index: r.i, Want: &want, Got: got})
	}
	r.i++
	return want.Value
}

// recording wraps a source and keeps every choice it makes, and hands each to a
// hook (the loop's trace).
type recording struct {
	src  fakepoller.Choices
	log  []Choice
	hook func(Choice)
}

// Choose asks the source. A decision with one option is none: it is neither asked
// nor logged.
func (r *recording) Choose(what string, n int) int {
	if n <= 1 {
		return 0
	}
	v := r.src.Choose(what, n)
	c := Choice{What: what, N: n, Value: v}
	r.log = append(r.log, c)
	if r.hook != nil {
		r.hook(c)
	}
	return v
}
