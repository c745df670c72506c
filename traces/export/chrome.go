package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// chromeGap is the least display distance between two consecutive events, and so
// the least width of a slice, in the Chrome export and the HTML timeline. On virtual
// time many events share one instant; without it their slices would be invisible.
const chromeGap = time.Microsecond

// The thread ids of the Chrome export: the loop's thread, and the first pool
// worker's (worker w is chromeWorkerTid+w).
const (
	chromePid       = 1
	chromeLoopTid   = 1
	chromeWorkerTid = 10
)

// usec is a display time in nanoseconds, written to JSON in microseconds, exactly.
type usec int64

// MarshalJSON writes u as a decimal number of microseconds.
func (u usec) MarshalJSON() ([]byte, error) {
	return appendMicros(nil, int64(u)), nil
}

func appendMicros(buf []byte, ns int64) []byte {
	if ns < 0 {
		buf = append(buf, '-')
		if ns == math.MinInt64 {
			return append(buf, "9223372036854775.808"...)
		}
		ns = -ns
	}
	buf = strconv.AppendInt(buf, ns/1000, 10)
	if frac := ns % 1000; frac != 0 {
		s := fmt.Sprintf(".%03d", frac)
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		buf = append(buf, s...)
	}
	return buf
}

// chromeEvent is one entry of the Chrome Trace Event format's traceEvents array.
type chromeEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat,omitempty"`
	Ph   string          `json:"ph"`
	Ts   usec            `json:"ts"`
	Dur  *usec           `json:"dur,omitempty"`
	Pid  int             `json:"pid"`
	Tid  int             `json:"tid"`
	S    string          `json:"s,omitempty"`
	ID   uint64          `json:"id,omitempty"`   // flow events: the flow
	Bp   string          `json:"bp,omitempty"`   // flow end: "e" binds it to the enclosing slice
	Args json.RawMessage `json:"args,omitempty"` // an object, marshaled when the event is made: a map would take several times the memory
}

// chromeFile is the Chrome Trace Event format's JSON object form.
type chromeFile struct {
	OtherData       map[string]any `json:"otherData"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
}

// displayTimes places each event on the display time line: at its loop time, or
// chromeGap after the previous event when that is later, so that the display times
// strictly increase. It saturates instead of overflowing.
func displayTimes(events []traces.Event) []int64 {
	d := make([]int64, len(events))
	for i, e := range events {
		t := int64(e.Time)
		if i > 0 {
			prev := d[i-1]
			next := prev + int64(chromeGap)
			if prev > math.MaxInt64-int64(chromeGap) {
				next = math.MaxInt64
			}
			t = max(t, next)
		}
		d[i] = t
	}
	return d
}

// slice is an open or finished complete event.
type chromeSlice struct {
	level int // 0 tick, 1 phase, 2 callback
	ev    chromeEvent
}

// chromeBuilder turns events into Chrome trace events.
type chromeBuilder struct {
	pid   int
	out   []chromeEvent
	stack []chromeSlice
}

// closeTo ends every open slice at level or deeper at time at.
func (b *chromeBuilder) closeTo(level int, at int64) {
	for len(b.stack) > 0 && b.stack[len(b.stack)-1].level >= level {
		s := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		dur := usec(max(0, at-int64(s.ev.Ts)))
		s.ev.Dur = &dur
		b.out = append(b.out, s.ev)
	}
}

func (b *chromeBuilder) open(level int, ev chromeEvent) {
	ev.Ph, ev.Pid = "X", b.pid
	if ev.Tid == 0 {
		ev.Tid = chromeLoopTid
	}
	b.stack = append(b.stack, chromeSlice{level: level, ev: ev})
}

// eventArgs returns the fields of e that are set, for a Chrome event's args: those
// of its kind that are not zero or that its kind always writes. The loop time is
// t_ns: the display time can be later (see chromeGap). Durations are written as
// text, and times on the loop's time line (deadline, started) as nanoseconds with a
// _ns suffix.
func eventArgs(e *traces.Event) map[string]any {
	a := map[string]any{"seq": e.Seq, "tick": e.Tick, "kind": e.Kind.String(), "t_ns": int64(e.Time), "pending": e.Pending}
	if e.ID != 0 {
		a["id"] = e.ID
	}
	for _, f := range e.Kind.Fields() {
		if !e.Kind.Always(f) && e.IsZero(f) {
			continue
		}
		switch v := e.Get(f).(type) {
		case traces.Source:
			a[f.String()] = v.String()
		case time.Duration:
			switch {
			case f == traces.FieldDeadline || f == traces.FieldStarted:
				a[f.String()+"_ns"] = int64(v)
			case f == traces.FieldTimeout && v < 0:
				a[f.String()] = "forever"
			default:
				a[f.String()] = v.String()
			}
		default:
			a[f.String()] = v
		}
	}
	return a
}

// argsJSON marshals a Chrome event's args. They hold numbers, strings and bools
// only, which always marshal.
func argsJSON(args map[string]any) json.RawMessage {
	b, err := json.Marshal(args)
	if err != nil {
		panic("export: args that do not marshal: " + err.Error())
	}
	return b
}

// callbackName labels a callback: its source and the id of its handle or request,
// with the operation when the trace names it; or, when a host runtime named it, its
// source, its function and where its handle was made ("timer onTick at app.js:12").
func callbackName(e *traces.Event, ops map[uint64]string) string {
	src := e.Source.String()
	if e.Source == traces.SourceNone {
		src = "callback"
	}
	if e.Name != "" || e.Site != "" {
		return namedAt(src+" "+e.Name, e.Site)
	}
	name := fmt.Sprintf("%s #%d", src, e.ID)
	if op := ops[e.ID]; op != "" && e.Source == traces.SourceOp {
		name += " " + op
	}
	return name
}

// namedAt is name followed by " at site" when there is a site.
func namedAt(name, site string) string {
	if site == "" {
		return name
	}
	return name + " at " + site
}

// instantName labels an event that is not a slice: a handle a host runtime named by
// the call that made it and where ("setTimeout at app.js:12").
func instantName(e *traces.Event) string {
	switch {
	case e.Name != "":
		return namedAt(e.Name, e.Site)
	case e.Kind == traces.KindLog:
		return "log"
	case e.Kind == traces.KindChoice && e.Choice != "":
		return e.Kind.String() + " " + e.Choice
	case e.Kind == traces.KindInput && e.Input != "":
		return e.Kind.String() + " " + e.Input
	case e.Kind == traces.KindEnd && e.Mode != "":
		return e.Kind.String() + " " + e.Mode
	case e.Op != "":
		return fmt.Sprintf("%s %s #%d", e.Kind, e.Op, e.ID)
	case e.ID != 0:
		return fmt.Sprintf("%s #%d", e.Kind, e.ID)
	default:
		return e.Kind.String()
	}
}

func cmpInt(x, y int) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// poolJob is a pool request seen on a worker.
type poolJob struct {
	id         uint64
	worker     int
	started    int64 // the loop time the worker took it
	ran        int64 // how long it ran, to the loop learning it was done
	start, end int64 // display times of its slice
	instant    bool
	done       bool
	startEvent int
	doneEvent  int
	submit     int // its pool_submit event, or -1
	err        string
}

// WriteChrome writes events as a Chrome Trace Event file, the JSON object format
// that Perfetto (ui.perfetto.dev) and chrome://tracing open:
//
//   - the loop's thread (tid 1) has one complete slice per tick ("tick N"), one per
//     phase inside it, and the callbacks as slices inside their phase; a callback
//     lasts until the next callback, phase or tick. The poll phase starts when the
//     phase before it ended, and its "wait" slice is the time spent in the poller.
//   - every other event is an instant on the loop's thread, with its fields as args.
//   - the pending count is a counter track ("pending").
//   - each pool worker has a thread ("pool worker N") with one slice per job, from
//     when the worker took it (pool_start's started) to when the loop learned it
//     was done (pool_done), or an instant when that is under 1 µs. A flow ("s",
//     "t" and "f" events with the job's id) runs from the pool_submit on the loop's
//     thread, through the job's slice, to its pool_done on the loop's thread.
//
// Times are the loop's, in microseconds, except that every event is drawn at least
// 1 µs after the one before it, so that slices on virtual time, where many events
// share an instant, keep a visible width. The loop time itself is in each event's
// args as t_ns. Args carry kind, id, source and the other fields of the event.
//
// The trace of a simulated world of several hosts (its header lists hosts, or its
// events name them) gives each host a process of its own (pid 1 for the first host
// of the header, 2 for the next, and so on, named after the host), holding what
// the trace of that host's loop would, every run of it (a restart begins another)
// on the world's time line; and a last process, "world", with the world's own
// events (crashes, restarts, partitions, its choices) as instants. Each message
// between two hosts is a flow ("s" and "f" events, category "message", named after
// what it was: "connect", "data 5 B", ...) from the sending host's loop thread at
// its last event by the time the message was sent, to the receiving host's loop
// thread at its first event from the message's arrival on, bound to the slice that
// encloses it. In a world's export every flow has an id of its own.
func WriteChrome(w io.Writer, h traces.Header, events []traces.Event) error {
	if isWorld(h, events) {
		return writeChromeWorld(w, h, events)
	}
	out, threads := loopChrome(events, displayTimes(events), chromePid, func(id uint64) uint64 { return id })
	sortChrome(out)
	process := h.Mode
	if process == "" {
		process = "nodeloop"
	} else {
		process = "nodeloop " + process
	}
	if h.Scenario != "" {
		process += " " + h.Scenario
	}
	meta := append([]chromeEvent{
		{Name: "process_name", Ph: "M", Pid: chromePid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"name": process})},
	}, threads...)
	return writeChromeFile(w, h, meta, out, nil)
}

// loopChrome turns the events of one loop, drawn at the display times d, into the
// Chrome events of process pid, as WriteChrome describes them, and the metadata
// that names its threads. flowID gives the flow id of a pool job's flow.
func loopChrome(events []traces.Event, d []int64, pid int, flowID func(job uint64) uint64) (out, threads []chromeEvent) {
	// start[i] is where a slice that begins at event i begins.
	start := func(i int) int64 {
		if i > 0 && events[i].Kind == traces.KindPhase && events[i].Phase == traces.PhasePoll {
			// The phase event follows the wait; the phase began when the one
			// before it ended.
			return min(d[i], d[i-1]+int64(chromeGap))
		}
		return d[i]
	}
	ops := make(map[uint64]string)
	submitted := make(map[uint64]int) // pool request id: its pool_submit event
	for i := range events {
		e := &events[i]
		switch {
		case (e.Kind == traces.KindOpStart || e.Kind == traces.KindOpComplete) && e.Op != "":
			ops[e.ID] = e.Op
		case e.Kind == traces.KindPoolSubmit:
			submitted[e.ID] = i
		}
	}

	b := chromeBuilder{pid: pid}
	var jobs []*poolJob
	openJobs := make(map[uint64]*poolJob)
	lastPending := 0
	for i := range events {
		e := &events[i]
		s := start(i)
		if i == 0 || e.Pending != lastPending {
			b.out = append(b.out, chromeEvent{Name: "pending", Ph: "C", Ts: usec(d[i]), Pid: pid, Tid: chromeLoopTid,
				Args: argsJSON(map[string]any{"pending": e.Pending})})
			lastPending = e.Pending
		}
		switch e.Kind {
		case traces.KindTick:
			b.closeTo(0, s)
			b.open(0, chromeEvent{Name: fmt.Sprintf("tick %d", e.Tick), Cat: "tick", Ts: usec(s), Args: argsJSON(eventArgs(e))})
		case traces.KindPhase:
			if e.Phase == traces.PhaseMain {
				b.closeTo(0, s)
			} else {
				b.closeTo(1, s)
			}
			b.open(1, chromeEvent{Name: e.Phase.String(), Cat: "phase", Ts: usec(s), Args: argsJSON(eventArgs(e))})
		case traces.KindCallback:
			b.closeTo(2, s)
			b.open(2, chromeEvent{Name: callbackName(e, ops), Cat: "callback", Ts: usec(s), Args: argsJSON(eventArgs(e))})
		case traces.KindPoll:
			// The wait began with the poll phase, unless something ran in
			// the phase first.
			from := s
			if n := len(b.stack); n > 0 && b.stack[n-1].level == 1 && b.stack[n-1].ev.Name == traces.PhasePoll.String() {
				from = int64(b.stack[n-1].ev.Ts)
			} else {
				b.closeTo(2, s)
			}
			if from < d[i] {
				dur := usec(d[i] - from)
				b.out = append(b.out, chromeEvent{Name: "wait", Cat: "poll", Ph: "X", Ts: usec(from), Dur: &dur,
					Pid: pid, Tid: chromeLoopTid, Args: argsJSON(eventArgs(e))})
			} else {
				b.out = append(b.out, chromeEvent{Name: "wait", Cat: "poll", Ph: "i", S: "t", Ts: usec(d[i]),
					Pid: pid, Tid: chromeLoopTid, Args: argsJSON(eventArgs(e))})
			}
		case traces.KindEnd:
			b.closeTo(0, s)
			b.out = append(b.out, chromeEvent{Name: instantName(e), Cat: e.Kind.String(), Ph: "i", S: "t", Ts: usec(d[i]),
				Pid: pid, Tid: chromeLoopTid, Args: argsJSON(eventArgs(e))})
		default:
			if e.Kind == traces.KindPoolStart {
				if j := openJobs[e.ID]; j == nil || j.done {
					j = &poolJob{id: e.ID, worker: e.Worker, started: int64(min(e.Started, e.Time)), startEvent: i, submit: -1}
					openJobs[e.ID] = j
					jobs = append(jobs, j)
				}
			}
			if e.Kind == traces.KindPoolDone {
				j := openJobs[e.ID]
				if j == nil || j.done {
					// Done without a start: an instant on its worker.
					j = &poolJob{id: e.ID, worker: e.Worker, started: int64(e.Time), startEvent: i, submit: -1}
					jobs = append(jobs, j)
				}
				j.done, j.doneEvent, j.err = true, i, e.Err
				j.ran = int64(e.Time) - j.started
				delete(openJobs, e.ID)
			}
			b.out = append(b.out, chromeEvent{Name: instantName(e), Cat: e.Kind.String(), Ph: "i", S: "t", Ts: usec(d[i]),
				Pid: pid, Tid: chromeLoopTid, Args: argsJSON(eventArgs(e))})
		}
	}
	endAt := int64(0)
	if len(d) > 0 {
		endAt = d[len(d)-1] + int64(chromeGap)
	}
	b.closeTo(0, endAt)

	// Pool jobs go on their worker's thread. Jobs that would overlap on one worker
	// (which a consistent trace never has) go on an extra lane of it, so slices
	// on one thread always nest.
	type lane struct {
		worker, n int
	}
	laneEnd := make(map[lane]int64)
	jobLane := make([]lane, len(jobs))
	for k, j := range jobs {
		// A job's slice lasts exactly as long as the job ran. It is drawn as far
		// after its start as its submission is drawn after its own time, so that
		// it never starts before the submission its flow comes from.
		shift := int64(0)
		if k, ok := submitted[j.id]; ok && k <= j.startEvent {
			j.submit = k
			shift = d[k] - int64(events[k].Time)
		}
		j.start = j.started + shift
		switch {
		case !j.done:
			j.end = max(j.start, endAt)
		case j.ran < int64(chromeGap):
			j.instant, j.end = true, j.start
		default:
			j.end = j.start + j.ran
		}
		l := lane{worker: max(j.worker, 0)}
		for {
			if end, busy := laneEnd[l]; !busy || end <= j.start {
				break
			}
			l.n++
		}
		laneEnd[l] = j.end
		jobLane[k] = l
	}
	laneKeys := make([]lane, 0, len(laneEnd))
	for l := range laneEnd {
		laneKeys = append(laneKeys, l)
	}
	slices.SortFunc(laneKeys, func(x, y lane) int {
		if x.worker != y.worker {
			return cmpInt(x.worker, y.worker)
		}
		return cmpInt(x.n, y.n)
	})
	tids := make(map[lane]int, len(laneKeys))
	for i, l := range laneKeys {
		tids[l] = chromeWorkerTid + i
	}
	for k, j := range jobs {
		args := eventArgs(&events[j.startEvent])
		args["kind"] = "pool job"
		if j.done {
			args["done_seq"] = events[j.doneEvent].Seq
		} else {
			args["done_seq"] = "never"
		}
		if j.err != "" {
			args["err"] = j.err
		}
		if k := j.submit; k >= 0 {
			args["submit_seq"] = events[k].Seq
			args["queued_ns"] = j.started - int64(events[k].Time)
		}
		if j.done {
			args["ran_ns"] = j.ran
		}
		ev := chromeEvent{Name: fmt.Sprintf("pool #%d", j.id), Cat: "pool", Ts: usec(j.start), Pid: pid, Tid: tids[jobLane[k]], Args: argsJSON(args)}
		if j.instant {
			ev.Ph, ev.S = "i", "t"
		} else {
			ev.Ph = "X"
			dur := usec(j.end - j.start)
			ev.Dur = &dur
		}
		b.out = append(b.out, ev)
		// The flow: from the submission on the loop's thread, through the job on
		// its worker's, to the loop learning it was done (bound to the slice that
		// encloses that, as there is no slice after it to bind to).
		if j.submit >= 0 {
			flow := chromeEvent{Name: ev.Name, Cat: "pool", Pid: pid, ID: flowID(j.id)}
			s, t, f := flow, flow, flow
			s.Ph, s.Ts, s.Tid = "s", usec(d[j.submit]), chromeLoopTid
			t.Ph, t.Ts, t.Tid = "t", usec(j.start), ev.Tid
			b.out = append(b.out, s, t)
			if j.done {
				f.Ph, f.Bp, f.Ts, f.Tid = "f", "e", usec(max(d[j.doneEvent], j.start)), chromeLoopTid
				b.out = append(b.out, f)
			}
		}
	}

	threads = []chromeEvent{
		{Name: "thread_name", Ph: "M", Pid: pid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"name": "loop"})},
		{Name: "thread_sort_index", Ph: "M", Pid: pid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"sort_index": 0})},
	}
	for i, l := range laneKeys {
		name := fmt.Sprintf("pool worker %d", l.worker)
		if l.n > 0 {
			name += fmt.Sprintf(" (overlap %d)", l.n)
		}
		threads = append(threads,
			chromeEvent{Name: "thread_name", Ph: "M", Pid: pid, Tid: tids[l], Args: argsJSON(map[string]any{"name": name})},
			chromeEvent{Name: "thread_sort_index", Ph: "M", Pid: pid, Tid: tids[l], Args: argsJSON(map[string]any{"sort_index": i + 1})})
	}
	return b.out, threads
}

// sortChrome orders out for the viewer: parents before children, by time, then
// the longer first.
func sortChrome(out []chromeEvent) {
	slices.SortStableFunc(out, func(x, y chromeEvent) int {
		if x.Ts != y.Ts {
			if x.Ts < y.Ts {
				return -1
			}
			return 1
		}
		dx, dy := usec(-1), usec(-1)
		if x.Dur != nil {
			dx = *x.Dur
		}
		if y.Dur != nil {
			dy = *y.Dur
		}
		switch {
		case dx > dy:
			return -1
		case dx < dy:
			return 1
		}
		return 0
	})
}

// writeChromeFile writes the Chrome file of meta and out, with the header's fields,
// and those of extra, as its otherData.
func writeChromeFile(w io.Writer, h traces.Header, meta, out []chromeEvent, extra map[string]any) error {
	other := map[string]any{"format": h.Format, "version": h.Version, "mode": h.Mode, "go": h.Go, "module": h.Module}
	if h.Seed != 0 {
		other["seed"] = h.Seed
	}
	if h.Scenario != "" {
		other["scenario"] = h.Scenario
	}
	for k, v := range extra {
		other[k] = v // marshaled with sorted keys
	}

	bw := bufio.NewWriter(w)
	bw.WriteString("{\"traceEvents\":[\n")
	n := len(meta) + len(out)
	for i := range n {
		var ev *chromeEvent
		if i < len(meta) {
			ev = &meta[i]
		} else {
			ev = &out[i-len(meta)]
		}
		line, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		bw.Write(line)
		if i < n-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	tail, err := json.Marshal(chromeFile{OtherData: other, DisplayTimeUnit: "ms"})
	if err != nil {
		return err
	}
	// tail is {"otherData":...,"displayTimeUnit":"ms"}: continue the object.
	bw.WriteString("],")
	bw.Write(tail[1:])
	bw.WriteByte('\n')
	return bw.Flush()
}
