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
	gocmd, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("no go command to list the dependencies with")
	}
	if err != nil {
		t.Fatal(err)
	}
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
