package traces

import (
	"fmt"
	"time"
)

// Format and Version identify a trace file in its header line.
const (
	Format  = "nodeloop-trace"
	Version = 2
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

// MsgThrown is the message of the log event a host writes when a callback, or a
// nextTick of its drain, threw an exception that the program handled (Node's
// 'uncaughtException' listeners): as in Node, the nextTicks and microtasks left
// then wait for the end of the next callback, which starts while they wait.
const MsgThrown = "uncaught exception handled"

// The kinds of event. The parenthesised list after each says which optional fields
// that kind carries (see [Field] and [Kind.Has]) besides the host, which every kind
// carries; a kind carries no other.
const (
	KindInvalid        Kind = iota
	KindTick                // a tick begins; its timers phase follows
	KindPhase               // a phase begins
	KindCallback            // a callback starts, ID its handle or request (source, handle, name, site)
	KindTimerStart          // a timer is armed, ID the timer (delay, deadline, repeat, name, site)
	KindTimerClear          // a timer is cleared before it ran, ID the timer
	KindImmediateQueue      // SetImmediate, ID the immediate (name, site)
	KindImmediateClear      // ClearImmediate before it ran, ID the immediate
	KindPoolSubmit          // a request goes to the pool, ID the request
	KindPoolStart           // a worker took the request; written when the loop learns it finished, just before pool_done, at the loop's time then: started is when the worker took it (worker, started)
	KindPoolDone            // the loop learns the request finished (worker, err)
	KindPoolCancel          // Request.Cancel (canceled)
	KindOpStart             // a poller operation starts, ID the operation (handle, op)
	KindOpComplete          // it finished (handle, op, bytes, err)
	KindWake                // the wait was woken for posted work (items)
	KindPoll                // the poller's wait returned; not written for a zero-timeout wait that returned nothing (timeout, completions)
	KindLog                 // Loop.Log (msg)
	KindStop                // Loop.Stop
	KindEnd                 // Run or RunOnce returns (stopped, mode, err)
	KindClose               // a handle's close was requested, ID the handle
	KindWatcher             // a watcher starts or stops, ID the watcher (source, active)
	KindClock               // an input: the clock was read; Time is the reading
	KindTickQueue           // NextTick, ID the callback (name, site)
	KindMicrotaskQueue      // QueueMicrotask, ID the microtask (name, site)
	KindChoice              // a simulated world decided (choice, options, pick)
	KindInput               // a real run's input, for replay (input, value)
	KindMessage             // a simulated world's message between two hosts arrived, ID the message, from 1 in the order sent (bytes, from, to, sent, segment)
	kindCount
)

// Field is one of an [Event]'s optional fields, the ones after Time. Each has one
// meaning, and only the kinds that the table of kinds gives it carry it.
type Field uint8

// The optional fields, in the order a trace line writes them. Their names in a trace
// (Field.String) are the lower-case Go names.
const (
	FieldSource      Field = iota // Source
	FieldHandle                   // Handle
	FieldWorker                   // Worker
	FieldStarted                  // Started
	FieldTimeout                  // Timeout
	FieldCompletions              // Completions
	FieldItems                    // Items
	FieldActive                   // Active
	FieldCanceled                 // Canceled
	FieldStopped                  // Stopped
	FieldMode                     // Mode
	FieldDelay                    // Delay
	FieldDeadline                 // Deadline
	FieldRepeat                   // Repeat
	FieldOp                       // Op
	FieldBytes                    // Bytes
	FieldErr                      // Err
	FieldMsg                      // Msg
	FieldChoice                   // Choice
	FieldOptions                  // Options
	FieldPick                     // Pick
	FieldInput                    // Input
	FieldValue                    // Value
	FieldHost                     // Host
	FieldName                     // Name
	FieldSite                     // Site
	FieldFrom                     // From
	FieldTo                       // To
	FieldSent                     // Sent
	FieldSegment                  // Segment
	fieldCount
)

var fieldNames = [fieldCount]string{
	"source", "handle", "worker", "started", "timeout", "completions", "items", "active",
	"canceled", "stopped", "mode", "delay", "deadline", "repeat", "op", "bytes", "err",
	"msg", "choice", "options", "pick", "input", "value", "host", "name", "site",
	"from", "to", "sent", "segment",
}

// String returns the field's name as the trace spells it.
func (f Field) String() string {
	if f < fieldCount {
		return fieldNames[f]
	}
	return fmt.Sprintf("field(%d)", uint8(f))
}

// ParseField is the inverse of Field.String.
func ParseField(s string) (Field, bool) {
	for i, n := range fieldNames {
		if n == s {
			return Field(i), true
		}
	}
	return 0, false
}

// fieldSet is a set of fields, bit f for Field f.
type fieldSet uint32

func (s fieldSet) has(f Field) bool { return s&(1<<f) != 0 }

// fields returns s's fields in order.
func (s fieldSet) fields() []Field {
	var fs []Field
	for f := range fieldCount {
		if s.has(f) {
			fs = append(fs, f)
		}
	}
	return fs
}

func set(fs ...Field) fieldSet {
	var s fieldSet
	for _, f := range fs {
		s |= 1 << f
	}
	return s
}

// kindFields is the table of kinds: for each, the optional fields it carries, and
// those of them a trace line writes even when they are zero (because zero is
// something to say: a wait that returned no completion, a pick of the first option).
// The encoder, the decoder's validation and the documentation all follow it. Every
// kind carries the host (FieldHost), written when it is set: the events of a
// simulated world of several hosts (sim.World) say which host's loop they are of,
// and a trace of one loop names no host and has no host field.
var kindFields = withHost([kindCount]struct{ has, always fieldSet }{
	KindCallback:       {has: set(FieldSource, FieldHandle, FieldName, FieldSite)},
	KindTimerStart:     {has: set(FieldDelay, FieldDeadline, FieldRepeat, FieldName, FieldSite)},
	KindImmediateQueue: {has: set(FieldName, FieldSite)},
	KindTickQueue:      {has: set(FieldName, FieldSite)},
	KindMicrotaskQueue: {has: set(FieldName, FieldSite)},
	KindPoolStart:      {has: set(FieldWorker, FieldStarted), always: set(FieldStarted)},
	KindPoolDone:       {has: set(FieldWorker, FieldErr)},
	KindPoolCancel:     {has: set(FieldCanceled), always: set(FieldCanceled)},
	KindOpStart:        {has: set(FieldHandle, FieldOp)},
	KindOpComplete:     {has: set(FieldHandle, FieldOp, FieldBytes, FieldErr), always: set(FieldBytes)},
	KindWake:           {has: set(FieldItems), always: set(FieldItems)},
	KindPoll:           {has: set(FieldTimeout, FieldCompletions), always: set(FieldTimeout, FieldCompletions)},
	KindLog:            {has: set(FieldMsg), always: set(FieldMsg)},
	KindEnd:            {has: set(FieldStopped, FieldMode, FieldErr), always: set(FieldStopped, FieldMode)},
	KindWatcher:        {has: set(FieldSource, FieldActive), always: set(FieldActive)},
	KindChoice:         {has: set(FieldChoice, FieldOptions, FieldPick), always: set(FieldChoice, FieldOptions, FieldPick)},
	KindInput:          {has: set(FieldInput, FieldValue), always: set(FieldInput, FieldValue)},
	KindMessage:        {has: set(FieldBytes, FieldFrom, FieldTo, FieldSent, FieldSegment), always: set(FieldFrom, FieldTo, FieldSent, FieldSegment)},
})

// withHost gives every kind of the table the host field, never always written.
func withHost(t [kindCount]struct{ has, always fieldSet }) [kindCount]struct{ has, always fieldSet } {
	for k := range t {
		if Kind(k) != KindInvalid {
			t[k].has |= set(FieldHost)
		}
	}
	return t
}

// Has reports whether events of kind k carry field f.
func (k Kind) Has(f Field) bool { return k < kindCount && kindFields[k].has.has(f) }

// Always reports whether a trace line of kind k writes field f even when it is
// zero. Every other field is written only when it is not zero.
func (k Kind) Always(f Field) bool { return k < kindCount && kindFields[k].always.has(f) }

// Fields returns the optional fields events of kind k carry, in the order a trace
// line writes them.
func (k Kind) Fields() []Field {
	if k >= kindCount {
		return nil
	}
	return kindFields[k].has.fields()
}

var kindNames = [kindCount]string{
	"invalid", "tick", "phase", "callback", "timer_start", "timer_clear",
	"immediate_queue", "immediate_clear", "pool_submit", "pool_start", "pool_done",
	"pool_cancel", "op_start", "op_complete", "wake", "poll", "log", "stop", "end",
	"close", "watcher", "clock", "tick_queue", "microtask_queue", "choice", "input",
	"message",
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
// Time are always meaningful; every other field has one meaning, is carried only by
// the kinds that the table of kinds gives it (see [Kind.Has]), and is zero
// otherwise. A field set on an event whose kind does not carry it is not written to
// a trace file.
type Event struct {
	Seq     uint64        // position in the trace, from 1
	Tick    uint64        // the tick, from 1; 0 before the first
	Phase   Phase         // the phase the loop was in
	Kind    Kind          // what happened
	ID      uint64        // the handle, request or operation concerned, 0 if none
	Pending int           // Loop.Pending() after the event
	Time    time.Duration // the loop's cached time, since the loop was made

	Source      Source        // callback, watcher: the queue or handle type
	Handle      uint64        // op events, and callbacks of operations: the handle the operation belongs to
	Worker      int           // pool start and done: the worker, from 1
	Started     time.Duration // pool start: when the worker took the job, on the loop's time line
	Timeout     time.Duration // poll: the timeout asked, -1 for forever
	Completions int           // poll: the completions the wait returned
	Items       int           // wake: the posted items the loop took
	Active      bool          // watcher: true when it starts, false when it stops
	Canceled    bool          // pool cancel: the request was taken off the queue
	Stopped     bool          // end: Loop.Stop ended the run
	Mode        string        // end: "run" or "once", the call that returns
	Delay       time.Duration // timer start: the coerced delay
	Deadline    time.Duration // timer start: when it is due, on the loop's time line
	Repeat      time.Duration // timer start: the interval's period, 0 for a timeout
	Op          string        // op events: accept, connect, read, write
	Bytes       int           // op completion: the bytes moved; message: the data it carried
	Err         string        // pool done, op completion, end: the error's text
	Msg         string        // log: the message
	Choice      string        // choice: what was decided
	Options     int           // choice: how many options there were
	Pick        int           // choice: the option taken, from 0
	Input       string        // input: what was read (clock, listen, wait, ...)
	Value       string        // input: the recorded value, as JSON
	Host        string        // every kind, in a world of several hosts: the host whose loop it is of
	// Name and Site say what a host runtime's program made, when the host names it
	// (Loop.SetNamer; the js package does): on a callback, the function that runs
	// ("<anonymous>" when it has no name) and Site where its handle was made; on a
	// timer start, an immediate or a nextTick queued, the call that made the handle
	// ("setTimeout", "process.nextTick") and Site where it was called, as file:line.
	Name string // callback, timer start, immediate queue, tick queue: the function, or the call that made the handle
	Site string // callback, timer start, immediate queue, tick queue: where the handle was made, file:line
	// From, To, Sent and Segment describe a message between two hosts of a
	// simulated world, an event of the world's own (no host): the event is its
	// arrival at host To, at the world's time, and Sent is when host From sent
	// it, on the same time line, so that a tool can draw it from the one to the
	// other. Segment is what it was: "connect" (a connection request), "accept"
	// (its answer), "refuse", "data" (Bytes of it), "fin" (the end of the
	// sender's stream) or "reset".
	From    string        // message: the sending host
	To      string        // message: the receiving host
	Sent    time.Duration // message: when it was sent, on the world's time line
	Segment string        // message: connect, accept, refuse, data, fin or reset
}

// ref returns a pointer to e's field f: a *Source, *uint64, *int, *time.Duration,
// *bool or *string. It is the one place that maps a Field to the Event's field; the
// encoder, the decoder and Get go through it.
func (e *Event) ref(f Field) any {
	switch f {
	case FieldSource:
		return &e.Source
	case FieldHandle:
		return &e.Handle
	case FieldWorker:
		return &e.Worker
	case FieldStarted:
		return &e.Started
	case FieldTimeout:
		return &e.Timeout
	case FieldCompletions:
		return &e.Completions
	case FieldItems:
		return &e.Items
	case FieldActive:
		return &e.Active
	case FieldCanceled:
		return &e.Canceled
	case FieldStopped:
		return &e.Stopped
	case FieldMode:
		return &e.Mode
	case FieldDelay:
		return &e.Delay
	case FieldDeadline:
		return &e.Deadline
	case FieldRepeat:
		return &e.Repeat
	case FieldOp:
		return &e.Op
	case FieldBytes:
		return &e.Bytes
	case FieldErr:
		return &e.Err
	case FieldMsg:
		return &e.Msg
	case FieldChoice:
		return &e.Choice
	case FieldOptions:
		return &e.Options
	case FieldPick:
		return &e.Pick
	case FieldInput:
		return &e.Input
	case FieldValue:
		return &e.Value
	case FieldHost:
		return &e.Host
	case FieldName:
		return &e.Name
	case FieldSite:
		return &e.Site
	case FieldFrom:
		return &e.From
	case FieldTo:
		return &e.To
	case FieldSent:
		return &e.Sent
	case FieldSegment:
		return &e.Segment
	}
	panic("traces: no such field: " + f.String())
}

// Get returns e's field f: a Source, uint64, int, time.Duration, bool or string. It
// is for tools that show every field of an event; f must be a Field constant.
func (e *Event) Get(f Field) any {
	switch p := e.ref(f).(type) {
	case *Source:
		return *p
	case *uint64:
		return *p
	case *int:
		return *p
	case *time.Duration:
		return *p
	case *bool:
		return *p
	case *string:
		return *p
	}
	panic("unreachable")
}

// IsZero reports whether e's field f is zero; f must be a Field constant.
func (e *Event) IsZero(f Field) bool {
	switch p := e.ref(f).(type) {
	case *Source:
		return *p == SourceNone
	case *uint64:
		return *p == 0
	case *int:
		return *p == 0
	case *time.Duration:
		return *p == 0
	case *bool:
		return !*p
	case *string:
		return *p == ""
	}
	panic("unreachable")
}
