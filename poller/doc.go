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
// edge triggers; on Windows a zero-byte WSARecv waits, and a non-blocking WSARecv
// into the shared buffer follows its completion.
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
// without one it returns an error matching errors.ErrUnsupported.
//
//   - Linux (poller_linux.go): epoll. Each socket is registered once, edge-triggered
//     for reading and writing; an operation that would block waits for the next edge
//     and is retried then. Wake writes to an eventfd.
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
