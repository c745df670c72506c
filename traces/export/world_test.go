package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/export"
)

// worldTrace runs a world of a server, which crashes at 50 ms and restarts at
// 100 ms, and two clients that dial it every 10 ms, write to it and do a pool job
// each time; the first client is cut off from the server from 20 ms to 30 ms. It
// returns the world's trace, decoded.
func worldTrace(t *testing.T, seed uint64) (traces.Header, []traces.Event) {
	t.Helper()
	var buf bytes.Buffer
	w := sim.NewWorld(sim.Config{Seed: seed, Trace: &buf})
	w.Host("server", func(l *nodeloop.Loop) {
		ln, err := l.Listen("tcp", ":80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			c.Read(func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				c.Write(append([]byte("re "), b...), func(int, error) { c.Close(nil) })
			})
		})
		if err != nil {
			panic(err)
		}
		l.SetTimeout(200*time.Millisecond, func() { ln.Close(nil) })
	})
	for _, name := range []string{"c1", "c2"} {
		w.Host(name, func(l *nodeloop.Loop) {
			n := 0
			var iv *nodeloop.Timer
			iv = l.SetInterval(10*time.Millisecond, func() {
				if n++; n == 15 {
					l.ClearTimeout(iv)
				}
				nodeloop.Work(l, func() (int, error) { return 0, nil }, func(int, error) {})
				l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
					if err != nil {
						return
					}
					c.Write([]byte("hello"), func(int, error) {})
					c.Read(func([]byte, error) { c.Close(nil) })
				})
			})
		})
	}
	w.Crash("server", 50*time.Millisecond)
	w.Restart("server", 100*time.Millisecond)
	w.Partition(sim.Partition{From: []string{"c1"}, To: []string{"server"}, At: 20 * time.Millisecond, Heal: 30 * time.Millisecond})
	if _, err := w.Run(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	h, events, err := traces.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return h, events
}

// The Chrome export of a world gives each host its own process, named after it,
// with its loop's slices nested on its own threads, and a process of the world's
// own; each message between two hosts is a flow from the sending host's loop to
// the receiving one's, bound to the slice there, and no two flows share an id.
func TestWriteChromeWorld(t *testing.T) {
	for seed := range uint64(3) {
		h, events := worldTrace(t, seed)
		var buf bytes.Buffer
		if err := export.WriteChrome(&buf, h, events); err != nil {
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
		if fmt.Sprint(file.OtherData["hosts"]) != "[server c1 c2]" || file.DisplayTimeUnit != "ms" {
			t.Fatalf("seed %d: otherData %v", seed, file.OtherData)
		}
		procs := map[int]string{}
		for _, e := range file.TraceEvents {
			if e.Ph == "M" && e.Name == "process_name" {
				procs[e.Pid] = fmt.Sprint(e.Args["name"])
			}
		}
		if want := map[int]string{1: "server", 2: "c1", 3: "c2", 4: "world"}; fmt.Sprint(procs) != fmt.Sprint(want) {
			t.Fatalf("seed %d: the processes are %v, want %v", seed, procs, want)
		}
		pidOf := map[string]int{"server": 1, "c1": 2, "c2": 3}

		// Per host, a slice for every tick, phase and callback, and slices that
		// nest on every thread.
		count := map[string]int{}
		byThread := map[[2]int][]chromeEvent{}
		for _, e := range file.TraceEvents {
			if _, ok := procs[e.Pid]; !ok {
				t.Fatalf("seed %d: %s on pid %d, which is no process", seed, e.Name, e.Pid)
			}
			if e.Ph == "X" {
				byThread[[2]int{e.Pid, e.Tid}] = append(byThread[[2]int{e.Pid, e.Tid}], e)
				if e.Tid == 1 {
					count[fmt.Sprint(procs[e.Pid], " ", e.Cat)]++
				}
			}
		}
		want := map[string]int{}
		for _, e := range events {
			switch e.Kind {
			case traces.KindTick:
				want[e.Host+" tick"]++
			case traces.KindPhase:
				want[e.Host+" phase"]++
			case traces.KindCallback:
				want[e.Host+" callback"]++
			}
		}
		for k, n := range want {
			if count[k] != n {
				t.Errorf("seed %d: %d %s slices, want %d", seed, count[k], k, n)
			}
		}
		for th, ss := range byThread {
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
					if top := stack[len(stack)-1]; end > ns(top.Ts)+ns(*top.Dur) {
						t.Fatalf("seed %d: pid %d tid %d: %s overlaps %s without nesting", seed, th[0], th[1], s.Name, top.Name)
					}
				}
				stack = append(stack, s)
			}
		}

		// The flows: one per message, from the sender's loop to the receiver's,
		// and one per pool job, each with an id of its own.
		type flow struct{ s, f []chromeEvent }
		flows := map[uint64]*flow{}
		for _, e := range file.TraceEvents {
			if e.Ph != "s" && e.Ph != "t" && e.Ph != "f" {
				continue
			}
			fl := flows[e.ID]
			if fl == nil {
				fl = &flow{}
				flows[e.ID] = fl
			}
			switch e.Ph {
			case "s":
				fl.s = append(fl.s, e)
			case "f":
				fl.f = append(fl.f, e)
			}
		}
		messages, seen := 0, 0
		for _, e := range events {
			if e.Kind == traces.KindMessage {
				messages++
			}
		}
		for id, fl := range flows {
			if len(fl.s) != 1 || len(fl.f) > 1 {
				t.Fatalf("seed %d: flow %d has %d starts and %d ends", seed, id, len(fl.s), len(fl.f))
			}
			s := fl.s[0]
			if s.Cat != "message" {
				continue
			}
			seen++
			if len(fl.f) != 1 {
				t.Fatalf("seed %d: message flow %d has no end", seed, id)
			}
			f := fl.f[0]
			from, to := fmt.Sprint(s.Args["from"]), fmt.Sprint(s.Args["to"])
			if s.Pid != pidOf[from] || f.Pid != pidOf[to] || s.Tid != 1 || f.Tid != 1 || f.Bp != "e" || f.Cat != "message" || f.Name != s.Name {
				t.Errorf("seed %d: message flow %d from %s to %s: start %+v, end %+v", seed, id, from, to, s, f)
			}
		}
		if seen != messages || messages == 0 {
			t.Errorf("seed %d: %d message flows, want one per message, %d", seed, seen, messages)
		}
	}
}

// The HTML page of a world draws a lane per host, the time a crashed host was down,
// an arrow per message between two hosts, and the world's events across the lanes;
// its data block holds every event, the world's own included.
func TestWriteHTMLWorld(t *testing.T) {
	h, events := worldTrace(t, 1)
	var buf bytes.Buffer
	if err := export.WriteHTML(&buf, h, events); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, name := range h.Hosts {
		if !strings.Contains(page, `<g class="lane" data-host="`+name+`">`) {
			t.Errorf("no lane for host %s", name)
		}
	}
	messages, callbacks := 0, 0
	for _, e := range events {
		switch e.Kind {
		case traces.KindMessage:
			messages++
		case traces.KindCallback:
			callbacks++
		}
	}
	if n := strings.Count(page, `<line class="msg seg-`); n != messages || n == 0 {
		t.Errorf("%d arrows, want one per message, %d", n, messages)
	}
	if n := strings.Count(page, `<rect class="cbm"`); n != callbacks {
		t.Errorf("%d callback marks, want %d", n, callbacks)
	}
	if !regexp.MustCompile(`<rect class="down"[^>]*><title>server down from 50ms to 100ms</title>`).MatchString(page) {
		t.Errorf("the server's time down is not drawn")
	}
	for _, msg := range []string{"crash server", "restart server", "partition c1 from server", "heal c1 from server"} {
		if !strings.Contains(page, `<text class="world"`) || !strings.Contains(page, ">"+msg+"</text>") {
			t.Errorf("the world's event %q is not across the lanes", msg)
		}
	}
	for _, want := range []string{"<b>3</b><span>hosts</span>", fmt.Sprintf("<b>%d</b><span>messages</span>", messages), "<span>world time</span>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
	const open = `<script type="application/json" id="trace-data">`
	block := page[strings.Index(page, open)+len(open):]
	block = block[:strings.Index(block, "</script>")]
	var data struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal([]byte(block), &data); err != nil || len(data.Events) != len(events) {
		t.Fatalf("the data block has %d events, want %d (%v)", len(data.Events), len(events), err)
	}
}
