package traces

import (
	"fmt"
	"time"
)

// Format and Version identify a trace file in its header line.
const (
	Format  = "nodeloop-trace"
	Version = 1
)

// Phase is where in the loop's iteration an event happened.
type Phase uint8

// The phases, in the order one tick runs them. PhaseMain is everything outside a
// tick: the main callback and the calls made before Run.
const (
	PhaseMain Phase = iota
	PhaseTimers
	PhasePending
	PhaseIdle
	PhasePrepare
	PhasePoll
	PhaseCheck
	PhaseClose
	phaseCount
)

var phaseNames = [phaseCount]string{"main", "timers", "pending", "idle", "prepare", "poll", "check", "close"}

// String returns the phase's name as the trace spells it.
func (p Phase) String() string {
	if p < phaseCount {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// ParsePhase is the inverse of Phase.String.
func ParsePhase(s string) (Phase, bool) {
	for i, n := range phaseNames {
		if n == s {
			return Phase(i), true
		}
	}
	return 0, false
}

// Kind is what an event records.
type Kind uint8

// The kinds of event. The comment says which optional fields each one sets.
const (
	KindInvalid        Kind = iota
	KindTick                // a tick begins (its timers phase follows)
	KindPhase               // a phase begins
	KindCallback            // a callback starts: Source, ID of the handle or request
	KindTimerStart          // a timer is armed: ID, Delay, Deadline, Repeat
	KindTimerClear          // a timer is cleared before it ran: ID
	KindImmediateQueue      // SetImmediate: ID
	KindImmediateClear      // ClearImmediate before it ran: ID
	KindPoolSubmit          // a request goes to the pool: ID
	KindPoolStart           // a worker starts it: ID, Worker
	KindPoolDone            // the loop learns it finished: ID, Worker, Err
	KindPoolCancel          // Request.Cancel: ID, Count is 1 when it was canceled
	KindOpStart             // a poller operation starts: ID, Op, Handle
	KindOpComplete          // it finished: ID, Op, Handle, N, Err
	KindWake                // the wait was woken for posted work: Count items
	KindPoll                // the poller's wait returned: Timeout asked, Count ops; not written for a zero-timeout wait that returned nothing
	KindLog                 // Loop.Log: Msg
	KindStop                // Loop.Stop
	KindEnd                 // Run or RunOnce returns: Op "run" or "once", Count 1 if stopped, Err
	KindClose               // a handle's close was requested: ID
	KindWatcher             // a watcher starts (Count 1) or stops (Count 0): ID, Source
	KindClock               // an input: the clock was read; Time is the reading
	KindTickQueue           // NextTick: ID
	KindMicrotaskQueue      // QueueMicrotask: ID
	KindChoice              // a simulated world decided: Msg what, N the options, Count the pick
	KindInput               // a real run's input, for replay: Msg what (clock, listen, ...), Input the value
	kindCount
)

var kindNames = [kindCount]string{
	"invalid", "tick", "phase", "callback", "timer_start", "timer_clear",
	"immediate_queue", "immediate_clear", "pool_submit", "pool_start", "pool_done",
	"pool_cancel", "op_start", "op_complete", "wake", "poll", "log", "stop", "end",
	"close", "watcher", "clock", "tick_queue", "microtask_queue", "choice", "input",
}

// String returns the kind's name as the trace spells it.
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// Source names the queue or handle type a callback came from.
type Source uint8

// The sources of callbacks.
const (
	SourceNone Source = iota
	SourceMain
	SourceTimer
	SourceInterval
	SourceImmediate
	SourceNextTick
	SourceMicrotask
	SourceIdle
	SourcePrepare
	SourceCheck
	SourceClose
	SourcePool
	SourcePost
	SourceOp
	SourcePending
	sourceCount
)

var sourceNames = [sourceCount]string{
	"", "main", "timer", "interval", "immediate", "nextTick", "microtask", "idle",
	"prepare", "check", "close", "pool", "post", "op", "pending",
}

// String returns the source's name as the trace spells it.
func (s Source) String() string {
	if s < sourceCount {
		return sourceNames[s]
	}
	return fmt.Sprintf("source(%d)", uint8(s))
}

// ParseSource is the inverse of Source.String.
func ParseSource(s string) (Source, bool) {
	for i, n := range sourceNames {
		if n == s {
			return Source(i), true
		}
	}
	return 0, false
}

// Event is one thing that happened in a loop. Seq, Tick, Phase, Kind, ID, Pending and
// Time are always meaningful; the rest are set by the kinds that need them (see
// Kind) and are zero otherwise.
type Event struct {
	Seq     uint64        // position in the trace, from 1
	Tick    uint64        // the tick, from 1; 0 before the first
	Phase   Phase         // the phase the loop was in
	Kind    Kind          // what happened
	ID      uint64        // the handle, request or operation concerned, 0 if none
	Pending int           // Loop.Pending() after the event
	Time    time.Duration // the loop's cached time, since the loop was made

	Source   Source        // callback: where it came from
	Handle   uint64        // op events and op callbacks: the handle the operation belongs to
	Worker   int           // pool: the worker, from 1
	Timeout  time.Duration // poll: the timeout asked, -1 for forever
	Count    int           // poll: completions; wake: items; watcher: started
	Delay    time.Duration // timer start: the coerced delay
	Deadline time.Duration // timer start: when it is due, on the loop's time line
	Repeat   time.Duration // timer start: the interval's period, 0 for a timeout
	Op       string        // op events: accept, connect, read, write
	N        int           // op completion: bytes
	Err      string        // pool done, op completion, end: the error's text
	Msg      string        // log: the message
	Input    string        // input: the recorded value, as JSON
}
