// Package poller declares the Poller interface, nodeloop's completion-based view of
// the network, and implements it over the operating system: epoll on Linux, kqueue on
// macOS and the BSDs, and I/O completion ports on Windows.
//
// # The contract
//
// A Poller performs operations (accept, connect, read, write) on sockets it owns.
// The caller starts an [Op] with [Poller.Start] and later receives it, finished, from
// [Poller.Wait]. On Windows this is what the kernel does; on epoll and kqueue the back
// end tries the non-blocking system call at once and, when it would block, arms
// one-shot readiness and retries when the socket is ready. The same interface then
// fits every operating system and the deterministic fake in package fakepoller.
//
// Timeouts follow one rule everywhere: negative waits forever, zero polls, positive
// waits up to that long. Only a back end converts a time.Duration into its system's
// unit, rounding up.
package poller
