package js

// InterruptForTest makes the JavaScript running on rt, if any, unwind as if the
// program exited. It is safe from any goroutine: it is how a test's time limit
// breaks a script out of a synchronous loop.
func InterruptForTest(rt *Runtime) { rt.vm.Interrupt(exitSignal{}) }

// ExitForTest ends rt's program with code, as process.reallyExit does. Call it on
// the loop's goroutine (from a function given to the loop's Post), before the
// program ended.
func ExitForTest(rt *Runtime, code int) { rt.exitNow(code) }
