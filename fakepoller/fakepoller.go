// Package fakepoller is a deterministic poller.Poller for simulated runs: its Wait
// moves a fakeclock.Clock forward to the earlier of the timeout and the next scheduled
// event, never past it, and runs the events that fall due, on the caller's goroutine.
//
// Other simulated parts of a world (the simulated pool, network latencies) schedule
// their completions with At or After; nothing happens between two Waits, so a run is
// a pure function of what was scheduled.
package fakepoller

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/google/btree"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/poller"
)

// ErrStuck is returned by a Wait that would wait forever with nothing scheduled and
// no wake-up pending: in a simulated world nothing can ever end it.
var ErrStuck = errors.New("fakepoller: wait forever with nothing scheduled: nothing can ever complete")

// event is a function scheduled at a virtual instant; seq breaks ties in scheduling
// order.
type event struct {
	at  time.Time
	seq uint64
	fn  func()
}

func eventLess(a, b event) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.seq < b.seq
}

// Poller is the fake poller. Wake is safe from any goroutine; every other method is
// called from the simulated world's goroutine.
type Poller struct {
	clock  *fakeclock.Clock
	events *btree.BTreeG[event]
	seq    uint64
	woken  atomic.Bool
	closed bool
	ready  []*poller.Op
}

var _ poller.Poller = (*Poller)(nil)

// New returns a Poller that moves clock.
func New(clock *fakeclock.Clock) *Poller {
	return &Poller{clock: clock, events: btree.NewG(8, eventLess)}
}

// Clock returns the clock the poller moves.
func (p *Poller) Clock() *fakeclock.Clock { return p.clock }

// At schedules fn to run inside a later Wait, once the clock has reached t. Events due
// at the same instant run in the order they were scheduled. An instant already past
// means the next Wait.
func (p *Poller) At(t time.Time, fn func()) {
	p.seq++
	p.events.ReplaceOrInsert(event{at: t, seq: p.seq, fn: fn})
}

// After schedules fn d after the clock's current reading.
func (p *Poller) After(d time.Duration, fn func()) { p.At(p.clock.Now().Add(d), fn) }

// Scheduled returns how many events are waiting.
func (p *Poller) Scheduled() int { return p.events.Len() }

// Complete makes op finish: a later Wait returns it. It is how simulated parts of the
// world report operations.
func (p *Poller) Complete(op *poller.Op) { p.ready = append(p.ready, op) }

var errNoNetwork = errors.New("fakepoller: this poller simulates no network")

// Listen is not supported: the fake has no network.
func (p *Poller) Listen(network, address string) (poller.Socket, net.Addr, error) {
	return 0, nil, fmt.Errorf("listen %s %s: %w", network, address, errNoNetwork)
}

// Start is not supported: the fake has no network.
func (p *Poller) Start(op *poller.Op) error {
	return fmt.Errorf("%s: %w", op.Kind, errNoNetwork)
}

// Cancel does nothing: no operation is ever in flight.
func (p *Poller) Cancel(op *poller.Op) {}

// CloseSocket is not supported: the fake has no network.
func (p *Poller) CloseSocket(s poller.Socket) error { return poller.ErrClosed }

// Wake makes the next Wait return without moving the clock.
func (p *Poller) Wake() error {
	p.woken.Store(true)
	return nil
}

// Close releases the poller; later Waits return poller.ErrClosed.
func (p *Poller) Close() error {
	p.closed = true
	p.events.Clear(false)
	return nil
}

// Wait moves the clock to the earlier of now+timeout and the next scheduled event,
// runs the events due then, and returns as soon as an operation finished or a wake-up
// is pending; otherwise it goes on to the next event until the timeout. A negative
// timeout with nothing scheduled returns ErrStuck instead of hanging.
func (p *Poller) Wait(done []*poller.Op, timeout time.Duration) ([]*poller.Op, error) {
	if p.closed {
		return done, poller.ErrClosed
	}
	limit := p.clock.Now().Add(timeout)
	for {
		if p.woken.Swap(false) || len(p.ready) > 0 {
			return p.take(done), nil
		}
		next, ok := p.events.Min()
		if ok && (timeout < 0 || !next.at.After(limit)) {
			if next.at.After(p.clock.Now()) {
				p.clock.Set(next.at)
			}
			p.runDue()
			continue
		}
		if timeout < 0 {
			return done, ErrStuck
		}
		if limit.After(p.clock.Now()) {
			p.clock.Set(limit)
		}
		return done, nil
	}
}

// runDue runs every event due at the clock's reading, including those they schedule
// for the same instant.
func (p *Poller) runDue() {
	now := p.clock.Now()
	for {
		e, ok := p.events.Min()
		if !ok || e.at.After(now) {
			return
		}
		p.events.DeleteMin()
		e.fn()
	}
}

func (p *Poller) take(done []*poller.Op) []*poller.Op {
	done = append(done, p.ready...)
	clear(p.ready)
	p.ready = p.ready[:0]
	return done
}
