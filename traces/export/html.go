package export

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// phaseCount is the number of phases: close is the last.
const phaseCount = traces.PhaseClose + 1

//go:embed timeline.css
var timelineCSS string

//go:embed timeline.js
var timelineJS string

// htmlTick is what the page's static part says about one tick.
type htmlTick struct {
	tick       uint64
	first      int   // index of its first event
	start, end int64 // loop times
	pending    int   // after its last event
	callbacks  [phaseCount]int
	ran        [phaseCount]bool
}

// WriteHTML writes events as one self-contained HTML page: inline CSS and script,
// no network access (a Content-Security-Policy forbids it), nothing to install. It
// shows
//
//   - a summary: the header, the number of events, ticks and callbacks by source;
//   - the pending count after every event, as an SVG line with the ticks marked;
//   - a grid with a row per tick and a column per phase, each cell holding the
//     callbacks that phase ran as bars labeled with their source and id (and the
//     operation, timer delay or pool worker), the poll phase's wait, and what the
//     callbacks scheduled; a click on a row lists its events.
//
// The events are embedded as JSON in a <script type="application/json"> block and
// the grid is drawn by the inline script. The summary, the pending chart and a
// per-tick table are written as plain HTML, so the page is useful even where
// scripts do not run.
//
// The page of a simulated world of several hosts (its header lists hosts, or its
// events name them) also draws, as plain SVG, each host as a lane on the world's
// time line: its callbacks as marks colored by their source, the time it was down
// (from a crash to its restart) shaded, the world's crashes, restarts and
// partitions as lines across the lanes, and each message between two hosts as an
// arrow from its send on the one to its arrival on the other. Its grid and pending
// chart are those of one run of one host's loop, which the script lets the reader
// pick; the summary counts every host's.
func WriteHTML(w io.Writer, h traces.Header, events []traces.Event) error {
	bw := bufio.NewWriter(w)
	// A world's page draws its hosts as lanes, and its tick grid and pending
	// chart are of one run of one host's loop, the first run of the first host
	// until the page's script picks another.
	var wd *world
	loopEvents := events
	if isWorld(h, events) {
		wd = splitWorld(h, events)
		loopEvents = nil
		if len(wd.hosts) > 0 {
			wh := wd.hosts[0]
			end := len(wh.events)
			if len(wh.runs) > 1 {
				end = wh.runs[1]
			}
			loopEvents = wh.events[:end]
		}
	}
	ticks := htmlTicks(loopEvents)

	title := "nodeloop trace"
	if h.Scenario != "" {
		title += " · " + h.Scenario
	}
	if h.Mode != "" {
		title += " (" + h.Mode + ")"
	}
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	esc := html.EscapeString

	p("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
	p("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p("<link rel=\"icon\" href=\"data:,\">\n")
	p("<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", esc(title), timelineCSS)

	// The static part.
	p("<h1>%s</h1>\n", esc(title))
	var sub []string
	if h.Mode != "" {
		sub = append(sub, "mode "+h.Mode)
	}
	if h.Scenario != "" {
		sub = append(sub, "scenario "+h.Scenario)
	}
	if h.Mode == "sim" || h.Seed != 0 {
		sub = append(sub, "seed "+strconv.FormatUint(h.Seed, 10))
	}
	if h.Go != "" {
		sub = append(sub, h.Go)
	}
	if h.Module != "" {
		sub = append(sub, "nodeloop "+h.Module)
	}
	sub = append(sub, fmt.Sprintf("format %s v%d", h.Format, h.Version))
	p("<p class=\"sub\">%s</p>\n", esc(strings.Join(sub, " · ")))

	bySource := make(map[string]int)
	callbacks, poolJobs, opsDone, maxPending := 0, 0, 0, 0
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case traces.KindCallback:
			callbacks++
			bySource[e.Source.String()]++
		case traces.KindPoolSubmit:
			poolJobs++
		case traces.KindOpComplete:
			opsDone++
		}
		maxPending = max(maxPending, e.Pending)
	}
	var span time.Duration
	if len(events) > 0 {
		span = events[len(events)-1].Time - events[0].Time
	}
	realTicks := 0
	for _, t := range ticks {
		if t.tick > 0 {
			realTicks++
		}
	}
	timeLabel := "loop time"
	if wd != nil {
		// Every host's ticks, and the world's time line.
		realTicks = 0
		for i := range events {
			if events[i].Kind == traces.KindTick {
				realTicks++
			}
		}
		span, timeLabel = time.Duration(wd.end()), "world time"
	}
	p("<div class=\"cards\">\n")
	card := func(v, label string) { p("<div class=\"card\"><b>%s</b><span>%s</span></div>\n", esc(v), esc(label)) }
	card(strconv.Itoa(len(events)), "events")
	card(strconv.Itoa(realTicks), "ticks")
	card(roundDuration(span), timeLabel)
	card(strconv.Itoa(callbacks), "callbacks")
	card(strconv.Itoa(maxPending), "most pending")
	card(strconv.Itoa(poolJobs), "pool jobs")
	card(strconv.Itoa(opsDone), "I/O completions")
	if wd != nil {
		messages := 0
		for i := range wd.own {
			if wd.own[i].Kind == traces.KindMessage {
				messages++
			}
		}
		card(strconv.Itoa(len(wd.hosts)), "hosts")
		card(strconv.Itoa(messages), "messages")
	}
	p("</div>\n")
	if len(bySource) > 0 {
		names := make([]string, 0, len(bySource))
		for s := range bySource {
			names = append(names, s)
		}
		slices.SortFunc(names, func(a, b string) int {
			if bySource[a] != bySource[b] {
				return bySource[b] - bySource[a]
			}
			return strings.Compare(a, b)
		})
		var parts []string
		for _, s := range names {
			label := s
			if label == "" {
				label = "(none)"
			}
			parts = append(parts, fmt.Sprintf("%s %d", label, bySource[s]))
		}
		p("<p class=\"sources\">callbacks by source: %s</p>\n", esc(strings.Join(parts, " · ")))
	}

	if wd != nil {
		p("<h2>Hosts</h2>\n<p class=\"sub\">Each host is a lane on the world's time line; its callbacks are marks colored by source, the time it was down is shaded, the lines across the lanes are the world's crashes, restarts and partitions, and each arrow is a message from its send to its arrival. Hover for details.</p>\n")
		writeLanes(p, wd)
		writeHostsTable(p, wd)
	}
	p("<h2>Pending count</h2>\n<div class=\"chart\" id=\"pending-chart\">\n")
	writePendingSVG(bw, loopEvents, ticks)
	p("</div>\n")

	p("<div id=\"timeline\"><p id=\"status\">The tick grid is drawn by this page's script. If this line stays, scripts did not run here; the table below has the same ticks in plain form.</p></div>\n")

	of := ""
	if wd != nil && len(wd.hosts) > 0 {
		of = " of " + wd.hosts[0].name + ", run 1,"
	}
	p("<details class=\"static\"><summary>Per-tick table%s (%d rows, plain HTML)</summary>\n", esc(of), len(ticks))
	p("<table class=\"static\"><tr><th>tick</th><th>start</th><th>length</th><th>phases run (callbacks)</th><th>pending after</th></tr>\n")
	var t0 int64
	if len(loopEvents) > 0 {
		t0 = int64(loopEvents[0].Time)
	}
	for _, t := range ticks {
		var ran []string
		for ph := traces.PhaseMain; ph < phaseCount; ph++ {
			if t.ran[ph] || t.callbacks[ph] > 0 {
				ran = append(ran, fmt.Sprintf("%s (%d)", ph, t.callbacks[ph]))
			}
		}
		name := "tick " + strconv.FormatUint(t.tick, 10)
		if t.tick == 0 {
			name = "main"
		}
		p("<tr><td>%s</td><td>+%s</td><td>%s</td><td>%s</td><td>%d</td></tr>\n",
			name, time.Duration(t.start-t0), time.Duration(t.end-t.start), esc(strings.Join(ran, ", ")), t.pending)
	}
	p("</table>\n</details>\n")

	// The data block. AppendJSON and encoding/json escape <, > and &, so no byte
	// sequence in it can close the script element.
	p("<script type=\"application/json\" id=\"trace-data\">{\"header\":")
	hj, err := json.Marshal(h)
	if err != nil {
		return err
	}
	bw.Write(hj)
	bw.WriteString(",\"events\":[")
	var line []byte
	for i := range events {
		if i > 0 {
			bw.WriteString(",\n")
		} else {
			bw.WriteString("\n")
		}
		line = traces.AppendJSON(line[:0], &events[i])
		bw.Write(line)
	}
	bw.WriteString("\n]}</script>\n")
	p("<script>\n%s</script>\n</body>\n</html>\n", timelineJS)
	return bw.Flush()
}

// roundDuration prints d with about four significant digits.
func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Second || d <= -time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond || d <= -time.Millisecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}

// htmlTicks groups events by tick, in order of first appearance.
func htmlTicks(events []traces.Event) []*htmlTick {
	var ticks []*htmlTick
	byTick := make(map[uint64]*htmlTick)
	for i := range events {
		e := &events[i]
		t := byTick[e.Tick]
		if t == nil {
			t = &htmlTick{tick: e.Tick, first: i, start: int64(e.Time)}
			byTick[e.Tick] = t
			ticks = append(ticks, t)
		}
		t.end, t.pending = int64(e.Time), e.Pending
		if e.Phase < phaseCount {
			switch e.Kind {
			case traces.KindPhase:
				t.ran[e.Phase] = true
			case traces.KindCallback:
				t.callbacks[e.Phase]++
			}
		}
	}
	for k := 0; k+1 < len(ticks); k++ {
		ticks[k].end = ticks[k+1].start
	}
	return ticks
}

// writePendingSVG draws the pending count after each event against the event's
// position, with a dashed line where each tick starts; the page's script redraws
// it and can put time on the x axis instead.
func writePendingSVG(w *bufio.Writer, events []traces.Event, ticks []*htmlTick) {
	const W, H, L, R, T, B = 1000.0, 110.0, 34.0, 8.0, 10.0, 20.0
	maxP := 1
	for i := range events {
		maxP = max(maxP, events[i].Pending)
	}
	x := func(i int) float64 {
		f := 0.0
		if len(events) > 1 {
			f = float64(i) / float64(len(events)-1)
		}
		return L + f*(W-L-R)
	}
	y := func(p int) float64 { return T + (1-float64(p)/float64(maxP))*(H-T-B) }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	fmt.Fprintf(w, "<svg viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\" role=\"img\"><title>pending count after each event</title>\n", int(W), int(H))
	fmt.Fprintf(w, "<line class=\"axis\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>", f(L), f(y(0)), f(W-R), f(y(0)))
	fmt.Fprintf(w, "<line class=\"axis\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", f(L), f(T), f(L), f(y(0)))
	fmt.Fprintf(w, "<text class=\"ylabel\" x=\"%s\" y=\"%s\" text-anchor=\"end\">%d</text>", f(L-4), f(y(maxP)+4), maxP)
	fmt.Fprintf(w, "<text class=\"ylabel\" x=\"%s\" y=\"%s\" text-anchor=\"end\">0</text>\n", f(L-4), f(y(0)+3))
	every := max(1, (len(ticks)+39)/40)
	for k, t := range ticks {
		if t.tick == 0 {
			continue
		}
		xx := f(x(t.first))
		fmt.Fprintf(w, "<line class=\"tickline\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>", xx, f(T), xx, f(y(0)))
		if k%every == 0 {
			fmt.Fprintf(w, "<text class=\"ticklabel\" x=\"%s\" y=\"%s\" text-anchor=\"middle\">%d</text>", xx, f(H-6), t.tick)
		}
		w.WriteByte('\n')
	}
	if len(events) > 0 {
		var d strings.Builder
		fmt.Fprintf(&d, "M%s %s", f(x(0)), f(y(events[0].Pending)))
		for i := 1; i < len(events); i++ {
			fmt.Fprintf(&d, " H%s V%s", f(x(i)), f(y(events[i].Pending)))
		}
		line := d.String()
		fmt.Fprintf(w, "<path class=\"parea\" d=\"%s H%s V%s H%s Z\"/>\n", line, f(x(len(events)-1)), f(y(0)), f(x(0)))
		fmt.Fprintf(w, "<path class=\"pline\" d=\"%s\" vector-effect=\"non-scaling-stroke\"/>\n", line)
	}
	w.WriteString("</svg>\n")
}
