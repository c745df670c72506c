package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nodeloop run's exit code is the script's, and the script's output is the
// command's.
func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, src string
		args      []string
		code      int
		stdout    string
		stderrHas string
	}{
		{"ok.js", "setTimeout(() => console.log('done'), 1);", nil, 0, "done\n", ""},
		{"args.js", "console.log(process.argv.slice(2).join(','));", []string{"a", "b", "--", "--flag"}, 0, "a,b,--flag\n", ""},
		{"exitcode.js", "process.exitCode = 3;", nil, 3, "", ""},
		{"exit.js", "process.on('exit', (c) => console.log('exit', c)); process.exit(42);", nil, 42, "exit 42\n", ""},
		{"throw.js", "throw new Error('boom');", nil, 1, "", "Error: boom"},
		{"handler.js", "process.on('uncaughtException', () => { throw new Error('again'); }); throw new Error('first');", nil, 7, "", "Error: again"},
		{"syntax.js", "let x = ;", nil, 1, "", "SyntaxError: Unexpected token ';'"},
		{"module.js", "require('http');", nil, 1, "", "nodeloop: module 'http' is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.name, tt.src)
			var out, errOut bytes.Buffer
			code := run(append([]string{"run", p}, tt.args...), &out, &errOut)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, errOut.String())
			}
			if out.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", out.String(), tt.stdout)
			}
			if !strings.Contains(errOut.String(), tt.stderrHas) {
				t.Errorf("stderr %q, want it to contain %q", errOut.String(), tt.stderrHas)
			}
			if strings.Contains(errOut.String(), "nodeloop: the script exited") {
				t.Errorf("stderr %q reports the script's exit code as an error", errOut.String())
			}
		})
	}
}

func TestRunMissingScript(t *testing.T) {
	p := filepath.Join(t.TempDir(), "absent.js")
	var out, errOut bytes.Buffer
	if code := run([]string{"run", p}, &out, &errOut); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if want := "Error: Cannot find module '" + p + "'"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q, want it to contain %q", errOut.String(), want)
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"run"}, &out, &errOut); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "missing FILE") {
		t.Errorf("stderr %q, want it to name the missing FILE", errOut.String())
	}
}
