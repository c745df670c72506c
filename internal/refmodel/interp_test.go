package refmodel_test

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/internal/refmodel"
)

// jobTime is the sim.Config.JobTime of the model tests: wide enough for every
// Duration the generator draws, in the simulator's microsecond steps.
var jobTime = struct{ Min, Max time.Duration }{time.Microsecond, time.Second}

// interpreter runs a refmodel.Program on a real loop, logging what its callbacks
// log. It is also the run's fakepoller.Choices, and answers the two choices a
// calm simulated world with one fixed latency makes. The simulated pool draws each
// job's duration ("pool.duration") when a worker takes the job, and the
// interpreter answers with that job's Op.Duration: it knows which job a worker
// takes because it keeps its own copy of the pool's FIFO queue (a job joins it
// when the program submits it and leaves it when a worker takes it or a Cancel
// succeeds). The order of operations that finish at one instant ("wait.order") is
// always the first option, the order in which they finished, which is the order
// the model predicts. Any other choice is an inconsistency, answered with 0 and
// reported.
type interpreter struct {
	l   *nodeloop.Loop
	log func(string)

	timers    map[int]*nodeloop.Timer
	imms      map[int]nodeloop.Immediate
	jobs      map[int]*nodeloop.Request
	refreshed map[int]bool
	listeners map[int]*listenerState
	conns     map[int]*connState
	dials     map[int]*nodeloop.DialRequest

	queue   []queuedJob
	tokens  map[*nodeloop.Request]int
	token   int
	choiceE error // the first inconsistency met while answering a choice
}

type queuedJob struct {
	token    int
	duration time.Duration
}

// listenerState is a listener the program made, as the program knows it.
type listenerState struct {
	ln     *nodeloop.Listener
	addr   string
	closed bool
}

// connState is a connection the program was given, as the program knows it.
type connState struct {
	c       *nodeloop.Conn
	closed  bool
	reading bool
}

// zeros is what writes send: only the number of bytes matters.
var zeros = make([]byte, 256<<10)

func newInterpreter(log func(string)) *interpreter {
	return &interpreter{
		log:       log,
		timers:    map[int]*nodeloop.Timer{},
		imms:      map[int]nodeloop.Immediate{},
		jobs:      map[int]*nodeloop.Request{},
		refreshed: map[int]bool{},
		listeners: map[int]*listenerState{},
		conns:     map[int]*connState{},
		dials:     map[int]*nodeloop.DialRequest{},
		tokens:    map[*nodeloop.Request]int{},
	}
}

// Choose answers the simulator's decisions.
func (in *interpreter) Choose(what string, n int) int {
	switch what {
	case "wait.order":
		return 0
	case "pool.duration":
		v := int((in.nextDuration() - jobTime.Min) / time.Microsecond)
		if v < 0 || v >= n {
			in.fail(fmt.Errorf("the job's duration is not one of the %d the pool offers", n))
			return 0
		}
		return v
	}
	in.fail(fmt.Errorf("the simulator asked for a choice the model does not make: %s among %d", what, n))
	return 0
}

// nextDuration is the duration of the job a worker takes now: the first of the
// queue.
func (in *interpreter) nextDuration() time.Duration {
	if len(in.queue) == 0 {
		in.fail(errors.New("the pool took a job the program did not submit"))
		return jobTime.Min
	}
	d := in.queue[0].duration
	in.queue = in.queue[1:]
	if d%time.Microsecond != 0 || d < jobTime.Min || d > jobTime.Max {
		in.fail(fmt.Errorf("job duration %v is not a whole number of microseconds in %v..%v", d, jobTime.Min, jobTime.Max))
	}
	return d
}

func (in *interpreter) fail(err error) {
	if in.choiceE == nil {
		in.choiceE = err
	}
}

// RunProgram runs p as the main callback's body on l: log "main", then p.Ops.
func (in *interpreter) RunProgram(l *nodeloop.Loop, p refmodel.Program) {
	in.l = l
	in.log("main")
	in.exec(p.Ops)
}

// callback returns the callback of op: log its label, run its ops.
func (in *interpreter) callback(o *refmodel.Op) func() {
	return func() {
		in.log(o.Label())
		in.exec(o.Ops)
	}
}

func (in *interpreter) exec(ops []refmodel.Op) {
	l := in.l
	for i := range ops {
		o := &ops[i]
		switch o.Kind {
		case refmodel.OpTimeout:
			in.timers[o.ID] = l.SetTimeout(o.Delay, in.callback(o))
		case refmodel.OpInterval:
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
		case refmodel.OpClearTimer:
			if t := in.timers[o.Target]; t != nil {
				l.ClearTimeout(t)
			}
		case refmodel.OpRefresh:
			if in.refreshed[o.ID] {
				break
			}
			in.refreshed[o.ID] = true
			if t := in.timers[o.Target]; t != nil {
				t.Refresh()
			}
		case refmodel.OpImmediate:
			in.imms[o.ID] = l.SetImmediate(in.callback(o))
		case refmodel.OpClearImmediate:
			if im, ok := in.imms[o.Target]; ok {
				l.ClearImmediate(im)
			}
		case refmodel.OpNextTick:
			l.NextTick(in.callback(o))
		case refmodel.OpMicrotask:
			l.QueueMicrotask(in.callback(o))
		case refmodel.OpJob:
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
		case refmodel.OpCancelJob:
			if r := in.jobs[o.Target]; r != nil && r.Cancel() {
				tok := in.tokens[r]
				for k, q := range in.queue {
					if q.token == tok {
						in.queue = append(in.queue[:k], in.queue[k+1:]...)
						break
					}
				}
			}
		case refmodel.OpIdle, refmodel.OpPrepare, refmodel.OpCheck:
			in.watch(o)
		case refmodel.OpStop:
			l.Stop()
		case refmodel.OpListen, refmodel.OpDial, refmodel.OpWrite, refmodel.OpRead,
			refmodel.OpCloseConn, refmodel.OpCloseListener, refmodel.OpCancelDial:
			in.execNet(o)
		}
	}
}

// execNet runs a socket op. It leaves out what the loop forbids (a read while one
// is in flight, an operation or a close after Close) as the model does.
// connected is the callback of listen and dial op o: it logs the connection (or
// the error), keeps the connection as o's, and runs o's ops.
func (in *interpreter) connected(o *refmodel.Op) func(*nodeloop.Conn, error) {
	return func(c *nodeloop.Conn, err error) {
		if err != nil {
			in.log(o.Label() + " " + errName(err))
		} else {
			in.conns[o.ID] = &connState{c: c}
			in.log(o.Label())
		}
		in.exec(o.Ops)
	}
}

func (in *interpreter) execNet(o *refmodel.Op) {
	l := in.l
	switch o.Kind {
	case refmodel.OpListen:
		ls := &listenerState{}
		ln, err := l.Listen("tcp", "127.0.0.1:0", in.connected(o))
		if err != nil {
			in.log(o.Label() + " listen " + errName(err))
			return
		}
		ls.ln, ls.addr = ln, ln.Addr().String()
		in.listeners[o.ID] = ls
	case refmodel.OpDial:
		ls := in.listeners[o.Target]
		if ls == nil {
			return
		}
		if o.Delay > 0 {
			in.dials[o.ID] = l.DialTimeout("tcp", ls.addr, o.Delay, in.connected(o))
		} else {
			in.dials[o.ID] = l.Dial("tcp", ls.addr, in.connected(o))
		}
	case refmodel.OpCancelDial:
		if d := in.dials[o.Target]; d != nil {
			d.Cancel()
		}
	case refmodel.OpWrite:
		cs := in.conns[o.Target]
		if cs == nil || cs.closed {
			return
		}
		cs.c.Write(zeros[:o.Size], func(n int, err error) {
			switch {
			case err != nil:
				in.log(o.Label() + " " + errName(err))
			case n != o.Size:
				in.log(fmt.Sprintf("%s wrote %d of %d", o.Label(), n, o.Size))
			default:
				in.log(o.Label())
			}
			in.exec(o.Ops)
		})
	case refmodel.OpRead:
		cs := in.conns[o.Target]
		if cs == nil || cs.closed || cs.reading {
			return
		}
		in.read(cs, o, 0)
	case refmodel.OpCloseConn:
		cs := in.conns[o.Target]
		if cs == nil || cs.closed {
			return
		}
		cs.closed = true
		cs.c.Close(in.callback(o))
	case refmodel.OpCloseListener:
		ls := in.listeners[o.Target]
		if ls == nil || ls.closed {
			return
		}
		ls.closed = true
		ls.ln.Close(in.callback(o))
	}
}

// read reads on cs for op o, which ran runs reads already: the callback logs what
// it got and runs o.Ops, and reads again while reads return data, up to o.Count.
func (in *interpreter) read(cs *connState, o *refmodel.Op, runs int) {
	cs.reading = true
	cs.c.Read(func(b []byte, err error) {
		cs.reading = false
		if err != nil {
			in.log(o.Label() + " " + errName(err))
		} else {
			in.log(fmt.Sprintf("%s %d", o.Label(), len(b)))
		}
		runs++
		in.exec(o.Ops)
		if err == nil && runs < max(o.Count, 1) && !cs.closed && !cs.reading {
			in.read(cs, o, runs)
		}
	})
}

// errName is how a callback logs an error, as refmodel.Op.Label says.
func errName(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "EOF"
	case errors.Is(err, nodeloop.ErrClosed):
		return "closed"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.EPIPE):
		return "pipe"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, nodeloop.ErrCanceled):
		return "canceled"
	case errors.Is(err, syscall.ETIMEDOUT):
		return "timedout"
	}
	return "error " + err.Error()
}

// watch starts the watcher of o: each run logs and runs o.Ops; after o.Count runs
// it stops, or closes with a close callback that logs.
func (in *interpreter) watch(o *refmodel.Op) {
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
	case refmodel.OpIdle:
		w = l.Idle(cb)
	case refmodel.OpPrepare:
		w = l.Prepare(cb)
	default:
		w = l.Check(cb)
	}
}
