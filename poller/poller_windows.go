package poller

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The I/O completion port back end. Here the kernel itself completes operations:
// Start issues AcceptEx, ConnectEx, WSARecv or WSASend with an OVERLAPPED, and Wait
// dequeues completion packets with GetQueuedCompletionStatusEx. Every socket is
// associated with the port once, its completion key the socket's token; the
// OVERLAPPED of each kind of operation lives in the socket's slab entry, so the
// packet's OVERLAPPED pointer says which operation finished.
//
// The kernel owns an OVERLAPPED, and the buffer handed with it, from the call that
// issues the operation until its completion packet is dequeued, even after the
// socket is closed or the operation canceled (those only make the packet come
// sooner, with an error). So a slab entry, which is heap memory the Go garbage
// collector does not move, stays in the slab until every packet of its socket has
// been dequeued; the caller's Op, and with it its Buf, stays referenced from the
// entry as long. Only then is the slot's generation moved on and the slot reused,
// after the wait batch that dequeued the last packet.
//
// Completion notification on success is not skipped: an operation that finishes at
// once still posts its packet, so it is reported by a later Wait, as the contract
// requires, and the bookkeeping has one path.

// Named limits.
const (
	// pollEventsMax is the number of packets one GetQueuedCompletionStatusEx
	// call dequeues at most.
	pollEventsMax = 1024
	// acceptRetriesMax bounds the AcceptEx reissues for connections reset
	// before they could be accepted.
	acceptRetriesMax = 64
	// listenBacklogConnsMax is the backlog asked of listen.
	listenBacklogConnsMax = 4096
	// waitMsMax is the longest single wait in milliseconds (INFINITE - 1).
	waitMsMax = windows.INFINITE - 1
	// ioChunkBytesMax bounds one WSARecv or WSASend, whose length is 32 bits; a
	// longer Write is sent in several.
	ioChunkBytesMax = 1 << 30
	// addrSlotBytes is the room AcceptEx needs for each of its two addresses: a
	// sockaddr_storage and 16 bytes.
	addrSlotBytes = 128 + 16
	// closeDrainWaitsMax and closeDrainSliceMs bound how long Close waits for the
	// packets of aborted operations, so that no OVERLAPPED is released while the
	// kernel may still write to it.
	closeDrainWaitsMax = 200
	closeDrainSliceMs  = 10
	// keepAliveIntervalMs is the time between keep-alive probes that SetOption
	// asks for with a keep-alive delay: the system's default.
	keepAliveIntervalMs = 1000
	// fionbio is the ioctl that makes a socket non-blocking, for the reads that
	// follow a zero-byte read's completion.
	fionbio = 0x8004667e
)

// zeroRead is what a zero-byte WSARecv points at: it waits for the socket to be
// readable without holding a buffer, as libuv's uv_zero_.
var zeroRead [1]byte

// Completion keys hold a token; on 32-bit Windows a key has 32 bits and holds
// slot<<16 | generation.
const (
	keyHalfBits = unsafe.Sizeof(uintptr(0)) * 4
	slotsMax    = 1<<(keyHalfBits-1) - 1
	gensMax     = 1<<keyHalfBits - 1
	// wakeKey is the key of Wake's packets, which carry no OVERLAPPED. No socket
	// uses generation 0, so no socket's key equals it.
	wakeKey uintptr = 0
)

// procGetQueuedCompletionStatusEx is loaded by hand: x/sys/windows lacks it.
var procGetQueuedCompletionStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetQueuedCompletionStatusEx")

var (
	wsaOnce sync.Once
	wsaErr  error
)

// errNoUnix refuses unix-domain sockets, which this back end lacks.
var errNoUnix = fmt.Errorf("poller: unix-domain sockets on windows: %w", errors.ErrUnsupported)

// overlappedEntry is the system's OVERLAPPED_ENTRY.
type overlappedEntry struct {
	key      uintptr
	ov       *windows.Overlapped
	internal uintptr
	qty      uint32
}

// System is the operating system's Poller: epoll on Linux, kqueue on macOS and the
// BSDs, I/O completion ports on Windows. Create it with New; its zero value is not
// usable. All methods except Wake must be called from one goroutine at a time.
type System struct {
	port windows.Handle

	// socks is the slab; see the file comment for when a slot is reused.
	socks       []*sock
	free, limbo []uint32

	// ready holds operations that failed when issued, so the kernel will post
	// no packet for them; the next Wait reports them first.
	ready []*Op

	entries []overlappedEntry
	removed uint32
	// woken is set when a wake-up packet was dequeued outside Wait (by
	// CloseSocket settling a write); the next Wait then does not wait.
	woken bool

	closed bool

	// shared is the buffer of the Reads started with a nil Buf. inWait is true
	// while Wait handles packets: only then may a shared Read fill it.
	shared sharedBuf
	inWait bool

	// wakeSig is 1 from a Wake's compare-and-swap until the Wait that dequeues
	// the wake-up packet; only the Wake that set it posts one.
	wakeSig    atomic.Uint32
	wakeMu     sync.Mutex
	wakeClosed bool
}

var (
	_ Poller    = (*System)(nil)
	_ TryWriter = (*System)(nil)
)

// ioState is the kernel's side of one operation: the OVERLAPPED it owns while the
// operation is issued, and what the issuing call points at.
type ioState struct {
	ov       windows.Overlapped
	issued   bool // the kernel owns ov: a packet will come
	canceled bool // Cancel asked CancelIoEx to end it
	qty      uint32
	flags    uint32
	buf      windows.WSABuf
	retries  int
}

// sock is one slab entry.
type sock struct {
	h   windows.Handle // InvalidHandle when the slot is free
	gen uint32
	// closing is set by CloseSocket; the entry waits for its packets.
	closing  bool
	listener bool
	// shut is true once the write side is shut.
	shut   bool
	family int
	// nonblock is true once the socket is non-blocking, which its first shared
	// Read or TryWrite makes it.
	nonblock bool
	// pending counts issued operations whose packets have not been dequeued.
	pending int
	ops     [Write + 1]*Op
	io      [Write + 1]ioState
	// acceptH is the socket prepared for the listener's AcceptEx, and
	// acceptBuf receives the two addresses AcceptEx writes.
	acceptH   windows.Handle
	acceptBuf [2 * addrSlotBytes]byte
}

// NewForThread is New: the completion port takes calls from any thread.
func NewForThread() (*System, error) { return New() }

// New returns the operating system's Poller.
func New() (*System, error) {
	wsaOnce.Do(func() {
		var d windows.WSAData
		if err := windows.WSAStartup(uint32(0x202), &d); err != nil {
			wsaErr = os.NewSyscallError("wsastartup", err)
		}
	})
	if wsaErr != nil {
		return nil, wsaErr
	}
	if err := procGetQueuedCompletionStatusEx.Find(); err != nil {
		return nil, err
	}
	port, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 1)
	if err != nil {
		return nil, os.NewSyscallError("createiocompletionport", err)
	}
	return &System{port: port, entries: make([]overlappedEntry, pollEventsMax)}, nil
}

// Name reports the back end in use: "iocp".
func (s *System) Name() string { return "iocp" }

func makeToken(slot, gen uint32) uint64 { return uint64(slot)<<32 | uint64(gen) }

func splitToken(tok uint64) (slot, gen uint32) { return uint32(tok >> 32), uint32(tok) }

func makeKey(slot, gen uint32) uintptr { return uintptr(uint64(slot)<<keyHalfBits | uint64(gen)) }

func splitKey(k uintptr) (slot, gen uint32) {
	return uint32(uint64(k) >> keyHalfBits), uint32(uint64(k) & (1<<keyHalfBits - 1))
}

// lookup returns the open socket named by so, or an error wrapping ErrClosed.
func (s *System) lookup(so Socket) (*sock, error) {
	slot, gen := splitToken(uint64(so))
	if gen == 0 || int(slot) >= len(s.socks) {
		return nil, fmt.Errorf("poller: socket %#x: %w", uint64(so), ErrClosed)
	}
	sk := s.socks[slot]
	if sk.gen != gen || sk.h == windows.InvalidHandle || sk.closing {
		return nil, fmt.Errorf("poller: socket %#x: %w", uint64(so), ErrClosed)
	}
	return sk, nil
}

// newSocket returns an overlapped, non-inheritable stream socket of family.
func newSocket(family int) (windows.Handle, error) {
	h, err := windows.WSASocket(int32(family), windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0,
		windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	if err != nil {
		return windows.InvalidHandle, os.NewSyscallError("wsasocket", err)
	}
	return h, nil
}

// add puts h into a slab slot and associates it with the port. On failure h is
// closed.
func (s *System) add(h windows.Handle, family int, listener bool) (uint64, *sock, error) {
	var slot uint32
	if n := len(s.free); n > 0 {
		slot = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		if uint64(len(s.socks)) >= slotsMax {
			windows.Closesocket(h)
			return 0, nil, errTooMany
		}
		slot = uint32(len(s.socks))
		s.socks = append(s.socks, &sock{gen: 1, h: windows.InvalidHandle, acceptH: windows.InvalidHandle})
	}
	sk := s.socks[slot]
	sk.h, sk.family, sk.listener, sk.closing, sk.pending, sk.shut = h, family, listener, false, 0, false
	if _, err := windows.CreateIoCompletionPort(h, s.port, makeKey(slot, sk.gen), 0); err != nil {
		windows.Closesocket(h)
		s.release(slot, sk)
		return 0, nil, os.NewSyscallError("createiocompletionport", err)
	}
	return makeToken(slot, sk.gen), sk, nil
}

// release retires a slot whose kernel operations are all over.
func (s *System) release(slot uint32, sk *sock) {
	sk.h = windows.InvalidHandle
	sk.closing = false
	sk.gen++
	if sk.gen == 0 || uint64(sk.gen) > gensMax {
		sk.gen = 1
	}
	sk.ops = [Write + 1]*Op{}
	sk.io = [Write + 1]ioState{}
	s.limbo = append(s.limbo, slot)
}

// closeSock closes sk's handles; the slot is released once no packet is due.
func (s *System) closeSock(slot uint32, sk *sock) error {
	sk.closing = true
	// Cancel each issued operation explicitly, as Go's internal/poll does:
	// closesocket alone does not abort pending I/O everywhere (Wine keeps a
	// pending WSARecv alive).
	for k := range sk.io {
		if sk.io[k].issued {
			windows.CancelIoEx(sk.h, &sk.io[k].ov)
		}
	}
	err := windows.Closesocket(sk.h)
	if sk.acceptH != windows.InvalidHandle {
		windows.Closesocket(sk.acceptH)
		sk.acceptH = windows.InvalidHandle
	}
	if sk.io[Write].issued && !s.closed {
		s.settleWrite(sk)
	}
	if sk.pending == 0 && sk.h != windows.InvalidHandle {
		s.release(slot, sk)
	}
	if err != nil {
		return os.NewSyscallError("closesocket", err)
	}
	return nil
}

// settleWrite dequeues packets until the one of sk's Write, canceled by the close,
// has come, so that the Write's count is final when CloseSocket returns, as the
// contract says. The packets dequeued meanwhile are handled as Wait handles them:
// the operations they finish wait in ready for the next Wait, and a wake-up is
// kept for it.
func (s *System) settleWrite(sk *sock) {
	for i := 0; i < closeDrainWaitsMax && sk.io[Write].issued; i++ {
		n, err := s.dequeue(closeDrainSliceMs)
		if err != nil {
			return
		}
		for j := range n {
			e := &s.entries[j]
			if e.ov == nil {
				if e.key == wakeKey {
					s.woken = true
				}
				continue
			}
			s.ready = s.packet(s.ready, e)
		}
	}
}

// sockaddr returns the family and system address of ep.
func (ep endpoint) sockaddr() (int, windows.Sockaddr) {
	if ep.v6 {
		sa := &windows.SockaddrInet6{Port: ep.port, ZoneId: zoneIndex(ep.zone)}
		copy(sa.Addr[:], ep.ip)
		return windows.AF_INET6, sa
	}
	sa := &windows.SockaddrInet4{Port: ep.port}
	copy(sa.Addr[:], ep.ip)
	return windows.AF_INET, sa
}

func sockaddrToAddr(sa windows.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *windows.SockaddrInet4:
		return tcpAddr(a.Addr[:], a.Port, 0)
	case *windows.SockaddrInet6:
		return tcpAddr(a.Addr[:], a.Port, a.ZoneId)
	}
	return nil
}

// wrapErr wraps a system error once, translating the Winsock and NT codes of the
// common connection failures to the errnos that errors.Is matches on every system.
func wrapErr(call string, err error) error {
	if e, ok := err.(syscall.Errno); ok {
		switch e {
		case windows.WSAECONNREFUSED, windows.ERROR_CONNECTION_REFUSED:
			err = syscall.ECONNREFUSED
		case windows.WSAECONNRESET, windows.ERROR_NETNAME_DELETED:
			err = syscall.ECONNRESET
		case windows.WSAECONNABORTED, windows.ERROR_CONNECTION_ABORTED:
			err = syscall.ECONNABORTED
		case windows.WSAESHUTDOWN:
			err = syscall.EPIPE
		case windows.WSAETIMEDOUT, windows.ERROR_SEM_TIMEOUT:
			err = syscall.ETIMEDOUT
		}
	}
	return os.NewSyscallError(call, err)
}

// Listen implements Poller.Listen. Unix-domain sockets are not supported here: the
// error matches errors.ErrUnsupported.
func (s *System) Listen(network, address string) (Socket, net.Addr, error) {
	if s.closed {
		return 0, nil, ErrClosed
	}
	ep, err := resolveListen(network, address)
	if err != nil {
		return 0, nil, err
	}
	if ep.network == "unix" {
		return 0, nil, errNoUnix
	}
	family, sa := ep.sockaddr()
	h, err := newSocket(family)
	if err != nil && ep.v6only < 0 {
		// No IPv6 here: fall back to IPv4 as net.Listen does.
		family, sa = windows.AF_INET, &windows.SockaddrInet4{Port: ep.port}
		h, err = newSocket(family)
	}
	if err != nil {
		return 0, nil, err
	}
	if family == windows.AF_INET6 {
		v6only := ep.v6only
		if v6only < 0 {
			v6only = 0
		}
		if err := windows.SetsockoptInt(h, windows.IPPROTO_IPV6, windows.IPV6_V6ONLY, v6only); err != nil {
			windows.Closesocket(h)
			return 0, nil, os.NewSyscallError("setsockopt", err)
		}
	}
	if err := windows.Bind(h, sa); err != nil {
		windows.Closesocket(h)
		return 0, nil, wrapErr("bind", err)
	}
	if err := windows.Listen(h, listenBacklogConnsMax); err != nil {
		windows.Closesocket(h)
		return 0, nil, wrapErr("listen", err)
	}
	lsa, err := windows.Getsockname(h)
	if err != nil {
		windows.Closesocket(h)
		return 0, nil, os.NewSyscallError("getsockname", err)
	}
	tok, _, err := s.add(h, family, true)
	if err != nil {
		return 0, nil, err
	}
	return Socket(tok), sockaddrToAddr(lsa), nil
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
		if !sk.shut {
			if err := windows.Shutdown(sk.h, windows.SHUT_WR); err != nil {
				op.Err = wrapErr("shutdown", err)
			} else {
				sk.shut = true
			}
		}
		s.ready = append(s.ready, op)
		return nil
	}
	sk.ops[op.Kind] = op
	sk.io[op.Kind].retries = 0
	var finished bool
	switch op.Kind {
	case Accept:
		finished = s.issueAccept(sk, op)
	case Read:
		finished = s.issueRead(sk, op)
	case Write:
		finished = len(op.Buf) == 0 || s.issueWrite(sk, op)
	}
	if finished {
		sk.ops[op.Kind] = nil
		s.ready = append(s.ready, op)
	}
	return nil
}

// issued records the result of a call that issues an overlapped operation: nil and
// ERROR_IO_PENDING both mean a packet will come.
func issued(sk *sock, st *ioState, err error) bool {
	if err == nil || err == windows.ERROR_IO_PENDING {
		st.issued = true
		sk.pending++
		return true
	}
	return false
}

// issueRead issues a WSARecv into op.Buf and reports whether op finished instead.
func (s *System) issueRead(sk *sock, op *Op) bool {
	st := &sk.io[Read]
	st.ov = windows.Overlapped{}
	if op.Buf == nil {
		// A zero-byte read: its packet says the socket is readable, and the
		// bytes are read then, into the shared buffer.
		if err := setNonblock(sk); err != nil {
			op.Err = err
			return true
		}
		st.buf = windows.WSABuf{Len: 0, Buf: &zeroRead[0]}
	} else {
		st.buf = windows.WSABuf{Len: uint32(min(len(op.Buf), ioChunkBytesMax)), Buf: &op.Buf[0]}
	}
	st.flags = 0
	err := windows.WSARecv(sk.h, &st.buf, 1, &st.qty, &st.flags, &st.ov, nil)
	if issued(sk, st, err) {
		return false
	}
	op.Err = wrapErr("wsarecv", err)
	return true
}

// setNonblock makes sk's socket non-blocking (FIONBIO), once. Overlapped
// operations are not changed by it; a call without an OVERLAPPED then fails with
// WSAEWOULDBLOCK where it would block.
func setNonblock(sk *sock) error {
	if sk.nonblock {
		return nil
	}
	var on, ret uint32 = 1, 0
	if err := windows.WSAIoctl(sk.h, fionbio, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &ret, nil, 0); err != nil {
		return os.NewSyscallError("ioctlsocket", err)
	}
	sk.nonblock = true
	return nil
}

// TryWrite implements TryWriter.TryWrite as libuv's uv_try_write does here: a
// WSASend with no OVERLAPPED on the socket made non-blocking, which takes what the
// system has room for at once, posts no packet, and fails with WSAEWOULDBLOCK when
// it has none.
func (s *System) TryWrite(so Socket, b []byte) int {
	if s.closed || len(b) == 0 {
		return 0
	}
	sk, err := s.lookup(so)
	if err != nil || sk.listener || sk.shut || sk.ops[Write] != nil || sk.ops[Connect] != nil {
		return 0
	}
	if setNonblock(sk) != nil {
		return 0
	}
	var n uint32
	buf := windows.WSABuf{Len: uint32(min(len(b), ioChunkBytesMax)), Buf: &b[0]}
	if windows.WSASend(sk.h, &buf, 1, &n, 0, nil, nil) != nil {
		return 0
	}
	return int(n)
}

// issueWrite issues a WSASend of the unsent rest of op.Buf and reports whether op
// finished instead.
func (s *System) issueWrite(sk *sock, op *Op) bool {
	st := &sk.io[Write]
	rest := op.Buf[op.N:]
	st.ov = windows.Overlapped{}
	st.buf = windows.WSABuf{Len: uint32(min(len(rest), ioChunkBytesMax)), Buf: &rest[0]}
	err := windows.WSASend(sk.h, &st.buf, 1, &st.qty, 0, &st.ov, nil)
	if issued(sk, st, err) {
		return false
	}
	op.Err = wrapErr("wsasend", err)
	return true
}

// isEarlyReset reports whether an accept failed because the connection was reset
// before it could be accepted, which is retried.
func isEarlyReset(err error) bool {
	return err == windows.WSAECONNRESET || err == windows.ERROR_NETNAME_DELETED
}

// issueAccept issues an AcceptEx on the listener sk and reports whether op
// finished instead.
func (s *System) issueAccept(sk *sock, op *Op) bool {
	st := &sk.io[Accept]
	for st.retries < acceptRetriesMax {
		if sk.acceptH == windows.InvalidHandle {
			h, err := newSocket(sk.family)
			if err != nil {
				op.Err = err
				return true
			}
			sk.acceptH = h
		}
		st.ov = windows.Overlapped{}
		err := windows.AcceptEx(sk.h, sk.acceptH, &sk.acceptBuf[0], 0, addrSlotBytes, addrSlotBytes, &st.qty, &st.ov)
		if issued(sk, st, err) {
			return false
		}
		windows.Closesocket(sk.acceptH)
		sk.acceptH = windows.InvalidHandle
		if !isEarlyReset(err) {
			op.Err = wrapErr("acceptex", err)
			return true
		}
		st.retries++
	}
	op.Err = wrapErr("acceptex", windows.WSAECONNRESET)
	return true
}

func (s *System) startConnect(op *Op) error {
	ep, err := resolveDial(op.Network, op.Address)
	if err != nil {
		return err
	}
	if ep.network == "unix" {
		return errNoUnix
	}
	family, sa := ep.sockaddr()
	h, err := newSocket(family)
	if err != nil {
		return err
	}
	// ConnectEx wants a bound socket.
	var wild windows.Sockaddr = &windows.SockaddrInet4{}
	if family == windows.AF_INET6 {
		wild = &windows.SockaddrInet6{}
	}
	if err := windows.Bind(h, wild); err != nil {
		windows.Closesocket(h)
		return wrapErr("bind", err)
	}
	windows.SetsockoptInt(h, windows.IPPROTO_TCP, windows.TCP_NODELAY, 1)
	tok, sk, err := s.add(h, family, false)
	if err != nil {
		return err
	}
	op.Reset()
	op.Conn = Socket(tok)
	sk.ops[Connect] = op
	st := &sk.io[Connect]
	st.ov = windows.Overlapped{}
	err = windows.ConnectEx(h, sa, nil, 0, nil, &st.ov)
	if issued(sk, st, err) {
		return nil
	}
	sk.ops[Connect] = nil
	slot, _ := splitToken(tok)
	s.closeSock(slot, sk)
	op.Conn = 0
	op.Err = wrapErr("connectex", err)
	s.ready = append(s.ready, op)
	return nil
}

// Cancel implements Poller.Cancel with CancelIoEx. The operation finishes when its
// packet comes: with ErrCanceled, or with its result if it had finished first.
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
	st := &sk.io[op.Kind]
	if !st.issued || st.canceled {
		return
	}
	st.canceled = true
	// ERROR_NOT_FOUND means the operation is already over: its packet is queued.
	windows.CancelIoEx(sk.h, &st.ov)
}

// CloseSocket implements Poller.CloseSocket. Closing the socket aborts its issued
// operations; they come back when their packets do, with ErrClosed unless they had
// finished.
func (s *System) CloseSocket(so Socket) error {
	if s.closed {
		return ErrClosed
	}
	sk, err := s.lookup(so)
	if err != nil {
		return err
	}
	slot, _ := splitToken(uint64(so))
	return s.closeSock(slot, sk)
}

// SetOption implements Poller.SetOption. The keep-alive delay is the time of
// SIO_KEEPALIVE_VALS, with the system's default interval between probes, one
// second.
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
	v := 0
	if o.On {
		v = 1
	}
	switch o.Kind {
	case NoDelay:
		if err := windows.SetsockoptInt(sk.h, windows.IPPROTO_TCP, windows.TCP_NODELAY, v); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	case KeepAlive:
		if err := windows.SetsockoptInt(sk.h, windows.SOL_SOCKET, windows.SO_KEEPALIVE, v); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
		if o.On && o.Delay > 0 {
			ms := uint32(min(keepAliveSeconds(o.Delay), (1<<32-1)/1000) * 1000)
			ka := windows.TCPKeepalive{OnOff: 1, Time: ms, Interval: keepAliveIntervalMs}
			var ret uint32
			if err := windows.WSAIoctl(sk.h, windows.SIO_KEEPALIVE_VALS, (*byte)(unsafe.Pointer(&ka)),
				uint32(unsafe.Sizeof(ka)), nil, 0, &ret, nil, 0); err != nil {
				return os.NewSyscallError("wsaioctl", err)
			}
		}
	}
	return nil
}

// Wait implements Poller.Wait.
func (s *System) Wait(done []*Op, timeout time.Duration) ([]*Op, error) {
	if s.closed {
		return done, ErrClosed
	}
	if len(s.ready) > 0 {
		done = append(done, s.ready...)
		clear(s.ready)
		s.ready = s.ready[:0]
		timeout = 0
	}
	if s.woken {
		s.woken = false
		s.wakeSig.Store(0)
		timeout = 0
	}
	var ms uint32
	switch {
	case timeout < 0:
		ms = windows.INFINITE
	case timeout == 0:
	case timeout >= time.Duration(waitMsMax)*time.Millisecond:
		ms = waitMsMax
	default:
		ms = uint32((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := s.dequeue(ms)
	if err != nil {
		return done, err
	}
	s.shared.reset() // the bytes of the last Wait's shared Reads are consumed
	s.inWait = true
	for i := range n {
		e := &s.entries[i]
		if e.ov == nil {
			if e.key == wakeKey {
				s.wakeSig.Store(0)
			}
			continue
		}
		done = s.packet(done, e)
	}
	s.inWait = false
	s.free = append(s.free, s.limbo...)
	s.limbo = s.limbo[:0]
	return done, nil
}

// dequeue fills s.entries with up to pollEventsMax packets, waiting up to ms.
func (s *System) dequeue(ms uint32) (int, error) {
	s.removed = 0
	r, _, e := syscall.SyscallN(procGetQueuedCompletionStatusEx.Addr(), uintptr(s.port),
		uintptr(unsafe.Pointer(&s.entries[0])), uintptr(len(s.entries)),
		uintptr(unsafe.Pointer(&s.removed)), uintptr(ms), 0)
	if r == 0 {
		if e == syscall.Errno(windows.WAIT_TIMEOUT) {
			return 0, nil
		}
		return 0, os.NewSyscallError("getqueuedcompletionstatusex", e)
	}
	return int(s.removed), nil
}

// entryOf finds the socket and operation kind a packet is about.
func (s *System) entryOf(e *overlappedEntry) (uint32, *sock, OpKind) {
	slot, gen := splitKey(e.key)
	if int(slot) >= len(s.socks) {
		return 0, nil, 0
	}
	sk := s.socks[slot]
	if sk.gen != gen {
		return 0, nil, 0
	}
	for k := Accept; k <= Write; k++ {
		if e.ov == &sk.io[k].ov {
			return slot, sk, k
		}
	}
	return 0, nil, 0
}

// packet handles one dequeued completion packet.
func (s *System) packet(done []*Op, e *overlappedEntry) []*Op {
	slot, sk, kind := s.entryOf(e)
	if sk == nil {
		return done
	}
	st := &sk.io[kind]
	if !st.issued {
		return done
	}
	st.issued = false
	sk.pending--
	qty := e.qty
	var err error
	if sk.closing {
		// The handle is closed: the packet's own NTSTATUS is all there is.
		if e.internal != 0 {
			err = ErrClosed
		}
	} else {
		var flags uint32
		if werr := windows.WSAGetOverlappedResult(sk.h, e.ov, &qty, false, &flags); werr != nil {
			err = werr
		}
	}
	op := sk.ops[kind]
	if op != nil && !s.finish(sk, kind, op, qty, err) {
		op = nil // reissued: still in flight
	}
	if op != nil {
		sk.ops[kind] = nil
		done = append(done, op)
	}
	if sk.closing && sk.pending == 0 {
		s.release(slot, sk)
	}
	return done
}

// finish applies a packet's result to op and reports whether op is finished; it
// reissues operations that must go on (a partial write, an accept whose
// connection was reset first).
func (s *System) finish(sk *sock, kind OpKind, op *Op, qty uint32, err error) bool {
	st := &sk.io[kind]
	canceled := st.canceled
	st.canceled = false
	if kind == Write && err != nil {
		op.N += int(qty) // a send cut short still counts what it sent
	}
	if err != nil {
		switch {
		case sk.closing:
			op.Err = ErrClosed
		case canceled:
			op.Err = ErrCanceled
		case kind == Accept && isEarlyReset(err):
			windows.Closesocket(sk.acceptH)
			sk.acceptH = windows.InvalidHandle
			st.retries++
			if st.retries < acceptRetriesMax {
				return s.issueAccept(sk, op)
			}
			op.Err = wrapErr("acceptex", err)
		default:
			op.Err = wrapErr(opCallName[kind], err)
		}
		if kind == Connect {
			s.failConnect(sk, op)
		}
		return true
	}
	switch kind {
	case Read:
		if op.Buf == nil {
			switch {
			case sk.closing:
				op.Err = ErrClosed
			case canceled:
				op.Err = ErrCanceled
			default:
				return s.readShared(sk, op)
			}
			return true
		}
		if qty == 0 {
			op.Err = io.EOF
		} else {
			op.N = int(qty)
		}
	case Write:
		op.N += int(qty)
		if op.N < len(op.Buf) {
			switch {
			case sk.closing:
				op.Err = ErrClosed
			case canceled:
				op.Err = ErrCanceled
			default:
				return s.issueWrite(sk, op)
			}
		}
	case Accept:
		if sk.closing {
			op.Err = ErrClosed
			return true
		}
		s.accepted(sk, op)
	case Connect:
		if sk.closing {
			op.Err = ErrClosed
			s.failConnect(sk, op)
			return true
		}
		if err := windows.Setsockopt(sk.h, windows.SOL_SOCKET, windows.SO_UPDATE_CONNECT_CONTEXT, nil, 0); err != nil {
			op.Err = os.NewSyscallError("setsockopt", err)
			s.failConnect(sk, op)
			return true
		}
		if sa, err := windows.Getsockname(sk.h); err == nil {
			op.Local = sockaddrToAddr(sa)
		}
		if sa, err := windows.Getpeername(sk.h); err == nil {
			op.Remote = sockaddrToAddr(sa)
		}
	}
	return true
}

// readShared reads, without blocking, into the shared buffer for op, a Read with a
// nil Buf whose zero-byte read found the socket readable, and reports whether op
// finished; if not, the zero-byte read is issued again. Outside Wait, or with too
// little room left, it waits again: its packet comes back at once.
func (s *System) readShared(sk *sock, op *Op) bool {
	var room []byte
	if s.inWait {
		room = s.shared.room()
	}
	if room == nil {
		return s.issueRead(sk, op)
	}
	b := windows.WSABuf{Len: uint32(len(room)), Buf: &room[0]}
	var qty, flags uint32
	err := windows.WSARecv(sk.h, &b, 1, &qty, &flags, nil, nil)
	switch {
	case err == windows.WSAEWOULDBLOCK:
		return s.issueRead(sk, op) // nothing there after all
	case err != nil:
		op.Err = wrapErr("wsarecv", err)
	case qty == 0:
		op.Err = io.EOF
	default:
		op.N = int(qty)
		op.Buf = room[:qty:qty]
		s.shared.took(int(qty))
	}
	return true
}

// opCallName is the system call each kind's errors are wrapped with.
var opCallName = [...]string{Accept: "acceptex", Connect: "connectex", Read: "wsarecv", Write: "wsasend"}

// failConnect closes the socket of a connect that did not succeed.
func (s *System) failConnect(sk *sock, op *Op) {
	slot, _ := splitToken(uint64(op.Conn))
	op.Conn = 0
	sk.ops[Connect] = nil
	if !sk.closing {
		s.closeSock(slot, sk)
	}
}

// accepted turns the listener's prepared socket into the accepted connection.
func (s *System) accepted(sk *sock, op *Op) {
	h := sk.acceptH
	sk.acceptH = windows.InvalidHandle
	if err := windows.Setsockopt(h, windows.SOL_SOCKET, windows.SO_UPDATE_ACCEPT_CONTEXT,
		(*byte)(unsafe.Pointer(&sk.h)), int32(unsafe.Sizeof(sk.h))); err != nil {
		windows.Closesocket(h)
		op.Err = os.NewSyscallError("setsockopt", err)
		return
	}
	windows.SetsockoptInt(h, windows.IPPROTO_TCP, windows.TCP_NODELAY, 1)
	tok, _, err := s.add(h, sk.family, false)
	if err != nil {
		op.Err = err
		return
	}
	op.Conn = Socket(tok)
	if sa, err := windows.Getsockname(h); err == nil {
		op.Local = sockaddrToAddr(sa)
	}
	if sa, err := windows.Getpeername(h); err == nil {
		op.Remote = sockaddrToAddr(sa)
	}
}

// Wake implements Poller.Wake with PostQueuedCompletionStatus.
func (s *System) Wake() error {
	if !s.wakeSig.CompareAndSwap(0, 1) {
		return nil
	}
	s.wakeMu.Lock()
	defer s.wakeMu.Unlock()
	if s.wakeClosed {
		return nil
	}
	if err := windows.PostQueuedCompletionStatus(s.port, 0, wakeKey, nil); err != nil {
		return os.NewSyscallError("postqueuedcompletionstatus", err)
	}
	return nil
}

// Close implements Poller.Close. It closes every socket, then waits a bounded time
// for the packets of the operations that aborts, so that the kernel is done with
// their memory before the port goes away.
func (s *System) Close() error {
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	var first error
	pending := 0
	for slot, sk := range s.socks {
		if sk.h != windows.InvalidHandle && !sk.closing {
			if err := s.closeSock(uint32(slot), sk); err != nil && first == nil {
				first = err
			}
		}
		pending += sk.pending
	}
	for i := 0; i < closeDrainWaitsMax && pending > 0; i++ {
		n, err := s.dequeue(closeDrainSliceMs)
		if err != nil {
			break
		}
		for j := range n {
			e := &s.entries[j]
			if e.ov == nil {
				continue
			}
			if _, sk, kind := s.entryOf(e); sk != nil && sk.io[kind].issued {
				sk.io[kind].issued = false
				sk.pending--
				pending--
			}
		}
	}
	clear(s.ready)
	s.ready = nil
	s.wakeMu.Lock()
	s.wakeClosed = true
	if err := windows.CloseHandle(s.port); err != nil && first == nil {
		first = os.NewSyscallError("closehandle", err)
	}
	s.wakeMu.Unlock()
	return first
}
