// Package tracediff compares two nodeloop traces and reports where they first
// diverge, with the events around that point: [Diff], with [DiffOption]s that
// ignore what two real runs never agree on. [DiffReaders] compares two traces as
// they are read, a [traces.Decoder] each, and stops at the first divergence: it
// compares traces of any length in the memory of a few events.
//
// It is built on go-cmp, which the project keeps out of the loop: only the command
// line (nodeloop diff, nodeloop record's self-check) and tests import this package.
package tracediff
