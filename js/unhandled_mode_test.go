package js_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
)

// TestUnhandledRejectionsMode runs a rejection nobody handles under each mode of
// --unhandled-rejections, given in NODE_OPTIONS as node takes it, and checks what
// node 20 does in each: the exit status, the 'exit' listener's code, whether the
// error is reported as uncaught and whether it is warned about.
func TestUnhandledRejectionsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reject.js")
	src := "process.on('exit', (c) => console.log('exit', c));\nPromise.reject(new Error('x'));\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	const warning = "UnhandledPromiseRejectionWarning: Unhandled promise rejection."
	for _, tc := range []struct {
		options  string
		code     int
		uncaught bool // the error is reported as an uncaught exception
		warned   bool
	}{
		{"", 1, true, false},
		{"--unhandled-rejections=throw", 1, true, false},
		{"--unhandled-rejections=strict", 1, true, false},
		{"--unhandled-rejections=none", 0, false, false},
		{"--unhandled-rejections=warn", 0, false, true},
		{"--unhandled-rejections=warn-with-error-code", 1, false, true},
		{"--max-old-space-size=100 --unhandled-rejections=none", 0, false, false},
	} {
		t.Run(tc.options, func(t *testing.T) {
			l, err := nodeloop.New()
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var stdout, stderr bytes.Buffer
			rt, err := js.New(l, js.Config{Env: []string{"NODE_OPTIONS=" + tc.options}, Stdout: &stdout, Stderr: &stderr})
			if err != nil {
				t.Fatal(err)
			}
			code, err := rt.RunMain(path)
			if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", code, tc.code, stderr.String())
			}
			if want := fmt.Sprintf("exit %d\n", tc.code); stdout.String() != want {
				t.Errorf("stdout %q, want the 'exit' listener's %q", stdout.String(), want)
			}
			if got := strings.Contains(stderr.String(), "\nError: x\n"); got != tc.uncaught {
				t.Errorf("reported as uncaught: %v, want %v\nstderr:\n%s", got, tc.uncaught, stderr.String())
			}
			if got := strings.Contains(stderr.String(), warning) && strings.Contains(stderr.String(), "UnhandledPromiseRejectionWarning: Error: x\n"); got != tc.warned {
				t.Errorf("warned: %v, want %v\nstderr:\n%s", got, tc.warned, stderr.String())
			}
		})
	}
}

// TestUnhandledRejectionsStrictHandled checks --unhandled-rejections=strict when an
// 'uncaughtException' listener handles the rejection: as node 20, the listener
// gets it first, with origin unhandledRejection (a reason that is not an Error
// wrapped in an UnhandledPromiseRejection), then 'unhandledRejection' is emitted,
// and the program goes on.
func TestUnhandledRejectionsStrictHandled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strict.js")
	src := `process.on('uncaughtException', (e, origin) => console.log('uncaughtException', origin, e.name));
process.on('unhandledRejection', (r) => console.log('unhandledRejection', r && r.message));
Promise.reject(new Error('x'));
Promise.reject(null);
setTimeout(() => console.log('goes on'), 1);
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var stdout, stderr bytes.Buffer
	rt, err := js.New(l, js.Config{Env: []string{"NODE_OPTIONS=--unhandled-rejections=strict"}, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	code, err := rt.RunMain(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "uncaughtException unhandledRejection Error\nunhandledRejection x\n" +
		"uncaughtException unhandledRejection UnhandledPromiseRejection\nunhandledRejection null\ngoes on\n"
	if code != 0 || stdout.String() != want || stderr.String() != "" {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0, stdout:\n%s", code, stdout.String(), stderr.String(), want)
	}
}
