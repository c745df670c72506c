package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testTrace is a real trace the demo recorded, kept with the traces package.
const testTrace = "../../traces/testdata/demo.jsonl"

// writeFile writes data to name in dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// nodeloop diff: equal traces succeed, different ones are a finding that shows the
// divergence, unreadable ones an input error naming the file and line, bad usage a
// usage error; the flags may come before or after the files.
func TestDiffCmd(t *testing.T) {
	demo, err := os.ReadFile(testTrace)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := writeFile(t, dir, "a.jsonl", demo)
	same := writeFile(t, dir, "same.jsonl", demo)
	// b: one timer fired a microsecond later; c: another worker ran a job.
	b := writeFile(t, dir, "b.jsonl", bytes.Replace(demo, []byte(`"t":3002008527,"source":"timer"`), []byte(`"t":3002009527,"source":"timer"`), 1))
	c := writeFile(t, dir, "c.jsonl", bytes.Replace(demo, []byte(`"worker":2}`), []byte(`"worker":3}`), 1))
	short := writeFile(t, dir, "short.jsonl", demo[:bytes.LastIndexByte(demo[:len(demo)-1], '\n')+1])
	bad := writeFile(t, dir, "bad.jsonl", bytes.Replace(demo, []byte(`"kind":"wake"`), []byte(`"kind":"bogus"`), 1))
	for _, check := range []struct{ file, old string }{{b, "3002008527"}, {c, `"worker":2}`}, {bad, "wake"}} {
		if got, _ := os.ReadFile(check.file); bytes.Equal(got, demo) {
			t.Fatalf("the test trace no longer holds %s; pick another edit", check.old)
		}
	}
	badLine := 1 + bytes.Count(demo[:bytes.Index(demo, []byte(`"kind":"wake"`))], []byte("\n"))
	missing := filepath.Join(dir, "missing.jsonl")

	for _, tc := range []struct {
		name     string
		args     []string
		wantType string // "", "finding", "input" or "usage"
		want     []string
	}{
		{"equal", []string{a, same}, "", []string{"are the same: 97 events"}},
		{"time differs", []string{a, b}, "finding", []string{"differ", "traces differ at event", "Time:"}},
		{"time ignored", []string{"--ignore-timing", a, b}, "", nil},
		{"flag after the files", []string{a, b, "--ignore-timing"}, "", nil},
		{"worker differs", []string{a, c}, "finding", []string{"Worker:"}},
		{"worker ignored", []string{a, "--ignore-workers", c}, "", nil},
		{"shorter", []string{a, short}, "finding", []string{"b ends after 96 events"}},
		{"undecodable", []string{a, bad}, "input", []string{"bad.jsonl: trace line " + strconv.Itoa(badLine) + `: unknown kind "bogus"`}},
		{"missing file", []string{missing, a}, "input", []string{"missing.jsonl"}},
		{"one file", []string{a}, "usage", []string{"want two trace files"}},
		{"unknown flag", []string{"--ignore-everything", a, b}, "usage", []string{"ignore-everything"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runCommand("diff", tc.args, &out)
			checkErr(t, err, tc.wantType)
			text := out.String()
			if err != nil {
				text += err.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("output and error lack %q:\n%s", w, text)
				}
			}
		})
	}
}

// checkErr fails unless err is of the kind want names: "" (nil), "finding",
// "input" or "usage".
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	var (
		fe findingError
		ie inputError
		ue usageError
	)
	got := "other"
	switch {
	case err == nil:
		got = ""
	case errors.As(err, &fe):
		got = "finding"
	case errors.As(err, &ie):
		got = "input"
	case errors.As(err, &ue):
		got = "usage"
	}
	if got != want {
		t.Fatalf("error %v is of kind %q, want %q", err, got, want)
	}
}
