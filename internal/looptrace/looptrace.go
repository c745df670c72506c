// Package looptrace is the private door through which the simulator (package sim)
// and the replayer (package replay) write events of their own, a simulated world's
// choices and a recorded run's inputs, into a loop's trace, and through which the
// simulator reads what a loop's trace counts without keeping one. Package nodeloop
// has no exported way to do so, so that a user's trace holds only what the loop did.
package looptrace

import "github.com/nodeloop/nodeloop/traces"

// Record adds e to the trace of loop, a *nodeloop.Loop, stamped with the loop's
// position (seq, tick, phase, pending, time), as every event of the loop is. It does
// nothing when the loop has no tracer. Package nodeloop sets it when it is
// initialised, so it is set in every program that can make a loop; passing anything
// but a *nodeloop.Loop panics.
var Record func(loop any, e traces.Event)

// Choice adds a simulated world's decision to the trace of loop, a *nodeloop.Loop, as
// Record does with the event of kind traces.KindChoice whose Choice, Options and Pick
// are what, options and pick, without making the event first. It is set and behaves
// as Record.
var Choice func(loop any, what string, options, pick int)

// Counts returns what the trace of loop, a *nodeloop.Loop, counts whether or not the
// loop has a tracer: the number of the last tick it began (the Tick of its last
// tick event) and the callback events it made. A simulated run that keeps no trace
// reads its Result's Ticks and Callbacks here. It is set as Record is.
var Counts func(loop any) (ticks, callbacks uint64)

// CountOnly makes loop, a *nodeloop.Loop made without a tracer, number its events as
// a traced loop does, and make none: what a simulated run does whose events nobody
// reads, so that what it reports of a trace's positions (a CallbackPanic's Seq) is
// what a traced run of it reports. Record and Choice then number their event. Call
// it before the loop runs; it panics on a loop with a tracer. It is set as Record
// is.
var CountOnly func(loop any)
