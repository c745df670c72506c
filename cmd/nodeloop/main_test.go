package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo runs the book's program on the real OS: main's lines first, the pool's
// work labeled with its worker, the timers last, tick headers between, and a trace
// when asked.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes 3.5 s of real time")
	}
	var out, errOut bytes.Buffer
	trace := filepath.Join(t.TempDir(), "demo.jsonl")
	if code := run([]string{"demo", "--trace", trace}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "Thread: main\t First call to read test.txt" {
		t.Fatalf("first line %q", lines[0])
	}
	wantTail := []string{
		"Thread: main\t ====================",
		"Thread: main\t 3000ms timer timed out",
		"Thread: main\t 500ms timer(nested) timed out",
		"===== FINISHED =====",
	}
	var tail []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "=====") || l == "===== FINISHED =====" {
			tail = append(tail, l)
		}
	}
	tail = tail[len(tail)-4:]
	if strings.Join(tail, "\n") != strings.Join(wantTail, "\n") {
		t.Fatalf("output ends\n%s\nwant\n%s", strings.Join(tail, "\n"), strings.Join(wantTail, "\n"))
	}
	for _, want := range []string{
		"===== TICK 1 =====", "First count: 39 characters.", "Second count: 39 characters.",
		`"Encrypted" number is: 63245986`, "Hello world! This is a text to encrypt!",
		"received a task of type: Encrypt", "Immediate1 timed out", "Immediate2 timed out",
		"===== web call =====", "HTTP/1.1 200 OK", "Hello from the slow server, after 2s.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(out.String(), "Thread: pool") {
		t.Errorf("no line from a pool worker:\n%s", out.String())
	}
	compareWithSim(t, out.String())
	f, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("trace line %d: %v", n+1, err)
		}
		if n == 0 && (m["mode"] != "real" || m["scenario"] != "demo") {
			t.Fatalf("trace header %s", sc.Bytes())
		}
		n++
	}
	if n < 50 {
		t.Fatalf("trace has %d lines", n)
	}
}

// Bad usage exits 2 with the usage text.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"demo", "--nope"}, {"demo", "extra"}, {"bench", "--scale", "0"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "usage:") {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and the usage", args, code, errOut.String())
		}
	}
}

// compareWithSim runs the demo on the simulator and checks that its callbacks ran in
// the real run's order wherever that order does not depend on timing: main's lines
// first, each causal chain in order, and the timers in the order of their deadlines.
func compareWithSim(t *testing.T, real string) {
	var simOut, errOut bytes.Buffer
	if code := run([]string{"sim", "demo", "--seed", "1"}, &simOut, &errOut); code != 0 {
		t.Fatalf("sim exit %d: %s", code, errOut.String())
	}
	chains := [][]string{
		{"First call to read test.txt", "Registering immediate timeout 1", "Registering immediate timeout 2",
			"Second call to read test.txt", "Registering a 3000 and a 500 ms timeout", "Registering a 1000 ms timeout",
			"Registering http get request to a slow server"},
		{"First count: 39 characters.", `I want to create a "magic" number based on the text.`, `"Encrypted" number is: 63245986`},
		{"Second count: 39 characters.", "Third call to read test.txt", "Hello world! This is a text to encrypt!"},
		{"Immediate1 timed out", "Immediate2 timed out", "SETTIMEOUT", "===== web call =====",
			"3000ms timer timed out", "500ms timer(nested) timed out"},
	}
	for name, out := range map[string]string{"real": real, "sim": simOut.String()} {
		for _, chain := range chains {
			at := -1
			for _, line := range chain {
				i := strings.Index(out, line)
				if i < 0 || i < at {
					t.Errorf("%s run: %q missing or out of order in chain %q:\n%s", name, line, chain, out)
					break
				}
				at = i
			}
		}
	}
}
