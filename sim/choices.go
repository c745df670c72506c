package sim

import (
	"fmt"
	"math/rand/v2"

	"pgregory.net/rapid"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/looptrace"
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
	s := new(seeded)
	s.init(seed)
	return s
}

// init seeds s, as Seeded does.
func (s *seeded) init(seed uint64) {
	s.pcg = *rand.NewPCG(seed, seedStream)
	s.rng = *rand.New(&s.pcg)
}

// seeded holds its generator and the generator's state, so that a run's source is
// one allocation.
type seeded struct {
	rng rand.Rand
	pcg rand.PCG
}

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

// ReplayError is the panic value, and then the Result's Err, of a strict replay that asked
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

// Replay returns choices that repeat log strictly, for one run: the first choice
// the run asks for that does not match the log's at its position, in label and
// number of options, or that is past the log's end, stops the run with a
// *ReplayError and the Diverged verdict. It is ReplayFrom(log, ReplayOptions{Strict:
// true}): the check that the same program repeats its own run.
func Replay(log []Choice) fakepoller.Choices {
	return ReplayFrom(log, ReplayOptions{Strict: true})
}

// DefaultReplayWindow is how many choices past its position a tolerant replay looks
// in its log for one that fits the run's.
const DefaultReplayWindow = 64

// ReplayOptions say how ReplayFrom follows its log.
type ReplayOptions struct {
	// Strict stops the run at the first choice that does not fit, as Replay does.
	// Otherwise the replay is tolerant (see ReplayFrom).
	Strict bool
	// Window is how many choices past its position a tolerant replay looks in the
	// log for one of the label and number of options the run asks for; 0 means
	// DefaultReplayWindow, a negative Window looks nowhere but at the position.
	Window int
	// Fresh decides the choices a tolerant replay cannot take from its log; nil
	// takes option 0, the calm one, for each (fakepoller.First); Seeded(seed)
	// explores instead.
	Fresh fakepoller.Choices

	_ struct{}
}

// ReplayFrom returns choices that repeat log for one run, as opts say. A choice is
// matched by its label and its number of options (Choice.What and N), so an edit of
// the program that draws nothing (a new log line, a new timer on a world without
// callback costs and late wake-ups) replays the same run.
//
// A tolerant replay (opts.Strict unset) goes on where the run asks for a choice that
// does not fit the log at its position:
//   - the log has the same label there with another number of options: the
//     logged option is taken if it is still one, a fresh one drawn if not, and
//     the log goes on after it;
//   - the log has a fitting choice within opts.Window after its position: the
//     choices before it are skipped (the program no longer asks for them) and it
//     is taken;
//   - otherwise the choice is new: it is drawn fresh (opts.Fresh) and the log
//     stays where it is for the choices that follow; past the log's end, every
//     choice is drawn fresh.
//
// The run's Result then says where it first left the log and how often
// (Result.Divergence); its verdict is the run's own, never Diverged.
func ReplayFrom(log []Choice, opts ReplayOptions) fakepoller.Choices {
	if opts.Window == 0 {
		opts.Window = DefaultReplayWindow
	}
	if opts.Fresh == nil {
		opts.Fresh = fakepoller.First{}
	}
	return &replay{log: log, opts: opts}
}

// Divergence is where a tolerant replay first took a choice that is not the next
// one of its log, and how often it did over the run.
type Divergence struct {
	// Index is the position in the log of the first choice that did not fit: the
	// number of choices the run took from the log in order before it.
	Index int
	// Asked is what the run asked for there, and the option it got.
	Asked Choice
	// Logged is the choice the log had there, nil past its end.
	Logged *Choice
	// Refitted counts the choices whose label fit but whose number of options
	// changed; Skipped the log's choices passed over to find fitting ones; Fresh
	// the choices drawn fresh because the log had none for them.
	Refitted, Skipped, Fresh int
}

// String says where the replay diverged and how it went on.
func (d *Divergence) String() string {
	found := "the log ends there"
	if d.Logged != nil {
		found = fmt.Sprintf("the log has %s among %d", d.Logged.What, d.Logged.N)
	}
	return fmt.Sprintf("replay diverged at choice %d: the run asked for %s among %d, %s; went on: %d drawn fresh, %d of the log skipped, %d refitted",
		d.Index, d.Asked.What, d.Asked.N, found, d.Fresh, d.Skipped, d.Refitted)
}

type replay struct {
	log  []Choice
	opts ReplayOptions
	i    int
	div  *Divergence
}

// fits reports whether the log's choice c answers a request for what among n.
func fits(c Choice, what string, n int) bool {
	return c.What == what && c.N == n && c.Value >= 0 && c.Value < n
}

func (r *replay) Choose(what string, n int) int {
	if n <= 1 {
		return 0
	}
	got := Choice{What: what, N: n}
	if r.i < len(r.log) && fits(r.log[r.i], what, n) {
		r.i++
		return r.log[r.i-1].Value
	}
	if r.opts.Strict {
		if r.i >= len(r.log) {
			panic(&ReplayError{Index: r.i, Got: got})
		}
		want := r.log[r.i]
		panic(&ReplayError{Index: r.i, Want: &want, Got: got})
	}
	first := r.div == nil
	v := r.tolerate(got)
	if first {
		r.div.Asked.Value = v
	}
	return v
}

// tolerate answers the request got, which does not fit the log at r.i, as
// ReplayFrom says, and counts how in the run's Divergence (made at the first).
func (r *replay) tolerate(got Choice) int {
	what, n := got.What, got.N
	if r.div == nil {
		r.div = &Divergence{Index: r.i, Asked: got}
		if r.i < len(r.log) {
			logged := r.log[r.i]
			r.div.Logged = &logged
		}
	}
	d := r.div
	switch {
	case r.i < len(r.log) && r.log[r.i].What == what:
		d.Refitted++
		v := r.log[r.i].Value
		r.i++
		if v >= 0 && v < n {
			return v
		}
	case r.i < len(r.log):
		end := min(len(r.log), r.i+1+max(r.opts.Window, 0))
		for j := r.i + 1; j < end; j++ {
			if fits(r.log[j], what, n) {
				d.Skipped += j - r.i
				r.i = j + 1
				return r.log[j].Value
			}
		}
	}
	d.Fresh++
	return r.opts.Fresh.Choose(what, n)
}

// divergence is the Divergence of the run this replay served, nil if it took every
// choice from its log in order.
func (r *replay) divergence() *Divergence { return r.div }

// recording wraps a source and keeps every choice it makes, and puts each in the
// trace: its loop's, or through a hook a world's.
type recording struct {
	src  fakepoller.Choices
	log  []Choice
	hook func(Choice)
	// loop, when not nil, is the run's one loop, whose trace the choices go into
	// (looptrace.Choice) without a hook.
	loop *nodeloop.Loop
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
	if r.loop != nil {
		looptrace.Choice(r.loop, what, n, v)
	} else if r.hook != nil {
		r.hook(c)
	}
	return v
}
