package properties

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/nodeloop/nodeloop"
)

// Errorf fails the case that Test is running on l, with the message formatted as
// fmt.Sprintf does and prefixed with the file and line of the call, without stopping
// it: the run goes on to its end, and the case then fails with every message given,
// in order. It is the assertion of a callback, which cannot return an error and
// whose panic would end the run where it stands.
//
// On a loop that Test did not make (a sweep's, a real one), nobody collects the
// message, so Errorf panics with it: the callback fails, and with it the run, in
// sim.Run and Loop.Run alike.
func Errorf(l *nodeloop.Loop, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if _, file, line, ok := runtime.Caller(1); ok {
		msg = fmt.Sprintf("%s:%d: %s", filepath.Base(file), line, msg)
	}
	cases.Lock()
	c := cases.m[l]
	if c != nil {
		c.errors = append(c.errors, msg)
	}
	cases.Unlock()
	if c == nil {
		panic("properties.Errorf: " + msg)
	}
}

// caseState is what Errorf collects on the loop of one Test case.
type caseState struct {
	errors []string
	// loops are the loops registered for the case: the case's own run first, then
	// any run sim.Run repeats to say where stalled handles were made, whose
	// messages are the first run's again and go nowhere.
	loops []*nodeloop.Loop
}

// cases maps each loop that a Test case is running to its state. Tests may run in
// parallel, each on its own loops, so the map is shared under a lock.
var cases = struct {
	sync.Mutex
	m map[*nodeloop.Loop]*caseState
}{m: map[*nodeloop.Loop]*caseState{}}

// collecting runs program on l with Errorf's messages going to c, for the first
// loop it is given.
func collecting(c *caseState, program func(*nodeloop.Loop)) func(*nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		cases.Lock()
		if len(c.loops) == 0 {
			cases.m[l] = c
		} else {
			cases.m[l] = &caseState{}
		}
		c.loops = append(c.loops, l)
		cases.Unlock()
		program(l)
	}
}

// forget drops the loops of c, once its runs are over.
func forget(c *caseState) {
	cases.Lock()
	defer cases.Unlock()
	for _, l := range c.loops {
		delete(cases.m, l)
	}
	c.loops = nil
}
