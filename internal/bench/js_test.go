package bench

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// testOps is the operation count the tests run benchmark name with: smallOps, but
// for JSStart, whose every operation is a whole process.
func testOps(name string) int {
	if name == JSStart {
		return 2
	}
	return smallOps
}

var (
	buildOnce sync.Once
	builtExe  string
	buildErr  error
	buildDir  string
)

// nodeloopCommand builds the nodeloop command once for the package's tests and
// returns its path.
func nodeloopCommand(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("precondition: no go command to build nodeloop with")
	}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "nodeloop-bench-test-"); buildErr != nil {
			return
		}
		builtExe = filepath.Join(buildDir, "nodeloop")
		if runtime.GOOS == "windows" {
			builtExe += ".exe"
		}
		out, err := exec.Command(gocmd, "build", "-o", builtExe, "github.com/nodeloop/nodeloop/cmd/nodeloop").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + ": " + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtExe
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// TestJSBenchmarks: the group names the five JavaScript benchmarks, each with a
// script for node and none for libuv; nodeloop's rows need the nodeloop command and
// say so without one.
func TestJSBenchmarks(t *testing.T) {
	want := []string{JSImmediates, JSTimers, JSTicks, JSPingPong, JSStart}
	if got := Expand(JSGroup); !slices.Equal(got, want) {
		t.Fatalf("Expand(%q) = %v, want %v", JSGroup, got, want)
	}
	for _, name := range want {
		if !hasPeer(ImplNode, name) || hasPeer(ImplLibuv, name) {
			t.Errorf("%s: node peer %v, libuv peer %v; want a node peer only", name, hasPeer(ImplNode, name), hasPeer(ImplLibuv, name))
		}
		f, ok := Lookup(name, ImplNodeloop)
		if !ok {
			t.Fatalf("Workloads has no nodeloop implementation of %s", name)
		}
		if _, err := f(1); err == nil {
			t.Errorf("%s without a nodeloop command: no error", name)
		}
	}
}

// TestJSSameResult: nodeloop run and node run one script each and report the same
// benchmark, each naming itself.
func TestJSSameResult(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skipf("precondition: no node on PATH: %v", err)
	}
	exe := nodeloopCommand(t)
	dir := t.TempDir()
	if err := writeJS(dir); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, filepath.FromSlash(jsSource(JSTicks)))
	for _, tt := range []struct {
		impl   string
		runner []string
	}{
		{ImplNodeloop, []string{exe, "run"}},
		{ImplNode, []string{"node"}},
	} {
		r, err := runJS(t.Context(), tt.runner, script, JSTicks, tt.impl, 100)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, JSTicks, tt.impl, 100)
		if r.CPU <= 0 {
			t.Errorf("%s: cpu_ns %v, want > 0", r, r.CPU)
		}
	}
}
