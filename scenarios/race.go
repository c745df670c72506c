package scenarios

import "github.com/nodeloop/nodeloop"

// Race is a program with the classic ordering bug of Node's main module: it fills a
// value in a 0 ms timeout and uses it in an immediate, assuming the timeout runs
// first. From the main module that depends on whether a millisecond passed before
// the first timers phase, so it works on most runs and fails on some; the simulator
// finds the failing ones when callbacks cost virtual time
// (nodeloop sim race --seeds 1-100 --cost 0-2ms).
func Race(l *nodeloop.Loop, out Output) func() {
	return func() {
		var config map[string]string
		l.SetTimeout(0, func() {
			config = map[string]string{"greeting": "hello"}
			out.Print("main", "config loaded")
		})
		l.SetImmediate(func() {
			greeting, ok := config["greeting"]
			if !ok {
				panic("the immediate ran before the timeout that loads the config")
			}
			out.Print("main", "greeting: "+greeting)
		})
	}
}
