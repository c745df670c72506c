package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// runCommand runs the command name of the table as run does, with stderr
// discarded, and returns its error instead of an exit code.
func runCommand(name string, args []string, stdout io.Writer) error {
	c, ok := lookupCommand(name)
	if !ok {
		panic("nodeloop: the test names no command of the table: " + name)
	}
	return c.exec(args, stdout, io.Discard)
}

// runArgs runs the command line args and returns the exit code and both outputs.
func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// nodeloop help, -h and --help list every command of the table with its arguments
// and summary, on stdout, and exit 0.
func TestHelpLists(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, errOut := runArgs(args...)
		if code != 0 || errOut != "" {
			t.Fatalf("run(%q) = %d, stderr %q; want 0 and nothing", args, code, errOut)
		}
		for _, c := range commands {
			line := strings.TrimSpace(c.name + " " + c.args)
			if !strings.Contains(out, "\n  "+line+" ") || !strings.Contains(out, c.summary) {
				t.Errorf("run(%q) does not list %q with its summary %q:\n%s", args, line, c.summary, out)
			}
		}
	}
	// With no command at all the same list is bad usage.
	if code, _, errOut := runArgs(); code != 2 || !strings.Contains(errOut, "commands:") {
		t.Errorf("run() = %d, stderr %q; want 2 and the list", code, errOut)
	}
}

// help COMMAND, COMMAND -h, --help and -help show the command's synopsis, summary
// and every flag with its description and default, on stdout, and exit 0: for
// every command of the table.
func TestHelpEveryCommand(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			var first string
			for _, args := range [][]string{{"help", c.name}, {c.name, "-h"}, {c.name, "--help"}, {c.name, "-help"}} {
				code, out, errOut := runArgs(args...)
				if code != 0 || errOut != "" {
					t.Fatalf("run(%q) = %d, stderr %q; want 0 and nothing", args, code, errOut)
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Errorf("run(%q) shows\n%s\nbut help %s shows\n%s", args, out, c.name, first)
				}
			}
			head := "usage: nodeloop " + c.name
			if !strings.HasPrefix(first, head) || !strings.Contains(first, c.args+"\n") || !strings.Contains(first, c.summary) {
				t.Errorf("help lacks %q, the arguments %q or the summary %q:\n%s", head, c.args, c.summary, first)
			}
			fs, _ := c.flagSet()
			n := 0
			fs.VisitAll(func(f *flag.Flag) {
				n++
				_, usage := flag.UnquoteUsage(f)
				if !strings.Contains(first, "-"+f.Name) || !strings.Contains(first, usage) {
					t.Errorf("help lacks flag -%s or its description %q:\n%s", f.Name, usage, first)
				}
				if f.DefValue != "" && !strings.Contains(first, usage+" (default "+f.DefValue+")") {
					t.Errorf("help lacks the default %q of flag -%s:\n%s", f.DefValue, f.Name, first)
				}
			})
			if got := strings.Count(first, "\n  -"); got != n {
				t.Errorf("help shows %d flags, the command has %d:\n%s", got, n, first)
			}
		})
	}
	// One concrete line, so that a help that showed nothing would fail.
	if _, out, _ := runArgs("help", "sim"); !strings.Contains(out, "  --seed N\n        run seed N, printing the scenario's output (default 1)\n") {
		t.Errorf("help sim does not show --seed with its value, description and default:\n%s", out)
	}
}

// Flags may come before, between or after the positional arguments of every command
// that takes some; -h after them shows the help, an unknown flag after them is a
// flag error, and -- makes what follows positional.
func TestFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	demo, err := os.ReadFile(testTrace)
	if err != nil {
		t.Fatal(err)
	}
	a := writeFile(t, dir, "a.jsonl", demo)
	// b: one timer fired a microsecond later, which --ignore-timing ignores.
	b := writeFile(t, dir, "b.jsonl", bytes.Replace(demo, []byte(`"t":3002008527,"source":"timer"`), []byte(`"t":3002009527,"source":"timer"`), 1))
	recorded := filepath.Join(dir, "echo.jsonl")
	if code, _, errOut := runArgs("record", "echo", "-o", recorded); code != 0 {
		t.Fatalf("record: exit %d: %s", code, errOut)
	}
	var reports []string
	for _, shard := range []string{"1/2", "2/2"} {
		r := filepath.Join(dir, "shard"+shard[:1]+".json")
		if code, _, errOut := runArgs("sim", "echo", "--seeds", "1-4", "--shard", shard, "--report", r); code != 0 {
			t.Fatalf("sim --report: exit %d: %s", code, errOut)
		}
		reports = append(reports, r)
	}
	script := writeFile(t, dir, "hello.js", []byte("console.log('hello from ' + process.argv.length);\n"))
	cases := map[string]struct {
		pos, flags []string
		want       string // in stdout
		file       string // a file the command must write
	}{
		"sim":    {pos: []string{"echo"}, flags: []string{"--seed", "2", "--swarm"}, want: "seed 2: ok"},
		"record": {pos: []string{"echo"}, flags: []string{"-o", filepath.Join(dir, "rec.jsonl")}, file: filepath.Join(dir, "rec.jsonl")},
		"replay": {pos: []string{recorded}, want: "replayed identically"},
		"check":  {pos: []string{a}, want: "every invariant holds"},
		"diff":   {pos: []string{a, b}, flags: []string{"--ignore-timing", "--ignore-workers"}, want: "are the same"},
		"export": {pos: []string{a}, flags: []string{"--format", "chrome", "-o", filepath.Join(dir, "out.json")}, file: filepath.Join(dir, "out.json")},
		"view":   {pos: []string{a}, flags: []string{"-o", filepath.Join(dir, "out.html")}, file: filepath.Join(dir, "out.html")},
		"help":   {pos: []string{"diff"}, want: "--ignore-timing"},
		"run":    {pos: []string{script}, flags: []string{"--stack-size", "500"}, want: "hello from 2"},
		"report": {pos: append([]string{"merge"}, reports...), flags: []string{"-o", filepath.Join(dir, "merged.json")}, want: "echo: 4 seeds", file: filepath.Join(dir, "merged.json")},
	}
	for _, c := range commands {
		if c.args == "" {
			continue
		}
		tc, ok := cases[c.name]
		if !ok {
			t.Errorf("command %s takes arguments (%s): give it a case here", c.name, c.args)
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			orders := [][]string{
				append(append([]string{c.name}, tc.flags...), tc.pos...),
				append(append([]string{c.name}, tc.pos...), tc.flags...),
			}
			if len(tc.pos) > 1 {
				orders = append(orders, append(append(append([]string{c.name}, tc.pos[0]), tc.flags...), tc.pos[1:]...))
			}
			for _, args := range orders {
				if tc.file != "" {
					os.Remove(tc.file)
				}
				code, out, errOut := runArgs(args...)
				if code != 0 || !strings.Contains(out, tc.want) {
					t.Errorf("run(%q) = %d, stdout lacks %q?\n%s%s", args, code, tc.want, out, errOut)
				}
				if tc.file != "" {
					if fi, err := os.Stat(tc.file); err != nil || fi.Size() == 0 {
						t.Errorf("run(%q) wrote no %s: %v", args, tc.file, err)
					}
				}
			}
			args := append(append([]string{c.name}, tc.pos...), "-h")
			if code, out, _ := runArgs(args...); code != 0 || !strings.HasPrefix(out, "usage: nodeloop "+c.name) {
				t.Errorf("run(%q) = %d, stdout %q; want 0 and the help", args, code, out)
			}
			args = append(append([]string{c.name}, tc.pos...), "--no-such-flag")
			if code, _, errOut := runArgs(args...); code != 2 || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") {
				t.Errorf("run(%q) = %d, stderr %q; want 2 and the unknown flag", args, code, errOut)
			}
		})
	}
	// After --, an argument that starts with a dash is a file, not a flag.
	code, _, errOut := runArgs("check", "--", "-h")
	if code != 2 || !strings.Contains(errOut, "open -h:") {
		t.Errorf("check -- -h = %d, stderr %q; want 2 and the missing file -h", code, errOut)
	}
	// A flag's value may start with a dash or be --.
	code, out, _ := runArgs("export", a, "-o", "-")
	if code != 0 || !strings.Contains(out, "traceEvents") {
		t.Errorf("export FILE -o - = %d; want 0 and the JSON on stdout", code)
	}
}

// Bad usage, an unwritable output and an output that cannot be flushed exit 2 with a
// message naming what was wrong.
func TestExitTwo(t *testing.T) {
	dir := t.TempDir()
	unwritable := filepath.Join(dir, "no", "such", "dir", "out")
	cases := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"nosuch"}, `unknown command "nosuch"`},
		{[]string{"help", "nosuch"}, `no command "nosuch"`},
		{[]string{"help", "sim", "diff"}, "name one command"},
		{[]string{"bench", "--vs", "foo"}, `no peer "foo"`},
		{[]string{"bench", "--vs", "go,foo"}, `no peer "foo"`},
		{[]string{"bench", "--only", "nosuch"}, `no benchmark "nosuch"`},
		{[]string{"bench", "--scale", "NaN"}, "--scale"},
		{[]string{"bench", "--scale", "Inf"}, "--scale"},
		{[]string{"bench", "--scale", "+Inf"}, "--scale"},
		{[]string{"bench", "--scale", "0"}, "--scale"},
		{[]string{"bench", "--scale", "-1"}, "--scale"},
		{[]string{"bench", "--scale", "1e12"}, "--scale"},
		{[]string{"bench", "extra"}, `unexpected argument "extra"`},
		{[]string{"export", testTrace, "-o", unwritable}, unwritable},
		{[]string{"view", testTrace, "-o", unwritable}, unwritable},
		{[]string{"record", "echo", "-o", unwritable}, unwritable},
		{[]string{"sim", "--seed", "1", "--trace", unwritable}, unwritable},
		{[]string{"demo", "--trace", unwritable}, unwritable},
		{[]string{"sim", "--shard", "1/2"}, "--shard"},
		{[]string{"sim", "echo", "--shard", "1/2", "--seed", "4"}, "--shard"},
		{[]string{"sim", "--seed", "3", "--seeds", "1-5"}, "--seed"},
		{[]string{"sim", "--seeds", "1-5", "--seed", "1"}, "--seed"},
		{[]string{"sim", "--seeds", "1-9", "--shard", "0/3"}, `--shard "0/3"`},
		{[]string{"sim", "--seeds", "1-9", "--shard", "4/3"}, `--shard "4/3"`},
		{[]string{"sim", "--seeds", "1-9", "--shard", "1/0"}, `--shard "1/0"`},
		{[]string{"sim", "--seed", "-1"}, "-seed"},
		{[]string{"sim", "echo", "race"}, "name one scenario"},
		{[]string{"check", testTrace, "--foo"}, "flag provided but not defined: -foo"},
		{[]string{"check", "--foo", testTrace}, "flag provided but not defined: -foo"},
		{[]string{"check", "-o"}, "flag provided but not defined: -o"},
		{[]string{"export", testTrace, "-o"}, "flag needs an argument: -o"},
	}
	if runtime.GOOS == "linux" {
		// /dev/full takes the open and fails every write with ENOSPC: the trace or
		// the output cannot be flushed.
		cases = append(cases,
			struct {
				args []string
				want string
			}{[]string{"sim", "--seed", "1", "--trace", "/dev/full"}, "/dev/full"},
			struct {
				args []string
				want string
			}{[]string{"export", testTrace, "-o", "/dev/full"}, "/dev/full"},
			struct {
				args []string
				want string
			}{[]string{"record", "echo", "-o", "/dev/full"}, "/dev/full"},
		)
	}
	for _, tc := range cases {
		code, _, errOut := runArgs(tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// Every fault list sim.ParseFaults rejects reaches the user as exit 2 with its
// message, the trailing garbage of "reset=0.5xyz" included.
func TestSimBadFaults(t *testing.T) {
	for _, list := range []string{"gremlins", "reset=2", "reset=-0.1", "reset=x", "reset=0.5xyz", "reset=0.5,spike=NaN", "reset=0.0000005", "reset,reset"} {
		_, err := sim.ParseFaults(list)
		if err == nil {
			t.Errorf("sim.ParseFaults(%q) accepted it", list)
			continue
		}
		code, _, errOut := runArgs("sim", "echo", "--faults", list)
		if code != 2 || !strings.Contains(errOut, err.Error()) {
			t.Errorf("sim --faults %s = %d, stderr %q; want 2 and %q", list, code, errOut, err)
		}
	}
}

// failWriter is an output whose every write fails, as a closed pipe does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("the pipe is closed") }

// A stdout that fails is exit 2 naming stdout, even when the command found
// something (exit 1 is for a finding the user saw).
func TestFailingStdout(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	if code, _, errOut := runArgs("sim", "demo", "--seed", "3", "--trace", good); code != 0 {
		t.Fatalf("sim: exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(b, []byte(`"pending":1,`), []byte(`"pending":-1,`), 1)
	if bytes.Equal(broken, b) {
		t.Fatal("the trace has no pending count of 1 to break")
	}
	bad := writeFile(t, dir, "bad.jsonl", broken)
	if code, _, _ := runArgs("check", bad); code != 1 {
		t.Fatalf("check of the broken trace: exit %d, want 1", code)
	}
	for _, args := range [][]string{
		{"help"}, {"help", "sim"}, {"sim", "-h"},
		{"sim", "echo", "--seed", "1"},
		{"check", good}, {"check", bad},
		{"diff", good, good},
		{"export", good}, {"view", good},
	} {
		var errOut bytes.Buffer
		code := run(args, failWriter{}, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "writing stdout: the pipe is closed") {
			t.Errorf("run(%q) with a failing stdout = %d, stderr %q; want 2 naming stdout", args, code, errOut.String())
		}
		if n := strings.Count(errOut.String(), "the pipe is closed"); n != 1 {
			t.Errorf("run(%q) tells the failure %d times:\n%s", args, n, errOut.String())
		}
	}
}

// writeToFile flushes and closes the file when the run that writes it fails, and
// returns the run's error; a file that cannot be flushed is an error naming it.
func TestWriteToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	failed := errors.New("the run failed")
	err := writeToFile(path, func(w io.Writer) error {
		io.WriteString(w, "written before the failure\n")
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("writeToFile returned %v, want the run's error", err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "written before the failure\n" {
		t.Fatalf("the file holds %q (%v), want what was written before the failure", got, err)
	}
	if runtime.GOOS != "linux" {
		return // /dev/full is Linux's
	}
	err = writeToFile("/dev/full", func(w io.Writer) error {
		_, err := io.WriteString(w, "lost\n")
		return err // nil: the writer buffers
	})
	var ioe *ioError
	if !errors.As(err, &ioe) || !strings.Contains(err.Error(), "/dev/full") || exitCode(err) != 2 {
		t.Fatalf("writeToFile(/dev/full) returned %v, want an I/O error naming /dev/full", err)
	}
}

// demo --trace keeps the trace of a run that failed: flushed, closed, readable up to
// the failure, and the run's error returned.
func TestDemoTraceOfFailedRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "failed.jsonl")
	failing := func(l *nodeloop.Loop, out scenarios.Output) func() {
		return func() {
			out.Print("main", "about to fail")
			panic("the program fails")
		}
	}
	var stdout bytes.Buffer
	err := demo(failing, path, &stdout)
	var cp *nodeloop.CallbackPanic
	if !errors.As(err, &cp) {
		t.Fatalf("demo returned %v, want the callback's panic", err)
	}
	if !strings.Contains(stdout.String(), "about to fail") {
		t.Errorf("stdout %q lacks the program's line", stdout.String())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, events, err := traces.Decode(f)
	if err != nil {
		t.Fatalf("the trace of the failed run does not decode: %v", err)
	}
	if h.Scenario != "demo" || len(events) == 0 {
		t.Fatalf("the trace of the failed run has scenario %q and %d events", h.Scenario, len(events))
	}
}
