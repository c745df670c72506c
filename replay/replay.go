package replay

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
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
	in     *inputs
	writes map[uint64]*poller.Op // Writes started and not yet returned by a Wait
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
	if err == nil && op.Kind == poller.Write {
		if p.writes == nil {
			p.writes = map[uint64]*poller.Op{}
		}
		p.writes[op.ID] = op
	}
	return err
}

func (p *recPoller) CloseSocket(s poller.Socket) error {
	err := p.Poller.CloseSocket(s)
	p.in.add(inClose, mustJSON(encodeErr(err)))
	if counts := writesOn(p.writes, s); len(counts) > 0 {
		for i, op := range counts {
			counts[i].N = p.writes[op.ID].N
		}
		p.in.add(inCloseWrites, mustJSON(counts))
	}
	return err
}

func (p *recPoller) SetOption(s poller.Socket, o poller.Option) error {
	err := p.Poller.SetOption(s, o)
	p.in.add(inOption, mustJSON(encodeErr(err)))
	return err
}

// writesOn lists the Writes of ops in flight on s, in the order of their ids.
func writesOn(ops map[uint64]*poller.Op, s poller.Socket) []writeCount {
	var out []writeCount
	for id, op := range ops {
		if op.Kind == poller.Write && op.Socket == s {
			out = append(out, writeCount{ID: id})
		}
	}
	slices.SortFunc(out, func(a, b writeCount) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func (p *recPoller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	first := len(done)
	done, err := p.Poller.Wait(done, timeout)
	w := waitInput{Err: encodeErr(err)}
	for _, op := range done[first:] {
		delete(p.writes, op.ID)
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
// have where it asked, or has in a form it cannot use: the program, or nodeloop,
// changed since the recording, or the file was cut short or edited. Line numbers
// count as in the trace file: the header is line 1 and events[i] is on line i+2.
type DivergedError struct {
	Line  int    // the trace line of the input (for one the recording lacks, its last line)
	Index int    // position of the input among those of its kind, from 0
	What  string // the kind of input asked for
	Why   string
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("replay: trace line %d: input %s #%d: %s", e.Line, e.What, e.Index, e.Why)
}

// eventLine is the trace line of events[i].
func eventLine(i int) int { return i + 2 }

// recorded is one input as the trace holds it.
type recorded struct {
	value string // the input's JSON
	line  int
}

// script is a recorded run's inputs, by kind, in order. The first input the run asks
// for and the recording cannot give is its error: from then on every input is
// refused, so that the loop stops at its next wait with that error.
type script struct {
	values map[string][]recorded // input kind → its inputs
	next   map[string]int
	jobs   [][]jobInput // by wait: the pool jobs the loop took after it
	last   int          // the trace's last line
	err    *DivergedError
}

func newScript(events []traces.Event) (*script, error) {
	s := &script{values: map[string][]recorded{}, next: map[string]int{}, last: eventLine(len(events) - 1)}
	waits, dones := -1, 0
	started := map[uint64]time.Duration{} // by job: its pool_start's start
	for i, e := range events {
		switch e.Kind {
		case traces.KindPoolStart:
			started[e.ID] = e.Started
		case traces.KindInput:
			s.values[e.Input] = append(s.values[e.Input], recorded{value: e.Value, line: eventLine(i)})
			if e.Input == inWait {
				waits++
				s.jobs = append(s.jobs, nil)
			}
		case traces.KindPoolDone:
			if waits < 0 {
				return nil, &DivergedError{Line: eventLine(i), Index: dones, What: "job", Why: fmt.Sprintf("job %d finished before any wait", e.ID)}
			}
			var err *errInput
			if e.Err != "" {
				err = &errInput{Text: e.Err}
			}
			s.jobs[waits] = append(s.jobs[waits], jobInput{ID: e.ID, Worker: e.Worker, Started: started[e.ID], Err: err, line: eventLine(i), index: dones})
			dones++
		case traces.KindCallback:
			if e.Source == traces.SourcePost {
				return nil, fmt.Errorf("replay: trace line %d: the run posted a function from another goroutine, which cannot be replayed", eventLine(i))
			}
		}
	}
	return s, nil
}

// fail records the replay's first divergence.
func (s *script) fail(e *DivergedError) {
	if s.err == nil {
		s.err = e
	}
}

// take decodes the next recorded input of a kind into v and returns its JSON. It
// reports false, and v means nothing, once the replay has diverged: here, when the
// recording has no more inputs of the kind or the next one does not decode, or at an
// earlier input.
func (s *script) take(what string, v any) (string, bool) {
	if s.err != nil {
		return "", false
	}
	i := s.next[what]
	vals := s.values[what]
	if i >= len(vals) {
		s.fail(&DivergedError{Line: s.last, Index: i, What: what,
			Why: fmt.Sprintf("the recording ends here, after %d of them", len(vals))})
		return "", false
	}
	s.next[what] = i + 1
	if err := json.Unmarshal([]byte(vals[i].value), v); err != nil {
		s.fail(&DivergedError{Line: vals[i].line, Index: i, What: what, Why: "unreadable: " + err.Error()})
		return "", false
	}
	return vals[i].value, true
}

// taken returns the line and index of the input of a kind take returned last.
func (s *script) taken(what string) (line, index int) {
	i := s.next[what] - 1
	return s.values[what][i].line, i
}

// Replay re-runs program on the inputs recorded in events (a trace Record wrote):
// the clock's readings, the poller's results with the bytes read, the pool's order of
// completion. It returns the new run's events, which equal the recorded ones when
// the program and nodeloop behave as they did.
//
// A recording that lacks an input the run asks for, or holds one it cannot use (a
// trace cut short, or edited), is a *DivergedError naming the trace line: the
// replaying clock, poller and pool then refuse every input, and the loop stops at
// its next wait.
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
		nodeloop.WithClock(&replayClock{script: s, in: in, now: fakeclock.Epoch}),
		nodeloop.WithPoller(rp), nodeloop.WithPool(pool), nodeloop.WithTracer(rec),
	)
	if err != nil {
		return nil, err
	}
	if s.err != nil {
		// New read the clock, and the recording had no reading for it.
		l.Close()
		return rec.Events(), s.err
	}
	in.loop = l
	pool.in = in
	runErr := l.Run(func() { program(l) })
	l.Close()
	if s.err != nil {
		return rec.Events(), s.err
	}
	return rec.Events(), runErr
}

// replayClock reads the recorded clock. Once the replay has diverged it repeats its
// last reading.
type replayClock struct {
	script *script
	in     *inputs
	now    time.Time
}

func (c *replayClock) Now() time.Time {
	var v clockInput
	raw, ok := c.script.take(inClock, &v)
	if !ok {
		return c.now
	}
	c.in.add(inClock, raw)
	c.now = fakeclock.Epoch.Add(time.Duration(v.NS))
	return c.now
}

// replayPoller gives back the recorded results of the poller. Once the replay has
// diverged, every method fails with the divergence, and Wait ends the run.
type replayPoller struct {
	script *script
	in     *inputs
	pool   *replayPool
	ops    map[uint64]*poller.Op // started and not yet finished, by id
}

func (p *replayPoller) Listen(network, address string) (poller.Socket, net.Addr, error) {
	var v listenInput
	raw, ok := p.script.take(inListen, &v)
	if !ok {
		return 0, nil, p.script.err
	}
	addr, okAddr := decodeAddr(v.Network, v.Addr)
	err := v.Err.decode()
	if !okAddr || (err == nil && (v.Socket == 0 || addr == nil)) {
		line, k := p.script.taken(inListen)
		p.script.fail(&DivergedError{Line: line, Index: k, What: inListen,
			Why: fmt.Sprintf("a listener on socket %d, address %q, network %q, which no poller returns", v.Socket, v.Addr, v.Network)})
		return 0, nil, p.script.err
	}
	p.in.add(inListen, raw)
	return poller.Socket(v.Socket), addr, err
}

func (p *replayPoller) Start(op *poller.Op) error {
	var v *errInput
	raw, ok := p.script.take(inStart, &v)
	if !ok {
		return p.script.err
	}
	p.in.add(inStart, raw)
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
	raw, ok := p.script.take(inClose, &v)
	if !ok {
		return p.script.err
	}
	p.in.add(inClose, raw)
	// The counts of the Writes the close cut short are final now, as the
	// recording says.
	if want := writesOn(p.ops, s); len(want) > 0 {
		var got []writeCount
		raw, ok := p.script.take(inCloseWrites, &got)
		if !ok {
			return p.script.err
		}
		line, k := p.script.taken(inCloseWrites)
		if len(got) != len(want) {
			p.script.fail(&DivergedError{Line: line, Index: k, What: inCloseWrites, Why: fmt.Sprintf("the close cut short %d writes, but the recording counts %d", len(want), len(got))})
			return p.script.err
		}
		for i, w := range got {
			op := p.ops[want[i].ID]
			if w.ID != want[i].ID || w.N < 0 || w.N > len(op.Buf) {
				p.script.fail(&DivergedError{Line: line, Index: k, What: inCloseWrites, Why: fmt.Sprintf("write %d of %d bytes cut short by the close, but the recording has write %d with %d bytes", want[i].ID, len(op.Buf), w.ID, w.N)})
				return p.script.err
			}
			op.N = w.N
		}
		p.in.add(inCloseWrites, raw)
	}
	return v.decode()
}

func (p *replayPoller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	var v waitInput
	raw, ok := p.script.take(inWait, &v)
	if !ok {
		return done, p.script.err
	}
	line, k := p.script.taken(inWait)
	// The jobs the loop took after this wait finish inside it, in their order.
	if k < len(p.script.jobs) {
		for _, j := range p.script.jobs[k] {
			if !p.pool.finish(j) {
				return done, p.script.err
			}
		}
	}
	diverged := func(format string, args ...any) ([]*poller.Op, error) {
		p.script.fail(&DivergedError{Line: line, Index: k, What: inWait, Why: fmt.Sprintf(format, args...)})
		return done, p.script.err
	}
	// Each result must be one the Poller contract allows for its operation.
	for _, o := range v.Ops {
		op, ok := p.ops[o.ID]
		if !ok {
			return diverged("operation %d finished but was never started", o.ID)
		}
		err := o.Err.decode()
		local, okLocal := decodeAddr(o.Network, o.Local)
		remote, okRemote := decodeAddr(o.Network, o.Remote)
		connects := op.Kind == poller.Accept || op.Kind == poller.Connect
		shared := op.Kind == poller.Read && op.Buf == nil // reads into the poller's buffer
		room := len(op.Buf)
		if shared {
			room = poller.SharedReadBytes
		}
		switch {
		case o.N < 0 || o.N > room:
			return diverged("operation %d (%s) finished with %d bytes, but its buffer has %d", o.ID, op.Kind, o.N, room)
		case op.Kind == poller.Read && len(o.Data) != o.N:
			return diverged("operation %d read %d bytes, but the recording holds %d", o.ID, o.N, len(o.Data))
		case op.Kind != poller.Read && len(o.Data) != 0:
			return diverged("operation %d (%s) holds bytes read, but it is no read", o.ID, op.Kind)
		case op.Kind == poller.Read && o.N == 0 && err == nil:
			return diverged("operation %d read nothing and has no error", o.ID)
		case !okLocal || !okRemote:
			return diverged("operation %d has addresses %q and %q on network %q, which no poller returns", o.ID, o.Local, o.Remote, o.Network)
		case connects && err == nil && (o.Conn == 0 || local == nil || remote == nil):
			return diverged("operation %d (%s) succeeded without its connection or its addresses", o.ID, op.Kind)
		}
		delete(p.ops, o.ID)
		op.N, op.Conn, op.Err = o.N, poller.Socket(o.Conn), err
		op.Local, op.Remote = local, remote
		if shared {
			if o.N > 0 {
				op.Buf = o.Data[:o.N:o.N]
			}
		} else {
			copy(op.Buf, o.Data)
		}
		done = append(done, op)
	}
	p.in.add(inWait, raw)
	return done, v.Err.decode()
}

// SetOption returns what it returned when recorded.
func (p *replayPoller) SetOption(poller.Socket, poller.Option) error {
	var v *errInput
	raw, ok := p.script.take(inOption, &v)
	if !ok {
		return p.script.err
	}
	p.in.add(inOption, raw)
	return v.decode()
}

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
	raw, taken := p.script.take(inCancel, &ok)
	if !taken {
		return false
	}
	p.in.add(inCancel, raw)
	if ok {
		delete(p.jobs, job.ID)
	}
	return ok
}

func (p *replayPool) Close() error { return nil }

// finish runs the recorded job j and hands it back to the loop. It reports false,
// with the divergence recorded, when the loop never submitted j.
func (p *replayPool) finish(j jobInput) bool {
	job, ok := p.jobs[j.ID]
	if !ok {
		p.script.fail(&DivergedError{Line: j.line, Index: j.index, What: "job", Why: fmt.Sprintf("job %d finished but was never submitted", j.ID)})
		return false
	}
	delete(p.jobs, j.ID)
	// The replayed loop's time line starts at the clock's first reading, which is
	// fakeclock.Epoch, as the recorded one started at its own.
	job.Worker, job.Started = j.Worker, fakeclock.Epoch.Add(j.Started)
	job.Run()
	job.Complete(job)
	return true
}
