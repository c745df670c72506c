package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

var (
	longTracePath   = flag.String("longtrace", "", "TestLongTraceFile writes a long simulated trace to `FILE`, to measure the trace tools on")
	longTraceEvents = flag.Int("longtrace.events", 4_000_000, "the events of the -longtrace trace")
)

// eventCounter counts a run's events.
type eventCounter struct{ n int }

func (c *eventCounter) Event(*traces.Event) { c.n++ }

// writeLongTrace writes to path the trace of a simulated program that runs until it
// has made at least n events: an interval that, every millisecond, queues an
// immediate (which queues a nextTick), a microtask and a timeout, reads a file
// every 8th round and clears an immediate every 16th. It returns the trace's
// events and its last tick.
func writeLongTrace(t testing.TB, path string, n int) (events int, lastTick uint64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	count := &eventCounter{}
	program := func(l *nodeloop.Loop) {
		round := 0
		var iv *nodeloop.Timer
		iv = l.SetInterval(time.Millisecond, func() {
			round++
			l.SetImmediate(func() { l.NextTick(func() {}) })
			l.QueueMicrotask(func() {})
			l.SetTimeout(0, func() {})
			if round%8 == 0 {
				l.ReadFile("f", func([]byte, error) {})
			}
			if round%16 == 0 {
				l.ClearImmediate(l.SetImmediate(func() {}))
			}
			if count.n >= n {
				l.ClearTimeout(iv)
			}
		})
	}
	cfg := sim.Config{Seed: 1, Trace: w, Tracer: count, Scenario: "long",
		TimeLimit: time.Duration(n) * time.Millisecond, StepLimit: uint64(n),
		FS: fstest.MapFS{"f": {Data: []byte("x")}}}
	res, err := sim.Run(cfg, program)
	if err != nil || res.Failed() {
		t.Fatalf("sim.Run: %v %v", err, res)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return count.n, res.Ticks
}

// TestLongTraceFile writes the long trace that -longtrace names (or, without it, a
// short one in a temporary directory) and checks it holds the events asked for.
// With -longtrace it makes the file the trace tools' memory is measured on:
//
//	go test -run TestLongTraceFile ./cmd/nodeloop -args -longtrace /tmp/long.jsonl
//	/usr/bin/time -v nodeloop check /tmp/long.jsonl
func TestLongTraceFile(t *testing.T) {
	path, n := *longTracePath, *longTraceEvents
	if path == "" {
		path, n = t.TempDir()+"/long.jsonl", 20_000
	}
	events, ticks := writeLongTrace(t, path, n)
	if events < n || events > n+100 {
		t.Errorf("the trace has %d events, want %d to %d", events, n, n+100)
	}
	t.Logf("%s: %d events, %d ticks", path, events, ticks)
}

// On a trace longer than one page holds, check and diff go through it, view and
// export say it is too large (a usage error naming the size and suggesting
// --ticks), and with --ticks they write only the events of those ticks.
func TestTraceToolsOnALongTrace(t *testing.T) {
	defer func(n int) { windowEventsMax = n }(windowEventsMax)
	windowEventsMax = 5_000
	dir := t.TempDir()
	long := dir + "/long.jsonl"
	events, ticks := writeLongTrace(t, long, 4*windowEventsMax)

	var out bytes.Buffer
	if err := runCommand("check", []string{long}, &out); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if want := fmt.Sprintf("%d events, every invariant holds", events); !strings.Contains(out.String(), want) {
		t.Errorf("check printed %q, want it to say %q", out.String(), want)
	}
	out.Reset()
	if err := runCommand("diff", []string{long, long}, &out); err != nil {
		t.Fatalf("diff: %v", err)
	}
	if want := fmt.Sprintf("are the same: %d events", events); !strings.Contains(out.String(), want) {
		t.Errorf("diff printed %q, want it to say %q", out.String(), want)
	}

	for _, cmd := range []string{"view", "export"} {
		for _, args := range [][]string{{long}, {"--ticks", "1-" + strconv.FormatUint(ticks, 10), long}} {
			out.Reset()
			err := runCommand(cmd, args, &out)
			checkErr(t, err, "usage")
			for _, want := range []string{"more than 5000 events", " MB)", "--ticks "} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s %v: error %q lacks %q", cmd, args, err, want)
				}
			}
			if out.Len() > 0 {
				t.Errorf("%s %v: wrote %d bytes with its error", cmd, args, out.Len())
			}
		}
	}

	// The suggested window fits.
	out.Reset()
	err := runCommand("view", []string{long}, &out)
	suggested := err.Error()[strings.LastIndex(err.Error(), "--ticks ")+len("--ticks "):]
	if err := runCommand("view", []string{"--ticks", suggested, long}, &out); err != nil {
		t.Errorf("view --ticks %s, the window its error suggested: %v", suggested, err)
	}

	out.Reset()
	if err := runCommand("export", []string{"--ticks", "100-120", long}, &out); err != nil {
		t.Fatalf("export --ticks 100-120: %v", err)
	}
	var file struct {
		TraceEvents []struct {
			Ph   string         `json:"ph"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(out.Bytes(), &file); err != nil {
		t.Fatalf("export --ticks: not JSON: %v", err)
	}
	seen := map[float64]bool{}
	for _, e := range file.TraceEvents {
		if tick, ok := e.Args["tick"].(float64); ok && e.Ph != "M" {
			seen[tick] = true
			if tick < 100 || tick > 120 {
				t.Errorf("export --ticks 100-120 has an event of tick %v", tick)
			}
		}
	}
	if len(seen) != 21 {
		t.Errorf("export --ticks 100-120 has events of %d ticks, want 21", len(seen))
	}

	out.Reset()
	if err := runCommand("view", []string{"--ticks", "7", long}, &out); err != nil {
		t.Fatalf("view --ticks 7: %v", err)
	}
	page := out.String()
	if !strings.Contains(page, `"tick":7,`) || strings.Contains(page, `"tick":6,`) || strings.Contains(page, `"tick":8,`) {
		t.Errorf("view --ticks 7: the page does not hold tick 7 alone")
	}

	for _, bad := range []string{"5-3", "x", "1-", "-2", "1-2-3"} {
		err := runCommand("view", []string{"--ticks", bad, long}, &out)
		checkErr(t, err, "usage")
		if !strings.Contains(err.Error(), "ticks") {
			t.Errorf("--ticks %s: error %q does not name the flag", bad, err)
		}
	}
}
