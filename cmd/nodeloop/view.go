package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/export"
)

// windowEventsMax is the most events nodeloop view puts in one page and nodeloop
// export in one file: a page with more makes a browser crawl, and both hold the
// events they write in memory (about 300 bytes each, several times that while
// writing). A longer trace is shown a window of ticks at a time (--ticks). Tests
// lower it.
var windowEventsMax = 200_000

// viewFlags are the flags of nodeloop view.
type viewFlags struct {
	out   string
	ticks tickRange
}

func (f *viewFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "write the page to `OUT` (an .html file) instead of stdout")
	fs.Var(&f.ticks, "ticks", "show only the events of ticks `A-B` (or of tick A alone); tick 0 is what ran before the first tick")
}

// viewCmd writes a trace as a self-contained HTML timeline, one file to open in any
// browser without a network:
//
//	nodeloop view FILE [-o out.html] [--ticks A-B]
//
// The page of a simulated world's trace draws its hosts as lanes and the messages
// between them as arrows (see export.WriteHTML). The page goes to stdout unless -o
// names a file. A trace of more than
// windowEventsMax events (in the ticks asked for) is a usage error that says so and
// suggests a window of ticks.
func viewCmd(f *viewFlags, files []string, stdout, _ io.Writer) error {
	if len(files) != 1 {
		return usageError{fmt.Sprintf("view: want one trace file, got %d", len(files))}
	}
	h, events, err := readWindow("view", files[0], f.ticks)
	if err != nil {
		return err
	}
	if err := writeOutputFile(f.out, stdout, func(w io.Writer) error { return export.WriteHTML(w, h, events) }); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return nil
}

// tickRange is the value of --ticks: the ticks from lo to hi, both included. The
// zero value, with set false, is every tick.
type tickRange struct {
	lo, hi uint64
	set    bool
}

func (r *tickRange) String() string {
	if !r.set {
		return ""
	}
	return fmt.Sprintf("%d-%d", r.lo, r.hi)
}

// Set parses "A-B" or "A": ticks A to B, or tick A alone.
func (r *tickRange) Set(s string) error {
	lo, hi, found := strings.Cut(s, "-")
	a, err := strconv.ParseUint(lo, 10, 64)
	if err != nil {
		return fmt.Errorf("want ticks A-B or a tick A, such as 100-200: %q", s)
	}
	b := a
	if found {
		if b, err = strconv.ParseUint(hi, 10, 64); err != nil {
			return fmt.Errorf("want ticks A-B or a tick A, such as 100-200: %q", s)
		}
	}
	if b < a {
		return fmt.Errorf("ticks %d-%d: the first is after the last", a, b)
	}
	*r = tickRange{a, b, true}
	return nil
}

// has reports whether tick t is in the range.
func (r tickRange) has(t uint64) bool { return !r.set || (r.lo <= t && t <= r.hi) }

// readWindow reads the events of the trace in path whose ticks are in r, for the
// command cmd. It stops at the first event past r, as ticks only grow; in a
// simulated world's trace it reads every host's events in r and all the world's
// own events (which name no host) to the end. More than
// windowEventsMax of them is a usageError that says how large the file is and
// suggests a window of ticks that holds fewer.
func readWindow(cmd, path string, r tickRange) (traces.Header, []traces.Event, error) {
	tf, err := openTraceFile(path)
	if err != nil {
		return traces.Header{}, nil, err
	}
	defer tf.Close()
	var events []traces.Event
	for {
		e, err := tf.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return traces.Header{}, nil, err
		}
		switch world := len(tf.Header().Hosts) > 0; {
		case world && e.Host == "":
			// The world's own events: its crashes, partitions and messages.
		case world && !r.has(e.Tick):
			continue // each host's ticks grow, not the world's
		case r.set && e.Tick > r.hi:
			return tf.Header(), events, nil
		case !r.has(e.Tick):
			continue
		}
		if len(events) == windowEventsMax {
			return traces.Header{}, nil, tooLarge(cmd, tf, r, events)
		}
		events = append(events, e)
	}
	return tf.Header(), events, nil
}

// tooLarge is the error of a window of more than windowEventsMax events, of which
// events are the first.
func tooLarge(cmd string, tf *traceFile, r tickRange, events []traces.Event) error {
	first, last := events[0].Tick, events[len(events)-1].Tick
	// Suggest a window of about half the ticks the first windowEventsMax events
	// reach, so that it holds well under the limit.
	span := max(1, (last-first)/2)
	hi := first + span - 1
	if first > math.MaxUint64-span {
		hi = math.MaxUint64
	}
	what := fmt.Sprintf("%s (%s) holds", tf.path, byteSize(tf.size))
	if r.set {
		what = fmt.Sprintf("ticks %s of %s (%s) hold", r.String(), tf.path, byteSize(tf.size))
	}
	unit := "page"
	if cmd == "export" {
		unit = "file"
	}
	return usageError{fmt.Sprintf("%s: %s more than %d events, more than one %s holds (the first %d run from tick %d to tick %d); choose a window of ticks with --ticks A-B, such as --ticks %d-%d",
		cmd, what, windowEventsMax, unit, windowEventsMax, first, last, first, hi)}
}

// byteSize writes n bytes for a person: "1.1 GB", "350 MB", "12 kB".
func byteSize(n int64) string {
	switch {
	case n >= 1e9:
		return strconv.FormatFloat(float64(n)/1e9, 'f', 1, 64) + " GB"
	case n >= 1e6:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 0, 64) + " MB"
	case n >= 1e3:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 0, 64) + " kB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
