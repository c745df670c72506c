package nodeconf

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// scenario is the Go version of one script testdata/NAME.js.
type scenario struct {
	// main is the script's top level, run as the loop's main callback.
	main func(l *nodeloop.Loop, c *console)
	// workers is the pool size the script asks for with UV_THREADPOOL_SIZE; 0 means
	// Node's default, 4.
	workers int
}

// scenarios maps each script's name, without ".js", to its Go version.
var scenarios = map[string]scenario{
	// nextTick and microtasks (ticks.go)
	"tick_before_microtask": {main: tickBeforeMicrotask},
	"tick_from_microtask":   {main: tickFromMicrotask},
	"microtask_from_tick":   {main: microtaskFromTick},
	"promise_chain":         {main: promiseChain},
	"await_interleave":      {main: awaitInterleave},

	// timers (timers.go)
	"timers_by_delay":               {main: timersByDelay},
	"timers_equal_delay":            {main: timersEqualDelay},
	"timer_delay_coercion":          {main: timerDelayCoercion},
	"timer_lists_order":             {main: timerListsOrder},
	"timer_list_expiry_after_clear": {main: timerListExpiryAfterClear},
	"timer_list_unref_clear":        {main: timerListUnrefClear},
	"clear_timeout_same_phase":      {main: clearTimeoutSamePhase},
	"clear_timeout_from_tick":       {main: clearTimeoutFromTick},
	"timer_started_in_timers_phase": {main: timerStartedInTimersPhase},
	"microtasks_between_timers":     {main: microtasksBetweenTimers},
	"interval_clear_inside":         {main: intervalClearInside},
	"interval_rearm_order":          {main: intervalRearmOrder},
	"interval_once_per_phase":       {main: intervalOncePerPhase},
	"interval_refresh_inside":       {main: intervalRefreshInside},
	"refresh_moves_back":            {main: refreshMovesBack},
	"refresh_in_callback":           {main: refreshInCallback},
	"refresh_after_fire":            {main: refreshAfterFire},
	"refresh_due_timer":             {main: refreshDueTimer},
	"refresh_from_tick":             {main: refreshFromTick},
	"interval_cleared_by_timer":     {main: intervalClearedByTimer},
	"unref_only_exit":               {main: unrefOnlyExit},
	"unref_ref":                     {main: unrefRef},

	// immediates (immediates.go)
	"immediate_fifo_nested":      {main: immediateFIFONested},
	"immediate_ticks_between":    {main: immediateTicksBetween},
	"clear_immediate":            {main: clearImmediate},
	"clear_immediate_from_tick":  {main: clearImmediateFromTick},
	"immediate_unref_exit":       {main: immediateUnrefExit},
	"immediate_unref_with_timer": {main: immediateUnrefWithTimer},

	// the pool (pool.go)
	"io_immediate_before_timeout": {main: ioImmediateBeforeTimeout},
	"pool_readfile":               {main: poolReadFile},
	"pool_pbkdf2":                 {main: poolPBKDF2},
	"pool_fifo_one_worker":        {main: poolFIFOOneWorker, workers: 1},
	"pool_callback_queues":        {main: poolCallbackQueues},
	"readfile_enoent":             {main: readFileENOENT},

	// sockets (net.go)
	"tcp_echo":                 {main: tcpEcho},
	"socket_close_after_check": {main: socketCloseAfterCheck},
	"server_close":             {main: serverClose},
	"connect_refused":          {main: connectRefused},
	"close_during_close_phase": {main: closeDuringClosePhase},
}

// names returns the scenarios' names, sorted.
func names() []string {
	ns := make([]string, 0, len(scenarios))
	for n := range scenarios {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

// console is what a script's console.log and process.on('exit') become.
type console struct {
	lines []string
	exit  []func()
}

// log is console.log: one printed line.
func (c *console) log(s string) { c.lines = append(c.lines, s) }

// onExit is process.on('exit', fn): fn runs once the loop has ended.
func (c *console) onExit(fn func()) { c.exit = append(c.exit, fn) }

// exited runs the exit listeners, in the order they were added, as Node does when
// the process exits.
func (c *console) exited() {
	for _, fn := range c.exit {
		fn()
	}
}

// script is the path of a scenario's own script, as __filename: an operating system
// path relative to this package's directory, and a path in an fs.FS holding the
// package's testdata directory.
func script(name string) string { return "testdata/" + name + ".js" }

// busy takes d without yielding to the loop, as a script's
// `while (performance.now() < end) {}`: sim.Busy, which spins on the operating
// system's clock on a real loop and moves the virtual clock in a simulated one.
func busy(l *nodeloop.Loop, d time.Duration) { sim.Busy(l, d) }

// errCode is the code Node gives err ("ENOENT", "ECONNREFUSED", ...), or the error's
// text when it has no code here, or "null" for no error.
func errCode(err error) string {
	switch {
	case err == nil:
		return "null"
	case errors.Is(err, fs.ErrNotExist):
		return "ENOENT"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "ECONNREFUSED"
	case errors.Is(err, syscall.ECONNRESET):
		return "ECONNRESET"
	case errors.Is(err, syscall.EPIPE):
		return "EPIPE"
	}
	return err.Error()
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
