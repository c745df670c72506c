// Package fakepoller is a deterministic poller.Poller for simulated runs: its Wait
// moves a fakeclock.Clock forward to the earlier of the timeout and the next scheduled
// event, never past it, and runs the events that fall due, on the caller's goroutine.
//
// Other simulated parts of a world (the simulated pool, network latencies) schedule
// their completions with At or After; nothing happens between two Waits, so a run is
// a pure function of what was scheduled and of the Choices.
//
// # The network
//
// Behind Listen and Start is an in-memory network that passes the conformance suite
// of the operating system's back ends (package poller/pollertest). It has "tcp",
// "tcp4", "tcp6" and "unix" listeners at addresses as net.Listen takes them (IP
// literals and localhost; no name is ever resolved, and no file is created for a
// unix path). Port 0 picks the next free port counting up from 32768. Connections
// carry ordered byte streams, each direction holding at most Options.BufferBytes
// that the reader has not read, so a large Write finishes in parts as the peer reads.
//
// Every message (a connection request, its answer, a piece of data, the end of a
// stream, a reset) takes a latency drawn from Options.Choices between
// Options.MinLatency and Options.MaxLatency, and arrives as an event inside a later
// Wait; messages of one direction arrive in the order they were sent. Operations
// finish at the virtual instant their message arrives, and the order of those that
// finish at the same instant is itself a choice.
//
// The rules are the system's: connecting where nobody listens fails with
// ECONNREFUSED; a socket closed with data it did not read resets the connection, so
// the peer's reads fail with ECONNRESET and its writes with ECONNRESET or EPIPE;
// otherwise the peer reads what was sent and then io.EOF. Each direction ends on its
// own: a Shutdown sends the end of the stream after what was written and the peer
// reads it as io.EOF, while the peer's writes still arrive; a write after it fails
// with EPIPE. Cancel returns an operation with poller.ErrCanceled, CloseSocket with
// poller.ErrClosed, a Write's N counting the bytes the network took. SetOption
// records a connection's options on its socket, where SocketOption reads them back;
// they change nothing else, since the network neither delays small writes nor
// probes idle connections.
//
// A connection request to an address listed in Options.Silent is lost, as a SYN to
// a host that is down: its Connect stays in flight until it is canceled or closed,
// or until Options.ConnectTimeout passes and it fails with ETIMEDOUT, as the
// system's own retransmissions give up.
//
// # Faults
//
// Options.Faults injects refused connections, resets in the middle of a stream,
// short reads, short writes, latency spikes and late wake-ups, each with a
// probability counted in millionths; the zero Faults inject none and draw no choices
// for them. Every decision, fault or not, goes through [Choices] under a name that
// says what it decides ("net.latency", "net.read.size", "fault.reset",
// "wait.order", ...), so that a seeded generator explores them and a recorded log
// replays them. Option 0 of every decision is the calm one, so [First] is a world
// without faults and shrinking a property test's draws removes faults.
//
// # Several hosts
//
// A [Network] is one network of several named hosts on one clock, each with a
// Poller of its own that its loop waits on: a host dials another by its name
// ("db1:5432"), its ports, unix paths and loopback are its own, and connections
// report the hosts' addresses (10.0.0.1 for the first host, and so on). A host's
// Wait never moves the clock: the driver (sim.World) runs the network's events and
// moves the clock between the hosts' steps. A Poller made by New or NewWith is a
// network of its own, which resolves no names.
//
// # Goroutines
//
// The fake starts no goroutine and never blocks: a Wait that would wait forever with
// nothing scheduled returns ErrStuck. Only Wake may be called from another goroutine.
package fakepoller
