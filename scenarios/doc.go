// Package scenarios holds named example programs for nodeloop, the book's demo first,
// written once against the Loop so that they run unchanged on the operating system's
// back ends and in the simulator. Their output goes to an Output, labeled with the
// role of the goroutine that printed it.
package scenarios
