package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop/sim"
)

// helperEnv, set, makes TestHelperProcess run the command line with the arguments
// after "--" and exit with its code: the test binary is then the nodeloop command.
const helperEnv = "NODELOOP_TEST_HELPER_PROCESS"

// TestHelperProcess is not a test: in a child process started by nodeloopProcess it
// is the nodeloop command, and otherwise it does nothing.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	i := slices.Index(os.Args, "--")
	if i < 0 {
		fmt.Fprintln(os.Stderr, "helper process: no -- before the arguments")
		os.Exit(3)
	}
	os.Exit(run(os.Args[i+1:], os.Stdout, os.Stderr))
}

// shardVars are the variables --shard auto reads, which a child must not inherit
// from a CI that runs this test.
var shardVars = []string{
	sim.EnvShard, sim.EnvShards, "JOB_COMPLETION_INDEX", "CI_NODE_INDEX", "CI_NODE_TOTAL",
	"CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT",
}

// nodeloopProcess runs the command line in a process of its own, with env added to
// a copy of this one's environment cleared of shardVars, and returns its exit code
// and outputs.
func nodeloopProcess(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(shardVars, name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, helperEnv+"=1")
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %q: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// Five shards of a sweep run as separate processes, each finding its shard with
// --shard auto in the variables of a different batch engine, and their reports merge
// into the report of the same sweep run by one process; the JUnit XML counts its
// seeds and lists its failures.
func TestReportMergeShardProcesses(t *testing.T) {
	dir := t.TempDir()
	sweep := []string{"sim", "race", "--seeds", "1-400", "--cost", "0-2ms"}
	engines := []struct {
		env   []string
		where string
	}{
		{[]string{"JOB_COMPLETION_INDEX=0", "NODELOOP_SHARDS=5"}, "JOB_COMPLETION_INDEX=0, NODELOOP_SHARDS=5 (a Kubernetes Indexed Job)"},
		{[]string{"CI_NODE_INDEX=2", "CI_NODE_TOTAL=5"}, "CI_NODE_INDEX=2, CI_NODE_TOTAL=5 (GitLab CI parallel)"},
		{[]string{"CIRCLE_NODE_INDEX=2", "CIRCLE_NODE_TOTAL=5"}, "CIRCLE_NODE_INDEX=2, CIRCLE_NODE_TOTAL=5 (CircleCI parallelism)"},
		{[]string{"NODELOOP_SHARD=4/5"}, "NODELOOP_SHARD=4/5"},
		{[]string{"BUILDKITE_PARALLEL_JOB=4", "BUILDKITE_PARALLEL_JOB_COUNT=5"}, "BUILDKITE_PARALLEL_JOB=4, BUILDKITE_PARALLEL_JOB_COUNT=5 (Buildkite parallelism)"},
	}
	var files []string
	for k, e := range engines {
		file := filepath.Join(dir, fmt.Sprintf("shard-%d.json", k+1))
		files = append(files, file)
		code, out, errOut := nodeloopProcess(t, e.env, append(sweep, "--shard", "auto", "--report", file)...)
		if code != 1 {
			t.Fatalf("shard %d: exit %d, want 1 (failed seeds)\n%s%s", k+1, code, out, errOut)
		}
		if want := fmt.Sprintf("--shard auto: shard %d/5, from %s\n", k+1, e.where); !strings.Contains(errOut, want) {
			t.Errorf("shard %d: stderr lacks %q:\n%s", k+1, want, errOut)
		}
		if want := fmt.Sprintf("(1-400, shard %d/5)", k+1); !strings.Contains(out, want) {
			t.Errorf("shard %d: summary lacks %q:\n%s", k+1, want, out)
		}
	}
	whole := filepath.Join(dir, "whole.json")
	if code, out, errOut := nodeloopProcess(t, nil, append(sweep, "--report", whole)...); code != 1 {
		t.Fatalf("whole sweep: exit %d\n%s%s", code, out, errOut)
	}
	merged, junit := filepath.Join(dir, "merged.json"), filepath.Join(dir, "junit.xml")
	code, out, errOut := nodeloopProcess(t, nil, append([]string{"report", "merge", "-o", merged, "--junit", junit}, files...)...)
	if code != 1 || !strings.Contains(out, "race: 400 seeds (1-400, 5 reports)") || !strings.Contains(out, "reproduce: nodeloop sim race --seed ") {
		t.Fatalf("merge: exit %d, want 1\n%s%s", code, out, errOut)
	}
	want, got := readReport(t, whole), readReport(t, merged)
	want.Elapsed, got.Elapsed = 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("the merged report differs from the single sweep's (-single +merged):\n%s", diff)
	}
	if want.Runs != 400 || want.Failed == 0 || len(want.Failures) == 0 {
		t.Fatalf("the sweep ran %d seeds, %d failed: want 400 and some failures", want.Runs, want.Failed)
	}

	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    uint64 `xml:"tests,attr"`
		Failures uint64 `xml:"failures,attr"`
		Suites   []struct {
			Tests    uint64 `xml:"tests,attr"`
			Failures uint64 `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit: %v\n%s", err, b)
	}
	if doc.Tests != 400 || doc.Failures != want.Failed || len(doc.Suites) != 1 || doc.Suites[0].Tests != 400 || doc.Suites[0].Failures != want.Failed {
		t.Fatalf("junit: %d tests, %d failures, %d suites; want 400 tests, %d failures, one suite", doc.Tests, doc.Failures, len(doc.Suites), want.Failed)
	}
	failing, omitted := 0, fmt.Sprintf("%d more failing seeds", want.FailuresOmitted)
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil && want.FailuresOmitted > 0 && c.Name == omitted {
			// The failures past those the report keeps are counted in one case.
			if !strings.HasPrefix(c.Failure.Message, fmt.Sprintf("%d failing seeds past the %d smallest", want.FailuresOmitted, len(want.Failures))) {
				t.Errorf("junit case %q: message %q", c.Name, c.Failure.Message)
			}
			continue
		}
		if c.Failure != nil {
			failing++
			if !strings.Contains(c.Failure.Text, "reproduce: nodeloop sim race --seed ") {
				t.Errorf("junit case %q: %q has no reproduce command", c.Name, c.Failure.Text)
			}
		}
	}
	if failing != len(want.Failures) {
		t.Fatalf("junit has %d failing cases, the report %d failures", failing, len(want.Failures))
	}
}

func readReport(t *testing.T, path string) *sim.SweepReport {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := sim.ReadSweepReport(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// Reports that do not cover one range once under one configuration do not merge:
// exit 2, naming the gap, the overlap or what differs, and nothing is written.
// A clean sweep merges with exit 0.
func TestReportMergeErrors(t *testing.T) {
	dir := t.TempDir()
	shard := func(name string, args ...string) string {
		file := filepath.Join(dir, name)
		if code, _, errOut := runArgs(append([]string{"sim", "echo", "--report", file}, args...)...); code != 0 {
			t.Fatalf("sim %q: exit %d: %s", args, code, errOut)
		}
		return file
	}
	a := shard("a.json", "--seeds", "1-9", "--shard", "1/2")
	b := shard("b.json", "--seeds", "1-9", "--shard", "2/2")
	c := shard("c.json", "--seeds", "10-12")
	d := shard("d.json", "--seeds", "14-20")
	e := shard("e.json", "--seeds", "1-9", "--shard", "2/2", "--faults", "reset")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format":"nodeloop-trace"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "merged.json")
	for _, tt := range []struct {
		files []string
		want  string
	}{
		{[]string{a}, "gap: no report ran shard 2/2 of seeds 1-9"},
		{[]string{a, b, b}, "overlap: " + b + " and " + b + " both ran shard 2/2 of seeds 1-9"},
		{[]string{a, b, d}, "gap: no report ran seeds 10-13"},
		{[]string{a, e}, "mismatch: " + a + " and " + e + " differ in config faults"},
		{[]string{a, bad}, bad + `: not a sweep report: the format is "nodeloop-trace"`},
		{[]string{a, filepath.Join(dir, "none.json")}, "none.json"},
	} {
		code, _, errOut := runArgs(append([]string{"report", "merge", "-o", out}, tt.files...)...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("merge %q: exit %d, stderr %q; want 2 and %q", tt.files, code, errOut, tt.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("merge %q wrote %s", tt.files, out)
		}
	}
	code, stdout, errOut := runArgs("report", "merge", c, b, a, "-o", "-")
	if code != 0 || !strings.Contains(errOut, "echo: 12 seeds (1-12, 3 reports)") {
		t.Fatalf("merge of a clean sweep: exit %d\n%s", code, errOut)
	}
	m, err := sim.ReadSweepReport(strings.NewReader(stdout))
	if err != nil || m.Runs != 12 || m.Failed != 0 || m.Seeds != (sim.Seeds{First: 1, Last: 12}) {
		t.Fatalf("merged report on stdout: %v, %+v", err, m)
	}
	for _, args := range [][]string{{"report"}, {"report", "split", a}, {"report", "merge"}} {
		if code, _, errOut := runArgs(args...); code != 2 || !strings.Contains(errOut, "usage:") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, code, errOut)
		}
	}
}

// The sweep flags that need another are usage errors without it, and --shard auto
// with no engine in the environment says which variables it looked for.
func TestSimSweepFlags(t *testing.T) {
	for _, v := range shardVars {
		t.Setenv(v, "")
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sim", "--report", "x.json"}, "--report writes the report of a sweep"},
		{[]string{"sim", "--seeds", "1-9", "--shards", "4"}, "--shards gives the number of shards to --shard auto"},
		{[]string{"sim", "--seeds", "1-9", "--shard", "auto"}, "--shard auto: no shard in the environment: none of NODELOOP_SHARD, JOB_COMPLETION_INDEX"},
		{[]string{"sim", "--seeds", "0-18446744073709551615"}, "2^64 seeds"},
		{[]string{"sim", "--seeds", "1-18446744073709551616"}, "a seed is at most 18446744073709551615"},
	} {
		if code, _, errOut := runArgs(tt.args...); code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
	t.Setenv("JOB_COMPLETION_INDEX", "1")
	code, out, errOut := runArgs("sim", "echo", "--seeds", "1-6", "--shard", "auto", "--shards", "3", "-j", "100000")
	if code != 0 || !strings.Contains(out, "echo: 2 seeds (1-6, shard 2/3)") || !strings.Contains(errOut, "-j 100000: running") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// The sweep command lines of docs/kubernetes-sweep.yaml and docs/github-actions-sweep.yml
// run (on fewer seeds) in the environment each engine gives them; the merge lines parse;
// the manifest's podFailurePolicy maps the exit codes of findings and of bad usage as
// its comments say, and its completions match NODELOOP_SHARDS.
func TestSweepDocs(t *testing.T) {
	cmdRE := regexp.MustCompile(`(?:\./)?nodeloop ((?:sim|report) .*)$`)
	for _, tt := range []struct {
		file string
		env  map[string]string
		vars map[string]string // what the engine substitutes into the command line
	}{
		{"kubernetes-sweep.yaml", map[string]string{"JOB_COMPLETION_INDEX": "3", "NODELOOP_SHARDS": "20"}, map[string]string{"$JOB_COMPLETION_INDEX": "3"}},
		{"github-actions-sweep.yml", map[string]string{"NODELOOP_SHARD": "3/8"}, map[string]string{"${{ matrix.shard }}": "3"}},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range shardVars {
			t.Setenv(v, tt.env[v])
		}
		dir := t.TempDir()
		ran, merges := 0, 0
		for _, line := range strings.Split(string(b), "\n") {
			m := cmdRE.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				continue
			}
			cmdline := m[1]
			for k, v := range tt.vars {
				cmdline = strings.ReplaceAll(cmdline, k, v)
			}
			args := strings.Fields(cmdline)
			if args[0] == "report" {
				c, _ := lookupCommand("report")
				fs, _ := c.flagSet()
				if _, err := parseArgs(fs, args[1:]); err != nil || args[1] != "merge" {
					t.Errorf("%s: %q: %v", tt.file, cmdline, err)
				}
				merges++
				continue
			}
			for i := range args {
				switch {
				case args[i] == "1-1000000":
					args[i] = "1-200"
				case i > 0 && args[i-1] == "--report":
					args[i] = filepath.Join(dir, filepath.Base(args[i]))
				}
			}
			code, out, errOut := runArgs(args...)
			if code != 0 {
				t.Errorf("%s: %q: exit %d\n%s%s", tt.file, args, code, out, errOut)
			}
			if want := "shard " + map[string]string{"kubernetes-sweep.yaml": "4/20", "github-actions-sweep.yml": "3/8"}[tt.file]; !strings.Contains(out, want) {
				t.Errorf("%s: %q ran %q, want %s", tt.file, args, out, want)
			}
			ran++
		}
		if ran != 1 || merges == 0 {
			t.Errorf("%s: %d sweep lines, %d merge lines; want 1 and some", tt.file, ran, merges)
		}
	}

	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "kubernetes-sweep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for action, code := range map[string]int{"FailIndex": exitCode(findingError{}), "FailJob": exitCode(usageError{})} {
		re := regexp.MustCompile(`- action: ` + action + `\b[^\n]*\n(?:[^\n]*\n){3}\s*values: \[(\d+)\]`)
		if m := re.FindStringSubmatch(text); m == nil || m[1] != fmt.Sprint(code) {
			t.Errorf("kubernetes-sweep.yaml: the %s rule is not for exit code %d: %q", action, code, m)
		}
	}
	completions := regexp.MustCompile(`completions: (\d+)`).FindStringSubmatch(text)
	shards := regexp.MustCompile(`name: NODELOOP_SHARDS\s+value: "(\d+)"`).FindStringSubmatch(text)
	if completions == nil || shards == nil || completions[1] != shards[1] {
		t.Errorf("kubernetes-sweep.yaml: completions %q, NODELOOP_SHARDS %q: want the same number", completions, shards)
	}
}
