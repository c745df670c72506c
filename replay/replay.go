package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/internal/looptrace"
	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/realclock"
	"github.com/nodeloop/nodeloop/traces"
)

// inputs puts input events into the loop's trace. The clock is read once before the
// loop exists (when it is made): that reading waits for the next input.
type inputs struct {
	loop    *nodeloop.Loop
	pending []traces.Event
}

func (in *inputs) add(what, value string) {
	e := traces.Event{Kind: traces.KindInput, Input: what, Value: value}
	if in.loop == nil {
		in.pending = append(in.pending, e)
		return
	}
	for _, p := range in.pending {
		looptrace.Record(in.loop, p)
	}
	in.pending = nil
	looptrace.Record(in.loop, e)
}

// Record runs program as the main callback of a loop on the operating system's
// clock, poller and pool, and writes its trace, every input included, to w as JSON
// Lines after h. Replay re-runs the program from that trace. Functions posted from
// other goroutines cannot be replayed: a program that records for replay must not
// use Post.
func Record(w io.Writer, h traces.Header, program func(*nodeloop.Loop), opts ...nodeloop.Option) error {
	rp, err := poller.New()
	if err != nil {
		return err
	}
	in := &inputs{}
	pool := &recPool{WorkerPool: nodeloop.NewPool(nodeloop.DefaultWorkers), in: in}
	rec := traces.NewRecorder(w, h)
	l, err := nodeloop.New(append([]nodeloop.Option{
		nodeloop.WithClock(&recClock{in: in}),
		nodeloop.WithPoller(&recPoller{Poller: rp, in: in}),
		nodeloop.WithPool(pool),
		nodeloop.WithTracer(rec),
	}, opts...)...)
	if err != nil {
		rp.Close()
		return err
	}
	in.loop = l
	runErr := l.Run(func() { program(l) })
	closeErr := l.Close()
	return errors.Join(runErr, closeErr, rec.Flush())
}

type recClock struct {
	in    *inputs
	real  realclock.Clock
	first time.Time
}

func (c *recClock) Now() time.Time {
	t := c.real.Now()
	if c.first.IsZero() {
		c.first = t
	}
	c.in.add(inClock, mustJSON(clockInput{NS: int64(t.Sub(c.first))}))
	return t
}

type recPoller struct {
	poller.Poller
	in *inputs
}

func (p *recPoller) Listen(network, address string) (poller.Socket, net.Addr, error) {
	s, a, err := p.Poller.Listen(network, address)
	n, as := addrString(a)
	p.in.add(inListen, mustJSON(listenInput{Socket: uint64(s), Network: n, Addr: as, Err: encodeErr(err)}))
	return s, a, err
}

func (p *recPoller) Start(op *poller.Op) error {
	err := p.Poller.Start(op)
	p.in.add(inStart, mustJSON(encodeErr(err)))
	return err
}

func (p *recPoller) CloseSocket(s poller.Socket) error {
	err := p.Poller.CloseSocket(s)
	p.in.add(inClose, mustJSON(encodeErr(err)))
	return err
}

func (p *recPoller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	first := len(done)
	done, err := p.Poller.Wait(done, timeout)
	w := waitInput{Err: encodeErr(err)}
	for _, op := range done[first:] {
		in := opInput{ID: op.ID, N: op.N, Conn: uint64(op.Conn), Err: encodeErr(op.Err)}
		if op.Kind == poller.Read && op.N > 0 {
			in.Data = op.Buf[:op.N]
		}
		in.Network, in.Local = addrString(op.Local)
		_, in.Remote = addrString(op.Remote)
		w.Ops = append(w.Ops, in)
	}
	p.in.add(inWait, mustJSON(w))
	return done, err
}

// recPool records whether each Cancel found its job still queued.
type recPool struct {
	*nodeloop.WorkerPool
	in *inputs
}

func (p *recPool) Cancel(job *nodeloop.Job) bool {
	ok := p.WorkerPool.Cancel(job)
	p.in.add(inCancel, mustJSON(ok))
	return ok
}

const inCancel = "cancel" // a JSON bool: whether Cancel took the job off the queue

// DivergedError is the error of a replay that asked for an input the trace does not
// have where it asked: the program, or nodeloop, changed since the recording.
type DivergedError struct {
	Index int    // position of the input among those of its kind
	What  string // the kind of input asked for
	Why   string
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("replay: input %s #%d: %s", e.What, e.Index, e.Why)
}

// script is a recorded run's inputs, by kind, in order.
type script struct {
	values map[string][]string // input kind → the Input strings
	next   map[string]int
	jobs   [][]jobInput // by wait: the pool jobs the loop took after it
}

func newScript(events []traces.Event) (*script, error) {
	s := &script{values: map[string][]string{}, next: map[string]int{}}
	waits := -1
	started := map[uint64]time.Duration{} // by job: its pool_start's start
	for i, e := range events {
		switch e.Kind {
		case traces.KindPoolStart:
			started[e.ID] = e.Started
		case traces.KindInput:
			s.values[e.Input] = append(s.values[e.Input], e.Value)
			if e.Input == inWait {
				waits++
				s.jobs = append(s.jobs, nil)
			}
		case traces.KindPoolDone:
			if waits < 0 {
				return nil, fmt.Errorf("replay: event %d: a pool job finished before any wait", i+1)
			}
			var err *errInput
			if e.Err != "" {
				err = &errInput{Text: e.Err}
			}
			s.jobs[waits] = append(s.jobs[waits], jobInput{ID: e.ID, Worker: e.Worker, Started: started[e.ID], Err: err})
		case traces.KindCallback:
			if e.Source == traces.SourcePost {
				return nil, fmt.Errorf("replay: event %d: the run posted a function from another goroutine, which cannot be replayed", i+1)
			}
		}
	}
	return s, nil
}

// take returns the next recorded input of a kind, decoding it into v.
func (s *script) take(what string, v any) string {
	i := s.next[what]
	vals := s.values[what]
	if i >= len(vals) {
		panic(&DivergedError{Index: i, What: what, Why: "the recording has no more"})
	}
	s.next[what] = i + 1
	if v != nil {
		if err := json.Unmarshal([]byte(vals[i]), v); err != nil {
			panic(&DivergedError{Index: i, What: what, Why: "unreadable: " + err.Error()})
		}
	}
	return vals[i]
}

// Replay re-runs program on the inputs recorded in events (a trace Record wrote):
// the clock's readings, the poller's results with the bytes read, the pool's order of
// completion. It returns the new run's events, which equal the recorded ones when
// the program and nodeloop behave as they did.
func Replay(events []traces.Event, program func(*nodeloop.Loop)) ([]traces.Event, error) {
	s, err := newScript(events)
	if err != nil {
		return nil, err
	}
	in := &inputs{}
	pool := &replayPool{script: s, jobs: map[uint64]*nodeloop.Job{}}
	rp := &replayPoller{script: s, in: in, pool: pool, ops: map[uint64]*poller.Op{}}
	rec := traces.NewMemory()
	l, err := nodeloop.New(
		nodeloop.WithClock(&replayClock{script: s, in: in}),
		nodeloop.WithPoller(rp), nodeloop.WithPool(pool), nodeloop.WithTracer(rec),
	)
	if err != nil {
		return nil, err
	}
	in.loop = l
	pool.in = in
	runErr := l.Run(func() { program(l) })
	l.Close()
	var cp *nodeloop.CallbackPanic
	var de *DivergedError
	if errors.As(runErr, &cp) {
		if e, ok := cp.Value.(error); ok && errors.As(e, &de) {
			return rec.Events(), de
		}
	}
	return rec.Events(), runErr
}

type replayClock struct {
	script *script
	in     *inputs
}

func (c *replayClock) Now() time.Time {
	var v clockInput
	raw := c.script.take(inClock, &v)
	c.in.add(inClock, raw)
	return fakeclock.Epoch.Add(time.Duration(v.NS))
}

type replayPoller struct {
	script *script
	in     *inputs
	pool   *replayPool
	ops    map[uint64]*poller.Op // started and not yet finished, by id
	waits  int
}

func (p *replayPoller) Listen(network, address string) (poller.Socket, net.Addr, error) {
	var v listenInput
	p.in.add(inListen, p.script.take(inListen, &v))
	return poller.Socket(v.Socket), decodeAddr(v.Network, v.Addr), v.Err.decode()
}

func (p *replayPoller) Start(op *poller.Op) error {
	var v *errInput
	p.in.add(inStart, p.script.take(inStart, &v))
	if err := v.decode(); err != nil {
		return err
	}
	op.Reset()
	p.ops[op.ID] = op
	return nil
}

func (p *replayPoller) Cancel(op *poller.Op) {}

func (p *replayPoller) CloseSocket(s poller.Socket) error {
	var v *errInput
	p.in.add(inClose, p.script.take(inClose, &v))
	return v.decode()
}

func (p *replayPoller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	var v waitInput
	raw := p.script.take(inWait, &v)
	k := p.waits
	p.waits++
	// The jobs the loop took after this wait finish inside it, in their order.
	if k < len(p.script.jobs) {
		for _, j := range p.script.jobs[k] {
			p.pool.finish(j)
		}
	}
	for _, o := range v.Ops {
		op, ok := p.ops[o.ID]
		if !ok {
			panic(&DivergedError{Index: k, What: inWait, Why: fmt.Sprintf("operation %d finished but was never started", o.ID)})
		}
		delete(p.ops, o.ID)
		op.N, op.Conn, op.Err = o.N, poller.Socket(o.Conn), o.Err.decode()
		op.Local, op.Remote = decodeAddr(o.Network, o.Local), decodeAddr(o.Network, o.Remote)
		copy(op.Buf, o.Data)
		done = append(done, op)
	}
	p.in.add(inWait, raw)
	return done, v.Err.decode()
}

// SetOption succeeds in a replay, whatever it returned when recorded: the recording
// does not hold its result.
func (p *replayPoller) SetOption(poller.Socket, poller.Option) error { return nil }

func (p *replayPoller) Wake() error  { return nil }
func (p *replayPoller) Close() error { return nil }

// replayPool holds submitted jobs until the recording says they finished.
type replayPool struct {
	script *script
	in     *inputs
	jobs   map[uint64]*nodeloop.Job
}

func (p *replayPool) Submit(job *nodeloop.Job) { p.jobs[job.ID] = job }

func (p *replayPool) Cancel(job *nodeloop.Job) bool {
	var ok bool
	p.in.add(inCancel, p.script.take(inCancel, &ok))
	if ok {
		delete(p.jobs, job.ID)
	}
	return ok
}

func (p *replayPool) Close() error { return nil }

func (p *replayPool) finish(j jobInput) {
	job, ok := p.jobs[j.ID]
	if !ok {
		panic(&DivergedError{What: "job", Why: fmt.Sprintf("job %d finished but was never submitted", j.ID)})
	}
	delete(p.jobs, j.ID)
	// The replayed loop's time line starts at the clock's first reading, which is
	// fakeclock.Epoch, as the recorded one started at its own.
	job.Worker, job.Started = j.Worker, fakeclock.Epoch.Add(j.Started)
	job.Work()
	job.Complete(job)
}
