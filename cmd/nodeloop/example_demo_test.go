package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// examples/demo.js prints examples/demo.out under nodeloop run, and under node when
// it is installed.
func TestExampleDemoPrintsWhatNodePrints(t *testing.T) {
	script := filepath.Join("..", "..", "examples", "demo.js")
	want, err := os.ReadFile(filepath.Join("..", "..", "examples", "demo.out"))
	if err != nil {
		t.Fatal(err)
	}
	if node, err := exec.LookPath("node"); err == nil {
		// The demo's order rests on real time (its timers against its file
		// reads and HTTP call), which a loaded machine can stall: each side has
		// three runs to print it.
		var got []byte
		for try := 0; try < 3 && (try == 0 || !bytes.Equal(got, want)); try++ {
			if got, err = exec.Command(node, script).Output(); err != nil {
				t.Fatalf("node %s: %v", script, err)
			}
		}
		if !bytes.Equal(got, want) {
			t.Errorf("node %s printed:\n%s\nwant examples/demo.out:\n%s", script, got, want)
		}
	} else {
		t.Logf("no node on PATH (bash bench/setup.sh installs it): examples/demo.out is what node printed")
	}
	var out, errOut bytes.Buffer
	code := -1
	for try := 0; try < 3 && (code != 0 || !bytes.Equal(out.Bytes(), want)); try++ {
		out.Reset()
		errOut.Reset()
		code = run([]string{"run", script}, &out, &errOut)
	}
	if code != 0 || !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("nodeloop run %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant examples/demo.out:\n%s", script, code, out.String(), errOut.String(), want)
	}
}
