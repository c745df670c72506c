package js_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
)

// Node's own tests of the surface the runtime implements, run unchanged. They are
// not in the repository: scripts/setup-node-tests.sh extracts them from Node's
// source into a cache directory, and testdata/nodetests.txt says, for each, whether
// it passes here and, when it does not, why.
const (
	nodeTestsVersion = "v20.19.2"
	nodeTestsSetup   = "bash scripts/setup-node-tests.sh"
	nodeTestsTable   = "testdata/nodetests.txt"
	// nodeTestLimit is how long one test may run before it counts as hung.
	nodeTestLimit = 30 * time.Second
	// nodeTestTimedOut is the exit code of a test stopped at its limit.
	nodeTestTimedOut = 124
	// nodeTestRuns is how many times a test runs before an outcome that differs
	// from the table's fails: Node's timer tests measure real time, which a loaded
	// machine stretches.
	nodeTestRuns = 3
	// nodeTestWorkers is how many tests run at once; most of their time is spent
	// waiting on timers.
	nodeTestWorkers = 4
)

// nodeTestsDir is where scripts/setup-node-tests.sh puts Node's tests:
// $NODELOOP_NODE_TESTS, or the user's cache directory.
func nodeTestsDir() string {
	if d := os.Getenv("NODELOOP_NODE_TESTS"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "nodeloop", "node-tests", nodeTestsVersion)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "nodeloop", "node-tests", nodeTestsVersion)
}

// nodeTestExpectation is one line of testdata/nodetests.txt.
type nodeTestExpectation struct {
	outcome string // pass, fail or skip
	reason  string // why it fails or is skipped
	line    int
}

// readNodeTestsTable reads the table: a line per test file, "NAME pass",
// "NAME fail REASON" or "NAME skip REASON"; blank lines and lines starting with #
// are comments.
func readNodeTestsTable(t *testing.T) map[string]nodeTestExpectation {
	t.Helper()
	f, err := os.Open(nodeTestsTable)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	table := map[string]nodeTestExpectation{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			t.Fatalf("%s:%d: want NAME pass, NAME fail REASON or NAME skip REASON, got %q", nodeTestsTable, n, line)
		}
		e := nodeTestExpectation{outcome: fields[1], reason: strings.Join(fields[2:], " "), line: n}
		switch {
		case e.outcome == "pass" && e.reason != "":
			t.Fatalf("%s:%d: a passing test has no reason, got %q", nodeTestsTable, n, e.reason)
		case (e.outcome == "fail" || e.outcome == "skip") && e.reason == "":
			t.Fatalf("%s:%d: %s %s needs its reason", nodeTestsTable, n, fields[0], e.outcome)
		case e.outcome != "pass" && e.outcome != "fail" && e.outcome != "skip":
			t.Fatalf("%s:%d: outcome %q is not pass, fail or skip", nodeTestsTable, n, e.outcome)
		}
		if _, dup := table[fields[0]]; dup {
			t.Fatalf("%s:%d: %s is listed twice", nodeTestsTable, n, fields[0])
		}
		table[fields[0]] = e
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return table
}

// nodeTestResult is what one run of one of Node's tests did.
type nodeTestResult struct {
	outcome        string
	code           int
	timedOut       bool
	stdout, stderr string
}

// summary is the run in a few words, for a failure's message.
func (r nodeTestResult) summary() string {
	s := fmt.Sprintf("%s, exit %d", r.outcome, r.code)
	if r.timedOut {
		s += fmt.Sprintf(" (stopped at the %v limit)", nodeTestLimit)
	}
	return s
}

// runNodeTest runs one of Node's tests as `nodeloop run` would, on a fresh loop on
// the real OS, stopping it at nodeTestLimit. A test passes when it exits with 0,
// and is skipped when it prints the test runner's "1..0 # Skipped" line.
func runNodeTest(path string) (nodeTestResult, error) {
	env, err := nodeTestEnv(path)
	if err != nil {
		return nodeTestResult{}, err
	}
	pool := js.NewThreadPool()
	l, err := nodeloop.New(nodeloop.WithPool(pool))
	if err != nil {
		return nodeTestResult{}, err
	}
	var stdout, stderr bytes.Buffer
	rt, err := js.New(l, js.Config{Env: env, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		l.Close()
		return nodeTestResult{}, err
	}
	pool.Bind(rt)
	// The limit breaks the script out of whatever it runs (Interrupt is safe from
	// any goroutine) and ends the program from the loop's goroutine; done, read
	// and written only there, keeps a late limit from touching a finished run.
	var timedOut atomic.Bool
	done := false
	limit := time.AfterFunc(nodeTestLimit, func() {
		timedOut.Store(true)
		_ = l.Post(func() {
			if !done {
				js.ExitForTest(rt, nodeTestTimedOut)
			}
		})
		js.InterruptForTest(rt)
	})
	code, runErr := rt.RunMain(path)
	done = true
	limit.Stop()
	l.Close()
	if runErr != nil {
		return nodeTestResult{}, runErr
	}
	r := nodeTestResult{code: code, timedOut: timedOut.Load(), stdout: stdout.String(), stderr: stderr.String()}
	switch {
	case strings.Contains(r.stdout, "1..0 # Skipped"):
		r.outcome = "skip"
	case code == 0 && !r.timedOut:
		r.outcome = "pass"
	default:
		r.outcome = "fail"
	}
	return r, nil
}

// nodeTestEnv is the environment of one of Node's tests. Node's test runner gives
// node the flags of the test's "// Flags:" line; of those, the runtime takes
// --unhandled-rejections, from NODE_OPTIONS as node does. The others are not
// given: the table says which tests need them.
func nodeTestEnv(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var options []string
	for _, line := range strings.Split(string(data), "\n") {
		flags, ok := strings.CutPrefix(strings.TrimSpace(line), "// Flags:")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(flags) {
			if strings.HasPrefix(f, "--unhandled-rejections=") {
				options = append(options, f)
			}
		}
	}
	if len(options) == 0 {
		return nil, nil
	}
	return []string{"NODE_OPTIONS=" + strings.Join(options, " ")}, nil
}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNodeTests runs Node 20's own tests of timers, nextTick, microtasks, process
// exit and beforeExit, unhandled rejections and EventEmitter, unchanged, with
// require('../common') reaching the runtime's own helpers (testdata/common), and
// compares each outcome with testdata/nodetests.txt: a test that passes although
// the table says it fails shows a fix, one that fails although the table says it
// passes a regression. Without the tests downloaded it skips, naming the command
// that downloads them, except on CI (CI=true), where it fails.
func TestNodeTests(t *testing.T) {
	src := filepath.Join(nodeTestsDir(), "test", "parallel")
	names, err := filepath.Glob(filepath.Join(src, "test-*.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		msg := fmt.Sprintf("Node's tests are not in %s: run %s (NODELOOP_NODE_TESTS chooses another directory)", src, nodeTestsSetup)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	sort.Strings(names)
	table := readNodeTestsTable(t)

	// Node's layout, test/parallel beside test/common, with our common.
	root := t.TempDir()
	parallel := filepath.Join(root, "test", "parallel")
	common := filepath.Join(root, "test", "common")
	for _, d := range []string{parallel, common} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range names {
		copyFile(t, filepath.Join(src, n), filepath.Join(parallel, n))
	}
	helpers, err := filepath.Glob(filepath.Join("testdata", "common", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range helpers {
		copyFile(t, h, filepath.Join(common, filepath.Base(h)))
	}

	// Every test once, a few at a time.
	results := make([]nodeTestResult, len(names))
	errs := make([]error, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := nodeTestWorkers
	if runtime.GOMAXPROCS(0) > workers {
		workers = runtime.GOMAXPROCS(0)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(names) {
					return
				}
				results[i], errs[i] = runNodeTest(filepath.Join(parallel, names[i]))
			}
		}()
	}
	wg.Wait()

	counts := map[string]int{}
	reasons := map[string]int{}
	for i, name := range names {
		t.Run(strings.TrimSuffix(name, ".js"), func(t *testing.T) {
			want, listed := table[name]
			if errs[i] != nil {
				t.Fatalf("%s: %v", name, errs[i])
			}
			got := results[i]
			if !listed {
				t.Errorf("%s is not in %s; it %s: add a line for it\nstderr:\n%s", name, nodeTestsTable, got.summary(), tail(got.stderr))
				return
			}
			// An outcome other than the table's must show on every run to count.
			for try := 1; got.outcome != want.outcome && try < nodeTestRuns; try++ {
				r, err := runNodeTest(filepath.Join(parallel, name))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if r.outcome == want.outcome {
					t.Logf("%s: %s on run 1, %s on run %d as the table says", name, got.summary(), r.outcome, try+1)
				}
				got = r
			}
			counts[got.outcome]++
			if want.outcome != "pass" {
				reasons[want.outcome+": "+want.reason]++
			}
			switch {
			case got.outcome == want.outcome:
			case got.outcome == "pass":
				t.Errorf("%s passes, but %s:%d says %s (%s): make it pass there", name, nodeTestsTable, want.line, want.outcome, want.reason)
			default:
				t.Errorf("%s: %s, but %s:%d says %s\nstdout:\n%s\nstderr:\n%s", name, got.summary(), nodeTestsTable, want.line, want.outcome, tail(got.stdout), tail(got.stderr))
			}
		})
	}
	for name := range table {
		if i := sort.SearchStrings(names, name); i == len(names) || names[i] != name {
			t.Errorf("%s lists %s, which is not in %s: run %s again", nodeTestsTable, name, src, nodeTestsSetup)
		}
	}

	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if reasons[keys[i]] != reasons[keys[j]] {
			return reasons[keys[i]] > reasons[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var sum strings.Builder
	fmt.Fprintf(&sum, "Node %s's tests: %d selected, %d pass, %d fail, %d skip", nodeTestsVersion, len(names), counts["pass"], counts["fail"], counts["skip"])
	for _, k := range keys {
		fmt.Fprintf(&sum, "\n  %3d %s", reasons[k], k)
	}
	t.Log(sum.String())
}

// tail is the end of a test's output, enough to see why it failed.
func tail(s string) string {
	const max = 2000
	if len(s) > max {
		return "..." + s[len(s)-max:]
	}
	return s
}
