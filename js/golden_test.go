package js_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
)

var record = flag.Bool("record", false, "re-record testdata/*.golden by running node on each script")

// result is what a run of a script printed and its exit code.
type result struct {
	code           int
	stdout, stderr string
}

// runScript runs the script at path on a fresh loop on the real OS.
func runScript(t *testing.T, path string, args ...string) result {
	t.Helper()
	pool := js.NewThreadPool()
	l, err := nodeloop.New(nodeloop.WithPool(pool))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var stdout, stderr bytes.Buffer
	rt, err := js.New(l, js.Config{Args: args, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	pool.Bind(rt)
	code, err := rt.RunMain(path)
	if err != nil {
		t.Fatalf("%s: RunMain: %v", path, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// runNode runs the script with node.
func runNode(t *testing.T, path string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("node", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("node %s: %v", path, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

var (
	pidRE     = regexp.MustCompile(`\(node:\d+\)`)
	versionRE = regexp.MustCompile(`(?m)^Node\.js v\d+\.\d+\.\d+$`)
	caretRE   = regexp.MustCompile(`^\s*\^$`)
)

// normalize makes a run's output independent of where it ran: the test data's
// directory, the process id, Node's exact version. Stack frames are dropped (the
// runtime's engine names functions and places columns as V8 does not; Node's
// internal frames have no equivalent); a "{" ending a frame or a message, which
// opens an error's properties, is kept on a line of its own.
func normalize(r result, dir string, dropCaret bool) result {
	norm := func(s string) string {
		s = strings.ReplaceAll(s, dir, "$TESTDATA")
		s = pidRE.ReplaceAllString(s, "(node:PID)")
		s = versionRE.ReplaceAllString(s, "Node.js VERSION")
		return s
	}
	var lines []string
	for _, ln := range strings.SplitAfter(norm(r.stderr), "\n") {
		if dropCaret && caretRE.MatchString(strings.TrimSuffix(ln, "\n")) {
			continue
		}
		body := strings.TrimSuffix(ln, "\n")
		if strings.HasPrefix(body, "    at ") {
			if strings.HasSuffix(body, " {") {
				lines = append(lines, "{\n")
			}
			continue
		}
		if strings.HasSuffix(body, " {") {
			lines = append(lines, strings.TrimSuffix(body, " {")+"\n", "{\n")
			continue
		}
		lines = append(lines, ln)
	}
	return result{code: r.code, stdout: norm(r.stdout), stderr: strings.Join(lines, "")}
}

func (r result) golden() string {
	return fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", r.code, r.stdout, r.stderr)
}

func parseGolden(s string) (result, error) {
	head, rest, ok := strings.Cut(s, "\n-- stdout --\n")
	if !ok || !strings.HasPrefix(head, "exit ") {
		return result{}, fmt.Errorf("no \"exit N\" line and \"-- stdout --\" separator")
	}
	code, err := strconv.Atoi(strings.TrimPrefix(head, "exit "))
	if err != nil {
		return result{}, fmt.Errorf("exit line: %v", err)
	}
	out, errOut, ok := strings.Cut(rest, "-- stderr --\n")
	if !ok {
		return result{}, fmt.Errorf("no \"-- stderr --\" separator")
	}
	return result{code: code, stdout: out, stderr: errOut}, nil
}

// caretDiffers are the scripts whose report puts the caret elsewhere than Node's:
// the engine's frame of a stack overflow is the call, V8's the statement.
var caretDiffers = map[string]bool{
	"stack_overflow.js": true,
}

func scripts(t *testing.T) (string, []string) {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 20 {
		t.Fatalf("found %d scripts in testdata, want at least 20", len(names))
	}
	return dir, names
}

// TestGolden runs every testdata/*.js and compares its exit code, stdout and stderr
// with testdata/*.golden, which node itself printed (go test -run TestGolden
// -record re-records them).
func TestGolden(t *testing.T) {
	dir, names := scripts(t)
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".js"), func(t *testing.T) {
			goldenPath := strings.TrimSuffix(path, ".js") + ".golden"
			if *record {
				want := normalize(runNode(t, path), dir, false)
				if err := os.WriteFile(goldenPath, []byte(want.golden()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatal(err)
			}
			want, err := parseGolden(string(data))
			if err != nil {
				t.Fatalf("%s: %v", goldenPath, err)
			}
			got := normalize(runScript(t, path), dir, caretDiffers[name])
			if caretDiffers[name] {
				want = normalize(want, dir, true)
			}
			if got.code != want.code {
				t.Errorf("exit code %d, want %d", got.code, want.code)
			}
			if got.stdout != want.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got.stdout, want.stdout)
			}
			if got.stderr != want.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", got.stderr, want.stderr)
			}
		})
	}
}

// TestGoldenIsNode checks that the recorded goldens are still what node prints,
// where Node.js 20 is installed. A script whose order rests on real time (timers
// made in turn, each at the time it is made) can print otherwise on a machine that
// stalls node between two of its lines; such a script's golden must be what node
// prints on one of three runs.
func TestGoldenIsNode(t *testing.T) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "v20.") {
		t.Skip("Node.js 20 is not installed: the goldens cannot be compared with node here")
	}
	dir, names := scripts(t)
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".js"), func(t *testing.T) {
			data, err := os.ReadFile(strings.TrimSuffix(path, ".js") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			want, err := parseGolden(string(data))
			if err != nil {
				t.Fatal(err)
			}
			got := normalize(runNode(t, path), dir, false)
			for try := 1; try < 3 && got != want; try++ {
				got = normalize(runNode(t, path), dir, false)
			}
			if got != want {
				t.Errorf("node prints:\n%s\nthe golden says:\n%s", got.golden(), want.golden())
			}
		})
	}
}

func TestRunMainTwice(t *testing.T) {
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rt, err := js.New(l, js.Config{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "exit_code.js")
	if code, err := rt.RunMain(path); err != nil || code != 3 {
		t.Fatalf("first RunMain: exit %d, %v; want 3, nil", code, err)
	}
	if _, err := rt.RunMain(path); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("second RunMain: %v, want an error saying it was called twice", err)
	}
}
