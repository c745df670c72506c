// Package refmodel is the loop's reference model: a second, deliberately plain
// implementation of the ordering rules of docs/semantics.md, written from the rules and
// not from the loop's code, for the project's own model-based tests.
//
// It shares nothing with package nodeloop and does not import it; its queues are
// plain slices scanned from end to end. It covers timers, intervals, clears and
// refreshes, immediates, nextTicks, microtasks, pool jobs and their cancellation,
// idle, prepare and check watchers, Stop, TCP exchanges on the simulated network
// (listeners, dials with or without a timeout and their cancels, reads, writes,
// closes of either end and of listeners, with operations in flight), and two ways of driving the loop: Run, or RunOnce calls
// (optionally followed by Run). modelnet.go holds the model's network.
//
// A [Program] is a tree of [Op]s; [Predict] says which callbacks it makes, in which
// order, when the loop runs it. The model-based tests (TestModel, FuzzModel) grow
// random programs, run each both on the loop in the simulator and through Predict,
// and require the same callbacks in the same order; the simulated run's trace must
// also pass properties.Check. The package is internal: its names (Op, OpKind,
// Program) belong to the tests, not to the module's users.
package refmodel
