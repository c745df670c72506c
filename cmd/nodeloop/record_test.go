package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// record then replay: identical is exit 0; a tampered recording, or one cut short, is
// a finding (1); an unreadable one is bad input (2).
func TestRecordReplayCommands(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "echo.jsonl")
	var out, errOut bytes.Buffer
	if code := run([]string{"record", "echo", "-o", file}, &out, &errOut); code != 0 {
		t.Fatalf("record: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	if code := run([]string{"replay", file}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "replayed identically") {
		t.Fatalf("replay: exit %d: %s %s", code, out.String(), errOut.String())
	}
	b, _ := os.ReadFile(file)
	tampered := filepath.Join(dir, "tampered.jsonl")
	os.WriteFile(tampered, bytes.Replace(b, []byte(`"kind":"poll","id":0,"pending":4`), []byte(`"kind":"poll","id":0,"pending":5`), 1), 0o644)
	errOut.Reset()
	if code := run([]string{"replay", tampered}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "differs") {
		t.Fatalf("tampered replay: exit %d: %s", code, errOut.String())
	}
	// A recording cut short is a divergence that names the line where it ends; one
	// cut inside a line is unreadable.
	lines := bytes.SplitAfter(b, []byte("\n"))
	for _, tc := range []struct {
		name string
		data []byte
		code int
		want string
	}{
		{"header-only", lines[0], 1, "trace line 1: input clock #0: the recording ends here"},
		{"cut", bytes.Join(lines[:20], nil), 1, "trace line 20: input "},
		{"cut-inside-a-line", bytes.Join(lines[:20], nil)[:len(bytes.Join(lines[:20], nil))-9], 2, "trace line 20: truncated"},
	} {
		path := filepath.Join(dir, tc.name+".jsonl")
		os.WriteFile(path, tc.data, 0o644)
		errOut.Reset()
		if code := run([]string{"replay", path}, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Fatalf("%s replay: exit %d: %s; want exit %d saying %q", tc.name, code, errOut.String(), tc.code, tc.want)
		}
	}
	garbage := filepath.Join(dir, "garbage.jsonl")
	os.WriteFile(garbage, []byte("not a trace\n"), 0o644)
	if code := run([]string{"replay", garbage}, &out, &errOut); code != 2 {
		t.Fatalf("garbage replay: exit %d", code)
	}
	for _, args := range [][]string{{"record"}, {"record", "nope", "-o", file}, {"record", "echo"}, {"replay"}} {
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
}
