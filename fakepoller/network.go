package fakepoller

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop/poller"
)

// The errors operations finish with, boxed once so that failing costs no
// allocation. They wrap syscall errnos as the system's back ends do.
var (
	errRefused     = os.NewSyscallError("connect", syscall.ECONNREFUSED)
	errTimedOut    = os.NewSyscallError("connect", syscall.ETIMEDOUT)
	errResetRead   = os.NewSyscallError("read", syscall.ECONNRESET)
	errResetWrite  = os.NewSyscallError("write", syscall.ECONNRESET)
	errCutRead     = os.NewSyscallError("read", syscall.ETIMEDOUT)
	errCutWrite    = os.NewSyscallError("write", syscall.ETIMEDOUT)
	errPipe        = os.NewSyscallError("write", syscall.EPIPE)
	errResetShut   = os.NewSyscallError("shutdown", syscall.ECONNRESET)
	errNotConnShut = os.NewSyscallError("shutdown", syscall.ENOTCONN)
	errInUse       = os.NewSyscallError("bind", syscall.EADDRINUSE)
	errNoPorts     = os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)
)

// The errors of Start, for operations it refuses.
var (
	errNilOp     = errors.New("fakepoller: nil operation")
	errBadKind   = errors.New("fakepoller: unknown operation kind")
	errNotListen = errors.New("fakepoller: accept on a socket that is not listening")
	errListener  = errors.New("fakepoller: read or write on a listening socket")
	errEmptyRead = errors.New("fakepoller: read into an empty buffer")
	errBusy      = errors.New("fakepoller: an operation of this kind is already in flight on the socket")
	errShutBusy  = errors.New("fakepoller: shutdown while a write is in flight on the socket; shut down once it finished")
	errOptListen = errors.New("fakepoller: option of a listening socket; set it on a connection")
	errOptKind   = errors.New("fakepoller: unknown option kind")
	errOptDelay  = errors.New("fakepoller: negative keep-alive delay")
)

// network is the state of the simulated network: its sockets and listeners.
type network struct {
	// socks holds every open socket by its handle.
	socks sockTable
	// listeners are the bound listeners, in the order they were bound.
	listeners []*sock
	// lastSock is the last handle issued; handles count up and are never reused.
	lastSock uint64
	// nextPort is the next ephemeral port to try.
	nextPort int
	// seq numbers the scheduled events, so that those due at one instant run in
	// the order they were scheduled.
	seq uint64
	// hosts are the host views of a Network of several hosts, in the order they
	// were added; empty for a Poller that is a network of its own.
	hosts []*Poller
	// links are the links between hosts that are cut or clogged, in the order
	// they were first set.
	links []*link
	// holding are the pipes that have held messages, in the order they first
	// held one.
	holding []*pipe
	// cutTimeout is how long a held message waits before its connection times
	// out (Network.SetCutTimeout).
	cutTimeout time.Duration
	// onArrive is told of every message between hosts that arrives
	// (Network.OnArrive), and lastMessage numbers them.
	onArrive    func(Message)
	lastMessage uint64
	// made are the first socketsReusedMax sockets of each kind made, which a
	// Poller's Reset clears and puts in spare for the sockets of its next run.
	// A run's sockets are never reused within it: a closed socket may still be
	// named by an event or an operation in flight.
	made  socketsMade
	spare socketsMade
}

// socketsMade are sockets, of the two kinds the network makes.
type socketsMade struct {
	conns []*connectingSock // connecting sockets, with their connections' pipes
	socks []*sock           // listeners and accepted sockets
}

// socketsReusedMax is how many sockets of each kind a Poller keeps for its next
// run after a Reset: those of a small run, so that a long run with many
// connections keeps no more than these alive past their use.
const socketsReusedMax = 16

// link is the state of the link from one host to another.
type link struct {
	from, to *host
	cut      bool
	clog     time.Duration
}

// linkOf returns the state of the link from one host to another, nil when it is
// neither cut nor clogged.
func (n *network) linkOf(from, to *host) *link {
	if from == nil || to == nil || from == to {
		return nil
	}
	for _, l := range n.links {
		if l.from == from && l.to == to {
			return l
		}
	}
	return nil
}

// init makes an empty network.
func (n *network) init() {
	n.nextPort = ephemeralPortFirst
}

// reset makes n, a standalone Poller's closed network, empty as init does, keeping
// its map, its slices and its spare sockets.
func (n *network) reset() {
	n.clear()
	rest, listeners, made, spare := n.socks.rest, n.listeners, n.made, n.spare
	*n = network{socks: sockTable{rest: rest}, listeners: listeners, nextPort: ephemeralPortFirst, made: made, spare: spare}
}

// recycle clears the sockets n made, which nothing uses once its Poller closed, and
// puts them in spare: a closed Poller holds nothing of its run.
func (n *network) recycle() {
	for _, a := range n.made.conns {
		*a = connectingSock{}
	}
	for _, s := range n.made.socks {
		*s = sock{}
	}
	n.spare.conns = append(n.spare.conns, n.made.conns...)
	n.spare.socks = append(n.spare.socks, n.made.socks...)
	clear(n.made.conns)
	clear(n.made.socks)
	n.made.conns, n.made.socks = n.made.conns[:0], n.made.socks[:0]
}

// newConnecting returns a zero connecting socket: a spare one if there is one.
func (n *network) newConnecting() *connectingSock { return reuse(&n.spare.conns, &n.made.conns) }

// newSock returns a zero socket: a spare one if there is one.
func (n *network) newSock() *sock { return reuse(&n.spare.socks, &n.made.socks) }

// reuse returns the last of spare, taken off it, or a new T when spare is empty, and
// notes it in made while made holds fewer than socketsReusedMax.
func reuse[T any](spare, made *[]*T) *T {
	var x *T
	if k := len(*spare); k > 0 {
		x = (*spare)[k-1]
		(*spare)[k-1] = nil
		*spare = (*spare)[:k-1]
	} else {
		x = new(T)
	}
	if len(*made) < socketsReusedMax {
		*made = append(*made, x)
	}
	return x
}

// clear forgets every socket, as Close does.
func (n *network) clear() {
	n.socks.clear()
	clear(n.listeners)
	n.listeners = n.listeners[:0]
	if len(n.hosts) == 0 {
		n.recycle()
	}
}

// sock is one socket: a listener or one end of a connection.
type sock struct {
	id     poller.Socket
	closed bool
	// listener is set on a listener.
	listener bool
	// owner is the poller whose Wait returns the socket's operations: the host
	// the socket is on.
	owner *Poller
	// ops holds the operation in flight of each kind, indexed by OpKind.
	ops [poller.Write + 1]*poller.Op

	// A listener's bound endpoint, its address, and the connections that arrived
	// and are not accepted yet, oldest first. A connecting socket's bound is
	// where its request goes.
	bound   endpoint
	addr    net.Addr
	backlog sockQueue

	// A connection's addresses, its peer (nil until the connection request
	// reached a listener), and the two directions of its stream: rx toward this
	// end, tx toward the peer (the peer's rx).
	local, remote net.Addr
	peer          *sock
	rx, tx        *pipe
	// established is set when a connecting socket's Connect succeeded, or at once
	// for an accepted one.
	established bool
	// reset is set when a reset arrived or was made here: reads fail with
	// ECONNRESET and new writes with EPIPE.
	reset bool
	// cut is set with reset when the connection timed out on a cut link: reads
	// and writes fail with ETIMEDOUT.
	cut bool
	// resetSent is set when this end sent its peer a reset; one is enough.
	resetSent bool
	// shut is set when this end's write side was shut: its end of the stream is
	// on its way, or arrived, and new writes fail with EPIPE.
	shut bool
	// opts holds the connection's options as SetOption left them, by kind.
	opts [poller.KeepAlive + 1]poller.Option
}

// sockQueue is a FIFO of sockets, whose slice is reused once it empties.
type sockQueue struct {
	s    []*sock
	head int
}

func (q *sockQueue) len() int { return len(q.s) - q.head }

func (q *sockQueue) push(s *sock) { q.s = append(q.s, s) }

// pop removes and returns the oldest socket; the queue must not be empty.
func (q *sockQueue) pop() *sock {
	s := q.s[q.head]
	q.s[q.head] = nil
	q.head++
	if q.head == len(q.s) {
		q.s, q.head = q.s[:0], 0
	}
	return s
}

// all returns the queued sockets, oldest first.
func (q *sockQueue) all() []*sock { return q.s[q.head:] }

// drop empties the queue and lets its slice go.
func (q *sockQueue) drop() {
	clear(q.s)
	*q = sockQueue{}
}

// connectingSock is what a Connect makes in one allocation: the connecting socket and
// the two directions of its connection, which the accepted end shares.
type connectingSock struct {
	sock
	rx, tx pipe
}

// pipe is one direction of a connection.
type pipe struct {
	// transit holds bytes the writer handed over that have not arrived; arrived
	// holds bytes that arrived and were not read. Together they are at most
	// Options.BufferBytes.
	transit, arrived byteQueue
	// last is the arrival time of the latest message sent this way, so that a
	// later message never overtakes it.
	last instant
	// fin is set when the writer's end of the stream arrived.
	fin bool
	// from and to are the hosts the messages go between, nil but in a Network
	// of several hosts; src and dst the sockets, dst nil until the connection
	// request reached a listener.
	from, to *host
	src, dst *sock
	// held are the arrivals of messages a cut link holds, in the order they were
	// sent; holds counts the times it started holding, so that a timeout knows
	// whether its hold is the current one.
	held  []func()
	holds uint64
}

// byteQueue is a FIFO of bytes in one reused buffer, first the queue's own first
// bytes: the few small messages of most simulated connections fit in them, so that
// the queue allocates nothing.
type byteQueue struct {
	buf   []byte
	off   int
	first [byteQueueFirstBytes]byte
}

// len returns how many bytes are queued.
func (q *byteQueue) len() int { return len(q.buf) - q.off }

// byteQueueFirstBytes is the room a byteQueue holds before its buffer grows.
const byteQueueFirstBytes = 128

// push appends a copy of b, first moving the queued bytes to the front of the
// buffer when at least half of it is spent.
func (q *byteQueue) push(b []byte) {
	if q.buf == nil {
		q.buf = q.first[:0]
	}
	if q.off > 0 && q.off >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.off:])
		q.buf, q.off = q.buf[:n], 0
	}
	q.buf = append(q.buf, b...)
}

// peek returns the first n bytes, valid until the next push.
func (q *byteQueue) peek(n int) []byte { return q.buf[q.off : q.off+n] }

// discard drops the first n bytes.
func (q *byteQueue) discard(n int) {
	q.off += n
	if q.off == len(q.buf) {
		q.buf, q.off = q.buf[:0], 0
	}
}

// reset drops every byte.
func (q *byteQueue) reset() { q.buf, q.off = q.buf[:0], 0 }

// newSock returns a socket with a fresh handle, with the options a connection
// starts with: NoDelay on, as the system's back ends make them.
func (p *Poller) newSock() *sock { return p.initSock(p.network.newSock()) }

// initSock gives the zero socket s a fresh handle and a connection's first options,
// as newSock does, and returns it.
func (p *Poller) initSock(s *sock) *sock {
	p.network.lastSock++
	s.id, s.owner = poller.Socket(p.network.lastSock), p
	s.opts[poller.NoDelay] = poller.Option{Kind: poller.NoDelay, On: true}
	s.opts[poller.KeepAlive] = poller.Option{Kind: poller.KeepAlive}
	p.network.socks.put(s)
	return s
}

// lookup returns the open socket named by id, or an error wrapping ErrClosed.
func (p *Poller) lookup(id poller.Socket) (*sock, error) {
	s := p.network.socks.get(id)
	if s == nil {
		return nil, fmt.Errorf("fakepoller: socket %#x: %w", uint64(id), poller.ErrClosed)
	}
	return s, nil
}

// latency draws the time a message takes, spike included.
func (p *Poller) latency() time.Duration {
	d := Between(p.choices, "net.latency", p.opts.MinLatency, p.opts.MaxLatency, latencyStep)
	if Chance(p.choices, "fault.spike", p.opts.Faults.Spike) {
		d += p.opts.Faults.SpikeLatency
	}
	return d
}

// send schedules fn at the arrival of a message sent along pp now, a segment seg
// with n bytes of data: after a drawn latency, and never before the message sent
// before it.
//
// Between two hosts of a Network, a clogged link adds its latency, and a cut link
// holds the message when it arrives, and every later one along pp, until the link
// is healed; a message held past the network's cut timeout fails the connection
// at both ends with ETIMEDOUT. Its arrival is told to the Network's OnArrive.
func (p *Poller) send(pp *pipe, seg string, n int, fn func()) {
	at := p.arrival(pp)
	if pp.from == nil {
		p.at(at, fn)
		return
	}
	fn = p.network.told(pp, seg, n, p.clock.Now(), fn)
	p.at(at, func() { p.arrive(pp, fn) })
}

// arrivalKind is what a message of a connection is, for the socket it arrives at.
type arrivalKind uint8

const (
	arriveData    arrivalKind = iota // n bytes of data: dataArrived
	arriveFin                        // the end of the stream: finArrived
	arriveRequest                    // a connection request from the socket: requestArrived
	arriveAnswer                     // a listener's answer to the socket: answerArrived
	arriveRefusal                    // the refusal of the socket's request: refusalArrived
	arriveReset                      // a reset: resetArrived
)

// segs name the segment of each kind of message, for a Network's OnArrive.
var segs = [...]string{arriveData: segData, arriveFin: segFin, arriveRequest: segConnect,
	arriveAnswer: segAccept, arriveRefusal: segRefuse, arriveReset: segReset}

// sendTo is send for a message of the kind along pp to the socket to, n bytes of
// data for a data message, which arrives as arrived(kind, to, n): within one host,
// as an event that needs no closure.
func (p *Poller) sendTo(pp *pipe, kind arrivalKind, to *sock, n int) {
	if pp.from != nil {
		// The closure holds no more than its kind's arrival needs: a host's
		// network makes one per message.
		var fn func()
		if kind == arriveData {
			fn = func() { p.dataArrived(to, n) }
		} else {
			fn = func() { p.arrived(kind, to, 0) }
		}
		p.send(pp, segs[kind], n, fn)
		return
	}
	at := p.arrival(pp)
	p.network.seq++
	p.events.Push(at, p.network.seq, event{to: to, n: n, kind: kind})
}

// arrived handles the arrival of a message of the kind at the socket to.
func (p *Poller) arrived(kind arrivalKind, to *sock, n int) {
	switch kind {
	case arriveData:
		p.dataArrived(to, n)
	case arriveFin:
		p.finArrived(to)
	case arriveRequest:
		to.owner.requestArrived(to, to.bound) // as the dialing host sees the network
	case arriveAnswer:
		p.answerArrived(to)
	case arriveRefusal:
		p.refusalArrived(to)
	case arriveReset:
		p.resetArrived(to)
	}
}

// sendData is sendTo for n bytes of data along pp to r.
func (p *Poller) sendData(pp *pipe, r *sock, n int) { p.sendTo(pp, arriveData, r, n) }

// sendFin is sendTo for the end of the stream along pp to r.
func (p *Poller) sendFin(pp *pipe, r *sock) { p.sendTo(pp, arriveFin, r, 0) }

// arrival draws when a message sent along pp now arrives, and makes it the pipe's
// latest: after a drawn latency and a clogged link's, never before the message sent
// before it.
func (p *Poller) arrival(pp *pipe) instant {
	at := p.later(p.latency())
	if pp.from != nil {
		if ln := p.network.linkOf(pp.from, pp.to); ln != nil {
			at = p.add(at, ln.clog)
		}
	}
	if at.before(pp.last) {
		at = pp.last
	}
	pp.last = at
	return at
}

// arrive runs fn, the arrival of a message along pp, unless the link holds it.
func (p *Poller) arrive(pp *pipe, fn func()) {
	ln := p.network.linkOf(pp.from, pp.to)
	if len(pp.held) == 0 && (ln == nil || !ln.cut) {
		fn()
		return
	}
	if len(pp.held) == 0 {
		pp.holds++
		if !slices.Contains(p.network.holding, pp) {
			p.network.holding = append(p.network.holding, pp)
		}
		if d := p.network.cutTimeout; d > 0 {
			hold := pp.holds
			p.After(d, func() {
				if pp.holds == hold && len(pp.held) > 0 {
					p.cutTimedOut(pp)
				}
			})
		}
	}
	pp.held = append(pp.held, fn)
}

// release delivers the messages pp holds, in order, if its link is no longer cut.
func (p *Poller) release(pp *pipe) {
	if ln := p.network.linkOf(pp.from, pp.to); len(pp.held) == 0 || ln != nil && ln.cut {
		return
	}
	held := pp.held
	pp.held = nil
	pp.holds++
	for _, fn := range held {
		fn()
	}
}

// cutTimedOut fails the connection of pp, whose message was held too long, at
// both ends: their operations in flight fail with ETIMEDOUT, and a Connect in
// flight as ConnectTimeout makes it fail.
func (p *Poller) cutTimedOut(pp *pipe) {
	clear(pp.held)
	pp.held = nil
	pp.holds++
	for _, s := range []*sock{pp.src, pp.dst} {
		if s == nil || s.closed || s.reset {
			continue
		}
		if op := s.ops[poller.Connect]; op != nil {
			p.connectTimedOut(s, op)
			continue
		}
		s.reset, s.cut, s.resetSent = true, true, true // nothing gets through to say so
		s.rx.arrived.reset()
		if op := s.ops[poller.Read]; op != nil {
			p.finish(s, op, errCutRead)
		}
		if op := s.ops[poller.Write]; op != nil {
			p.finish(s, op, errCutWrite)
		}
	}
}

// finish returns op, in flight on s, from a later Wait with err.
func (p *Poller) finish(s *sock, op *poller.Op, err error) {
	s.ops[op.Kind] = nil
	op.Err = err
	s.owner.Complete(op)
}

// freePort returns the next ephemeral port at which nothing is bound that would
// overlap ep.
func (p *Poller) freePort(ep endpoint) (int, error) {
	for range ephemeralPortLast - ephemeralPortFirst + 1 {
		port := p.network.nextPort
		p.network.nextPort++
		if p.network.nextPort > ephemeralPortLast {
			p.network.nextPort = ephemeralPortFirst
		}
		ep.port = port
		if !p.bound(ep) {
			return port, nil
		}
	}
	return 0, errNoPorts
}

// bound reports whether a listener of p's host is bound where ep would overlap it.
func (p *Poller) bound(ep endpoint) bool {
	for _, l := range p.network.listeners {
		if l.owner == p && l.bound.overlaps(ep) {
			return true
		}
	}
	return false
}

// Listen binds a listener of the simulated network. Addresses resolve as
// net.Listen resolves them, without looking up names; port 0 picks a free port.
// An address already bound fails with an error matching syscall.EADDRINUSE.
func (p *Poller) Listen(network, address string) (poller.Socket, net.Addr, error) {
	if p.closed {
		return 0, nil, poller.ErrClosed
	}
	ep, err := resolveListen(network, p.resolveName(address))
	if err != nil {
		return 0, nil, err
	}
	if p.host != nil && !ep.unix && ep.ip.IsValid() && !ep.ip.IsLoopback() && ep.ip != p.host.ip {
		return 0, nil, errNoPorts // not an address of this host
	}
	if !ep.unix && ep.port == 0 {
		if ep.port, err = p.freePort(ep); err != nil {
			return 0, nil, err
		}
	} else if p.bound(ep) {
		return 0, nil, errInUse
	}
	s := p.newSock()
	s.listener, s.bound, s.addr = true, ep, ep.addr()
	p.network.listeners = append(p.network.listeners, s)
	return s.id, s.addr, nil
}

// Start begins op on the simulated network. Errors found in the request (a bad
// socket, kind, network or address, an operation of the kind already in flight)
// are returned; everything else, success or failure, comes back from a later Wait.
func (p *Poller) Start(op *poller.Op) error {
	if p.closed {
		return poller.ErrClosed
	}
	if op == nil {
		return errNilOp
	}
	switch op.Kind {
	case poller.Accept, poller.Read, poller.Write, poller.Shutdown:
	case poller.Connect:
		return p.startConnect(op)
	default:
		return errBadKind
	}
	s, err := p.lookup(op.Socket)
	if err != nil {
		return err
	}
	switch {
	case op.Kind == poller.Accept && !s.listener:
		return errNotListen
	case op.Kind != poller.Accept && s.listener:
		return errListener
	case op.Kind == poller.Read && op.Buf != nil && len(op.Buf) == 0:
		return errEmptyRead
	case op.Kind == poller.Shutdown:
		if s.ops[poller.Write] != nil {
			return errShutBusy
		}
	case s.ops[op.Kind] != nil:
		return errBusy
	}
	op.Reset()
	if op.Kind == poller.Shutdown {
		p.shutdown(s, op)
		return nil
	}
	s.ops[op.Kind] = op
	switch op.Kind {
	case poller.Accept:
		p.tryAccept(s)
		return nil
	case poller.Write:
		if s.reset || s.shut {
			p.finish(s, op, errPipe)
			return nil
		}
	}
	if s.peer != nil && !s.reset && Chance(p.choices, "fault.reset", p.opts.Faults.Reset) {
		p.abort(s)
		return nil
	}
	if op.Kind == poller.Read {
		p.tryRead(s)
	} else {
		p.pump(s)
	}
	return nil
}

// shutdown shuts s's write side, once: the end of its stream follows what it wrote.
// It finishes op at once, with ENOTCONN when s is not connected and with
// ECONNRESET after a reset.
func (p *Poller) shutdown(s *sock, op *poller.Op) {
	switch {
	case s.reset:
		op.Err = errResetShut
	case s.shut:
	case s.peer == nil || !s.established:
		op.Err = errNotConnShut
	default:
		s.shut = true
		p.sendFin(s.tx, s.peer)
	}
	p.Complete(op)
}

// startConnect makes the connecting socket and sends the connection request.
func (p *Poller) startConnect(op *poller.Op) error {
	dst, err := resolveDial(op.Network, p.resolveName(op.Address))
	if err != nil {
		return err
	}
	var local, remote net.Addr
	if dst.unix {
		local, remote = &net.UnixAddr{Net: "unix"}, dst.addr()
	} else {
		src := endpoint{ip: dst.ip, v4: dst.v4, v6: dst.v6}
		if p.host != nil && !dst.ip.IsLoopback() {
			src.ip, src.v4, src.v6 = p.host.ip, true, false // the dialing host's own address
		}
		if src.port, err = p.freePort(src); err != nil {
			return err
		}
		local, remote = addrPair(src, dst)
	}
	op.Reset()
	a := p.network.newConnecting()
	c := p.initSock(&a.sock)
	c.local, c.remote = local, remote
	a.rx.dst, a.tx.src = c, c
	c.rx, c.tx = &a.rx, &a.tx
	if p.host != nil {
		if at := p.hostAt(dst); at != nil && at != p { // a host's own links are never cut
			c.tx.from, c.tx.to = p.host, at.host
			c.rx.from, c.rx.to = at.host, p.host
		}
	}
	c.ops[poller.Connect] = op
	op.Conn = c.id
	if p.silentAt(dst) {
		// The request is lost: nothing answers, and only the system's own
		// timeout, a Cancel or a close ends the Connect.
		if p.opts.ConnectTimeout > 0 {
			p.After(p.opts.ConnectTimeout, func() { p.connectTimedOut(c, op) })
		}
		return nil
	}
	c.bound = dst
	p.sendTo(c.tx, arriveRequest, c, 0)
	return nil
}

// connectTimedOut fails c's Connect op, if it is still in flight, with ETIMEDOUT:
// the system gave up on a request nobody answered.
func (p *Poller) connectTimedOut(c *sock, op *poller.Op) {
	if c.closed || c.ops[poller.Connect] != op {
		return
	}
	c.ops[poller.Connect] = nil
	p.closeSock(c, false)
	op.Conn = 0
	op.Err = errTimedOut
	c.owner.Complete(op)
}

// requestArrived handles a connection request from c reaching dst: a listener
// there queues the new connection and answers, or the request is refused.
func (p *Poller) requestArrived(c *sock, dst endpoint) {
	if c.closed {
		return
	}
	var ln *sock
	at := p.hostAt(dst)
	for _, l := range p.network.listeners {
		if l.owner == at && l.bound.accepts(dst) {
			ln = l
			break
		}
	}
	if ln == nil || ln.backlog.len() >= backlogConnsMax ||
		Chance(p.choices, "fault.refused", p.opts.Faults.Refused) {
		p.sendTo(c.rx, arriveRefusal, c, 0)
		return
	}
	srv := p.newSock()
	srv.owner = ln.owner
	srv.peer, c.peer = c, srv
	srv.rx, srv.tx = c.tx, c.rx
	c.tx.dst, c.rx.src = srv, srv
	srv.established = true
	srv.local, srv.remote = ln.bound.addr(), c.local
	if !ln.bound.unix && !ln.bound.ip.IsValid() {
		srv.local = endpoint{ip: dst.ip, port: dst.port}.addr()
	}
	ln.backlog.push(srv)
	p.sendTo(c.rx, arriveAnswer, c, 0)
	p.tryAccept(ln)
}

// refusalArrived fails c's Connect with ECONNREFUSED.
func (p *Poller) refusalArrived(c *sock) {
	op := c.ops[poller.Connect]
	if c.closed || op == nil {
		return
	}
	c.ops[poller.Connect] = nil
	p.closeSock(c, false)
	op.Conn = 0
	op.Err = errRefused
	c.owner.Complete(op)
}

// answerArrived finishes c's Connect: the connection exists.
func (p *Poller) answerArrived(c *sock) {
	op := c.ops[poller.Connect]
	if c.closed || op == nil {
		return
	}
	c.established = true
	op.Conn, op.Local, op.Remote = c.id, c.local, c.remote
	p.finish(c, op, nil)
}

// tryAccept gives the listener's Accept in flight the oldest queued connection.
func (p *Poller) tryAccept(ln *sock) {
	op := ln.ops[poller.Accept]
	if op == nil || ln.backlog.len() == 0 {
		return
	}
	srv := ln.backlog.pop()
	op.Conn, op.Local, op.Remote = srv.id, srv.local, srv.remote
	p.finish(ln, op, nil)
}

// tryRead finishes s's Read in flight if it can: with arrived data, with io.EOF
// after the peer's end of stream, or with ECONNRESET after a reset.
func (p *Poller) tryRead(s *sock) {
	op := s.ops[poller.Read]
	if op == nil {
		return
	}
	switch {
	case s.reset && s.cut:
		p.finish(s, op, errCutRead)
	case s.reset:
		p.finish(s, op, errResetRead)
	case s.rx.arrived.len() > 0:
		room := len(op.Buf)
		if op.Buf == nil {
			room = poller.SharedReadBytes
		}
		n := min(room, s.rx.arrived.len())
		if n > 1 && Chance(p.choices, "fault.read.short", p.opts.Faults.ShortRead) {
			n -= 1 + p.choices.Choose("net.read.size", n-1) // 0: one byte short, the mildest
		}
		if op.Buf == nil {
			op.Buf = s.owner.shareRead(s.rx.arrived.peek(n))
		} else {
			copy(op.Buf, s.rx.arrived.peek(n))
		}
		s.rx.arrived.discard(n)
		op.N = n
		p.finish(s, op, nil)
		if s.peer != nil {
			p.pump(s.peer) // the read made room for the peer's Write
		}
	case s.rx.fin:
		p.finish(s, op, io.EOF)
	}
}

// pump hands the network as much of s's Write in flight as the connection has room
// for, and finishes the Write when all of it is handed over.
func (p *Poller) pump(s *sock) {
	op := s.ops[poller.Write]
	if op == nil || s.closed || s.reset {
		return
	}
	peer := s.peer
	for op.N < len(op.Buf) {
		room := p.opts.BufferBytes - s.tx.transit.len() - s.tx.arrived.len()
		if room <= 0 || peer == nil {
			return
		}
		n := min(room, len(op.Buf)-op.N)
		if n > 1 && Chance(p.choices, "fault.write.short", p.opts.Faults.ShortWrite) {
			n -= 1 + p.choices.Choose("net.write.size", n-1) // 0: one byte short, the mildest
		}
		s.tx.transit.push(op.Buf[op.N : op.N+n])
		op.N += n
		p.sendData(s.tx, peer, n)
	}
	p.finish(s, op, nil)
}

// dataArrived moves n bytes in transit to r into its arrived data. A closed socket
// answers data with a reset; a reset one drops it.
func (p *Poller) dataArrived(r *sock, n int) {
	data := r.rx.transit.peek(n)
	switch {
	case r.closed:
		r.rx.transit.discard(n)
		p.sendReset(r)
	case r.reset:
		r.rx.transit.discard(n)
	default:
		r.rx.arrived.push(data)
		r.rx.transit.discard(n)
		p.tryRead(r)
	}
}

// finArrived records the end of the peer's stream at r.
func (p *Poller) finArrived(r *sock) {
	if r.closed || r.reset {
		return
	}
	r.rx.fin = true
	p.tryRead(r)
}

// sendReset sends s's peer a reset, once.
func (p *Poller) sendReset(s *sock) {
	if s.resetSent || s.peer == nil {
		return
	}
	s.resetSent = true
	p.sendTo(s.tx, arriveReset, s.peer, 0)
}

// resetArrived resets r: its unread data is lost and its operations in flight
// fail with ECONNRESET.
func (p *Poller) resetArrived(r *sock) {
	if r.closed || r.reset {
		return
	}
	r.resetSent = true // a reset is never answered
	p.abort(r)
}

// abort resets s here, as a reset fault or an arriving reset does.
func (p *Poller) abort(s *sock) {
	s.reset = true
	s.rx.arrived.reset()
	if op := s.ops[poller.Read]; op != nil {
		p.finish(s, op, errResetRead)
	}
	if op := s.ops[poller.Write]; op != nil {
		p.finish(s, op, errResetWrite)
	}
	p.sendReset(s)
}

// SetOption records o on the connection s, where SocketOption reads it back. The
// simulated network sends every write at once and never probes an idle connection,
// so the options change nothing else; a unix-domain connection records them too.
func (p *Poller) SetOption(id poller.Socket, o poller.Option) error {
	if p.closed {
		return poller.ErrClosed
	}
	s, err := p.lookup(id)
	if err != nil {
		return err
	}
	switch {
	case s.listener:
		return errOptListen
	case o.Kind != poller.NoDelay && o.Kind != poller.KeepAlive:
		return errOptKind
	case o.Delay < 0:
		return errOptDelay
	}
	if !o.On {
		o.Delay = 0
	}
	s.opts[o.Kind] = o
	return nil
}

// SocketOption returns the option of kind k of the connection s, as the last
// SetOption left it (a connection starts with NoDelay on, KeepAlive off), for a
// test to observe what a program set.
func (p *Poller) SocketOption(id poller.Socket, k poller.OptionKind) (poller.Option, error) {
	s, err := p.lookup(id)
	if err != nil {
		return poller.Option{}, err
	}
	if s.listener || k != poller.NoDelay && k != poller.KeepAlive {
		return poller.Option{}, fmt.Errorf("fakepoller: socket %#x has no option %v", uint64(id), k)
	}
	return s.opts[k], nil
}

// Cancel returns op from a later Wait with poller.ErrCanceled if it is in flight;
// otherwise it does nothing. A canceled Connect closes the socket it was making.
func (p *Poller) Cancel(op *poller.Op) {
	if p.closed || op == nil || op.Kind < poller.Accept || op.Kind > poller.Write {
		return
	}
	id := op.Socket
	if op.Kind == poller.Connect {
		id = op.Conn
	}
	s := p.network.socks.get(id)
	if s == nil || s.ops[op.Kind] != op {
		return
	}
	s.ops[op.Kind] = nil
	if op.Kind == poller.Connect {
		p.closeSock(s, false)
		op.Conn = 0
	}
	op.Err = poller.ErrCanceled
	s.owner.Complete(op)
}

// CloseSocket closes s. Its operations in flight come back with poller.ErrClosed,
// a Write's N counting the bytes the network took. A listener's queued connections
// are reset; a connection with data it did not read resets the peer, and otherwise
// sends it the end of the stream after what was written (unless a Shutdown sent it
// already).
func (p *Poller) CloseSocket(id poller.Socket) error {
	if p.closed {
		return poller.ErrClosed
	}
	s, err := p.lookup(id)
	if err != nil {
		return err
	}
	p.closeSock(s, false)
	return nil
}

// closeSock closes s as CloseSocket describes; abortive resets a connection's peer
// whatever the data, as closing a listener does to the connections it queued.
func (p *Poller) closeSock(s *sock, abortive bool) {
	for _, op := range s.ops {
		if op == nil {
			continue
		}
		if op.Kind == poller.Connect {
			op.Conn = 0
		}
		p.finish(s, op, poller.ErrClosed)
	}
	s.closed = true
	p.network.socks.remove(s)
	if s.listener {
		if i := slices.Index(p.network.listeners, s); i >= 0 {
			p.network.listeners = slices.Delete(p.network.listeners, i, i+1)
		}
		for _, c := range s.backlog.all() {
			p.closeSock(c, true)
		}
		s.backlog.drop()
		return
	}
	switch {
	case s.peer == nil || s.reset:
	case abortive || !s.established || s.rx.arrived.len()+s.rx.transit.len() > 0:
		p.sendReset(s)
	case s.shut:
		// The end of the stream is on its way already.
	default:
		p.sendFin(s.tx, s.peer)
	}
}
