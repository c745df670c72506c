package js_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
)

// A callback that runs longer than Config.SyncLimit of real time, in the script's
// code or in a microtask, stops the program: RunMain returns a *SyncLimitError that
// names the limit and where the script was, with exit code 1, and no JavaScript
// runs after it, not even the 'exit' listeners. A program that keeps under the
// limit runs as without it.
func TestSyncLimit(t *testing.T) {
	// The limit leaves room for a loaded machine, where loading the script alone
	// may take tens of milliseconds.
	const limit = 300 * time.Millisecond
	tests := []struct {
		name, src string
		site      string // "" for a program that ends by itself
		stdout    string
	}{
		{"main", "console.log('start');\nprocess.on('exit', () => console.log('exit'));\nlet n = 0;\nwhile (true) { n++; }\n", "main.js:4", "start\n"},
		{"timer", "setTimeout(function spin() {\n  let n = 0;\n  while (true) { n++; }\n}, 1);\nsetTimeout(() => console.log('never'), 2);\n", "main.js:3", ""},
		{"microtask", "Promise.resolve().then(() => {\n  let n = 0;\n  while (true) { n++; }\n});\n", "main.js:3", ""},
		{"under the limit", "let n = 0;\nconst t = setInterval(() => { if (++n === 3) { clearInterval(t); console.log('done'); } }, 1);\n", "", "done\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "main.js")
			if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			l, err := nodeloop.New()
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var stdout, stderr bytes.Buffer
			rt, err := js.New(l, js.Config{Stdout: &stdout, Stderr: &stderr, SyncLimit: limit})
			if err != nil {
				t.Fatal(err)
			}
			code, err := rt.RunMain(path)
			if stdout.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.stdout)
			}
			if tt.site == "" {
				if err != nil || code != 0 || rt.Err() != nil {
					t.Fatalf("RunMain: %d, %v (Err %v); want 0, nil", code, err, rt.Err())
				}
				return
			}
			var sl *js.SyncLimitError
			if !errors.As(err, &sl) || code != 1 {
				t.Fatalf("RunMain: %d, %v; want 1 and a *SyncLimitError", code, err)
			}
			want := "a synchronous callback ran longer than 300ms of real time at " + tt.site
			if sl.Limit != limit || sl.Site != tt.site || err.Error() != want || rt.Err() != err {
				t.Fatalf("error %q (limit %v, site %q), Err %v; want %q", err, sl.Limit, sl.Site, rt.Err(), want)
			}
		})
	}
}
