package js_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnsupportedSyntax checks that what the engine cannot run fails naming it.
func TestUnsupportedSyntax(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"for await", "(async () => { for await (const v of [1]) console.log(v); })();\n", "for await...of is not supported"},
		{"async generator", "async function* g() { yield 1; }\n", "Async generators are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "main.js")
			if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			got := runScript(t, path)
			if got.code != 1 || !strings.Contains(got.stderr, "SyntaxError: "+tt.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and a SyntaxError saying %q", got.code, got.stderr, tt.want)
			}
		})
	}
}
