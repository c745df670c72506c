package poller

import (
	"errors"
	"net"
	"time"
)

// Poller is the loop's view of the operating system's network: a completion-based
// interface in the style of IOCP. The caller starts an operation with Start and later
// receives it back from Wait, finished, with its result in the Op's fields.
//
// Every method except Wake is called from a single goroutine, the loop's. Wake is safe
// from any goroutine.
//
// No method calls back into the caller, and Start never completes an operation from
// inside the call: even an operation that could finish at once is reported by a later
// Wait.
type Poller interface {
	// Listen opens a listening socket for network ("tcp", "tcp4", "tcp6", or "unix"
	// where the system has it) and address, as net.Listen takes them. It does not
	// block. It returns the socket and the address actually bound.
	Listen(network, address string) (Socket, net.Addr, error)

	// Start begins op and returns at once without blocking. A nil error means that op
	// will be returned by exactly one later call to Wait, finished or canceled; until
	// then the poller owns op and the caller must not touch it. A non-nil error means
	// op was not started (bad socket, bad address, an operation of the same kind
	// already in flight on the socket, a Shutdown while a Write is) and will never
	// be returned by Wait.
	Start(op *Op) error

	// Cancel asks that op, started earlier, finish early. It does not block. If op has
	// not finished, it will be returned by a later Wait with Err set to ErrCanceled;
	// if it has, Cancel does nothing. Canceling an op that is not in flight is a no-op.
	Cancel(op *Op)

	// CloseSocket closes s at once, as close(2): the bytes already written go out
	// to the peer (unless s had unread bytes, which resets the connection), and
	// nothing more is read or written. It does not block; on Windows it may wait
	// for the kernel to settle a Write in flight, which takes no longer than a
	// cancellation. Operations in flight on s are returned by later Waits with Err
	// set to ErrClosed (or with their result, if they had already finished). Their
	// result fields are final when CloseSocket returns, and the caller may read
	// them before Wait hands them back: a Write's N then counts the bytes it
	// handed to the system before the close, all of Buf if it had finished. Using
	// s afterwards is an error that wraps ErrClosed.
	CloseSocket(s Socket) error

	// SetOption sets an option of the connection s, at once, without blocking: it
	// is a system call, not an operation, and nothing of it comes back from Wait. An
	// option that means nothing on a unix-domain connection (NoDelay, KeepAlive) is
	// accepted there and does nothing. A listener, an unknown kind or a negative
	// Delay is an error; a closed socket an error wrapping ErrClosed; a system that
	// cannot set a part of the option an error matching errors.ErrUnsupported or
	// the system's errno.
	SetOption(s Socket, o Option) error

	// Wait blocks until at least one operation has finished, the timeout passes, or
	// Wake is called, whichever is first. A negative timeout waits forever, zero
	// polls without blocking, a positive one waits up to that long (rounded up to the
	// back end's resolution, never down, so a timer is never woken early). It appends
	// the finished operations to done, in the order the back end reports them, and
	// returns the extended slice; it does not allocate when done has room. Waking
	// early with no operations finished is not an error. An interrupted timed wait
	// returns no operations; an interrupted untimed wait retries.
	Wait(done []*Op, timeout time.Duration) ([]*Op, error)

	// Wake makes a concurrent or the next Wait return promptly. It is safe from any
	// goroutine and never blocks; wake-ups requested before Wait consumes them are
	// coalesced into one.
	Wake() error

	// Close releases the poller and every socket it still holds. Operations in flight
	// are abandoned and never returned. Calling any method after Close returns
	// ErrClosed (Wake does nothing).
	Close() error
}

// TryWriter is a Poller that can also write to a connection at once, outside any
// operation, as libuv's uv_try_write: a caller that wants to know whether a write
// finished inside the call (Node runs a write's callback sooner when it did) asks
// for it with TryWrite, and starts a Write only for what is left.
type TryWriter interface {
	// TryWrite writes what the system takes of b now, without blocking, and returns
	// the count; those bytes are the system's, and b may change once it returns.
	// It writes nothing, and returns 0, when the socket's buffer is full, when a
	// Write is in flight on s (writes go out in order), when s is not a connected
	// socket or its write side is shut, and when the system call fails: a Write
	// started next meets the same failure and reports it.
	TryWrite(s Socket, b []byte) int
}

// Socket is an opaque handle to a socket owned by a Poller. Its value means nothing
// outside the poller that issued it; the zero Socket is never valid.
type Socket uint64

// OpKind is the kind of an operation.
type OpKind uint8

// The kinds of operation a Poller performs.
const (
	// Accept waits for and accepts one connection on the listening Socket; on success
	// Conn, Local and Remote describe the new connection.
	Accept OpKind = iota + 1
	// Connect dials Network/Address; on success Conn, Local and Remote describe the
	// new connection. Socket is ignored.
	Connect
	// Read reads at least one byte into Buf from Socket. N is the count; at the end of
	// the stream N is 0 and Err is io.EOF.
	//
	// A Read started with a nil Buf takes no buffer while it waits: the poller
	// reads, once the socket is readable, into a buffer it shares among all such
	// reads, and Wait returns the op with Buf set to the bytes read (N of them, at
	// most SharedReadBytes). Those bytes stay valid only until the next call to
	// Wait, which may reuse them; a caller that wants them longer copies them, and
	// one that starts the op again as a shared read sets Buf back to nil. An
	// idle connection with such a Read pending holds no buffer, as libuv's alloc
	// callback takes one only at readiness. A non-nil Buf of length 0 is refused.
	Read
	// Write writes all of Buf to Socket, in as many pieces as the system needs, and
	// finishes once, when everything is written or on the first error. N is the
	// count written, also when Err is set. A Write on a socket whose write side is
	// shut fails with an error matching syscall.EPIPE.
	Write
	// Shutdown shuts the write side of the connection Socket, as shutdown(2) with
	// SHUT_WR: the peer reads every byte written before it, then io.EOF, and
	// Socket still reads what the peer sends (a half-closed connection). Start
	// refuses it while a Write is in flight on Socket: the caller shuts once its
	// writes are done. It finishes at once, reported by the next Wait; Cancel
	// does not apply to it. Err is nil, or the system's error (a connection the
	// peer reset, one that was never connected). Shutting a socket twice is
	// allowed; the second does nothing more.
	Shutdown
)

// SharedReadBytes is the most bytes a Read started with a nil Buf returns, as
// Node's 64 KiB reads.
const SharedReadBytes = 64 << 10

var opKindNames = [...]string{"invalid", "accept", "connect", "read", "write", "shutdown"}

// String returns the kind's lower-case name, as traces print it.
func (k OpKind) String() string {
	if int(k) < len(opKindNames) {
		return opKindNames[k]
	}
	return "invalid"
}

// OptionKind names a connection's option.
type OptionKind uint8

// The options SetOption sets.
const (
	// NoDelay is TCP_NODELAY: On sends each write at once instead of gathering
	// small ones (Nagle's algorithm off). Connections start with it On.
	NoDelay OptionKind = iota + 1
	// KeepAlive is SO_KEEPALIVE: On makes the system probe a connection that has
	// been idle, and fail it when the peer stops answering. Delay, when positive,
	// is the idle time before the first probe (TCP_KEEPIDLE, TCP_KEEPALIVE on
	// macOS, the keep-alive time of SIO_KEEPALIVE_VALS on Windows), rounded up to
	// the second; 0 keeps the system's. Connections start with it off.
	KeepAlive
)

var optionKindNames = [...]string{"invalid", "nodelay", "keepalive"}

// String returns the kind's lower-case name.
func (k OptionKind) String() string {
	if int(k) < len(optionKindNames) {
		return optionKindNames[k]
	}
	return "invalid"
}

// Option is a value of a connection's option, for SetOption.
type Option struct {
	// Kind is the option.
	Kind OptionKind
	// On turns it on or off.
	On bool
	// Delay is the keep-alive idle time, for KeepAlive.
	Delay time.Duration

	_ struct{}
}

// Op is one operation. The caller fills the request fields and calls Start; the
// poller fills the result fields before returning it from Wait. Ops are plain values
// that callers reuse: after Wait returns an op, the caller owns it again and may
// reset and restart it.
type Op struct {
	// Request fields, set by the caller.

	// ID names the operation in traces. The poller does not interpret it.
	ID uint64
	// Kind is what to do.
	Kind OpKind
	// Socket is the listener for Accept, the connection for Read, Write and
	// Shutdown.
	Socket Socket
	// Network and Address are the peer for Connect, as net.Dial takes them.
	Network, Address string
	// Buf is where Read puts its bytes and what Write sends. A Read may leave it
	// nil to read into the poller's shared buffer (see Read); Wait then sets it.
	Buf []byte
	// Data is the caller's; the poller never reads or writes it.
	Data any

	// Result fields, set by the poller.

	// N is the number of bytes read or written; for a Write that failed or was
	// cut short by CloseSocket, the bytes written before it stopped.
	N int
	// Conn is the connection that Accept or Connect made.
	Conn Socket
	// Local and Remote are the addresses of Conn.
	Local, Remote net.Addr
	// Err is nil on success, ErrCanceled after Cancel, ErrClosed after CloseSocket,
	// io.EOF for a Read at the end of the stream, or an *os.SyscallError that
	// errors.Is matches against syscall errnos such as ECONNREFUSED and ECONNRESET.
	Err error
}

// Reset clears the result fields so that op can be started again.
func (op *Op) Reset() {
	op.N, op.Conn, op.Local, op.Remote, op.Err = 0, 0, nil, nil, nil
}

var (
	// ErrCanceled is the Err of an operation finished by Cancel.
	ErrCanceled = errors.New("nodeloop: operation canceled")
	// ErrClosed is the Err of an operation whose socket, or poller, was closed.
	ErrClosed = net.ErrClosed
)
