// Package poller declares the Poller interface, nodeloop's completion-based view of
// the network, and implements it over the operating system: epoll on Linux, kqueue on
// macOS and the BSDs, and I/O completion ports on Windows.
//
// # The contract
//
// A Poller performs operations (accept, connect, read, write, and the shutdown of a
// connection's write side) on sockets it owns, and sets their options (NoDelay,
// KeepAlive) with [Poller.SetOption], which is a plain call.
// The caller starts an [Op] with [Poller.Start] and later receives it, finished, from
// [Poller.Wait]. On Windows this is what the kernel does; on epoll and kqueue the back
// end tries the non-blocking system call at once and, when it would block, arms
// one-shot readiness and retries when the socket is ready. The same interface then
// fits every operating system and the deterministic fake in package fakepoller.
//
// A Read started with a nil Buf holds no buffer while it waits, as libuv's reads
// take one from their alloc callback only when the socket is readable: the back end
// reads at readiness into a buffer of its own that all such reads share, and the
// bytes stay valid until the next Wait. On epoll and kqueue that is the read the
// edge triggers; on io_uring it is the buffer of the loop's provided-buffer ring
// that the kernel chose for the receive; on Windows a zero-byte WSARecv waits,
// and a non-blocking WSARecv into the shared buffer follows its completion.
//
// Timeouts follow one rule everywhere: negative waits forever, zero polls, positive
// waits up to that long. Only a back end converts a time.Duration into its system's
// unit, rounding up, and cuts a wait longer than its kernel accepts: 2^31-1 ms on
// epoll, 10^6 s on kqueue (Darwin rejects more, as Go's runtime knows), 2^32-2 ms on
// Windows. Such a Wait returns early with nothing finished, and the caller waits
// again.
//
// Every implementation, real or fake, must pass the conformance suite in package
// [github.com/nodeloop/nodeloop/poller/pollertest].
//
// # The operating system's back ends
//
// [New] returns the back end of the running system as a [*System]; on a system
// without one it returns an error matching errors.ErrUnsupported. [System.Name]
// says which back end it is.
//
//   - Linux: epoll (poller_linux.go), or io_uring (poller_uring_linux.go) as
//     NODELOOP_POLLER chooses (see below). epoll registers each socket once,
//     edge-triggered for reading and writing (epoll_ctl with EPOLLET); an
//     operation that would block waits for the next edge and is retried then.
//     Wake writes to an eventfd. On io_uring a connection's Reads and Writes are
//     requests to the kernel (poller_uring_ops_linux.go): a Write is an
//     IORING_OP_SEND, submitted again for what a short send left; a connection's
//     receive is one multishot IORING_OP_RECV, armed at its first Read, that
//     takes its buffers from a ring of SharedReadBytes buffers the loop
//     registers (IORING_REGISTER_PBUF_RING), so that an idle connection holds
//     none, and a shared Read's bytes are such a buffer until the next Wait.
//     Bytes that come with no Read pending are held for the next one, up to
//     SharedReadBytes, past which the receive stops until a Read takes them.
//     Listeners and Connect keep readiness (a multishot IORING_OP_POLL_ADD, and a
//     one-shot one per connection for Connect's outcome), and so does every
//     socket on a kernel without RECV, SEND or provided-buffer rings (before
//     5.19; before 6.0, without multishot receives, a Read submits a receive of
//     its own). The completion queue is memory shared with the kernel: a Wait
//     that does not block reads it and makes no system call unless it has
//     requests to submit or the kernel flags completions it has yet to post, and
//     a Wait submits every request its turn queued and waits in one
//     io_uring_enter, so a busy connection's hop costs one system call where epoll
//     makes three (epoll_wait, read, write).
//   - macOS and the BSDs (poller_kqueue.go): kqueue, the mirror of the epoll back
//     end, with EVFILT_READ and EVFILT_WRITE registered EV_CLEAR. Wake triggers an
//     EVFILT_USER event, or writes to a pipe on NetBSD and OpenBSD.
//   - Windows (poller_windows.go): an I/O completion port with AcceptEx, ConnectEx,
//     WSARecv and WSASend; Cancel is CancelIoEx and Wake posts a packet. Shutdown
//     is shutdown with SD_SEND, as shutdown(2) with SHUT_WR is on Unix.
//     Unix-domain sockets are not supported there (errors.ErrUnsupported).
//
// The kernel's user data (epoll_data, kevent udata, the completion key) carries a
// token, slot<<32 | generation, naming an entry of the back end's socket slab, never
// a Go pointer; a Socket is that token. Closing a socket moves its slot's generation
// on, so late events and stale Sockets are recognised and dropped, and the slot is
// reused only after the kernel can no longer mention it. Wake-ups coalesce: only
// the Wake that flips an atomic flag makes a system call, and the Wait that
// consumes the wake-up clears the flag.
//
// # Choosing the Linux back end
//
// On Linux, New reads NODELOOP_POLLER. Unset, empty or "epoll", it makes the
// epoll back end; "io_uring" makes the io_uring one, and is an error wrapping the
// reason where io_uring is unavailable; "auto" makes the io_uring one and, when
// io_uring_setup fails (ENOSYS on a kernel without io_uring, EPERM where a
// container's seccomp profile or kernel.io_uring_disabled forbids it, EINVAL on
// one too old, ENOMEM under a small memory-lock limit) or the kernel's io_uring
// lacks what the back end needs (Linux 5.13's multishot poll and
// IORING_FEAT_EXT_ARG), the epoll one, silently. Any other value is an error
// naming it.
//
// epoll is the default because io_uring is not the faster on the loop's TCP
// ping-pong, where the kernel's TCP work is nine tenths of the time: with its
// completion model io_uring makes 2 system calls per round trip against epoll's 6
// (strace -c), yet a round trip costs the same (nodeloop bench, medians of six
// runs alternating on a 6.18 kernel, under a load of 2 to 6 on 2 cores: 1.06x
// libuv's time and 1.05x its CPU on io_uring, 1.00x and 1.03x on epoll; in
// process, BenchmarkNodeloopPingPong, medians of three, 13.4 µs a round trip
// against 13.2). io_uring is ahead on turns that do not wait (chained immediates
// beside an idle listener at 0.27x libuv's time against epoll's 0.36x), since it
// reads completions from memory.
//
// The kernel runs a request's completion work on the thread that submitted it,
// and wakes that thread for it: a multishot request armed from a thread the
// loop's goroutine has since left costs two thread switches per completion (a
// round trip then took twice as long). So the back end looks at its thread
// (gettid) after every Wait that blocked and every 64th that did not, and a
// multishot receive or poll found armed from a thread the loop left is canceled
// and armed again from the loop's, at its next completion.
//
// New's ring is made with the most of IORING_SETUP_COOP_TASKRUN,
// IORING_SETUP_TASKRUN_FLAG and IORING_SETUP_SUBMIT_ALL that the kernel takes. It
// is not made IORING_SETUP_SINGLE_ISSUER|IORING_SETUP_DEFER_TASKRUN: such a ring
// may be entered by one thread only, and a goroutine moves between threads, and
// the loop's methods may be called from one goroutine, then another.
//
// NewForThread is for a caller that has locked its goroutine to its thread and
// makes every call but Wake from it (nodeloop.WithLockedThread does both). Its
// ring is made SINGLE_ISSUER|DEFER_TASKRUN (Linux 6.1): the kernel keeps the
// completion work of the ring's requests until the thread asks for completions,
// and runs it then, in the same io_uring_enter, rather than interrupting the
// thread for it. The ring's descriptor is registered for the thread
// (IORING_REGISTER_RING_FDS), so an enter skips looking it up, and the
// connections' descriptors are a table of fixed files, so a receive or a send
// skips looking up its socket and taking a reference to its file. With
// NODELOOP_POLLER unset, NewForThread takes io_uring where the kernel has it,
// as auto does, since there it is the faster: a TCP ping-pong round trip on such a
// ring measured 0.94x libuv's time, 1.06x its rate (nodeloop bench, median of 20
// runs on an idle machine, 0.90x to 0.97x, 12.0 µs against libuv's 12.7; on an
// earlier day whose libuv took 13.0 or 14.4 µs run by run, 0.97x), against 1.03x
// on epoll, and 0.98x on the ring without the registered descriptor and the fixed
// files. About nine tenths of that time is the kernel's TCP work; the loop and
// this back end run about 4,100 instructions of user space a round trip
// (callgrind). A Wait from another thread fails with an error naming NewForThread.
// Close it from its thread too: the thread's registration of the ring is undone
// there, and a ring closed from elsewhere leaves its buffers mapped for the kernel
// to finish with.
//
// # Errors
//
// Operating errors are wrapped once, with os.NewSyscallError, and match the
// portable errnos with errors.Is: syscall.ECONNREFUSED, ECONNRESET, EPIPE and so
// on. On Windows the Winsock codes of these failures (WSAECONNREFUSED,
// WSAECONNRESET, ...) are translated to those errnos, so that one errors.Is test
// works everywhere.
//
// # Running out of descriptors
//
// On Unix, when accept fails with EMFILE or ENFILE the back end does what libuv
// does (uv__emfile_trick): it keeps one spare descriptor open for the purpose,
// closes it, accepts and immediately closes every pending connection, and reopens
// it. The caller sees nothing: the Accept stays in flight, and accepts the next
// connection that arrives once descriptors are free again; the peers of the
// dropped connections see them closed (end of stream or reset) instead of hanging
// in the backlog, and the loop neither spins nor fails. Only if the spare
// descriptor could not be reopened (another part of the program took it) does the
// Accept finish with the error, which wraps syscall.EMFILE or ENFILE.
package poller
