// Package loopstate is the private door through which package sim keeps state of its
// own on a loop: the choice source and the virtual clock of a simulated run, which
// the program's draws (sim.Choose, sim.Busy) reach through the loop they are given,
// or the seeded generator a loop outside the simulator draws from. Package nodeloop
// sets it when it is initialised and keeps the value in the Loop; it has no exported
// way to read or set it.
package loopstate

// Get returns the value Set last gave loop, a *nodeloop.Loop, or nil. Set gives loop
// the value v. Both are called on the loop's goroutine. Package nodeloop sets them
// when it is initialised; passing anything but a *nodeloop.Loop panics.
var (
	Get func(loop any) any
	Set func(loop any, v any)
)
