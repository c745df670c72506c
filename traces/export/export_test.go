package export_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/export"
	"github.com/nodeloop/nodeloop/traces/internal/tracetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// corpus returns the traces under ../testdata, decoded, by file name.
func corpus(t *testing.T) map[string]struct {
	h      traces.Header
	events []traces.Event
} {
	t.Helper()
	files, err := filepath.Glob("../testdata/*.jsonl")
	if err != nil || len(files) < 3 {
		t.Fatalf("corpus: %v, %d files", err, len(files))
	}
	out := make(map[string]struct {
		h      traces.Header
		events []traces.Event
	})
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h, events, err := traces.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".jsonl")] = struct {
			h      traces.Header
			events []traces.Event
		}{h, events}
	}
	return out
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test -update", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update if the change is meant:\n%s", path, diff)
	}
}

// The Chrome export of each trace in testdata is its golden file.
func TestWriteChromeGolden(t *testing.T) {
	for name, c := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := export.WriteChrome(&buf, c.h, c.events); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".chrome.json", buf.Bytes())
		})
	}
}

type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  *float64       `json:"dur"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s"`
	ID   uint64         `json:"id"`
	Bp   string         `json:"bp"`
	Args map[string]any `json:"args"`
}

// ns turns a time in microseconds, as the export writes it, back into integer
// nanoseconds.
func ns(us float64) int64 { return int64(math.Round(us * 1000)) }

// The Chrome export is what Perfetto expects: the object form, slices that nest on
// every thread, ticks holding phases holding callbacks, a slice or instant for every
// pool job on its worker's named thread, and a pending counter.
func TestWriteChromeStructure(t *testing.T) {
	for name, c := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := export.WriteChrome(&buf, c.h, c.events); err != nil {
				t.Fatal(err)
			}
			var file struct {
				TraceEvents     []chromeEvent  `json:"traceEvents"`
				DisplayTimeUnit string         `json:"displayTimeUnit"`
				OtherData       map[string]any `json:"otherData"`
			}
			dec := json.NewDecoder(&buf)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&file); err != nil {
				t.Fatal(err)
			}
			if file.DisplayTimeUnit != "ms" || file.OtherData["mode"] != c.h.Mode {
				t.Errorf("displayTimeUnit %q, otherData %v", file.DisplayTimeUnit, file.OtherData)
			}

			threads := map[int]string{}
			byTid := map[int][]chromeEvent{}
			counters := 0
			for _, e := range file.TraceEvents {
				if e.Pid != 1 {
					t.Errorf("%s: pid %d", e.Name, e.Pid)
				}
				switch e.Ph {
				case "M":
					if e.Name == "thread_name" {
						threads[e.Tid] = fmt.Sprint(e.Args["name"])
					}
				case "X":
					if e.Dur == nil || ns(*e.Dur) < 1000 {
						t.Errorf("slice %s at %v has duration %v, want at least 1 µs", e.Name, e.Ts, e.Dur)
					}
					byTid[e.Tid] = append(byTid[e.Tid], e)
				case "C":
					if _, ok := e.Args["pending"]; !ok {
						t.Errorf("counter %s without pending: %v", e.Name, e.Args)
					}
					counters++
				case "i", "s", "t", "f":
				default:
					t.Errorf("event %s has ph %q", e.Name, e.Ph)
				}
				if e.Ph != "M" && e.Ph != "C" {
					if _, ok := threads[e.Tid]; !ok && e.Ph == "X" && e.Tid != 1 && !slices.ContainsFunc(file.TraceEvents, func(m chromeEvent) bool {
						return m.Ph == "M" && m.Name == "thread_name" && m.Tid == e.Tid
					}) {
						t.Errorf("%s on tid %d, which has no name", e.Name, e.Tid)
					}
				}
			}
			if threads[1] != "loop" {
				t.Errorf("tid 1 is named %q, want loop", threads[1])
			}
			if counters == 0 {
				t.Error("no pending counter")
			}

			// Slices on one thread nest: sorted by start, then longest first, each
			// ends inside the innermost open slice or starts after it ends.
			for tid, ss := range byTid {
				slices.SortStableFunc(ss, func(a, b chromeEvent) int {
					if ns(a.Ts) != ns(b.Ts) {
						return int(ns(a.Ts) - ns(b.Ts))
					}
					return int(ns(*b.Dur) - ns(*a.Dur))
				})
				var stack []chromeEvent
				for _, s := range ss {
					start, end := ns(s.Ts), ns(s.Ts)+ns(*s.Dur)
					for len(stack) > 0 && ns(stack[len(stack)-1].Ts)+ns(*stack[len(stack)-1].Dur) <= start {
						stack = stack[:len(stack)-1]
					}
					if len(stack) > 0 {
						top := stack[len(stack)-1]
						if topEnd := ns(top.Ts) + ns(*top.Dur); end > topEnd {
							t.Fatalf("tid %d: %s [%d, %d] overlaps %s [%d, %d] without nesting", tid, s.Name, start, end, top.Name, ns(top.Ts), topEnd)
						}
					}
					if tid == 1 {
						parent := ""
						if len(stack) > 0 {
							parent = stack[len(stack)-1].Cat
						}
						want := map[string][]string{"tick": {""}, "phase": {"tick", ""}, "callback": {"phase"}, "poll": {"phase"}}[s.Cat]
						if !slices.Contains(want, parent) {
							t.Errorf("%s slice %q at %d is inside a %q slice, want one of %q", s.Cat, s.Name, start, parent, want)
						}
					}
					stack = append(stack, s)
				}
			}

			// Every tick, phase and callback has its slice; every pool job its
			// slice or instant on a worker's thread.
			count := map[string]int{}
			for _, e := range file.TraceEvents {
				if e.Tid == 1 && e.Ph == "X" {
					count[e.Cat]++
				}
				if e.Cat == "pool" && (e.Ph == "X" || e.Ph == "i") {
					count["pool"]++
					if !strings.HasPrefix(threads[e.Tid], "pool worker ") {
						t.Errorf("pool job %s on thread %d named %q", e.Name, e.Tid, threads[e.Tid])
					}
				}
			}
			want := map[string]int{}
			for _, e := range c.events {
				switch e.Kind {
				case traces.KindTick:
					want["tick"]++
				case traces.KindPhase:
					want["phase"]++
				case traces.KindCallback:
					want["callback"]++
				case traces.KindPoolStart:
					want["pool"]++
				}
			}
			for _, k := range []string{"tick", "phase", "callback", "pool"} {
				if count[k] != want[k] {
					t.Errorf("%d %s slices, want %d", count[k], k, want[k])
				}
			}
			if want["callback"] == 0 {
				t.Errorf("the trace has no callbacks")
			}
			checkFlows(t, file.TraceEvents, threads)
		})
	}
}

// The HTML page is one self-contained file: the events as JSON in a data block that
// a log message cannot break out of, no network reference, and a summary that
// needs no script.
func TestWriteHTML(t *testing.T) {
	for name, c := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := export.WriteHTML(&buf, c.h, c.events); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			for _, bad := range []string{"http://", "https://", "<script>alert(1)", "<script src", "<link rel=\"stylesheet\"", "@import", "url("} {
				if strings.Contains(strings.ToLower(page), bad) {
					t.Errorf("the page contains %q", bad)
				}
			}
			if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(page, "</html>\n") {
				t.Errorf("the page is not one whole HTML document")
			}
			// Two script elements: the data and the code.
			if n := strings.Count(page, "</script>"); n != 2 {
				t.Errorf("%d </script> in the page, want 2", n)
			}
			const open = `<script type="application/json" id="trace-data">`
			i := strings.Index(page, open)
			if i < 0 {
				t.Fatal("no data block")
			}
			rest := page[i+len(open):]
			block := rest[:strings.Index(rest, "</script>")]
			var data struct {
				Header traces.Header     `json:"header"`
				Events []json.RawMessage `json:"events"`
			}
			if err := json.Unmarshal([]byte(block), &data); err != nil {
				t.Fatalf("data block: %v", err)
			}
			if len(data.Events) != len(c.events) || data.Header.Mode != c.h.Mode {
				t.Fatalf("data block has %d events and mode %q, want %d and %q", len(data.Events), data.Header.Mode, len(c.events), c.h.Mode)
			}
			// Each embedded event is the trace line, and decodes to the event.
			var lines bytes.Buffer
			hl, _ := json.Marshal(c.h)
			lines.Write(hl)
			for _, e := range data.Events {
				lines.WriteByte('\n')
				lines.Write(e)
			}
			_, back, err := traces.Decode(&lines)
			if err != nil {
				t.Fatalf("embedded events: %v", err)
			}
			if diff := cmp.Diff(c.events, back); diff != "" {
				t.Errorf("embedded events (-trace +page):\n%s", diff)
			}
			// The static part: the counts, and no tick rows (the script draws
			// those).
			static := page[:i]
			realTicks := 0
			for _, e := range c.events {
				if e.Kind == traces.KindTick {
					realTicks++
				}
			}
			for _, want := range []string{
				fmt.Sprintf("<b>%d</b><span>events</span>", len(c.events)),
				fmt.Sprintf("<b>%d</b><span>ticks</span>", realTicks),
				`<div class="chart" id="pending-chart">`, `<path class="pline"`,
				`<div id="timeline">`, `<table class="static">`,
			} {
				if !strings.Contains(static, want) {
					t.Errorf("the static part lacks %q", want)
				}
			}
			if strings.Contains(static, "data-tick") {
				t.Errorf("the static part has data-tick rows; only the script should draw them")
			}
		})
	}
}

// A log message that tries to close the data block stays inside it.
func TestWriteHTMLEscapes(t *testing.T) {
	msg := "</script><script>alert(1)</script><!-- & \u2028"
	h := tracetest.SampleHeader()
	h.Scenario = "</title><script>alert(2)</script>"
	events := []traces.Event{{Seq: 1, Kind: traces.KindLog, Msg: msg}}
	var buf bytes.Buffer
	if err := export.WriteHTML(&buf, h, events); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script>alert", "<!-- &", "</title><script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	if n := strings.Count(page, "</script>"); n != 2 {
		t.Errorf("%d </script> in the page, want 2", n)
	}
	if !strings.Contains(page, `\u003c/script\u003e\u003cscript\u003ealert(1)`) {
		t.Errorf("the message is not in the data block in escaped form")
	}
}

// The exports take anything that decodes.
func FuzzExport(f *testing.F) {
	for _, name := range []string{"../testdata/demo.jsonl", "../testdata/sim.jsonl", "../testdata/sample.jsonl"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 12)], nil))
	}
	// A world's: two hosts, a message between them, a crash and a restart.
	f.Add([]byte(`{"format":"nodeloop-trace","version":2,"mode":"sim","go":"go","module":"m","hosts":["a","b"]}
{"seq":1,"tick":0,"phase":"main","kind":"callback","id":1,"pending":1,"t":0,"source":"main","host":"a"}
{"seq":1,"tick":0,"phase":"main","kind":"message","id":1,"pending":0,"t":2000,"bytes":3,"from":"a","to":"b","sent":1000,"segment":"data"}
{"seq":1,"tick":1,"phase":"poll","kind":"poll","id":0,"pending":1,"t":2000,"timeout":-1,"completions":1,"host":"b"}
{"seq":2,"tick":0,"phase":"main","kind":"log","id":0,"pending":0,"t":3000,"msg":"crash b"}
{"seq":3,"tick":0,"phase":"main","kind":"log","id":0,"pending":0,"t":4000,"msg":"restart b"}
{"seq":1,"tick":0,"phase":"main","kind":"callback","id":1,"pending":0,"t":0,"source":"main","host":"b"}
`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, events, err := traces.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := export.WriteChrome(io.Discard, h, events); err != nil {
			t.Fatalf("WriteChrome: %v", err)
		}
		if err := export.WriteHTML(io.Discard, h, events); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
	})
}

// checkFlows checks the pool jobs' flows: each has one start on the loop's thread,
// one step at the start of a pool job's slice or instant on a worker's thread, and at
// most one end, on the loop's thread, bound to its enclosing slice; in time order,
// with the job's name, category and id.
func checkFlows(t *testing.T, all []chromeEvent, threads map[int]string) []uint64 {
	t.Helper()
	flows := map[uint64][]chromeEvent{}
	var ids []uint64
	for _, e := range all {
		if e.Ph == "s" || e.Ph == "t" || e.Ph == "f" {
			if len(flows[e.ID]) == 0 {
				ids = append(ids, e.ID)
			}
			flows[e.ID] = append(flows[e.ID], e)
		}
	}
	for _, id := range ids {
		fl := flows[id]
		name := fmt.Sprintf("pool #%d", id)
		if len(fl) < 2 || len(fl) > 3 || fl[0].Ph != "s" || fl[1].Ph != "t" || (len(fl) == 3 && fl[2].Ph != "f") {
			t.Errorf("flow %d: %v, want s, t and f", id, fl)
			continue
		}
		for i, e := range fl {
			if e.Name != name || e.Cat != "pool" || e.ID == 0 {
				t.Errorf("flow %d: %s %q cat %q id %d", id, e.Ph, e.Name, e.Cat, e.ID)
			}
			if i > 0 && ns(e.Ts) < ns(fl[i-1].Ts) {
				t.Errorf("flow %d: %s at %v before %s at %v", id, e.Ph, e.Ts, fl[i-1].Ph, fl[i-1].Ts)
			}
		}
		if fl[0].Tid != 1 || (len(fl) == 3 && (fl[2].Tid != 1 || fl[2].Bp != "e")) {
			t.Errorf("flow %d: start on %d, end %v", id, fl[0].Tid, fl[len(fl)-1])
		}
		step := fl[1]
		if !strings.HasPrefix(threads[step.Tid], "pool worker ") || !slices.ContainsFunc(all, func(e chromeEvent) bool {
			return e.Cat == "pool" && (e.Ph == "X" || e.Ph == "i") && e.Name == name && e.Tid == step.Tid && ns(e.Ts) == ns(step.Ts)
		}) {
			t.Errorf("flow %d: its step at %v on %d (%q) is not at the start of its job", id, step.Ts, step.Tid, threads[step.Tid])
		}
	}
	return ids
}

// A simulated run with two workers and jobs of known virtual durations exports each
// job as a slice of its duration on the worker that ran it, with its flow from
// submission through the job to the loop learning it was done.
func TestWriteChromePoolJobs(t *testing.T) {
	clock := fakeclock.New()
	fp := fakepoller.New(clock)
	ms := time.Millisecond
	durations := map[int]time.Duration{1: 10 * ms, 2: 25 * ms, 3: 5 * ms, 4: 7 * ms} // by job, in submission order
	var order []*nodeloop.Job
	pool := sim.NewPool(fp, 2, func(job *nodeloop.Job, worker int) time.Duration {
		return durations[slices.Index(order, job)+1]
	})
	rec := traces.NewMemory()
	l, err := nodeloop.New(nodeloop.WithClock(clock), nodeloop.WithPoller(fp), nodeloop.WithPool(&orderPool{Pool: pool, order: &order}), nodeloop.WithTracer(rec))
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	err = l.Run(func() {
		for range 3 {
			nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) { done++ })
		}
		l.SetTimeout(30*ms, func() {
			nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) { done++ })
		})
	})
	if err != nil || done != 4 {
		t.Fatalf("run: %v, %d jobs done", err, done)
	}
	var buf bytes.Buffer
	if err := export.WriteChrome(&buf, traces.NewHeader("sim"), rec.Events()); err != nil {
		t.Fatal(err)
	}
	var file struct {
		TraceEvents []chromeEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &file); err != nil {
		t.Fatal(err)
	}
	threads := map[int]string{}
	for _, e := range file.TraceEvents {
		if e.Ph == "M" && e.Name == "thread_name" {
			threads[e.Tid] = fmt.Sprint(e.Args["name"])
		}
	}
	// Jobs 1 and 2 start at once on workers 1 and 2; job 3 waits for worker 1 to
	// finish job 1 at 10 ms; job 4, submitted at 30 ms, finds worker 1 free again.
	want := []struct {
		worker        string
		start, length time.Duration
	}{
		{"pool worker 1", 0, 10 * ms},
		{"pool worker 2", 0, 25 * ms},
		{"pool worker 1", 10 * ms, 5 * ms},
		{"pool worker 1", 30 * ms, 7 * ms},
	}
	var jobs []chromeEvent
	for _, e := range file.TraceEvents {
		if e.Cat == "pool" && (e.Ph == "X" || e.Ph == "i") {
			jobs = append(jobs, e)
		}
	}
	if len(jobs) != len(want) {
		t.Fatalf("%d pool jobs exported, want %d: %v", len(jobs), len(want), jobs)
	}
	slices.SortFunc(jobs, func(a, b chromeEvent) int { return strings.Compare(a.Name, b.Name) })
	for i, w := range want {
		j := jobs[i]
		if j.Ph != "X" || j.Dur == nil || time.Duration(ns(*j.Dur)) != w.length {
			t.Errorf("%s: ph %q dur %v µs, want a slice of %v", j.Name, j.Ph, j.Dur, w.length)
		}
		if got := time.Duration(ns(j.Ts)); got < w.start || got > w.start+100*time.Microsecond {
			t.Errorf("%s starts at %v, want %v (and less than 100 µs of drawing gap)", j.Name, got, w.start)
		}
		if threads[j.Tid] != w.worker {
			t.Errorf("%s is on %q, want %q", j.Name, threads[j.Tid], w.worker)
		}
	}
	if ids := checkFlows(t, file.TraceEvents, threads); len(ids) != len(want) {
		t.Errorf("%d flows, want one per job", len(ids))
	}
}

// orderPool notes the order in which jobs are submitted.
type orderPool struct {
	nodeloop.Pool
	order *[]*nodeloop.Job
}

func (p *orderPool) Submit(job *nodeloop.Job) {
	*p.order = append(*p.order, job)
	p.Pool.Submit(job)
}
