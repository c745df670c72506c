package js

import "time"

// cpuUsage is process.cpuUsage's reading, the user and system CPU time in
// microseconds: of the whole process on the operating system's clock; in a run on
// another clock (a simulated one), that clock's time since the program started as
// user time, so that a simulated run prints the same for the same seed.
func (rt *Runtime) cpuUsage() []any {
	if rt.cfg.Clock != nil {
		d := rt.clock.Now().Sub(rt.start)
		return []any{int64(d / time.Microsecond), int64(0)}
	}
	user, system := processCPU()
	return []any{int64(user / time.Microsecond), int64(system / time.Microsecond)}
}
