package refmodel

import (
	"math"
	"strconv"
	"time"
)

// This file is the reference model's network: the loop's listeners, connections
// and dials over the simulated network of package fakepoller, as that package
// documents it, with every fault off and one fixed latency. Only byte counts
// travel; the content of the bytes never changes an order.
//
// # What the model assumes of the simulated network
//
//   - Every message (a connection request, its answer, a refusal, a piece of data,
//     an end of stream, a reset) arrives Program.Latency after it was sent, as an
//     event of the wait; with one latency, the messages of a direction arrive in
//     the order they were sent.
//   - An operation finishes at the instant its condition is met, which may be the
//     instant it starts: an accept with a connection queued, a read with bytes
//     arrived, a write with room for all its bytes. Operations finished at one
//     instant come back from the wait in the order they finished (the network's
//     "wait.order" choice, answered with its first option).
//   - A connection request that reaches a bound listener queues a connection on
//     it, answers the dialer and gives the connection to an accept in flight; one
//     that reaches no listener (the listener was closed) is refused by a message
//     back, and the dial fails with ECONNREFUSED.
//   - Canceling a connect still in flight in the network (not yet answered or
//     refused) closes its socket and finishes it at once; a request, answer or
//     refusal that then reaches that socket is dropped. A connecting socket closed
//     after its request reached a listener, before the answer reached it, is not
//     established: it resets its peer. A connect already answered or refused is
//     not changed by the cancel.
//   - Each direction of a connection holds at most bufferBytes written and not
//     read, in transit and arrived together; a write hands over what fits, in one
//     piece per room it finds, and finishes once all of it is handed over; each
//     read that makes room hands over more of the peer's write in flight.
//   - A read returns at most readBytes of what has arrived, or io.EOF once the end
//     of the stream arrived and every byte was read, or ECONNRESET once reset.
//   - Closing a connection finishes its operations in flight in the network
//     (they come back from the next wait, and the loop drops them: their callbacks
//     run with ErrClosed in the close phase). A connection closed with bytes
//     arrived or in transit toward it, unread, resets its peer; otherwise it sends
//     its peer the end of the stream, after the bytes it wrote. Bytes that reach a
//     closed end make it reset its peer, once; bytes that reach a reset end are
//     dropped.
//   - A reset arriving at an open end that is not reset already resets it: its
//     unread bytes are lost, its read and write in flight fail with ECONNRESET,
//     and it does not answer with a reset; a write started on a reset end fails
//     with EPIPE.
//   - Closing a listener resets the connections queued on it and not accepted
//     yet. A connection accepted but not yet handed to the program when its
//     listener closes is closed by the loop, as a program would close it; so is
//     a connection a dial made after the program gave the dial up.
//
// The loop's side: a listener accepts again after each accepted connection's
// callback (and the nextTicks and microtasks it queued) returned; a connection's
// writes queue behind the one in flight, and the next starts before the callback
// of the one that finished runs. A dial given up (a Cancel, or its timeout running
// first) cancels its connect in the network and defers its callback to the next
// pending phase; a Cancel of a dial whose callback ran or is already deferred does
// nothing.

// Sizes of the simulated network and of the loop's reads.
const (
	// bufferBytes is the capacity of each direction of a connection, the
	// simulated network's default (fakepoller.DefaultBufferBytes).
	bufferBytes = 64 << 10
	// readBytes is the most one read returns: the loop's read buffer, 64 KiB as
	// Node's.
	readBytes = 64 << 10
)

// netKind is the kind of a network operation.
type netKind uint8

const (
	netAccept netKind = iota
	netConnect
	netRead
	netWrite
)

// mSock is one socket of the model's network: a listener or one end of a
// connection. The bytes counted on an end are those on their way to it.
type mSock struct {
	listener bool
	backlog  []*mSock // a listener's connections not accepted yet, oldest first
	peer     *mSock
	closed   bool
	reset    bool // reads fail with ECONNRESET, writes started with EPIPE
	est      bool // established: a connecting end's answer arrived; an accepted end at once
	resetTx  bool // this end sent its peer a reset, or received one
	fin      bool // the peer's end of stream arrived
	transit  int  // bytes sent to this end that have not arrived
	arrived  int  // bytes that arrived here and were not read

	accept, read, write *mNetOp // the operations in flight in the network
}

// mNetOp is one operation the loop started in the network.
type mNetOp struct {
	kind   netKind
	handle any    // the loop's *mListener, *mDial or *mConn that started it
	size   int    // a write's length
	taken  int    // the bytes of a write handed to the network so far
	n      int    // the bytes a read returned
	err    string // "", or "EOF", "reset", "pipe", "refused", "closed", "canceled"
	conn   *mSock // the connection an accept or a dial made
	done   bool   // finished in the network
}

// mListener is a listener of the loop.
type mListener struct {
	op      *Op
	sock    *mSock
	closing bool
}

// mDial is a dial of the loop.
type mDial struct {
	op      *Op
	net     *mNetOp // its connect
	sock    *mSock  // the connecting end
	timer   *mTimer // its timeout, or nil
	decided bool    // its callback ran or is deferred: Cancel does nothing
}

// mConn is a connection of the loop.
type mConn struct {
	op      *Op
	sock    *mSock
	closing bool
	reading *mRead // the read whose callback has not run
	writes  []*Op  // writes[0] is in flight while writing; the rest wait
	writing bool
}

// mRead is a read op's run of reads on one connection.
type mRead struct {
	op   *Op
	runs int
}

// mNet is the model's network state.
type mNet struct {
	finished  []*mNetOp // operations finished and not yet returned by a wait
	listeners map[int]*mListener
	conns     map[int]*mConn // by the listen or dial op that made them, the newest
	allLns    []*mListener
	allConns  []*mConn
	dialOps   map[int]*mDial // by the dial op that made them, the newest
	dials     int            // dials in flight
}

// netAlive reports whether a socket keeps the loop alive: an open listener, a dial
// in flight, or an open connection with a read or a write in flight.
func (m *model) netAlive() bool {
	if m.dials > 0 {
		return true
	}
	for _, ln := range m.allLns {
		if !ln.closing {
			return true
		}
	}
	for _, c := range m.allConns {
		if !c.closing && (c.reading != nil || c.writing) {
			return true
		}
	}
	return false
}

// execNet runs a socket op.
func (m *model) execNet(o *Op) {
	switch o.Kind {
	case OpListen:
		ln := &mListener{op: o, sock: &mSock{listener: true}}
		m.listeners[o.ID] = ln
		m.allLns = append(m.allLns, ln)
		m.startAccept(ln)
	case OpDial:
		ln := m.listeners[o.Target]
		if ln == nil {
			break
		}
		m.dials++
		d := &mDial{op: o, sock: &mSock{}}
		d.net = &mNetOp{kind: netConnect, handle: d}
		m.dialOps[o.ID] = d
		m.after(func() { m.requestArrived(d.sock, ln.sock, d.net) })
		if o.Delay > 0 {
			d.timer = &mTimer{op: o, delay: dialTimeout(o.Delay), fire: func() {
				if !d.decided {
					m.giveUp(d, "timedout")
				}
			}}
			m.all = append(m.all, d.timer)
			m.arm(d.timer, m.now)
		}
	case OpCancelDial:
		if d := m.dialOps[o.Target]; d != nil && !d.decided {
			m.giveUp(d, "canceled")
		}
	case OpWrite:
		c := m.conns[o.Target]
		if c == nil || c.closing {
			break
		}
		c.writes = append(c.writes, o)
		if !c.writing {
			m.startWrite(c)
		}
	case OpRead:
		c := m.conns[o.Target]
		if c == nil || c.closing || c.reading != nil {
			break
		}
		m.startRead(c, &mRead{op: o})
	case OpCloseConn:
		c := m.conns[o.Target]
		if c == nil || c.closing {
			break
		}
		c.closing = true
		m.closeSock(c.sock, false)
		m.closing = append(m.closing, func() { m.finishClose(c, o) })
	case OpCloseListener:
		ln := m.listeners[o.Target]
		if ln == nil || ln.closing {
			break
		}
		ln.closing = true
		m.closeSock(ln.sock, false)
		m.closing = append(m.closing, func() { m.macrotask(o.Label(), func() { m.exec(o.Ops) }) })
	}
}

// finishClose is a connection's turn in the close phase: its read's callback and
// its writes' callbacks with ErrClosed, then the close callback of op o.
func (m *model) finishClose(c *mConn, o *Op) {
	if r := c.reading; r != nil {
		c.reading = nil
		m.macrotask(r.op.Label()+" closed", func() { m.readDone(c, r, false) })
	}
	for len(c.writes) > 0 {
		w := c.writes[0]
		c.writes = c.writes[1:]
		m.macrotask(w.Label()+" closed", func() { m.exec(w.Ops) })
	}
	c.writing = false
	m.macrotask(o.Label(), func() { m.exec(o.Ops) })
}

// dialTimeout is the delay of a dial's timeout timer: d rounded up to whole
// milliseconds, at most 2^31−1 ms.
func dialTimeout(d time.Duration) time.Duration {
	if d >= math.MaxInt32*time.Millisecond {
		return math.MaxInt32 * time.Millisecond
	}
	return (d + time.Millisecond - 1) / time.Millisecond * time.Millisecond
}

// giveUp ends dial d before its connect finished, with why ("canceled",
// "timedout"): its timeout is cleared, its connect canceled in the network if it is
// still in flight there, and its callback deferred to the next pending phase.
func (m *model) giveUp(d *mDial, why string) {
	d.decided = true
	if d.timer != nil {
		m.clearTimer(d.timer)
	}
	m.dials--
	if !d.net.done {
		m.closeSock(d.sock, false)
		m.finish(d.net, "canceled")
	}
	m.pending = append(m.pending, func() {
		m.macrotask(d.op.Label()+" "+why, func() { m.exec(d.op.Ops) })
	})
}

func (m *model) newConn(o *Op, s *mSock) *mConn {
	c := &mConn{op: o, sock: s}
	m.conns[o.ID] = c
	m.allConns = append(m.allConns, c)
	return c
}

func (m *model) startAccept(ln *mListener) {
	ln.sock.accept = &mNetOp{kind: netAccept, handle: ln}
	m.tryAccept(ln.sock)
}

func (m *model) startRead(c *mConn, r *mRead) {
	c.reading = r
	c.sock.read = &mNetOp{kind: netRead, handle: c}
	m.tryRead(c.sock)
}

// startWrite starts the first queued write of c.
func (m *model) startWrite(c *mConn) {
	if len(c.writes) == 0 {
		return
	}
	c.writing = true
	s := c.sock
	op := &mNetOp{kind: netWrite, handle: c, size: c.writes[0].Size}
	if s.reset {
		m.finish(op, "pipe")
		return
	}
	s.write = op
	m.pump(s)
}

// readDone is the rest of a read's callback after its label: its ops, then the
// next read of the run when this one returned data.
func (m *model) readDone(c *mConn, r *mRead, data bool) {
	r.runs++
	m.exec(r.op.Ops)
	if data && r.runs < max(r.op.Count, 1) && !c.closing && c.reading == nil {
		m.startRead(c, r)
	}
}

// completeOp runs the loop's side of an operation a wait returned.
func (m *model) completeOp(op *mNetOp) {
	switch h := op.handle.(type) {
	case *mListener:
		if h.closing {
			if op.err == "" && op.conn != nil {
				m.closeSock(op.conn, false) // accepted, nobody to take it
			}
			return
		}
		m.newConn(h.op, op.conn)
		m.macrotask(h.op.Label(), func() { m.exec(h.op.Ops) })
		if !h.closing {
			m.startAccept(h)
		}
	case *mDial:
		if h.decided {
			if op.err == "" && op.conn != nil {
				m.closeSock(op.conn, false) // made after the dial was given up
			}
			return
		}
		h.decided = true
		if h.timer != nil {
			m.clearTimer(h.timer)
		}
		m.dials--
		label := h.op.Label()
		if op.err != "" {
			label += " " + op.err
		} else {
			m.newConn(h.op, op.conn)
		}
		m.macrotask(label, func() { m.exec(h.op.Ops) })
	case *mConn:
		if h.closing {
			return // its callback runs, or ran, in the close phase
		}
		switch op.kind {
		case netRead:
			r := h.reading
			h.reading = nil
			if op.err != "" {
				m.macrotask(r.op.Label()+" "+op.err, func() { m.readDone(h, r, false) })
				break
			}
			m.macrotask(r.op.Label()+" "+strconv.Itoa(op.n), func() { m.readDone(h, r, true) })
		case netWrite:
			h.writing = false
			w := h.writes[0]
			h.writes = h.writes[1:]
			m.startWrite(h)
			label := w.Label()
			if op.err != "" {
				label += " " + op.err
			}
			m.macrotask(label, func() { m.exec(w.Ops) })
		}
	}
}

// The network's side.

// after schedules fn one latency from now.
func (m *model) after(fn func()) { m.at(m.now+m.latency, fn) }

// finish makes op come back from a wait with err.
func (m *model) finish(op *mNetOp, err string) {
	op.err = err
	op.done = true
	m.finished = append(m.finished, op)
}

// requestArrived is a dial's connection request reaching the listener ln: it queues
// a connection there and answers, or, ln closed, is refused; a request or an answer
// reaching a connecting end closed by a cancel is dropped.
func (m *model) requestArrived(c, ln *mSock, op *mNetOp) {
	if c.closed {
		return // the connect was canceled on the way
	}
	if ln.closed {
		m.after(func() {
			if !c.closed {
				m.finish(op, "refused")
			}
		})
		return
	}
	srv := &mSock{peer: c, est: true}
	c.peer = srv
	ln.backlog = append(ln.backlog, srv)
	m.after(func() {
		if c.closed {
			return
		}
		c.est = true
		op.conn = c
		m.finish(op, "")
	})
	m.tryAccept(ln)
}

// tryAccept gives the accept in flight on ln its oldest queued connection.
func (m *model) tryAccept(ln *mSock) {
	op := ln.accept
	if op == nil || len(ln.backlog) == 0 {
		return
	}
	op.conn = ln.backlog[0]
	ln.backlog = ln.backlog[1:]
	ln.accept = nil
	m.finish(op, "")
}

// tryRead finishes the read in flight on s if it can.
func (m *model) tryRead(s *mSock) {
	op := s.read
	if op == nil {
		return
	}
	switch {
	case s.reset:
		s.read = nil
		m.finish(op, "reset")
	case s.arrived > 0:
		op.n = min(readBytes, s.arrived)
		s.arrived -= op.n
		s.read = nil
		m.finish(op, "")
		m.pump(s.peer) // the read made room for the peer's write
	case s.fin:
		s.read = nil
		m.finish(op, "EOF")
	}
}

// pump hands the network as much of s's write in flight as its peer's direction
// has room for, and finishes the write once all of it is handed over.
func (m *model) pump(s *mSock) {
	op := s.write
	if op == nil || s.closed || s.reset {
		return
	}
	peer := s.peer
	for op.taken < op.size {
		room := bufferBytes - peer.transit - peer.arrived
		if room <= 0 {
			return
		}
		n := min(room, op.size-op.taken)
		peer.transit += n
		op.taken += n
		m.after(func() { m.dataArrived(peer, n) })
	}
	s.write = nil
	m.finish(op, "")
}

// dataArrived is n bytes reaching r.
func (m *model) dataArrived(r *mSock, n int) {
	r.transit -= n
	switch {
	case r.closed:
		m.sendReset(r)
	case r.reset:
	default:
		r.arrived += n
		m.tryRead(r)
	}
}

// finArrived is the end of the peer's stream reaching r.
func (m *model) finArrived(r *mSock) {
	if r.closed || r.reset {
		return
	}
	r.fin = true
	m.tryRead(r)
}

// sendReset sends s's peer a reset, once.
func (m *model) sendReset(s *mSock) {
	if s.resetTx || s.peer == nil {
		return
	}
	s.resetTx = true
	peer := s.peer
	m.after(func() { m.resetArrived(peer) })
}

// resetArrived is a reset reaching r.
func (m *model) resetArrived(r *mSock) {
	if r.closed || r.reset {
		return
	}
	r.resetTx = true // a reset is never answered
	m.abort(r)
}

// abort resets s: unread bytes are lost, its read and write in flight fail.
func (m *model) abort(s *mSock) {
	s.reset = true
	s.arrived = 0
	if op := s.read; op != nil {
		s.read = nil
		m.finish(op, "reset")
	}
	if op := s.write; op != nil {
		s.write = nil
		m.finish(op, "reset")
	}
	m.sendReset(s)
}

// closeSock closes s: its operations in flight finish with "closed"; a listener
// resets its queued connections (abortive); a connection resets its peer when
// abortive or with bytes unread, and otherwise sends it the end of the stream.
func (m *model) closeSock(s *mSock, abortive bool) {
	for _, op := range []*mNetOp{s.accept, s.read, s.write} {
		if op != nil {
			m.finish(op, "closed")
		}
	}
	s.accept, s.read, s.write = nil, nil, nil
	s.closed = true
	if s.listener {
		for _, c := range s.backlog {
			m.closeSock(c, true)
		}
		s.backlog = nil
		return
	}
	switch {
	case s.peer == nil || s.reset:
	case abortive || !s.est || s.arrived+s.transit > 0:
		m.sendReset(s)
	default:
		peer := s.peer
		m.after(func() { m.finArrived(peer) })
	}
}
