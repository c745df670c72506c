package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
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
