// Package sim is nodeloop's deterministic simulation: a world on one goroutine whose
// time is a fakeclock.Clock moved only by the fakepoller.Poller's Wait, with a
// simulated pool of workers in virtual time.
//
// A simulated run is a pure function of the program and what was scheduled: the
// same program gives the same trace, byte for byte, on every run.
package sim
