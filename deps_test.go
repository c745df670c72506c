package nodeloop_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// The loop links neither go-cmp, which is for tests and tools, nor what the trace
// exporters need (html, html/template, embed): those live in packages that only the
// command line and tests import.
func TestDepsStayOut(t *testing.T) {
	gocmd := goCommand(t)
	out, err := exec.Command(gocmd, "list", "-deps", "github.com/nodeloop/nodeloop").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/google/go-cmp") || d == "html" || d == "html/template" || d == "embed" {
			t.Errorf("package nodeloop depends on %s", d)
		}
	}
}

// goCommand returns the go command, skipping the test where there is none.
func goCommand(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("no go command to list the imports with")
	}
	if err != nil {
		t.Fatal(err)
	}
	return gocmd
}

// Each dependency that only one package needs is imported by that package alone,
// and neither the loop nor the simulator (nor, for porcupine, the property tests)
// links it: goja for JavaScript, porcupine for the kv store's history.
func TestDepsHaveOneOwner(t *testing.T) {
	gocmd := goCommand(t)
	out, err := exec.Command(gocmd, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/nodeloop/nodeloop/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list listed only %q", lines)
	}
	for _, tc := range []struct {
		module, owner string
		free          []string // packages that must not depend on module
	}{
		{"github.com/dop251/goja", "github.com/nodeloop/nodeloop/js",
			[]string{"github.com/nodeloop/nodeloop", "github.com/nodeloop/nodeloop/sim"}},
		{"github.com/anishathalye/porcupine", "github.com/nodeloop/nodeloop/scenarios/kv",
			[]string{"github.com/nodeloop/nodeloop", "github.com/nodeloop/nodeloop/sim", "github.com/nodeloop/nodeloop/properties"}},
	} {
		for _, ln := range lines {
			fields := strings.Fields(ln)
			for _, imp := range fields[1:] {
				if strings.HasPrefix(imp, tc.module) && fields[0] != tc.owner {
					t.Errorf("%s imports %s: only %s may", fields[0], imp, tc.owner)
				}
			}
		}
		deps, err := exec.Command(gocmd, append([]string{"list", "-deps"}, tc.free...)...).Output()
		if err != nil {
			t.Fatalf("go list -deps: %v", err)
		}
		for _, d := range strings.Fields(string(deps)) {
			if strings.HasPrefix(d, tc.module) {
				t.Errorf("one of %s depends on %s", strings.Join(tc.free, ", "), d)
			}
		}
	}
}
