// Package tracetest holds what the tests of traces and of its exporters share: a
// sample trace that has every kind, phase, source and field, and its encoding.
package tracetest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// SampleEvents has every kind, phase and source, and every optional field set by
// some event, with the strings that need escaping.
func SampleEvents() []traces.Event {
	ms := time.Millisecond
	ev := []traces.Event{
		{Kind: traces.KindPhase, Phase: traces.PhaseMain},
		{Kind: traces.KindCallback, Phase: traces.PhaseMain, Source: traces.SourceMain},
		{Kind: traces.KindTimerStart, Phase: traces.PhaseMain, ID: 1, Pending: 1, Delay: ms, Deadline: ms, Name: "setTimeout", Site: "app.js:3"},
		{Kind: traces.KindTimerStart, Phase: traces.PhaseMain, ID: 2, Pending: 2, Delay: 5 * ms, Deadline: 5 * ms, Repeat: 5 * ms},
		{Kind: traces.KindImmediateQueue, Phase: traces.PhaseMain, ID: 3, Pending: 3, Name: "setImmediate", Site: "app.js:5"},
		{Kind: traces.KindTickQueue, Phase: traces.PhaseMain, ID: 4, Pending: 3},
		{Kind: traces.KindMicrotaskQueue, Phase: traces.PhaseMain, ID: 5, Pending: 3},
		{Kind: traces.KindPoolSubmit, Phase: traces.PhaseMain, ID: 6, Pending: 4},
		{Kind: traces.KindOpStart, Phase: traces.PhaseMain, ID: 8, Handle: 7, Op: "read", Pending: 5},
		{Kind: traces.KindWatcher, Phase: traces.PhaseMain, ID: 9, Source: traces.SourceIdle, Active: true, Pending: 6},
		{Kind: traces.KindWatcher, Phase: traces.PhaseMain, ID: 10, Source: traces.SourcePrepare, Active: true, Pending: 6},
		{Kind: traces.KindWatcher, Phase: traces.PhaseMain, ID: 11, Source: traces.SourceCheck, Active: true, Pending: 6},
		{Kind: traces.KindCallback, Phase: traces.PhaseMain, ID: 4, Source: traces.SourceNextTick, Pending: 6},
		{Kind: traces.KindCallback, Phase: traces.PhaseMain, ID: 5, Source: traces.SourceMicrotask, Pending: 6},
		{Kind: traces.KindLog, Phase: traces.PhaseMain, Msg: "quote \" backslash \\ newline \n </script><script>alert(1)</script> é \u2028", Pending: 6},

		{Kind: traces.KindChoice, Phase: traces.PhaseMain, Choice: "pool.duration", Options: 4901, Pick: 3, Pending: 6},
		{Kind: traces.KindTick, Tick: 1, Phase: traces.PhaseTimers, Pending: 6, Time: ms},
		{Kind: traces.KindInput, Tick: 1, Phase: traces.PhaseTimers, Input: "clock", Value: `{"t":1000000,"note":"</script>"}`, Pending: 6, Time: ms},
		{Kind: traces.KindClock, Tick: 1, Phase: traces.PhaseTimers, Pending: 6, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseTimers, Pending: 5, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseTimers, ID: 1, Source: traces.SourceTimer, Pending: 5, Time: ms, Name: "<anonymous>", Site: "app.js:3"},
		{Kind: traces.KindTimerClear, Tick: 1, Phase: traces.PhaseTimers, ID: 2, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhasePending, Pending: 4, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePending, ID: 12, Source: traces.SourcePending, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseIdle, Pending: 4, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseIdle, ID: 9, Source: traces.SourceIdle, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhasePrepare, Pending: 4, Time: ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePrepare, ID: 10, Source: traces.SourcePrepare, Pending: 4, Time: ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhasePoll, Pending: 4, Time: 2 * ms},
		{Kind: traces.KindPoll, Tick: 1, Phase: traces.PhasePoll, Timeout: 0, Completions: 1, Pending: 4, Time: 2 * ms},
		{Kind: traces.KindOpComplete, Tick: 1, Phase: traces.PhasePoll, ID: 8, Handle: 7, Op: "read", Bytes: 12, Err: "EOF", Pending: 4, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePoll, ID: 8, Handle: 7, Source: traces.SourceOp, Pending: 3, Time: 2 * ms},
		{Kind: traces.KindWake, Tick: 1, Phase: traces.PhasePoll, Items: 2, Pending: 3, Time: 2 * ms},
		{Kind: traces.KindPoolStart, Tick: 1, Phase: traces.PhasePoll, ID: 6, Worker: 1, Started: 1500 * time.Microsecond, Pending: 3, Time: 2 * ms},
		{Kind: traces.KindPoolDone, Tick: 1, Phase: traces.PhasePoll, ID: 6, Worker: 1, Err: "boom", Pending: 3, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePoll, ID: 6, Source: traces.SourcePool, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhasePoll, ID: 13, Source: traces.SourcePost, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindPoolCancel, Tick: 1, Phase: traces.PhasePoll, ID: 14, Canceled: true, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseCheck, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseCheck, ID: 3, Source: traces.SourceImmediate, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseCheck, ID: 11, Source: traces.SourceCheck, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindImmediateClear, Tick: 1, Phase: traces.PhaseCheck, ID: 15, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindClose, Tick: 1, Phase: traces.PhaseCheck, ID: 7, Pending: 2, Time: 2 * ms},
		{Kind: traces.KindPhase, Tick: 1, Phase: traces.PhaseClose, Pending: 1, Time: 2 * ms},
		{Kind: traces.KindCallback, Tick: 1, Phase: traces.PhaseClose, ID: 7, Source: traces.SourceClose, Pending: 1, Time: 2 * ms},

		{Kind: traces.KindTick, Tick: 2, Phase: traces.PhaseTimers, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindPhase, Tick: 2, Phase: traces.PhaseTimers, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindCallback, Tick: 2, Phase: traces.PhaseTimers, ID: 2, Source: traces.SourceInterval, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindStop, Tick: 2, Phase: traces.PhaseTimers, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindPhase, Tick: 2, Phase: traces.PhasePoll, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindPoll, Tick: 2, Phase: traces.PhasePoll, Timeout: -1, Completions: 0, Pending: 1, Time: 7 * ms},
		{Kind: traces.KindEnd, Tick: 2, Phase: traces.PhasePoll, Mode: "run", Stopped: true, Err: "stopped", Pending: 1, Time: 7 * ms},
	}
	for i := range ev {
		ev[i].Seq = uint64(i + 1)
	}
	return ev
}

// SampleHeader is the header the sample trace files have.
func SampleHeader() traces.Header {
	return traces.Header{Format: traces.Format, Version: traces.Version, Mode: "sim", Seed: 42,
		Config: json.RawMessage(`{"workers":4}`), Scenario: "sample", Go: "go1.26", Module: "(devel)"}
}

// Encode writes h and events as a Recorder does.
func Encode(t testing.TB, h traces.Header, events []traces.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	r := traces.NewRecorder(&buf, h)
	for _, e := range events {
		r.Event(&e)
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
