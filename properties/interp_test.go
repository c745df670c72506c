package properties_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/properties"
)

// jobTime is the sim.Config.JobTime of the model tests: wide enough for every
// Duration the generator draws, in the simulator's microsecond steps.
var jobTime = struct{ Min, Max time.Duration }{time.Microsecond, time.Second}

// interpreter runs a properties.Program on a real loop, logging what its callbacks
// log. It is also the run's fakepoller.Choices: the simulated pool draws each job's
// duration ("pool.duration") when a worker takes the job, and the interpreter
// answers with that job's Op.Duration. It knows which job a worker takes because it
// keeps its own copy of the pool's FIFO queue: a job joins it when the program
// submits it and leaves it when a worker takes it or a Cancel succeeds. Every other
// choice goes to fallback.
type interpreter struct {
	l        *nodeloop.Loop
	log      func(string)
	fallback fakepoller.Choices

	timers    map[int]*nodeloop.Timer
	imms      map[int]*nodeloop.Immediate
	jobs      map[int]*nodeloop.Request
	refreshed map[int]bool

	queue   []queuedJob
	tokens  map[*nodeloop.Request]int
	token   int
	choiceE error // the first inconsistency met while answering a choice
}

type queuedJob struct {
	token    int
	duration time.Duration
}

func newInterpreter(fallback fakepoller.Choices, log func(string)) *interpreter {
	return &interpreter{
		log:       log,
		fallback:  fallback,
		timers:    map[int]*nodeloop.Timer{},
		imms:      map[int]*nodeloop.Immediate{},
		jobs:      map[int]*nodeloop.Request{},
		refreshed: map[int]bool{},
		tokens:    map[*nodeloop.Request]int{},
	}
}

// Choose answers the simulator's decisions.
func (in *interpreter) Choose(what string, n int) int {
	if what != "pool.duration" {
		return in.fallback.Choose(what, n)
	}
	if len(in.queue) == 0 {
		in.fail(errors.New("the pool took a job the program did not submit"))
		return 0
	}
	d := in.queue[0].duration
	in.queue = in.queue[1:]
	v := int((d - jobTime.Min) / time.Microsecond)
	if d%time.Microsecond != 0 || v < 0 || v >= n {
		in.fail(fmt.Errorf("job duration %v is not one of the %d the pool offers", d, n))
		return 0
	}
	return v
}

func (in *interpreter) fail(err error) {
	if in.choiceE == nil {
		in.choiceE = err
	}
}

// RunProgram runs p as the main callback's body on l: log "main", then p.Ops.
func (in *interpreter) RunProgram(l *nodeloop.Loop, p properties.Program) {
	in.l = l
	in.log("main")
	in.exec(p.Ops)
}

// callback returns the callback of op: log its label, run its ops.
func (in *interpreter) callback(o *properties.Op) func() {
	return func() {
		in.log(o.Label())
		in.exec(o.Ops)
	}
}

func (in *interpreter) exec(ops []properties.Op) {
	l := in.l
	for i := range ops {
		o := &ops[i]
		switch o.Kind {
		case properties.OpTimeout:
			in.timers[o.ID] = l.SetTimeout(o.Delay, in.callback(o))
		case properties.OpInterval:
			var t *nodeloop.Timer
			runs := 0
			t = l.SetInterval(o.Delay, func() {
				in.log(o.Label())
				runs++
				in.exec(o.Ops)
				if runs >= max(o.Count, 1) {
					l.ClearTimeout(t)
				}
			})
			in.timers[o.ID] = t
		case properties.OpClearTimer:
			if t := in.timers[o.Target]; t != nil {
				l.ClearTimeout(t)
			}
		case properties.OpRefresh:
			if in.refreshed[o.ID] {
				break
			}
			in.refreshed[o.ID] = true
			if t := in.timers[o.Target]; t != nil {
				t.Refresh()
			}
		case properties.OpImmediate:
			in.imms[o.ID] = l.SetImmediate(in.callback(o))
		case properties.OpClearImmediate:
			if im := in.imms[o.Target]; im != nil {
				l.ClearImmediate(im)
			}
		case properties.OpNextTick:
			l.NextTick(in.callback(o))
		case properties.OpMicrotask:
			l.QueueMicrotask(in.callback(o))
		case properties.OpJob:
			in.token++
			tok := in.token
			in.queue = append(in.queue, queuedJob{token: tok, duration: o.Duration})
			r := nodeloop.Work(l, func() (int, error) { return o.ID, nil }, func(_ int, err error) {
				switch {
				case errors.Is(err, nodeloop.ErrCanceled):
					in.log(o.Label() + " canceled")
				case err != nil:
					in.log(fmt.Sprintf("%s error %v", o.Label(), err))
				default:
					in.log(o.Label())
				}
				in.exec(o.Ops)
			})
			in.jobs[o.ID] = r
			in.tokens[r] = tok
		case properties.OpCancelJob:
			if r := in.jobs[o.Target]; r != nil && r.Cancel() {
				tok := in.tokens[r]
				for k, q := range in.queue {
					if q.token == tok {
						in.queue = append(in.queue[:k], in.queue[k+1:]...)
						break
					}
				}
			}
		case properties.OpIdle, properties.OpPrepare, properties.OpCheck:
			in.watch(o)
		case properties.OpStop:
			l.Stop()
		}
	}
}

// watch starts the watcher of o: each run logs and runs o.Ops; after o.Count runs
// it stops, or closes with a close callback that logs.
func (in *interpreter) watch(o *properties.Op) {
	l := in.l
	var w *nodeloop.Watcher
	runs := 0
	cb := func() {
		in.log(o.Label())
		runs++
		in.exec(o.Ops)
		if runs >= max(o.Count, 1) && w.Active() {
			if o.Close {
				w.Close(func() { in.log(o.Label() + " closed") })
			} else {
				w.Stop()
			}
		}
	}
	switch o.Kind {
	case properties.OpIdle:
		w = l.Idle(cb)
	case properties.OpPrepare:
		w = l.Prepare(cb)
	default:
		w = l.Check(cb)
	}
}
