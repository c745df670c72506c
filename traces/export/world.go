package export

import (
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// isWorld reports whether a trace is a simulated world's: its header lists hosts,
// or its events name them.
func isWorld(h traces.Header, events []traces.Event) bool {
	if len(h.Hosts) > 0 {
		return true
	}
	for i := range events {
		if events[i].Host != "" {
			return true
		}
	}
	return false
}

// worldHost is one host of a world's trace, as the exports draw it.
type worldHost struct {
	name   string
	events []traces.Event
	runs   []int   // runs[r] is the index in events of run r's first event
	starts []int64 // starts[r] is when run r began, on the world's time line
	wt     []int64 // wt[k] is when events[k] happened, on the world's time line
	d      []int64 // d[k] is where events[k] is drawn
	run    []int   // run[k] is the run events[k] belongs to
}

// world is a world's trace split for the exports: its hosts, in the order the
// header lists them and then of their first event, and its own events.
type world struct {
	hosts []*worldHost
	own   []traces.Event // the world's own events: no host
}

// splitWorld splits events, a world's trace, by host and by run: a host's run
// begins at the world's log event "restart NAME", and its loop's times start
// there. It places each host's events on the display time line as displayTimes
// does, on the world's time line.
func splitWorld(h traces.Header, events []traces.Event) *world {
	w := &world{}
	byName := map[string]*worldHost{}
	host := func(name string) *worldHost {
		if wh := byName[name]; wh != nil {
			return wh
		}
		wh := &worldHost{name: name, runs: []int{0}, starts: []int64{0}}
		byName[name] = wh
		w.hosts = append(w.hosts, wh)
		return wh
	}
	for _, name := range h.Hosts {
		host(name)
	}
	for i := range events {
		e := &events[i]
		if e.Host == "" {
			w.own = append(w.own, *e)
			if name, ok := strings.CutPrefix(e.Msg, "restart "); ok && e.Kind == traces.KindLog {
				wh := host(name)
				wh.runs = append(wh.runs, len(wh.events))
				wh.starts = append(wh.starts, int64(e.Time))
			}
			continue
		}
		wh := host(e.Host)
		r := len(wh.runs) - 1
		t := saturatingAdd(wh.starts[r], int64(e.Time))
		if n := len(wh.wt); n > 0 {
			t = max(t, wh.wt[n-1])
		}
		wh.events = append(wh.events, *e)
		wh.wt = append(wh.wt, t)
		wh.run = append(wh.run, r)
	}
	for _, wh := range w.hosts {
		wh.d = gapTimes(wh.wt)
	}
	return w
}

// saturatingAdd is a+b for times that are not negative, saturating.
func saturatingAdd(a, b int64) int64 {
	if b > 0 && a > 1<<63-1-b {
		return 1<<63 - 1
	}
	return a + b
}

// gapTimes places times t on the display time line as displayTimes places events:
// each at its time, or chromeGap after the one before when that is later.
func gapTimes(t []int64) []int64 {
	d := make([]int64, len(t))
	for i, v := range t {
		if i > 0 {
			v = max(v, saturatingAdd(d[i-1], int64(chromeGap)))
		}
		d[i] = v
	}
	return d
}

// sendAt returns where a message the host sent at world time t is drawn from: at
// the host's last event by then, or at t when it had none.
func (wh *worldHost) sendAt(t int64) int64 {
	k := sort.Search(len(wh.wt), func(k int) bool { return wh.wt[k] > t }) - 1
	if k < 0 {
		return t
	}
	return wh.d[k]
}

// receiveAt returns where a message that arrived at the host at world time t is
// drawn to: at the host's first event from then on in the same run (its loop
// learns of it then), or at t when the run has none (the host is down, or ended).
func (wh *worldHost) receiveAt(t int64) int64 {
	k := sort.Search(len(wh.wt), func(k int) bool { return wh.wt[k] >= t })
	r := sort.Search(len(wh.starts), func(r int) bool { return wh.starts[r] > t }) - 1
	if k == len(wh.wt) || wh.run[k] != r {
		return t
	}
	return wh.d[k]
}

// end returns the time of the world's latest event, a host's or its own, on the
// world's time line.
func (w *world) end() int64 {
	end := int64(0)
	for _, wh := range w.hosts {
		if n := len(wh.wt); n > 0 {
			end = max(end, wh.wt[n-1])
		}
	}
	for i := range w.own {
		end = max(end, int64(w.own[i].Time))
	}
	return end
}

// find returns the host named name, or nil.
func (w *world) find(name string) (*worldHost, int) {
	for k, wh := range w.hosts {
		if wh.name == name {
			return wh, k
		}
	}
	return nil, -1
}

// messageName labels a message: what it was, with its data's size.
func messageName(e *traces.Event) string {
	seg := e.Segment
	if seg == "" {
		seg = "message"
	}
	if e.Bytes > 0 {
		return fmt.Sprintf("%s %d B", seg, e.Bytes)
	}
	return seg
}

// writeChromeWorld writes a world's trace as WriteChrome describes it.
func writeChromeWorld(w io.Writer, h traces.Header, events []traces.Event) error {
	wd := splitWorld(h, events)
	var out, meta []chromeEvent
	flows := uint64(0)
	flowID := func(uint64) uint64 { flows++; return flows }
	for k, wh := range wd.hosts {
		pid := k + 1
		meta = append(meta,
			chromeEvent{Name: "process_name", Ph: "M", Pid: pid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"name": wh.name})},
			chromeEvent{Name: "process_sort_index", Ph: "M", Pid: pid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"sort_index": k})})
		named := map[int]bool{} // the threads named, by tid, over the runs
		for r, first := range wh.runs {
			end := len(wh.events)
			if r+1 < len(wh.runs) {
				end = wh.runs[r+1]
			}
			if first == end {
				continue
			}
			o, threads := loopChrome(wh.events[first:end], wh.d[first:end], pid, flowID)
			out = append(out, o...)
			for _, m := range threads {
				key := m.Tid
				if m.Name == "thread_sort_index" {
					key = -1 - m.Tid
				}
				if !named[key] {
					named[key] = true
					meta = append(meta, m)
				}
			}
		}
	}
	// The world's own process: its log events, and its choices between steps.
	wpid := len(wd.hosts) + 1
	meta = append(meta,
		chromeEvent{Name: "process_name", Ph: "M", Pid: wpid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"name": "world"})},
		chromeEvent{Name: "process_sort_index", Ph: "M", Pid: wpid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"sort_index": len(wd.hosts)})},
		chromeEvent{Name: "thread_name", Ph: "M", Pid: wpid, Tid: chromeLoopTid, Args: argsJSON(map[string]any{"name": "world"})})
	var ownT []int64
	for i := range wd.own {
		ownT = append(ownT, int64(wd.own[i].Time))
	}
	ownD := gapTimes(ownT)
	for i := range wd.own {
		e := &wd.own[i]
		if e.Kind == traces.KindMessage {
			continue
		}
		name := instantName(e)
		if e.Kind == traces.KindLog {
			name = e.Msg
		}
		out = append(out, chromeEvent{Name: name, Cat: "world", Ph: "i", S: "p", Ts: usec(ownD[i]), Pid: wpid, Tid: chromeLoopTid, Args: argsJSON(eventArgs(e))})
	}
	// Each message: a flow from the sending host's loop to the receiving one's.
	for i := range wd.own {
		e := &wd.own[i]
		if e.Kind != traces.KindMessage {
			continue
		}
		from, fk := wd.find(e.From)
		to, tk := wd.find(e.To)
		if from == nil || to == nil {
			continue
		}
		id := flowID(0)
		args := eventArgs(e)
		args["sent_ns"] = int64(e.Sent)
		delete(args, "sent")
		s := chromeEvent{Name: messageName(e), Cat: "message", Ph: "s", Ts: usec(from.sendAt(int64(e.Sent))), Pid: fk + 1, Tid: chromeLoopTid, ID: id, Args: argsJSON(args)}
		f := s
		f.Ph, f.Bp, f.Ts, f.Pid, f.Args = "f", "e", usec(to.receiveAt(int64(e.Time))), tk+1, nil
		out = append(out, s, f)
	}
	sortChrome(out)
	var names []string
	for _, wh := range wd.hosts {
		names = append(names, wh.name)
	}
	return writeChromeFile(w, h, meta, out, map[string]any{"hosts": names})
}

// laneHeight and the other sizes of the lanes drawing, in pixels: a host's lane,
// the room between lanes, the label column, the right margin, the axis above the
// lanes, and the least and most width of the drawing.
const (
	laneHeight   = 38
	laneGap      = 22
	laneLabel    = 96
	laneRight    = 16
	laneAxis     = 34
	lanesWidthLo = 1000
	lanesWidthHi = 30000
	lanesPxPerMs = 8
)

// writeLanes draws a world's hosts as lanes on its time line, as an SVG: each host's
// callbacks as marks colored by their source, the time it was down (from a crash
// to its restart) shaded, the world's own log events (crashes, restarts,
// partitions, clogs) as lines across every lane, and every message between two
// hosts as an arrow from its send on the one to its arrival on the other.
func writeLanes(p func(string, ...any), wd *world) {
	esc := html.EscapeString
	span := max(wd.end(), int64(1))
	width := min(max(lanesWidthLo, int(span/1e6)*lanesPxPerMs), lanesWidthHi) + laneLabel + laneRight
	x := func(t int64) float64 {
		return laneLabel + float64(t)/float64(span)*float64(width-laneLabel-laneRight)
	}
	top := func(k int) int { return laneAxis + k*(laneHeight+laneGap) }
	const labelRows = 3 // rows of labels of the world's events, under the lanes
	height := top(len(wd.hosts)) + 12*labelRows + 2
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

	p("<div class=\"lanes\"><svg class=\"lanes\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>the hosts on the world's time line, and the messages between them</title>\n", width, height, width, height)
	p("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L8,4 L0,8 z\" class=\"arrowhead\"/></marker></defs>\n")
	// The axis: a label every step, 1, 2 or 5 times a power of ten, the least
	// that leaves some 120 pixels between labels.
	step := int64(1)
	for pow := int64(1); step < span; pow *= 10 {
		found := false
		for _, m := range []int64{1, 2, 5} {
			if step = m * pow; float64(width-laneLabel-laneRight)*float64(step)/float64(span) >= 120 {
				found = true
				break
			}
		}
		if found || pow > math.MaxInt64/100 {
			break
		}
	}
	for t := int64(0); t <= span; t += step {
		xx := f(x(t))
		p("<line class=\"grid\" x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\"/><text class=\"axis\" x=\"%s\" y=\"%d\">%s</text>\n", xx, laneAxis-6, xx, height, xx, laneAxis-10, esc(roundDuration(time.Duration(t))))
		if t > span-step {
			break
		}
	}
	for k, wh := range wd.hosts {
		y := top(k)
		p("<g class=\"lane\" data-host=\"%s\"><rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", esc(wh.name), laneLabel, y, width-laneLabel-laneRight, laneHeight)
		p("<text class=\"host\" x=\"%d\" y=\"%d\">%s</text>\n", laneLabel-6, y+laneHeight/2+4, esc(wh.name))
		// The time it was down: from each crash to its restart, or the end.
		down := int64(-1)
		for i := range wd.own {
			e := &wd.own[i]
			if e.Kind != traces.KindLog {
				continue
			}
			switch e.Msg {
			case "crash " + wh.name:
				if down < 0 {
					down = int64(e.Time)
				}
			case "restart " + wh.name:
				if down >= 0 {
					p("<rect class=\"down\" x=\"%s\" y=\"%d\" width=\"%s\" height=\"%d\"><title>%s down from %s to %s</title></rect>\n",
						f(x(down)), y, f(max(1, x(int64(e.Time))-x(down))), laneHeight, esc(wh.name), roundDuration(time.Duration(down)), roundDuration(e.Time))
					down = -1
				}
			}
		}
		if down >= 0 {
			p("<rect class=\"down\" x=\"%s\" y=\"%d\" width=\"%s\" height=\"%d\"><title>%s down from %s</title></rect>\n",
				f(x(down)), y, f(max(1, x(span)-x(down))), laneHeight, esc(wh.name), roundDuration(time.Duration(down)))
		}
		for i := range wh.events {
			e := &wh.events[i]
			if e.Kind != traces.KindCallback {
				continue
			}
			src := e.Source.String()
			if src == "" {
				src = "main"
			}
			p("<rect class=\"cbm\" x=\"%s\" y=\"%d\" width=\"2\" height=\"%d\" style=\"fill:var(--%s)\"><title>%s: %s at %s (run %d)</title></rect>\n",
				f(x(wh.wt[i])-1), y+6, laneHeight-12, src, esc(wh.name), esc(callbackName(e, nil)), roundDuration(time.Duration(wh.wt[i])), wh.run[i]+1)
		}
		p("</g>\n")
	}
	// The world's own events, across every lane, each labeled in the first row
	// of labels where it does not run into the one before (about 6 pixels a
	// character), or the last.
	var rowEnd [labelRows]float64
	for i := range wd.own {
		e := &wd.own[i]
		if e.Kind != traces.KindLog {
			continue
		}
		at := x(int64(e.Time))
		row := labelRows - 1
		for r := range rowEnd {
			if rowEnd[r] == 0 || at > rowEnd[r]+4 {
				row = r
				break
			}
		}
		rowEnd[row] = at + 3 + 6*float64(len(e.Msg))
		y := top(len(wd.hosts)) + 12*(row+1) - 2
		p("<line class=\"world\" x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\"><title>%s at %s</title></line>", f(at), laneAxis, f(at), y-9, esc(e.Msg), roundDuration(e.Time))
		p("<text class=\"world\" x=\"%s\" y=\"%d\">%s</text>\n", f(at+3), y, esc(e.Msg))
	}
	// The messages, from the sender's lane to the receiver's.
	for i := range wd.own {
		e := &wd.own[i]
		if e.Kind != traces.KindMessage {
			continue
		}
		_, fk := wd.find(e.From)
		_, tk := wd.find(e.To)
		if fk < 0 || tk < 0 {
			continue
		}
		y1, y2 := top(fk)+laneHeight, top(tk)
		if fk > tk {
			y1, y2 = top(fk), top(tk)+laneHeight
		}
		p("<line class=\"msg seg-%s\" x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" marker-end=\"url(#arrow)\"><title>%s #%d, %s to %s: sent at %s, arrived at %s</title></line>\n",
			esc(e.Segment), f(x(int64(e.Sent))), y1, f(x(int64(e.Time))), y2,
			esc(messageName(e)), e.ID, esc(e.From), esc(e.To), roundDuration(e.Sent), roundDuration(e.Time))
	}
	p("</svg></div>\n")
}

// writeHostsTable writes a table of a world's hosts: the runs of each, its events
// and callbacks, and the messages it sent and received.
func writeHostsTable(p func(string, ...any), wd *world) {
	sent, received := map[string]int{}, map[string]int{}
	for i := range wd.own {
		if e := &wd.own[i]; e.Kind == traces.KindMessage {
			sent[e.From]++
			received[e.To]++
		}
	}
	p("<table class=\"static hosts\"><tr><th>host</th><th>runs</th><th>events</th><th>callbacks</th><th>messages sent</th><th>received</th></tr>\n")
	for _, wh := range wd.hosts {
		callbacks := 0
		for i := range wh.events {
			if wh.events[i].Kind == traces.KindCallback {
				callbacks++
			}
		}
		p("<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
			html.EscapeString(wh.name), len(wh.runs), len(wh.events), callbacks, sent[wh.name], received[wh.name])
	}
	p("</table>\n")
}
