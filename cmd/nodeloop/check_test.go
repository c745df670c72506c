package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check passes a good trace (exit 0), lists the violations of a broken one with their
// positions (exit 1), and refuses an unreadable one (exit 2).
func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", "demo", "--seed", "3", "--trace", good}, &out, &errOut); code != 0 {
		t.Fatalf("sim: exit %d", code)
	}
	out.Reset()
	if code := run([]string{"check", good}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "every invariant holds") {
		t.Fatalf("check good: exit %d: %s %s", code, out.String(), errOut.String())
	}
	b, _ := os.ReadFile(good)
	bad := filepath.Join(dir, "bad.jsonl")
	// A negative pending count breaks the pending rule.
	os.WriteFile(bad, bytes.Replace(b, []byte(`"pending":1,`), []byte(`"pending":-1,`), 1), 0o644)
	out.Reset()
	if code := run([]string{"check", bad}, &out, &errOut); code != 1 || !strings.Contains(out.String(), "pending at seq") {
		t.Fatalf("check bad: exit %d: %s", code, out.String())
	}
	garbage := filepath.Join(dir, "garbage.jsonl")
	os.WriteFile(garbage, []byte("{\n"), 0o644)
	if code := run([]string{"check", garbage}, &out, &errOut); code != 2 {
		t.Fatalf("check garbage: exit %d", code)
	}
}
