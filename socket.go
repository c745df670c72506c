package nodeloop

import (
	"net"
	"time"

	"github.com/nodeloop/nodeloop/poller"
)

// Listener is a listening socket made by Loop.Listen. While open and referenced, it
// keeps the loop alive.
type Listener struct {
	handle  // active: open
	n       node[sockHandle]
	sock    poller.Socket
	addr    net.Addr
	onConn  func(*Conn, error)
	accept  poller.Op
	waiting bool // the accept is in flight
	closeCb func()
	// closeDone is set in the close phase that finishes the first Close.
	closeDone bool
}

// Conn is a connection made by a Listener or by Loop.Dial. While it has a read, a
// write, a connect or End's shutdown in flight and is referenced, it keeps the loop
// alive.
type Conn struct {
	handle  // active: open, with a read or a write in flight
	n       node[sockHandle]
	sock    poller.Socket
	local   net.Addr
	remote  net.Addr
	closeCb func()

	// The flags share one word. closeDone is set in the close phase that finishes
	// the first Close.
	closeDone   bool
	reading     bool
	writing     bool
	ending      bool // End was called: no more writes, the shutdown follows the last
	shutStarted bool // the shutdown was started
	shutting    bool // the shutdown is in flight

	readOp poller.Op
	readCb func([]byte, error) // the read takes the poller's shared buffer (a nil Buf)

	writeOp poller.Op
	writes  queue[pendingWrite] // the first is in flight when writing, the rest queue behind it

	// shutOp is made by the first shutdown, so that a connection closed without one,
	// as most are, does not carry it.
	shutOp *poller.Op
	endCb  func(error) // End's callback, until it runs
	endErr error       // the first error of a write queued before End

	queued int // bytes of the writes not yet called back, for WritableLength

	idle   *Timer // the idle timeout of SetTimeout, unref'd; nil when none
	idleCb func()
}

type pendingWrite struct {
	b  []byte
	cb func(int, error)
}

// Listen opens a listening socket, as net.Listen takes network ("tcp", "tcp4",
// "tcp6", "unix") and address, and calls onConn in the poll phase with each
// connection accepted. An unknown network or a malformed address is an error.
func (l *Loop) Listen(network, address string, onConn func(*Conn, error)) (*Listener, error) {
	l.mustOpen("Listen")
	if onConn == nil {
		nilCallback("Listen")
	}
	sock, addr, err := l.poller.Listen(network, address)
	if err != nil {
		return nil, err
	}
	ln := &Listener{handle: l.newHandle(), sock: sock, addr: addr, onConn: onConn}
	l.site(ln.id)
	ln.n.v = ln
	l.socks.insertTail(&ln.n)
	ln.accept = poller.Op{Kind: poller.Accept, Socket: sock, Data: ln}
	ln.setActive(true)
	ln.startAccept()
	return ln, nil
}

func (ln *Listener) startAccept() {
	ln.accept.Reset()
	ln.waiting = true
	if err := ln.l.startOp(&ln.accept, ln.id); err != nil {
		ln.waiting = false
		ln.l.traceOpDone(&ln.accept, ln.id, 0, err)
		ln.l.deferToPending(ln.id, func() {
			if !ln.closed {
				ln.onConn(nil, err)
			}
		})
	}
}

// startOp starts op, for the handle with the given id, under a fresh id, tracing it.
func (l *Loop) startOp(op *poller.Op, handle uint64) error {
	op.ID = l.nextID()
	if l.tracer != nil {
		l.traceOpStart(op, handle)
	}
	return l.poller.Start(op)
}

func (ln *Listener) kind() string { return "listener" }
func (c *Conn) kind() string      { return "conn" }

func (ln *Listener) opDone(op *poller.Op) {
	ln.waiting = false
	if ln.closed {
		return
	}
	l := ln.l
	var c *Conn
	if op.Err == nil {
		c = l.newConn(op.Conn, op.Local, op.Remote)
	}
	l.enterOpCallback(op.ID, ln.id)
	ln.onConn(c, op.Err)
	l.leaveCallback()
	if !ln.closed {
		ln.startAccept()
	}
}

// Addr returns the address the listener is bound to.
func (ln *Listener) Addr() net.Addr { return ln.addr }

// Ref makes the listener keep the loop alive (the default).
func (ln *Listener) Ref() { ln.setRef("Listener.Ref", true) }

// Unref makes the listener stop keeping the loop alive.
func (ln *Listener) Unref() { ln.setRef("Listener.Unref", false) }

// HasRef reports whether the listener keeps the loop alive.
func (ln *Listener) HasRef() bool { return ln.hasRef() }

// Close stops accepting at once and runs cb, which may be nil, in the close phase.
// Closing again does nothing more: the later Close's callback, if any, runs once,
// right after the first one's in the same close phase, or in the next close phase
// if that one is over.
func (ln *Listener) Close(cb func()) {
	ln.use("Listener.Close")
	if ln.closed {
		ln.l.closeAgain(&ln.closeCb, ln.closeDone, cb)
		return
	}
	ln.startClose("Listener.Close", "listener")
	ln.closeCb = cb
	ln.l.poller.CloseSocket(ln.sock)
	ln.queueClose(ln)
}

// Closed reports whether Close was called: true from the first Close on.
func (ln *Listener) Closed() bool { return ln.closed }

// closeAgain is a Close of a socket handle closed already: cb, unless nil, runs
// right after the first Close's callback, which first holds, if done reports that
// its close phase has not run; otherwise in the next close phase, on its own.
func (l *Loop) closeAgain(first *func(), done bool, cb func()) {
	if cb == nil {
		return
	}
	if !done {
		prev := *first
		*first = func() {
			if prev != nil {
				prev()
			}
			cb()
		}
		return
	}
	lc := &lateClose{handle: l.newHandle(), cb: cb}
	l.closeHandle(lc.id, lc)
}

// lateClose is the callback of a Close made after the handle's close phase: it
// waits for the next close phase under an id of its own.
type lateClose struct {
	handle
	cb func()
}

func (lc *lateClose) finishClose() (uint64, func()) { return lc.id, lc.cb }

func (ln *Listener) finishClose() (uint64, func()) {
	ln.closeDone = true
	ln.n.remove()
	if ln.waiting {
		// The accept the close cut short finishes here, without a callback.
		ln.waiting = false
		ln.l.traceOpDone(&ln.accept, ln.id, 0, ErrClosed)
	}
	return ln.id, ln.closeCb
}

func (l *Loop) newConn(sock poller.Socket, local, remote net.Addr) *Conn {
	c := &Conn{handle: l.newHandle(), sock: sock, local: local, remote: remote}
	c.n.v = c
	l.socks.insertTail(&c.n)
	c.readOp = poller.Op{Kind: poller.Read, Socket: sock, Data: c}
	c.writeOp = poller.Op{Kind: poller.Write, Socket: sock, Data: c}
	return c
}

// LocalAddr returns the connection's local address.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the connection's peer address.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// Read reads once and calls cb in the poll phase with the bytes read, at most 64 KiB,
// or with io.EOF at the end of the stream, or another error. The bytes are valid
// until cb returns: they live in a buffer the loop's connections share, taken only
// when the socket is readable, so an idle connection holds none; keep them longer
// by copying them.
// One Read at a time: calling Read while one is in flight panics. After Close, cb
// receives ErrClosed in the close phase, before the close callback.
func (c *Conn) Read(cb func([]byte, error)) {
	c.useOpen("Conn.Read", "connection")
	if cb == nil {
		nilCallback("Conn.Read")
	}
	if c.reading {
		panic("nodeloop: Conn.Read called while a read is in flight; call it again from the callback")
	}
	c.reading = true
	c.readCb = cb
	c.readOp.Reset()
	c.readOp.Buf = nil // the poller's shared buffer, at readiness
	c.updateActive()
	if err := c.l.startOp(&c.readOp, c.id); err != nil {
		c.l.traceOpDone(&c.readOp, c.id, 0, err)
		c.reading = false
		c.readCb = nil
		c.updateActive()
		c.l.deferToPending(c.id, func() { cb(nil, err) })
	}
}

// Write writes all of b and calls cb in the poll phase with the count written and the
// error, if any: the count is of the bytes that reached the system, which go out to
// the peer even if the connection is closed next. Writes queue behind each other and
// go out in order. b must not change until cb runs. When Close cuts a write short,
// cb receives, in the close phase, the bytes that reached the system before the
// close (all of b if the write had finished there, none if it had not started)
// and ErrClosed. Writing after End panics.
func (c *Conn) Write(b []byte, cb func(int, error)) {
	c.useOpen("Conn.Write", "connection")
	if cb == nil {
		nilCallback("Conn.Write")
	}
	if c.ending {
		panic("nodeloop: Conn.Write called after End; End shuts the write side, so write before calling it")
	}
	c.writes.push(pendingWrite{b: b, cb: cb})
	c.queued += len(b)
	if !c.writing {
		c.startWrite()
	}
}

// TryWrite writes what the system takes of b at once, as libuv's uv_try_write, and
// returns the count: those bytes are the system's when it returns, b may change
// after, and no callback runs for them. It writes nothing, and returns 0, while a
// write of the connection is queued or in flight (writes go out in order), when
// the system's buffer is full, when the poller cannot write outside an operation
// (a poller.TryWriter can), and when the system call fails; a Write of the rest
// then finishes it, or meets the failure and reports it to its callback. Node
// writes this way first, and runs a write's callback in a nextTick when all of it
// went out at once. Bytes written restart SetTimeout's idle timeout, as a write that
// finished does. Calling it after End panics, as Write does.
func (c *Conn) TryWrite(b []byte) int {
	c.useOpen("Conn.TryWrite", "connection")
	if c.ending {
		panic("nodeloop: Conn.TryWrite called after End; End shuts the write side, so write before calling it")
	}
	w, ok := c.l.poller.(poller.TryWriter)
	if !ok || c.writing || c.writes.len() > 0 || len(b) == 0 {
		return 0
	}
	n := w.TryWrite(c.sock, b)
	if n > 0 {
		if c.l.tracer != nil {
			c.l.traceTryWrite(c.id, n)
		}
		c.traffic()
	}
	return n
}

// WritableLength returns the bytes of the writes whose callbacks have not run, the
// one in flight included, as Node's socket.writableLength: a program that sees it
// grow past what it wants to buffer stops writing until write callbacks bring it
// down (backpressure).
func (c *Conn) WritableLength() int { return c.queued }

// SetNoDelay turns Nagle's algorithm off (true, how connections start) or on, as
// Node's socket.setNoDelay: with it off, small writes go out at once. It is an
// error on a unix-domain connection only if the system says so; there it does
// nothing.
func (c *Conn) SetNoDelay(noDelay bool) error {
	c.useOpen("Conn.SetNoDelay", "connection")
	return c.l.poller.SetOption(c.sock, poller.Option{Kind: poller.NoDelay, On: noDelay})
}

// SetKeepAlive turns TCP keep-alive on or off, as Node's socket.setKeepAlive: the
// system probes a connection idle for delay (rounded up to the second; 0 keeps the
// system's idle time) and fails it, with an error for the read in flight, when the
// peer stops answering. Connections start with it off. A negative delay panics.
func (c *Conn) SetKeepAlive(enable bool, delay time.Duration) error {
	c.useOpen("Conn.SetKeepAlive", "connection")
	if delay < 0 {
		panic("nodeloop: Conn.SetKeepAlive given a negative delay; give 0 for the system's, or more")
	}
	return c.l.poller.SetOption(c.sock, poller.Option{Kind: poller.KeepAlive, On: enable, Delay: delay})
}

// SetTimeout sets the connection's idle timeout, as Node's socket.setTimeout: cb
// runs, in a timers phase, once the connection has seen no traffic (no read or
// write finishing) for d since the last, or since this call; it runs again only
// after new traffic and another d of silence. It does not close the connection:
// cb decides. d is coerced as the loop's SetTimeout coerces it; 0 turns the idle
// timeout off (cb may then be nil), and a later call replaces an earlier one. The
// timeout does not keep the loop alive by itself (an unref'd timer, as in Node),
// and Close ends it. A negative d panics.
func (c *Conn) SetTimeout(d time.Duration, cb func()) {
	c.useOpen("Conn.SetTimeout", "connection")
	if d < 0 {
		panic("nodeloop: Conn.SetTimeout given a negative duration; give 0 to turn the idle timeout off")
	}
	c.clearIdle()
	if d == 0 {
		return
	}
	if cb == nil {
		nilCallback("Conn.SetTimeout")
	}
	c.idleCb = cb
	c.idle = c.l.SetTimeout(d, c.onIdle)
	c.idle.Unref()
}

// onIdle is the idle timer's callback.
func (c *Conn) onIdle() { c.idleCb() }

// clearIdle ends the idle timeout, if any.
func (c *Conn) clearIdle() {
	if c.idle != nil {
		c.l.ClearTimeout(c.idle)
		c.idle, c.idleCb = nil, nil
	}
}

// traffic restarts the idle timeout: a read or a write finished.
func (c *Conn) traffic() {
	if c.idle != nil {
		c.idle.Refresh()
	}
}

// End half-closes the connection, as Node's socket.end: every write queued goes
// out, then the write side is shut (the peer reads everything written, then io.EOF),
// and reading goes on: the peer may still send, and Read still receives it, until
// its own end. cb, which may be nil, runs in the poll phase once the write side is
// shut, with nil, or with the first error of a write queued before End, or the
// shutdown's; if Close comes first, in the close phase with ErrClosed. End keeps the
// loop alive until then. Writing after End, and calling End twice, panic; Close
// still destroys the connection at once.
func (c *Conn) End(cb func(error)) {
	c.useOpen("Conn.End", "connection")
	if c.ending {
		panic("nodeloop: Conn.End called twice; end a connection once")
	}
	c.ending = true
	c.endCb = cb
	if !c.writing {
		c.startShutdown()
	}
}

// startShutdown shuts the write side, the writes queued before End being done.
func (c *Conn) startShutdown() {
	if c.shutOp == nil {
		c.shutOp = &poller.Op{Kind: poller.Shutdown, Socket: c.sock, Data: c}
	}
	c.shutOp.Reset()
	c.shutStarted, c.shutting = true, true
	c.updateActive()
	if err := c.l.startOp(c.shutOp, c.id); err != nil {
		c.l.traceOpDone(c.shutOp, c.id, 0, err)
		c.shutting = false
		c.updateActive()
		cb := c.endCb
		c.endCb = nil
		c.l.deferToPending(c.id, func() { // owed even without a callback, as every refused start
			if cb != nil {
				cb(err)
			}
		})
	}
}

func (c *Conn) startWrite() {
	for c.writes.len() > 0 {
		w := c.writes.front()
		c.writeOp.Reset()
		c.writeOp.Buf = w.b
		c.writing = true
		c.updateActive()
		err := c.l.startOp(&c.writeOp, c.id)
		if err == nil {
			return
		}
		c.l.traceOpDone(&c.writeOp, c.id, 0, err)
		c.writing = false
		c.writes.pop()
		c.queued -= len(w.b)
		c.noteWriteErr(err)
		c.l.deferToPending(c.id, func() { w.cb(0, err) })
	}
	c.updateActive()
	if c.ending && !c.shutStarted {
		c.startShutdown() // End's writes are done
	}
}

// noteWriteErr keeps the first error of a write queued before End, for End.
func (c *Conn) noteWriteErr(err error) {
	if err != nil && c.ending && c.endErr == nil {
		c.endErr = err
	}
}

// updateActive keeps the loop's count right: a connection with an operation in
// flight is an active handle.
func (c *Conn) updateActive() {
	c.setActive(!c.closed && (c.reading || c.writing || c.shutting))
}

func (c *Conn) opDone(op *poller.Op) {
	if c.closed {
		return // its callback ran, or runs, with ErrClosed in the close phase
	}
	l := c.l
	switch op.Kind {
	case poller.Read:
		cb := c.readCb
		c.reading, c.readCb = false, nil
		c.updateActive()
		c.traffic()
		l.enterOpCallback(op.ID, c.id)
		b := op.Buf[:op.N]
		op.Buf = nil // the poller reuses it after the next wait
		cb(b, op.Err)
		l.leaveCallback()
	case poller.Write:
		c.writing = false
		w := c.writes.pop()
		id, n, err := op.ID, op.N, op.Err // op is reused by the next write
		c.queued -= len(w.b)
		c.noteWriteErr(err)
		c.traffic()
		c.startWrite()
		l.enterOpCallback(id, c.id)
		w.cb(n, err)
		l.leaveCallback()
	case poller.Shutdown:
		c.shutting = false
		c.updateActive()
		cb, err := c.endCb, c.endErr
		c.endCb = nil
		if err == nil {
			err = op.Err
		}
		if cb != nil {
			l.enterOpCallback(op.ID, c.id)
			cb(err)
			l.leaveCallback()
		}
	}
}

// Closed reports whether Close was called: true from the first Close on.
func (c *Conn) Closed() bool { return c.closed }

// Ref makes the connection keep the loop alive while it has an operation in flight
// (the default).
func (c *Conn) Ref() { c.setRef("Conn.Ref", true) }

// Unref makes the connection stop keeping the loop alive.
func (c *Conn) Unref() { c.setRef("Conn.Unref", false) }

// HasRef reports whether the connection keeps the loop alive.
func (c *Conn) HasRef() bool { return c.hasRef() }

// Close destroys the connection at once, as Node's socket.destroy: the bytes that
// reached the system still go out to the peer, the writes queued behind them are
// discarded (End is the graceful end). In the close phase, the callbacks of its read
// and writes still in flight run with ErrClosed, then End's callback if it has not
// run, then cb, which may be nil. Closing again does nothing more: the later Close's
// callback, if any, runs once, right after the first one's in the same close phase,
// or in the next close phase if that one is over. So a callback may close a
// connection on error without knowing whether the program closed it already.
func (c *Conn) Close(cb func()) {
	c.use("Conn.Close")
	if c.closed {
		c.l.closeAgain(&c.closeCb, c.closeDone, cb)
		return
	}
	c.startClose("Conn.Close", "connection")
	c.clearIdle()
	c.closeCb = cb
	c.l.poller.CloseSocket(c.sock)
	c.queueClose(c)
}

// finishClose runs the callbacks of the operations the close cut short, then hands
// back the close callback.
func (c *Conn) finishClose() (uint64, func()) {
	l := c.l
	if c.reading {
		cb := c.readCb
		c.reading, c.readCb = false, nil
		l.traceOpDone(&c.readOp, c.id, 0, ErrClosed)
		l.enterOpCallback(c.readOp.ID, c.id)
		cb(nil, ErrClosed)
		l.leaveCallback()
	}
	c.n.remove()
	for first := true; c.writes.len() > 0; first = false {
		w := c.writes.pop()
		var id uint64 // a queued write that never started is no operation
		n := 0
		if first && c.writing {
			// The poller's count is final at CloseSocket: the bytes that reached
			// the system, which the peer still receives.
			id, n = c.writeOp.ID, c.writeOp.N
			l.traceOpDone(&c.writeOp, c.id, n, ErrClosed)
		}
		l.enterOpCallback(id, c.id)
		w.cb(n, ErrClosed)
		l.leaveCallback()
	}
	c.writing = false
	c.queued = 0
	if cb := c.endCb; cb != nil {
		c.endCb = nil
		var id uint64 // an End still waiting for its writes started no operation
		if c.shutting {
			id = c.shutOp.ID
			l.traceOpDone(c.shutOp, c.id, 0, ErrClosed)
		}
		l.enterOpCallback(id, c.id)
		cb(ErrClosed)
		l.leaveCallback()
	} else if c.shutting {
		l.traceOpDone(c.shutOp, c.id, 0, ErrClosed)
	}
	c.shutting = false
	c.closeDone = true // a Close from the callbacks above still joins closeCb
	return c.id, c.closeCb
}
