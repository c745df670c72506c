// Package traces is nodeloop's flight record: the event model, a Recorder that keeps
// events in memory or streams them as JSON Lines, and the file format.
//
// # The format
//
// A trace file is JSON Lines. The first line is a [Header]:
//
//	{"format":"nodeloop-trace","version":2,"mode":"sim","seed":1,...}
//
// and every later line is one [Event], in the order the loop produced them:
//
//	{"seq":4,"tick":1,"phase":"timers","kind":"callback","id":2,"pending":1,"t":1000000,"source":"timer"}
//
// Every event has seq, tick, phase, kind, id, pending and t (the loop's cached time
// in nanoseconds since the loop was made). Each of the other fields ([Field]) has
// one meaning, and only some kinds carry it. A line has the fields its kind carries
// that are not zero, and those marked * below even when they are zero; a line with
// a field its kind does not carry does not decode. The kinds and their fields, in
// the order a line writes them (the kinds not listed carry none):
//
//	callback         source handle name site
//	timer_start      delay deadline repeat name site
//	immediate_queue  name site
//	pool_start       worker started*
//	pool_done        worker err
//	pool_cancel      canceled*
//	op_start         handle op
//	op_complete      handle op bytes* err
//	wake             items*
//	poll             timeout* completions*
//	log              msg*
//	end              stopped* mode* err
//	watcher          source active*
//	tick_queue       name site
//	microtask_queue  name site
//	choice           choice* options* pick*
//	input            input* value*
//	message          bytes from* to* sent* segment*
//
// Every kind also carries host, the last field of a line when it is there: the name
// of the host whose loop the event is of, in the trace of a simulated world of
// several hosts (sim.World), whose header lists the hosts (Header.Hosts). A trace
// of one loop names no host.
//
// A world's trace also has the world's own events, which name no host: log events
// (a crash, a restart, a partition), the choices made between the hosts' steps, and
// a message event for every message between two hosts when it arrives (a
// connection request or its answer, data, the end of a stream, a reset), with the
// hosts it went from and to, when it was sent, and the bytes of data it carried.
// A tool pairs a host's send with the other's receipt through them: nodeloop view
// and the Chrome export draw them as arrows. Their seq counts the world's own
// events, and their t is the world's time since it started; a host's t is its
// loop's, which starts again at 0 when the host restarts.
//
// Times and durations (t, started, timeout, delay, deadline, repeat) are integer
// nanoseconds; active, canceled and stopped are true or false. The encoding is
// canonical: the same events always give the same bytes, so two traces of a
// deterministic run can be compared byte for byte.
//
// # Versions
//
// Version 2 gave every field one meaning. A [Decoder] still reads version 1, where
// count, op, n, msg and input meant different things for different kinds, and gives
// each value the field its kind meant: count is a poll's completions, a wake's items,
// a watcher's active, a pool_cancel's canceled, an end's stopped and a choice's
// pick; an end's op is its mode; n is an op_complete's bytes and a choice's options;
// msg is a choice's choice and an input's input, whose input is its value. Version 1
// wrote pool_start when the loop learned the job had finished: its started is the
// event's own time.
//
// A phase with nothing to do leaves no event, not even its phase event. That
// includes a poll phase whose wait was asked not to wait (a zero timeout) and
// returned nothing: a loop that spins on immediates writes tick, check phase,
// callback and immediate_queue per turn, and no poll. A wait that may block or that
// returns completions always has its poll event, with the timeout asked.
//
// # What is elsewhere
//
// This package is what the loop imports, and it stays small: comparing traces is
// package [github.com/nodeloop/nodeloop/traces/tracediff], and the Chrome and HTML
// exports are package [github.com/nodeloop/nodeloop/traces/export].
package traces
