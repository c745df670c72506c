// Package tracediff compares two nodeloop traces and reports where they first
// diverge, with the events around that point: [Diff], with [DiffOption]s that
// ignore what two real runs never agree on.
//
// It is built on go-cmp, which the project keeps out of the loop: only the command
// line (nodeloop diff, nodeloop record's self-check) and tests import this package.
package tracediff
