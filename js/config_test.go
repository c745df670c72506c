package js_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
)

// runSource runs src as a main script with cfg, its output captured.
func runSource(t *testing.T, src string, cfg js.Config) (int, string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "main.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var stdout, stderr bytes.Buffer
	cfg.Stdout, cfg.Stderr = &stdout, &stderr
	rt, err := js.New(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	code, err := rt.RunMain(path)
	if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		cfg    js.Config
		code   int
		stdout string
		stderr string // a part of stderr
	}{
		{"args", "console.log(process.argv.slice(2));", js.Config{Args: []string{"a", "--b"}}, 0, "[ 'a', '--b' ]\n", ""},
		{"env", "console.log(process.env.A, process.env.B, process.env.C);", js.Config{Env: []string{"A=1", "B=x=y", "C"}}, 0, "1 x=y undefined\n", ""},
		{"stack size", "function f(n) { return n === 0 ? 0 : f(n - 1) + 1; }\nconsole.log(f(150));\nf(1e6);",
			js.Config{MaxCallStackSize: 200}, 1, "150\n", "RangeError: Maximum call stack size exceeded"},
		{"stderr", "console.error('e'); console.warn('w');", js.Config{}, 0, "", "e\nw\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runSource(t, tt.src, tt.cfg)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.stderr)
			}
		})
	}
}

// Without outputs, a script's output is discarded.
func TestNilOutputs(t *testing.T) {
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rt, err := js.New(l, js.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := rt.RunMain(filepath.Join("testdata", "uncaught_timer.js")); err != nil || code != 1 {
		t.Fatalf("exit %d, %v; want 1, nil", code, err)
	}
}
