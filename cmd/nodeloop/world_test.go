package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// writeWorldTrace runs a world of a server, which crashes at 50 ms and restarts at
// 100 ms, and a client that dials it every 10 ms and writes to it, and writes the
// world's trace to a file in dir, whose path it returns.
func writeWorldTrace(t *testing.T, dir string, seed uint64) string {
	t.Helper()
	var buf bytes.Buffer
	w := sim.NewWorld(sim.Config{Seed: seed, Trace: &buf, Scenario: "crashing-server"})
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
	w.Host("client", func(l *nodeloop.Loop) {
		n := 0
		var iv *nodeloop.Timer
		iv = l.SetInterval(10*time.Millisecond, func() {
			if n++; n == 15 {
				l.ClearTimeout(iv)
			}
			l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
				if err != nil {
					return
				}
				c.Write([]byte("hello"), func(int, error) {})
				c.Read(func([]byte, error) { c.Close(nil) })
			})
		})
	})
	w.Crash("server", 50*time.Millisecond)
	w.Restart("server", 100*time.Millisecond)
	if _, err := w.Run(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	path := filepath.Join(dir, "world.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// check of a world's trace checks every host's every run and passes one with a
// crash; an event tampered with on one host fails it, and the violation names the
// host.
func TestCheckWorldTrace(t *testing.T) {
	dir := t.TempDir()
	good := writeWorldTrace(t, dir, 1)
	var out, errOut bytes.Buffer
	if code := run([]string{"check", good}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "of hosts server, client in 3 runs, every invariant holds") {
		t.Fatalf("check good: exit %d: %s %s", code, out.String(), errOut.String())
	}
	b, _ := os.ReadFile(good)
	lines := strings.Split(string(b), "\n")
	tampered := false
	for i, line := range lines {
		if strings.Contains(line, `"kind":"callback"`) && strings.Contains(line, `"host":"client"`) && strings.Contains(line, `"pending":1,`) {
			lines[i] = strings.Replace(line, `"pending":1,`, `"pending":-1,`, 1)
			tampered = true
			break
		}
	}
	if !tampered {
		t.Fatal("no callback of the client to tamper with")
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
	out.Reset()
	if code := run([]string{"check", bad}, &out, &errOut); code != 1 || !strings.Contains(out.String(), "host client, run 1: pending at seq") {
		t.Fatalf("check bad: exit %d: %s", code, out.String())
	}
}

// nodeloop view of a world's trace draws its hosts as lanes with its messages as
// arrows, and its script, in a real browser, offers each run of each host's loop
// for the tick grid, which shows the first at first; nodeloop export gives each
// host its process. Needs Debian's chromium, as TestViewInChromium does.
func TestViewWorld(t *testing.T) {
	dir := t.TempDir()
	trace := writeWorldTrace(t, dir, 1)
	page := filepath.Join(dir, "world.html")
	if err := runCommand("view", []string{trace, "-o", page}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	static, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	_, events, err := traces.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	messages := 0
	for _, e := range events {
		if e.Kind == traces.KindMessage {
			messages++
		}
	}
	if n := bytes.Count(static, []byte(`<line class="msg seg-`)); n != messages || n == 0 {
		t.Fatalf("%d arrows in the page, want %d", n, messages)
	}
	// A window of ticks has each host's ticks in it, and every message.
	window := filepath.Join(dir, "window.html")
	if err := runCommand("view", []string{trace, "--ticks", "2-3", "-o", window}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	part, _ := os.ReadFile(window)
	inWindow := 0
	for _, e := range events {
		if e.Kind == traces.KindCallback && e.Tick >= 2 && e.Tick <= 3 {
			inWindow++
		}
	}
	if n := bytes.Count(part, []byte(`<line class="msg seg-`)); n != messages {
		t.Errorf("%d arrows in the window of ticks, want every message, %d", n, messages)
	}
	if n := bytes.Count(part, []byte(`<rect class="cbm"`)); n != inWindow || n == 0 {
		t.Errorf("%d callbacks in the window of ticks, want %d", n, inWindow)
	}
	var chrome bytes.Buffer
	if err := runCommand("export", []string{trace}, &chrome); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"args":{"name":"server"}`, `"args":{"name":"client"}`, `"cat":"message","ph":"s"`} {
		if !strings.Contains(chrome.String(), want) {
			t.Errorf("the Chrome export lacks %s", want)
		}
	}

	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s: install it with scripts/setup-chromium.sh (as root)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	dom, log := runChromium(t, page, "--dump-dom")
	if bad := consoleLines(log); len(bad) > 0 {
		t.Errorf("the page logged to the console:\n%s", strings.Join(bad, "\n"))
	}
	options := regexp.MustCompile(`<option value="\d+"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(dom, -1)
	var labels []string
	for _, o := range options {
		label, _, _ := strings.Cut(o[1], " (")
		labels = append(labels, label)
	}
	if got := strings.Join(labels, "; "); got != "server · run 1; server · run 2; client" {
		t.Errorf("the loops offered are %q; want server's two runs and the client", got)
	}
	ticks := map[uint64]bool{}
	for _, run := range sim.HostRuns(events, "server")[:1] {
		for _, e := range run {
			ticks[e.Tick] = true
		}
	}
	if rows := regexp.MustCompile(`<tr class="tick[^"]*" data-tick="\d+"`).FindAllString(dom, -1); len(rows) != len(ticks) {
		t.Errorf("%d tick rows, want the %d of the server's first run", len(rows), len(ticks))
	}
	if shot := os.Getenv("NODELOOP_VIEW_SCREENSHOT"); shot != "" {
		runChromium(t, page, "--hide-scrollbars", "--window-size=1400,900", "--screenshot="+shot)
	}
}
