package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nodeloop export --format chrome writes Chrome Trace Event JSON to stdout or to
// the -o file; bad input and bad usage are told apart.
func TestExportCmd(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	bad := writeFile(t, dir, "bad.jsonl", []byte(`{"format":"nodeloop-trace","version":9}`+"\n"))
	for _, tc := range []struct {
		name     string
		args     []string
		file     string // where the JSON goes; "" for stdout
		wantType string
		want     string // in the error
	}{
		{"stdout", []string{"--format", "chrome", testTrace}, "", "", ""},
		{"default format", []string{testTrace}, "", "", ""},
		{"to a file", []string{"--format", "chrome", testTrace, "-o", out}, out, "", ""},
		{"future version", []string{bad}, "", "input", "bad.jsonl: trace line 1: version 9 is newer"},
		{"missing file", []string{filepath.Join(dir, "nope.jsonl")}, "", "input", "nope.jsonl"},
		{"unknown format", []string{"--format", "svg", testTrace}, "", "usage", `unknown --format "svg"`},
		{"no file", nil, "", "usage", "want one trace file"},
		{"two files", []string{testTrace, testTrace}, "", "usage", "want one trace file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := runCommand("export", tc.args, &stdout)
			checkErr(t, err, tc.wantType)
			if err != nil {
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %q lacks %q", err, tc.want)
				}
				return
			}
			data := stdout.Bytes()
			if tc.file != "" {
				if stdout.Len() != 0 {
					t.Errorf("wrote %d bytes to stdout with -o", stdout.Len())
				}
				if data, err = os.ReadFile(tc.file); err != nil {
					t.Fatal(err)
				}
			}
			var file struct {
				TraceEvents []struct {
					Ph string `json:"ph"`
				} `json:"traceEvents"`
				DisplayTimeUnit string `json:"displayTimeUnit"`
			}
			if err := json.Unmarshal(data, &file); err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
			if len(file.TraceEvents) < 100 || file.DisplayTimeUnit != "ms" {
				t.Fatalf("%d trace events, displayTimeUnit %q", len(file.TraceEvents), file.DisplayTimeUnit)
			}
		})
	}
}
