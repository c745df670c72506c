package fakepoller

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/poller"
)

// ErrStuck is returned by a Wait that would wait forever with nothing scheduled and
// no wake-up pending: in a simulated world nothing can ever end it.
var ErrStuck = errors.New("fakepoller: wait forever with nothing scheduled: nothing can ever complete")

// event is a function scheduled at a virtual instant, which its key in the queue
// holds (eventKey); far is the instant's far (instant.far), nil but for an instant
// a Duration from the clock's origin does not name.
type event struct {
	far *time.Time
	fn  func()
	// An event with no fn is the arrival of a message of the kind at the socket
	// to, n bytes of data for a data message: the events of every connection,
	// made without a closure.
	to   *sock
	n    int
	kind arrivalKind
}

// Poller is the fake poller. Wake is safe from any goroutine; every other method is
// called from the simulated world's goroutine.
type Poller struct {
	clock  *fakeclock.Clock
	events *eventQueue
	woken  atomic.Bool
	closed bool
	// horizon is the instant Wait never moves the clock past, if hasHorizon.
	horizon    instant
	hasHorizon bool
	ready      []*poller.Op
	// readPending holds the bytes of the shared Reads (started with a nil Buf) in
	// ready; readHanded those of the Reads the last Wait returned, valid until
	// the next Wait. Wait swaps them, so both are reused.
	readPending, readHanded []byte

	opts    Options
	choices Choices
	network *network
	silent  []silentAddr // Options.Silent, parsed
	// host is set on a host's view of a Network of several hosts; nil on a Poller
	// made by New or NewWith, which is a network of its own.
	host *host
}

var _ poller.Poller = (*Poller)(nil)

// New returns a Poller that moves clock, with the zero Options: a network with no
// latency and no faults, whose every choice takes the first option.
func New(clock *fakeclock.Clock) *Poller {
	p, _ := NewWith(clock, Options{})
	return p
}

// NewWith returns a Poller that moves clock, with a network configured by opts. It
// fails when opts make no sense: negative or inverted latency bounds, a negative
// buffer size or connect timeout, a malformed silent address, a fault probability
// outside 0..1 or finer than one in a million, a negative fault latency.
func NewWith(clock *fakeclock.Clock, opts Options) (*Poller, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	a := new(pollerAlloc)
	p := &a.p
	p.events, p.network = &a.events, &a.network
	a.events.h, a.events.slots, a.events.free = a.keysFirst[:0], a.eventsFirst[:0], a.freeFirst[:0]
	p.ready = a.readyFirst[:0]
	p.readPending, p.readHanded = a.readFirst[0][:0], a.readFirst[1][:0]
	p.network.init()
	p.start(clock, opts)
	return p, nil
}

// Reset makes p, a Poller that New or NewWith made and that was closed since, the
// Poller NewWith(clock, opts) makes, in the memory p grew: its event queue, its
// buffers, its sockets. A simulator that runs one seed after another resets one
// Poller rather than make one per seed, and the run is the same either way. Nothing
// may use p between its Close and the Reset, nor the sockets' addresses and the
// shared reads' bytes it handed out before. Reset fails as NewWith does, leaving p
// closed; it panics on a Poller still open, and on a host of a Network.
func (p *Poller) Reset(clock *fakeclock.Clock, opts Options) error {
	if !p.closed {
		panic("nodeloop: fakepoller.Poller.Reset of an open Poller; Close it first (a loop's Close does)")
	}
	if p.host != nil {
		panic("nodeloop: fakepoller.Poller.Reset of a host of a Network; make a new Network instead")
	}
	if err := opts.validate(); err != nil {
		return err
	}
	p.events.Clear()
	p.network.reset()
	p.woken.Store(false)
	p.closed, p.horizon, p.hasHorizon = false, instant{}, false
	clear(p.ready)
	p.ready, p.readPending, p.readHanded = p.ready[:0], p.readPending[:0], p.readHanded[:0]
	p.start(clock, opts)
	return nil
}

// start gives p, with an empty network and event queue, its clock and its valid
// options, the defaults filled in.
func (p *Poller) start(clock *fakeclock.Clock, opts Options) {
	if opts.Choices == nil {
		opts.Choices = First{}
	}
	if opts.BufferBytes == 0 {
		opts.BufferBytes = DefaultBufferBytes
	}
	p.clock, p.opts, p.choices = clock, opts, opts.Choices
	p.silent, _ = parseSilent(opts.Silent) // validate checked it
}

// pollerAlloc is what NewWith makes a Poller of, in one allocation: the Poller, its
// event queue and network, and the first room for the events and operations a small
// simulated run has at once, so that a run of a few connections grows nothing.
type pollerAlloc struct {
	p           Poller
	events      eventQueue
	network     network
	eventsFirst [eventsFirstMax]event
	keysFirst   [eventsFirstMax]eventKey
	freeFirst   [eventsFirstMax]int32
	readyFirst  [readyFirstMax]*poller.Op
	readFirst   [2][readFirstBytes]byte
}

// eventsFirstMax, readyFirstMax and readFirstBytes are the events, ready operations
// and bytes of shared reads a Poller holds before its slices grow.
const (
	eventsFirstMax = 16
	readyFirstMax  = 8
	readFirstBytes = 256
)

// Clock returns the clock the poller moves.
func (p *Poller) Clock() *fakeclock.Clock { return p.clock }

// At schedules fn to run inside a later Wait, once the clock has reached t. Events due
// at the same instant run in the order they were scheduled. An instant already past
// means the next Wait.
func (p *Poller) At(t time.Time, fn func()) { p.at(p.instantOf(t), fn) }

// at is At for an instant.
func (p *Poller) at(t instant, fn func()) {
	p.network.seq++
	p.events.Push(t, p.network.seq, event{fn: fn})
}

// After schedules fn d after the clock's current reading.
func (p *Poller) After(d time.Duration, fn func()) { p.at(p.later(d), fn) }

// Scheduled returns how many events are waiting.
func (p *Poller) Scheduled() int { return p.events.Len() }

// Complete makes op finish: a later Wait returns it. It is how simulated parts of the
// world report operations, the network included. Operations completed at the same
// virtual instant come back in an order that the Choices decide ("wait.order");
// with First, the order in which they were completed.
func (p *Poller) Complete(op *poller.Op) { p.ready = append(p.ready, op) }

// shareRead copies b, the bytes of a shared Read that finished, into the buffer of
// the reads the next Wait returns, and returns the copy.
func (p *Poller) shareRead(b []byte) []byte {
	start := len(p.readPending)
	p.readPending = append(p.readPending, b...)
	end := len(p.readPending)
	return p.readPending[start:end:end]
}

// ErrHorizon is returned by a Wait that would have to move the clock past the
// horizon set with SetHorizon: a simulated run's time limit.
var ErrHorizon = errors.New("fakepoller: the clock would pass its horizon")

// SetHorizon makes Wait return ErrHorizon rather than move the clock past t. The zero
// time means no horizon.
func (p *Poller) SetHorizon(t time.Time) {
	p.hasHorizon = !t.IsZero()
	p.horizon = instant{}
	if p.hasHorizon {
		p.horizon = p.instantOf(t)
	}
}

// Wake makes the next Wait return without moving the clock.
func (p *Poller) Wake() error {
	p.woken.Store(true)
	return nil
}

// Close releases the poller, its sockets and everything scheduled; operations in
// flight are abandoned and never returned. Later calls return poller.ErrClosed.
func (p *Poller) Close() error {
	if p.closed {
		return poller.ErrClosed
	}
	p.closed = true
	if p.host != nil {
		// A host's view: the network and its timeline are the world's.
		clear(p.ready)
		p.ready = p.ready[:0]
		return nil
	}
	p.events.Clear()
	p.network.clear()
	clear(p.ready)
	p.ready = p.ready[:0]
	return nil
}

// Wait moves the clock to the earlier of now+timeout and the next scheduled event,
// runs the events due then, and returns as soon as an operation finished or a wake-up
// is pending; otherwise it goes on to the next event until the timeout. A negative
// timeout with nothing scheduled returns ErrStuck instead of hanging. The operations
// it returns all finished at the clock's reading, in the order Complete describes.
func (p *Poller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	if p.closed {
		return done, poller.ErrClosed
	}
	if p.host != nil {
		// A host of a Network never moves the clock: the driver does, between
		// the hosts' steps (see Network).
		p.woken.Store(false)
		return p.take(done), nil
	}
	var limit instant // the end of a timed wait; a wait with no timeout has none
	switch {
	case timeout == 0:
		limit = p.now()
	case timeout > 0:
		limit = p.later(timeout)
	}
	lateDrawn := false
	for {
		if p.woken.Swap(false) || len(p.ready) > 0 {
			return p.take(done), nil
		}
		next, ok := p.events.Min()
		if ok && (timeout < 0 || !limit.before(next)) {
			if err := p.advance(next); err != nil {
				return done, err
			}
			p.runDue()
			continue
		}
		if timeout < 0 {
			return done, ErrStuck
		}
		if timeout > 0 && !lateDrawn && Chance(p.choices, "fault.wake.late", p.opts.Faults.LateWake) {
			lateDrawn = true
			limit = p.add(limit, Between(p.choices, "wake.late", 0, p.opts.Faults.LateWakeLatency, latencyStep))
			if ok && !limit.before(next) {
				continue // the late wake-up finds the next event due
			}
		}
		lateDrawn = true
		if err := p.advance(limit); err != nil {
			return done, err
		}
		return done, nil
	}
}

// advance moves the clock forward to t, but not past the horizon.
func (p *Poller) advance(t instant) error {
	if now, exact := p.clock.Elapsed(); exact && t.far == nil && p.horizon.far == nil {
		// The clock's reading, t and the horizon are Durations from the origin.
		switch {
		case p.hasHorizon && t.d > p.horizon.d:
			return ErrHorizon
		case t.d > now:
			p.clock.SetElapsed(t.d)
		}
		return nil
	}
	if p.hasHorizon && p.horizon.before(t) {
		return ErrHorizon
	}
	if p.now().before(t) {
		p.setClock(t)
	}
	return nil
}

// runDue runs every event due at the clock's reading, including those they schedule
// for the same instant.
func (p *Poller) runDue() {
	now := p.now()
	q := p.events
	for {
		var k eventKey
		switch {
		case len(q.past) > 0:
			k = q.past[0] // before the clock's origin, which the clock is not
		case len(q.h) > 0:
			// The heap's times are not saturated, and the clock's, never before
			// its origin, orders with them as its d does.
			if k = q.h[0]; k.at > now.d {
				return
			}
		case len(q.future) > 0:
			if k = q.future[0]; now.before(instant{d: k.at, far: q.slots[k.slot].far}) {
				return
			}
		default:
			return
		}
		e := q.slots[k.slot]
		q.DeleteMin()
		if e.fn != nil {
			e.fn()
		} else {
			p.arrived(e.kind, e.to, e.n)
		}
	}
}

// take appends the finished operations to done. They all finished at the clock's
// reading; their order is a choice ("wait.order"), made as a Fisher-Yates shuffle
// so that First keeps the order in which they finished.
func (p *Poller) take(done []*poller.Op) []*poller.Op {
	for i := 0; i < len(p.ready)-1; i++ {
		j := i + p.choices.Choose("wait.order", len(p.ready)-i)
		p.ready[i], p.ready[j] = p.ready[j], p.ready[i]
	}
	done = append(done, p.ready...)
	// The last Wait's reads are consumed: their buffer takes the next ones.
	p.readHanded, p.readPending = p.readPending, p.readHanded[:0]
	clear(p.ready)
	p.ready = p.ready[:0]
	return done
}
