//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// This file is the readiness-to-completion emulation shared by the epoll back end
// (poller_linux.go) and the kqueue one (poller_kqueue.go). Each mechanism file
// supplies the same nine methods on *System:
//
//	pollOpen() error                                   create the kernel object and the waker
//	pollRegister(fd int, tok uint64) error             edge-triggered read+write interest
//	pollWait(done []*Op, timeout time.Duration) ([]*Op, bool, error)
//	                                                   one kernel wait; events go to ioReady
//	pollWake() error                                   the one system call of a coalesced Wake
//	pollUnregister(tok uint64)                         before a socket's descriptor is closed
//	pollPending() bool                                 the kernel has events, seen without asking it
//	pollClose() error                                  release the kernel object and waker
//	pollStart(tok uint64, sk *sock, op *Op) bool       take a Read or Write as a kernel request
//	pollCancel(tok uint64, sk *sock, op *Op)           settle such a request before Cancel
//
// The last two do something only on io_uring's completion model
// (poller_uring_ops_linux.go); elsewhere every Read and Write follows readiness.
//
// A socket is registered once, for reading and writing, edge-triggered (EPOLLET,
// EV_CLEAR). Start always tries the system call first; only when it would block does
// the operation wait for the next edge, and every edge retries the operations that
// wait on that direction. Because the first attempt follows the registration, no edge
// can be lost between them. Wait passes its timeout on as it is: each mechanism
// converts it to its kernel's unit with its own clamp.

// Named limits. Every retry loop in the back end is bounded by one of these.
const (
	// pollEventsMax is the size of the event buffer one kernel wait fills.
	pollEventsMax = 1024
	// eintrRetriesMax bounds the retries of a system call interrupted by a signal;
	// past it, an untimed Wait returns with no operations and a socket operation
	// is retried by the next Wait.
	eintrRetriesMax = 64
	// acceptRetriesMax bounds the accept attempts made for one Accept operation in
	// one go when the kernel reports connections that were aborted before being
	// accepted (ECONNABORTED).
	acceptRetriesMax = 64
	// emfileDrainConnsMax bounds the pending connections accepted and closed in one
	// run of the descriptor-exhaustion trick; the rest are drained by the next Wait.
	emfileDrainConnsMax = 1024
	// listenBacklogConnsMax is the backlog asked of listen(2); the kernel clamps it
	// to its own maximum (somaxconn).
	listenBacklogConnsMax = 4096
)

// wakeToken is the kernel user data of the waker. No socket uses generation 0, so
// no socket token equals it.
const wakeToken uint64 = 0

// System is the operating system's Poller: epoll on Linux, kqueue on macOS and the
// BSDs, I/O completion ports on Windows. Create it with New; its zero value is not
// usable. All methods except Wake must be called from one goroutine at a time.
type System struct {
	// socks is the slab: a socket's token is its index here (the slot) and the
	// slot's current generation. Entries are allocated once and reused, so a
	// *sock stays valid while the slab grows.
	socks []*sock
	// free holds slots ready for reuse; limbo holds slots closed since the last
	// kernel wait, which an event of the coming batch could still name.
	free, limbo []uint32

	// ready holds operations finished outside Wait (at Start, Cancel or
	// CloseSocket); the next Wait reports them first.
	ready []*Op
	// retry holds tokens of sockets whose operations the next Wait must retry
	// without waiting for an edge (a bounded loop stopped early).
	retry, retrySpare []uint64

	// reserveFd is held open so that it can be closed to make room when accept
	// fails with EMFILE; -1 when it could not be reopened.
	reserveFd int

	// oneThread is set by NewForThread: every call but Wake comes from the
	// thread that made the System.
	oneThread bool

	// shared is the buffer of the Reads started with a nil Buf.
	shared sharedBuf

	// open counts the sockets registered with the kernel. With none, and no
	// wake-up pending, a zero-timeout Wait has nothing to ask the kernel.
	open int

	closed bool

	// wakeSig is 1 from a Wake's compare-and-swap until the Wait that consumes the
	// wake-up; only the Wake that set it makes a system call.
	wakeSig atomic.Uint32
	// wakeMu orders Wake's system call against Close releasing the waker, so a
	// late Wake never writes to a reused descriptor.
	wakeMu     sync.Mutex
	wakeClosed bool

	pollState
}

var _ Poller = (*System)(nil)

// sock is one slab entry.
type sock struct {
	fd  int // -1 while the slot is free
	gen uint32
	// listener is true for sockets made by Listen.
	listener bool
	// network is "tcp" or "unix": the family of addresses it reports.
	network string
	// path is the file a unix listener is bound to, removed when it is closed.
	path string
	// ops holds the operation in flight of each kind, indexed by OpKind.
	ops [Write + 1]*Op
	// inReady is false from a read or accept that found nothing (EAGAIN) until the
	// kernel reports the socket readable again: until then a new Read or Accept
	// waits for that edge instead of making a system call that would fail.
	inReady bool
	// hup is true once the kernel has reported the peer's end or an error: from
	// then on every Read tries the system call, which reports it, since no further
	// edge will come.
	hup bool
	// shut is true once the write side is shut.
	shut bool
}

// New returns the operating system's Poller.
func New() (*System, error) { return newSystem(false) }

// NewForThread is New for a caller that makes every call but Wake from the OS
// thread it calls NewForThread on, having locked its goroutine to that thread
// (runtime.LockOSThread) until Close. On Linux's io_uring the ring is then made
// for that thread alone (IORING_SETUP_SINGLE_ISSUER|IORING_SETUP_DEFER_TASKRUN)
// and entered through a descriptor registered for it: the kernel runs the
// completion work of the loop's requests when the loop asks for completions,
// rather than when it can interrupt the thread, the cheapest way io_uring has.
// A Wait from another thread then fails with an error that names NewForThread
// and wraps the kernel's (EEXIST, EBADF or EINVAL). Elsewhere it is New.
func NewForThread() (*System, error) { return newSystem(true) }

func newSystem(oneThread bool) (*System, error) {
	s := &System{reserveFd: -1, oneThread: oneThread}
	if err := s.pollOpen(); err != nil {
		return nil, err
	}
	s.reserveFd = openReserve()
	return s, nil
}

func makeToken(slot, gen uint32) uint64 { return uint64(slot)<<32 | uint64(gen) }

func splitToken(tok uint64) (slot, gen uint32) { return uint32(tok >> 32), uint32(tok) }

// lookup returns the live socket named by s, or an error wrapping ErrClosed.
func (s *System) lookup(so Socket) (*sock, error) {
	slot, gen := splitToken(uint64(so))
	if gen == 0 || int(slot) >= len(s.socks) {
		return nil, fmt.Errorf("poller: socket %#x: %w", uint64(so), ErrClosed)
	}
	sk := s.socks[slot]
	if sk.gen != gen || sk.fd < 0 {
		return nil, fmt.Errorf("poller: socket %#x: %w", uint64(so), ErrClosed)
	}
	return sk, nil
}

// add puts fd into a slab slot, registers it with the kernel and returns its token.
// On failure fd is closed.
func (s *System) add(fd int, network string, listener bool) (uint64, *sock, error) {
	var slot uint32
	if n := len(s.free); n > 0 {
		slot = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		if uint64(len(s.socks)) >= slotsMax {
			unix.Close(fd)
			return 0, nil, errTooMany
		}
		slot = uint32(len(s.socks))
		s.socks = append(s.socks, &sock{gen: 1})
	}
	sk := s.socks[slot]
	sk.fd, sk.listener, sk.network, sk.path, sk.inReady, sk.hup, sk.shut = fd, listener, network, "", true, false, false
	tok := makeToken(slot, sk.gen)
	if err := s.pollRegister(fd, tok); err != nil {
		unix.Close(fd)
		s.release(slot, sk)
		return 0, nil, err
	}
	s.open++
	return tok, sk, nil
}

// release retires a socket's slot: the generation moves on at once, so the old
// token is stale, and the slot waits in limbo until the next kernel wait is over.
func (s *System) release(slot uint32, sk *sock) {
	sk.fd = -1
	sk.gen++
	if sk.gen == 0 || uint64(sk.gen) > gensMax {
		sk.gen = 1
	}
	sk.path = ""
	sk.ops = [Write + 1]*Op{}
	s.limbo = append(s.limbo, slot)
}

// closeSock closes sk's descriptor and releases its slot; operations in flight
// finish with err.
func (s *System) closeSock(tok uint64, sk *sock, err error) error {
	for k, op := range sk.ops {
		if op == nil {
			continue
		}
		op.Err = err
		if OpKind(k) == Connect {
			op.Conn = 0
		}
		s.ready = append(s.ready, op)
	}
	s.pollUnregister(tok)
	cerr := unix.Close(sk.fd)
	s.open--
	if sk.path != "" {
		unix.Unlink(sk.path)
	}
	slot, _ := splitToken(tok)
	s.release(slot, sk)
	if cerr != nil && cerr != unix.EINTR {
		return os.NewSyscallError("close", cerr)
	}
	return nil
}

// Listen implements Poller.Listen. Addresses resolve as net.Listen resolves them; an
// empty or unspecified host listens on every local address (dual-stack for "tcp"
// where the system has IPv6).
func (s *System) Listen(network, address string) (Socket, net.Addr, error) {
	if s.closed {
		return 0, nil, ErrClosed
	}
	ep, err := resolveListen(network, address)
	if err != nil {
		return 0, nil, err
	}
	family, sa := ep.sockaddr()
	v6only := ep.v6only
	fd, err := sysSocket(family)
	if err != nil && family == unix.AF_INET6 && v6only < 0 {
		// No IPv6 here: fall back to IPv4 as net.Listen does.
		family, sa = unix.AF_INET, &unix.SockaddrInet4{Port: sa.(*unix.SockaddrInet6).Port}
		fd, err = sysSocket(family)
	}
	if err != nil {
		return 0, nil, err
	}
	if err := setupListener(fd, family, v6only); err != nil {
		unix.Close(fd)
		return 0, nil, err
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return 0, nil, os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(fd, listenBacklogConnsMax); err != nil {
		unix.Close(fd)
		if u, ok := sa.(*unix.SockaddrUnix); ok {
			unix.Unlink(u.Name)
		}
		return 0, nil, os.NewSyscallError("listen", err)
	}
	lsa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return 0, nil, os.NewSyscallError("getsockname", err)
	}
	netw := "tcp"
	if family == unix.AF_UNIX {
		netw = "unix"
	}
	tok, sk, err := s.add(fd, netw, true)
	if err != nil {
		if u, ok := sa.(*unix.SockaddrUnix); ok {
			unix.Unlink(u.Name)
		}
		return 0, nil, err
	}
	if u, ok := sa.(*unix.SockaddrUnix); ok && u.Name != "" && u.Name[0] != '@' {
		sk.path = u.Name
	}
	return Socket(tok), sockaddrToAddr(lsa, netw), nil
}

func setupListener(fd, family, v6only int) error {
	if family == unix.AF_INET6 && v6only >= 0 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	} else if family == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if family != unix.AF_UNIX {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	return nil
}

// Start implements Poller.Start.
func (s *System) Start(op *Op) error {
	connect, err := admit(s.closed, op)
	if err != nil {
		return err
	}
	if connect {
		return s.startConnect(op)
	}
	sk, err := s.lookup(op.Socket)
	if err != nil {
		return err
	}
	if err := refuse(op, sk.listener, &sk.ops); err != nil {
		return err
	}
	op.Reset()
	if op.Kind == Shutdown {
		s.shutdown(sk, op)
		s.ready = append(s.ready, op)
		return nil
	}
	sk.ops[op.Kind] = op
	if s.pollStart(uint64(op.Socket), sk, op) {
		return nil
	}
	if op.Kind == Read && op.Buf == nil {
		// The shared buffer may hold bytes the caller still reads: the next Wait
		// makes the attempt.
		if sk.inReady {
			s.retry = append(s.retry, uint64(op.Socket))
		}
		return nil
	}
	if (sk.inReady || op.Kind == Write) && s.try(uint64(op.Socket), sk, op) {
		sk.ops[op.Kind] = nil
		s.ready = append(s.ready, op)
	}
	return nil
}

// TryWrite implements TryWriter.TryWrite.
func (s *System) TryWrite(so Socket, b []byte) int {
	if s.closed || len(b) == 0 {
		return 0
	}
	sk, err := s.lookup(so)
	if err != nil || sk.listener || sk.shut || sk.ops[Write] != nil || sk.ops[Connect] != nil {
		return 0
	}
	written := 0
	for interrupts := 0; written < len(b) && interrupts < eintrRetriesMax; {
		n, err := sockWrite(sk.fd, b[written:])
		switch {
		case err == nil && n > 0:
			written += n
		case err == unix.EINTR:
			interrupts++
		default:
			return written
		}
	}
	return written
}

// try attempts op once more and reports whether it finished.
func (s *System) try(tok uint64, sk *sock, op *Op) bool {
	switch op.Kind {
	case Accept:
		return s.tryAccept(tok, sk, op)
	case Connect:
		return s.tryConnect(tok, sk, op)
	case Read:
		return s.tryRead(tok, sk, op)
	case Write:
		return s.tryWrite(tok, sk, op)
	}
	return false
}

func (s *System) tryRead(tok uint64, sk *sock, op *Op) bool {
	buf, shared := op.Buf, op.Buf == nil
	if shared {
		if buf = s.shared.room(); buf == nil {
			s.retry = append(s.retry, tok)
			return false
		}
	}
	for range eintrRetriesMax {
		n, err := sockRead(sk.fd, buf)
		switch {
		case err == nil && n > 0:
			op.N = n
			if shared {
				op.Buf = buf[:n:n]
				s.shared.took(n)
			}
			// A short read drained the socket, as libuv assumes: any byte that
			// arrives later raises a new edge, so the next Read can wait for it
			// rather than try a read that would fail.
			if n < len(buf) && !sk.hup {
				sk.inReady = false
			}
			return true
		case err == nil:
			op.Err = io.EOF
			return true
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			sk.inReady = false
			return false
		default:
			op.Err = os.NewSyscallError("read", err)
			return true
		}
	}
	s.retry = append(s.retry, tok)
	return false
}

func (s *System) tryWrite(tok uint64, sk *sock, op *Op) bool {
	interrupts := 0
	for op.N < len(op.Buf) {
		n, err := sockWrite(sk.fd, op.Buf[op.N:])
		switch {
		case err == nil && n > 0:
			op.N += n
		case err == unix.EAGAIN || (err == nil && n == 0):
			return false
		case err == unix.EINTR:
			if interrupts++; interrupts >= eintrRetriesMax {
				s.retry = append(s.retry, tok)
				return false
			}
		default:
			op.Err = os.NewSyscallError("write", err)
			return true
		}
	}
	return true
}

// shutdown shuts sk's write side for op, once.
func (s *System) shutdown(sk *sock, op *Op) {
	if sk.shut {
		return
	}
	if err := unix.Shutdown(sk.fd, unix.SHUT_WR); err != nil {
		op.Err = os.NewSyscallError("shutdown", err)
		return
	}
	sk.shut = true
}

func (s *System) tryAccept(tok uint64, sk *sock, op *Op) bool {
	for range acceptRetriesMax {
		nfd, rsa, err := sysAccept(sk.fd)
		switch err {
		case nil:
		case unix.EINTR, unix.ECONNABORTED:
			continue
		case unix.EAGAIN:
			sk.inReady = false
			return false
		case unix.EMFILE, unix.ENFILE:
			if s.emfileTrick(tok, sk.fd) {
				return false
			}
			op.Err = os.NewSyscallError("accept", err)
			return true
		default:
			op.Err = os.NewSyscallError("accept", err)
			return true
		}
		if sk.network == "tcp" {
			unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		}
		lsa, lerr := unix.Getsockname(nfd)
		ctok, _, aerr := s.add(nfd, sk.network, false)
		if aerr != nil {
			op.Err = aerr
			return true
		}
		op.Conn = Socket(ctok)
		if lerr == nil {
			op.Local = sockaddrToAddr(lsa, sk.network)
		}
		op.Remote = sockaddrToAddr(rsa, sk.network)
		return true
	}
	s.retry = append(s.retry, tok)
	return false
}

// emfileTrick handles accept failing for want of descriptors, as libuv's
// uv__emfile_trick does: it closes the reserve descriptor, accepts and at once closes
// every pending connection (their peers see the connection closed, so they do not
// wait forever), and reopens the reserve. It reports whether it could run; the
// Accept operation then stays in flight and accepts again at the next connection.
// It cannot run when the reserve could not be reopened after an earlier run; the
// Accept then finishes with the EMFILE or ENFILE error.
func (s *System) emfileTrick(tok uint64, lfd int) bool {
	if s.reserveFd < 0 {
		s.reserveFd = openReserve()
		if s.reserveFd < 0 {
			return false
		}
	}
	unix.Close(s.reserveFd)
	s.reserveFd = -1
	drained := false
	for range emfileDrainConnsMax {
		fd, _, err := sysAccept(lfd)
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil {
			drained = true
			break
		}
		unix.Close(fd)
	}
	if !drained {
		s.retry = append(s.retry, tok)
	}
	s.reserveFd = openReserve()
	return true
}

// openReserve opens the descriptor the EMFILE trick sacrifices, or returns -1.
func openReserve() int {
	fd, err := unix.Open("/", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}

func (s *System) startConnect(op *Op) error {
	ep, err := resolveDial(op.Network, op.Address)
	if err != nil {
		return err
	}
	family, sa := ep.sockaddr()
	network := ep.network
	fd, err := sysSocket(family)
	if err != nil {
		return err
	}
	if network == "tcp" {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	tok, sk, err := s.add(fd, network, false)
	if err != nil {
		return err
	}
	op.Reset()
	op.Conn = Socket(tok)
	sk.ops[Connect] = op
	for range eintrRetriesMax {
		err = unix.Connect(fd, sa)
		if err != unix.EINTR {
			break
		}
	}
	switch err {
	case nil:
		s.connected(sk, op)
		sk.ops[Connect] = nil
		s.ready = append(s.ready, op)
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		// The write edge reports the outcome.
	default:
		sk.ops[Connect] = nil
		s.closeSock(tok, sk, nil)
		op.Conn = 0
		op.Err = os.NewSyscallError("connect", err)
		s.ready = append(s.ready, op)
	}
	return nil
}

// tryConnect checks a connection in progress.
func (s *System) tryConnect(tok uint64, sk *sock, op *Op) bool {
	soerr, err := unix.GetsockoptInt(sk.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		err = os.NewSyscallError("getsockopt", err)
	} else {
		switch e := unix.Errno(soerr); e {
		case 0:
			if _, perr := unix.Getpeername(sk.fd); perr == unix.ENOTCONN {
				return false // not connected yet: a spurious edge
			}
			s.connected(sk, op)
			return true
		case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
			return false
		default:
			err = os.NewSyscallError("connect", e)
		}
	}
	sk.ops[Connect] = nil
	s.closeSock(tok, sk, nil)
	op.Conn = 0
	op.Err = err
	return true
}

// connected fills the addresses of a connection that Connect made.
func (s *System) connected(sk *sock, op *Op) {
	if lsa, err := unix.Getsockname(sk.fd); err == nil {
		op.Local = sockaddrToAddr(lsa, sk.network)
	}
	if rsa, err := unix.Getpeername(sk.fd); err == nil {
		op.Remote = sockaddrToAddr(rsa, sk.network)
	}
}

// Cancel implements Poller.Cancel.
func (s *System) Cancel(op *Op) {
	if s.closed || op == nil || op.Kind < Accept || op.Kind > Write {
		return
	}
	so := op.Socket
	if op.Kind == Connect {
		so = op.Conn
	}
	sk, err := s.lookup(so)
	if err != nil || sk.ops[op.Kind] != op {
		return
	}
	if s.pollCancel(uint64(so), sk, op); sk.ops[op.Kind] != op {
		return // it finished as it was being canceled
	}
	sk.ops[op.Kind] = nil
	op.Err = ErrCanceled
	if op.Kind == Connect {
		s.closeSock(uint64(so), sk, nil)
		op.Conn = 0
	}
	s.ready = append(s.ready, op)
}

// CloseSocket implements Poller.CloseSocket.
func (s *System) CloseSocket(so Socket) error {
	if s.closed {
		return ErrClosed
	}
	sk, err := s.lookup(so)
	if err != nil {
		return err
	}
	return s.closeSock(uint64(so), sk, ErrClosed)
}

// SetOption implements Poller.SetOption.
func (s *System) SetOption(so Socket, o Option) error {
	if s.closed {
		return ErrClosed
	}
	sk, err := s.lookup(so)
	if err != nil {
		return err
	}
	if err := checkOption(o, sk.listener); err != nil {
		return err
	}
	if sk.network != "tcp" {
		return nil // no TCP options on a unix-domain socket
	}
	v := 0
	if o.On {
		v = 1
	}
	switch o.Kind {
	case NoDelay:
		if err := unix.SetsockoptInt(sk.fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, v); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	case KeepAlive:
		if err := unix.SetsockoptInt(sk.fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, v); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
		if o.On && o.Delay > 0 {
			return setKeepAliveIdle(sk.fd, keepAliveSeconds(o.Delay))
		}
	}
	return nil
}

// ReadyWithoutKernel reports whether a Wait with a zero timeout has something to
// return that needs no question to the kernel: operations finished outside Wait,
// sockets whose operations must be retried, or a Wake not yet consumed. A caller that
// spins without waiting may skip such a Wait while this is false, at the price of
// seeing the kernel's readiness later; it must still call Wait now and then.
func (s *System) ReadyWithoutKernel() bool {
	return len(s.ready) > 0 || len(s.retry) > 0 || s.wakeSig.Load() != 0 || s.pollPending()
}

// Wait implements Poller.Wait. Operations that finished outside Wait come first,
// then those the kernel's batch completes. An interrupted wait still returns the
// former.
func (s *System) Wait(done []*Op, timeout time.Duration) ([]*Op, error) {
	if s.closed {
		return done, ErrClosed
	}
	s.shared.reset() // the bytes of the last Wait's shared Reads are consumed
	given := len(done)
	if len(s.retry) > 0 {
		retry := s.retry
		s.retry, s.retrySpare = s.retrySpare[:0], retry
		for _, tok := range retry {
			done = s.ioReady(done, tok, true, true, false)
		}
		clear(retry)
	}
	if len(s.ready) > 0 {
		done = append(done, s.ready...)
		clear(s.ready)
		s.ready = s.ready[:0]
		timeout = 0
	}
	if len(s.retry) > 0 || len(done) > given {
		timeout = 0 // operations finished already, or must be retried
	}
	if timeout == 0 && s.open == 0 && s.wakeSig.Load() == 0 {
		return done, nil // nothing the kernel could report
	}
	var err error
	for range eintrRetriesMax {
		var interrupted bool
		done, interrupted, err = s.pollWait(done, timeout)
		if !interrupted || timeout >= 0 {
			break
		}
	}
	// The batch is over: slots closed before or during it can be reused.
	if len(s.limbo) > 0 {
		s.free = append(s.free, s.limbo...)
		s.limbo = s.limbo[:0]
	}
	return done, err
}

// ioReady retries the operations of the socket named by tok that wait on a direction
// the kernel reported ready, appending those that finish to done. Stale tokens are
// dropped.
func (s *System) ioReady(done []*Op, tok uint64, readable, writable, hangup bool) []*Op {
	slot, gen := splitToken(tok)
	if int(slot) >= len(s.socks) {
		return done
	}
	sk := s.socks[slot]
	if sk.gen != gen || sk.fd < 0 {
		return done
	}
	if hangup {
		sk.hup = true
	}
	if readable {
		sk.inReady = true
		for _, k := range [...]OpKind{Accept, Read} {
			if op := sk.ops[k]; op != nil && s.try(tok, sk, op) {
				sk.ops[k] = nil
				done = append(done, op)
			}
		}
	}
	if writable {
		for _, k := range [...]OpKind{Connect, Write} {
			if sk.fd < 0 || sk.gen != gen {
				break // a failed connect closed the socket
			}
			if op := sk.ops[k]; op != nil && s.try(tok, sk, op) {
				sk.ops[k] = nil
				done = append(done, op)
			}
		}
	}
	return done
}

// Wake implements Poller.Wake.
func (s *System) Wake() error {
	if !s.wakeSig.CompareAndSwap(0, 1) {
		return nil
	}
	s.wakeMu.Lock()
	defer s.wakeMu.Unlock()
	if s.wakeClosed {
		return nil
	}
	return s.pollWake()
}

// Close implements Poller.Close.
func (s *System) Close() error {
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	var first error
	for _, sk := range s.socks {
		if sk.fd < 0 {
			continue
		}
		if err := unix.Close(sk.fd); err != nil && err != unix.EINTR && first == nil {
			first = os.NewSyscallError("close", err)
		}
		if sk.path != "" {
			unix.Unlink(sk.path)
		}
		sk.fd = -1
		sk.ops = [Write + 1]*Op{}
	}
	if s.reserveFd >= 0 {
		unix.Close(s.reserveFd)
		s.reserveFd = -1
	}
	clear(s.ready)
	s.ready = nil
	s.wakeMu.Lock()
	s.wakeClosed = true
	err := s.pollClose()
	s.wakeMu.Unlock()
	if first == nil {
		first = err
	}
	return first
}

// sockaddr returns the family and system address of ep.
func (ep endpoint) sockaddr() (int, unix.Sockaddr) {
	switch {
	case ep.network == "unix":
		return unix.AF_UNIX, &unix.SockaddrUnix{Name: ep.path}
	case ep.v6:
		sa := &unix.SockaddrInet6{Port: ep.port, ZoneId: zoneIndex(ep.zone)}
		copy(sa.Addr[:], ep.ip)
		return unix.AF_INET6, sa
	}
	sa := &unix.SockaddrInet4{Port: ep.port}
	copy(sa.Addr[:], ep.ip)
	return unix.AF_INET, sa
}

// sockaddrToAddr converts a kernel address to the net.Addr callers expect.
func sockaddrToAddr(sa unix.Sockaddr, network string) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return tcpAddr(a.Addr[:], a.Port, 0)
	case *unix.SockaddrInet6:
		return tcpAddr(a.Addr[:], a.Port, a.ZoneId)
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	if network == "unix" {
		return &net.UnixAddr{Net: "unix"}
	}
	return nil
}

// wakeWrite writes b to a waker's descriptor, retrying on EINTR. EAGAIN means the
// descriptor is full, so a wake-up is pending anyway.
func wakeWrite(fd int, b []byte) error {
	for range eintrRetriesMax {
		_, err := unix.Write(fd, b)
		switch err {
		case nil, unix.EAGAIN:
			return nil
		case unix.EINTR:
			continue
		default:
			return os.NewSyscallError("write", err)
		}
	}
	return nil
}
