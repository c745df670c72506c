package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// unsupportedModule matches the error of a require the runtime cannot serve.
var unsupportedModule = regexp.MustCompile(`nodeloop: module '([a-z/]+)' is not supported`)

// examples/demo.js prints examples/demo.out under nodeloop run, and under node when
// it is installed. While the runtime lacks a module the script needs, nodeloop run
// must say which one, exit 1, and print nothing else.
func TestExampleDemoPrintsWhatNodePrints(t *testing.T) {
	script := filepath.Join("..", "..", "examples", "demo.js")
	want, err := os.ReadFile(filepath.Join("..", "..", "examples", "demo.out"))
	if err != nil {
		t.Fatal(err)
	}
	if node, err := exec.LookPath("node"); err == nil {
		got, err := exec.Command(node, script).Output()
		if err != nil {
			t.Fatalf("node %s: %v", script, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("node %s printed:\n%s\nwant examples/demo.out:\n%s", script, got, want)
		}
	} else {
		t.Logf("no node on PATH (bash bench/setup.sh installs it): examples/demo.out is what node printed")
	}
	var out, errOut bytes.Buffer
	code := run([]string{"run", script}, &out, &errOut)
	if m := unsupportedModule.FindStringSubmatch(errOut.String()); m != nil {
		if code != 1 || out.Len() != 0 {
			t.Fatalf("nodeloop run %s: exit %d and stdout %q for an unsupported module %s; want 1 and nothing", script, code, out.String(), m[1])
		}
		switch m[1] {
		case "fs", "crypto", "net":
			t.Logf("nodeloop run %s: the runtime has no module %s yet", script, m[1])
			return
		}
		t.Fatalf("nodeloop run %s: the script needs module %s, which is not one of fs, crypto and net", script, m[1])
	}
	if code != 0 || !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("nodeloop run %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant examples/demo.out:\n%s", script, code, out.String(), errOut.String(), want)
	}
}
