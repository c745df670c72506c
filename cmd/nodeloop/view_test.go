package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// nodeloop view writes the HTML timeline to the -o file or stdout.
func TestViewCmd(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.html")
	if err := runCommand("view", []string{testTrace, "-o", out}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) || !bytes.Contains(page, []byte(`id="trace-data"`)) {
		t.Fatalf("not the timeline page:\n%.300s", page)
	}
	var stdout bytes.Buffer
	if err := runCommand("view", []string{testTrace}, &stdout); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdout.Bytes(), page) {
		t.Errorf("the page on stdout differs from the page in the file")
	}

	truncated := writeFile(t, dir, "cut.jsonl", []byte(`{"format":"nodeloop-trace","version":1}`+"\n"+`{"seq":1,"tick":0,"ph`))
	err = runCommand("view", []string{truncated, "-o", out}, &stdout)
	checkErr(t, err, "input")
	if !strings.Contains(err.Error(), "cut.jsonl: trace line 2: truncated") {
		t.Errorf("error %q does not name the file and line", err)
	}
	checkErr(t, runCommand("view", nil, &stdout), "usage")
	checkErr(t, runCommand("view", []string{"-x", testTrace}, &stdout), "usage")
}

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// chromiumTimeout bounds one browser run.
const chromiumTimeout = 60 * time.Second

// runChromium runs headless Chromium on the page with extra flags and returns its
// stdout and its stderr log.
func runChromium(t *testing.T, page string, extra ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=5000",
	}, extra...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, chromiumPath, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v (after %v)\n%s", err, chromiumTimeout, errOut.String())
	}
	return out.String(), errOut.String()
}

// consoleLines returns the lines of a Chromium log that are messages of the page's
// console. The timeline logs nothing when it works, so any such line (an uncaught
// exception, a console.error, a blocked load) is a failure.
func consoleLines(log string) []string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") {
			lines = append(lines, l)
		}
	}
	return lines
}

// The page's script runs in a real browser without a console message and draws a
// row for every tick of the trace. Needs Debian's chromium: sudo
// scripts/setup-chromium.sh. NODELOOP_VIEW_SCREENSHOT=FILE also saves a screenshot.
func TestViewInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s: install it with scripts/setup-chromium.sh (as root)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, name := range []string{"demo", "sim"} {
		t.Run(name, func(t *testing.T) {
			trace := filepath.Join("..", "..", "traces", "testdata", name+".jsonl")
			f, err := os.Open(trace)
			if err != nil {
				t.Fatal(err)
			}
			_, events, err := traces.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			ticks := map[uint64]bool{}
			for _, e := range events {
				ticks[e.Tick] = true
			}
			if len(ticks) < 5 {
				t.Fatalf("the trace has only %d ticks", len(ticks))
			}

			page := filepath.Join(t.TempDir(), name+".html")
			if err := runCommand("view", []string{trace, "-o", page}, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			static, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(static, []byte("data-tick=")) {
				t.Fatal("the page as written already has tick rows; the test would not see the script run")
			}

			dom, log := runChromium(t, page, "--dump-dom")
			if bad := consoleLines(log); len(bad) > 0 {
				t.Errorf("the page logged to the console:\n%s", strings.Join(bad, "\n"))
			}
			rows := regexp.MustCompile(`<tr class="tick[^"]*" data-tick="(\d+)"`).FindAllStringSubmatch(dom, -1)
			got := map[string]bool{}
			for _, r := range rows {
				got[r[1]] = true
			}
			for tick := range ticks {
				if !got[fmt.Sprint(tick)] {
					t.Errorf("no row with data-tick=%q in the rendered page", fmt.Sprint(tick))
				}
			}
			if len(rows) != len(ticks) {
				t.Errorf("%d tick rows, want %d", len(rows), len(ticks))
			}
			if strings.Contains(dom, `id="status"`) {
				t.Errorf("the script left the 'scripts did not run' notice")
			}
			callbacks := 0
			for _, e := range events {
				if e.Kind == traces.KindCallback {
					callbacks++
				}
			}
			if n := strings.Count(dom, `<span class="cb"`); n != callbacks {
				t.Errorf("%d callback bars, want %d", n, callbacks)
			}

			if shot := os.Getenv("NODELOOP_VIEW_SCREENSHOT"); shot != "" && name == "demo" {
				_, log := runChromium(t, page, "--hide-scrollbars", "--window-size=1400,900", "--screenshot="+shot)
				if bad := consoleLines(log); len(bad) > 0 {
					t.Errorf("the page logged to the console:\n%s", strings.Join(bad, "\n"))
				}
			}
		})
	}
}
