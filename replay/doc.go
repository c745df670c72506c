// Package replay records a real run of a program with every input it took from
// outside, and re-runs it from that record, deterministically.
//
// A real run's inputs are the clock's readings, what the poller returned (sockets,
// addresses, errors, the bytes each read delivered) and the order in which the pool's
// jobs finished. Record writes them into the trace as events of kind input; Replay
// feeds them back through a replaying Clock, Poller and Pool, so that the program
// runs again without the network, the clock or the threads, and must produce the same
// events. A replay that asks for an input the record does not have where it asks for
// it, or finds one it cannot use (a recording cut short, or edited by hand), stops
// with a *DivergedError naming the trace line: bad input from a file is an error,
// never a panic.
//
// Pool jobs run on the replaying loop's goroutine, at the wait after which the
// recorded loop took them. Functions posted from other goroutines cannot be replayed.
package replay
