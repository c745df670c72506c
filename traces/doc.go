// Package traces is nodeloop's flight record: the event model, a Recorder that keeps
// events in memory or streams them as JSON Lines, and the file format.
//
// # The format
//
// A trace file is JSON Lines. The first line is a [Header]:
//
//	{"format":"nodeloop-trace","version":1,"mode":"sim","seed":1,...}
//
// and every later line is one [Event], in the order the loop produced them:
//
//	{"seq":4,"tick":1,"phase":"timers","kind":"callback","id":2,"pending":1,"t":1000000,"source":"timer"}
//
// Every event has seq, tick, phase, kind, id, pending and t (the loop's cached time
// in nanoseconds since the loop was made); the other fields appear when the kind
// uses them and are not zero. The encoding is canonical: the same events always give
// the same bytes, so two traces of a deterministic run can be compared byte for byte.
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
