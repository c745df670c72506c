package js_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// Only package js imports the engine; the loop and the simulator never link it.
func TestOnlyJSImportsGoja(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("no go command to list the imports with")
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(gocmd, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/nodeloop/nodeloop/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list listed only %q", lines)
	}
	for _, ln := range lines {
		fields := strings.Fields(ln)
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/dop251/goja") && fields[0] != "github.com/nodeloop/nodeloop/js" {
				t.Errorf("%s imports %s: only package js may", fields[0], imp)
			}
		}
	}
	deps, err := exec.Command(gocmd, "list", "-deps", "github.com/nodeloop/nodeloop", "github.com/nodeloop/nodeloop/sim").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if strings.HasPrefix(d, "github.com/dop251/goja") {
			t.Errorf("the loop or the simulator depends on %s", d)
		}
	}
}
