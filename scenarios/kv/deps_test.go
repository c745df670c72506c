package kv_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// Only package kv imports the linearizability checker; the loop, the simulator
// and the property tests never link it.
func TestOnlyKVImportsPorcupine(t *testing.T) {
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
			if strings.HasPrefix(imp, "github.com/anishathalye/porcupine") && fields[0] != "github.com/nodeloop/nodeloop/scenarios/kv" {
				t.Errorf("%s imports %s: only package scenarios/kv may", fields[0], imp)
			}
		}
	}
	deps, err := exec.Command(gocmd, "list", "-deps", "github.com/nodeloop/nodeloop", "github.com/nodeloop/nodeloop/sim", "github.com/nodeloop/nodeloop/properties").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if strings.HasPrefix(d, "github.com/anishathalye/porcupine") {
			t.Errorf("the loop, the simulator or package properties depends on %s", d)
		}
	}
}
