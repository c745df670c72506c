package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One seed prints the demo's output on virtual time; the trace file is written.
func TestSimOneSeed(t *testing.T) {
	var out, errOut bytes.Buffer
	trace := filepath.Join(t.TempDir(), "sim.jsonl")
	if code := run([]string{"sim", "demo", "--seed", "1", "--trace", trace}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"First count: 39 characters.", "500ms timer(nested) timed out", "===== web call =====", "seed 1: ok after 3.5"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	b, err := os.ReadFile(trace)
	if err != nil || !bytes.HasPrefix(b, []byte(`{"format":"nodeloop-trace","version":2,"mode":"sim","seed":1`)) {
		t.Fatalf("trace: %v, %.100s", err, b)
	}
}

// A sweep over seeds, sharded, reports its count; bad flags are usage errors.
func TestSimSweep(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", "--seeds", "1-200", "--shard", "2/4", "-j", "2", "--faults", "all", "--swarm"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "demo: 50 seeds (1-200, shard 2/4)") {
		t.Fatalf("summary: %s", out.String())
	}
	for _, args := range [][]string{
		{"sim", "nope"}, {"sim", "--seeds", "5-1"}, {"sim", "--seeds", "1-9", "--shard", "5/4"},
		{"sim", "--faults", "gremlins"}, {"sim", "--cost", "2ms"}, {"sim", "--seeds", "1-2", "--trace", "x"},
	} {
		var o, e bytes.Buffer
		if code := run(args, &o, &e); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (usage); stderr %s", args, code, e.String())
		}
	}
}

// A failing seed exits 1 and prints the one command that reproduces it, which does
// reproduce it.
func TestSimFailingSeed(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", "race", "--seeds", "1-100", "--cost", "0-2ms"}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, out.String())
	}
	_, cmd, ok := strings.Cut(out.String(), "reproduce: nodeloop ")
	if !ok {
		t.Fatalf("no reproduce command:\n%s", out.String())
	}
	cmd, _, _ = strings.Cut(cmd, "\n")
	if !strings.HasPrefix(cmd, "sim race --seed ") || !strings.HasSuffix(cmd, "--cost 0-2ms") {
		t.Fatalf("reproduce command %q", cmd)
	}
	var o, e bytes.Buffer
	if code := run(strings.Fields(cmd), &o, &e); code != 1 || !strings.Contains(o.String(), "the immediate ran before the timeout") {
		t.Fatalf("reproducing with %q: exit %d\n%s", cmd, code, o.String())
	}
}
