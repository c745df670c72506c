package js_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// orderProgram writes a random program of nested nextTicks, promise reactions,
// queueMicrotask calls, immediates, awaits and caught rejections, each logging a
// label, whose order is fixed by Node's rules alone (no timer races the clock).
func orderProgram(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 0x6e6f64656c6f6f70))
	n := 0
	var block func(depth int) string
	block = func(depth int) string {
		var b strings.Builder
		for range 1 + r.IntN(3) {
			n++
			label := fmt.Sprintf("n%d", n)
			if depth >= 3 {
				fmt.Fprintf(&b, "console.log('%s');\n", label)
				continue
			}
			body := fmt.Sprintf("console.log('%s');\n%s", label, block(depth+1))
			switch r.IntN(8) {
			case 0:
				fmt.Fprintf(&b, "process.nextTick(() => {\n%s});\n", body)
			case 1:
				fmt.Fprintf(&b, "Promise.resolve().then(() => {\n%s});\n", body)
			case 2:
				fmt.Fprintf(&b, "queueMicrotask(() => {\n%s});\n", body)
			case 3:
				fmt.Fprintf(&b, "setImmediate(() => {\n%s});\n", body)
			case 4:
				fmt.Fprintf(&b, "console.log('%s');\n", label)
			case 5:
				fmt.Fprintf(&b, "(async () => {\nawait null;\n%sawait 0;\nconsole.log('%sb');\n})();\n", body, label)
			case 6:
				fmt.Fprintf(&b, "Promise.resolve().then(() => console.log('%sa')).then(() => {\n%s});\n", label, body)
			case 7:
				fmt.Fprintf(&b, "Promise.reject(new Error('x')).catch(() => {\n%s});\n", body)
			}
		}
		return b.String()
	}
	return block(0)
}

// TestOrderMatchesNode runs random ordering programs in the runtime and in node,
// where Node.js 20 is installed, and compares what they print.
func TestOrderMatchesNode(t *testing.T) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "v20.") {
		t.Skip("Node.js 20 is not installed: nothing to compare the order with")
	}
	programs := 30
	if testing.Short() {
		programs = 10
	}
	dir := t.TempDir()
	for seed := range uint64(programs) {
		path := filepath.Join(dir, fmt.Sprintf("order%d.js", seed))
		if err := os.WriteFile(path, []byte(orderProgram(seed)), 0o644); err != nil {
			t.Fatal(err)
		}
		want := runNode(t, path)
		got := runScript(t, path)
		if got != want {
			t.Errorf("seed %d: the runtime printed (exit %d):\n%s%s\nnode printed (exit %d):\n%s%s\nthe program:\n%s",
				seed, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr, orderProgram(seed))
		}
	}
}

// The generated programs are not trivial: they nest and print.
func TestOrderProgramShape(t *testing.T) {
	src := orderProgram(1)
	if !strings.Contains(src, "console.log(") || strings.Count(src, "\n") < 3 {
		t.Fatalf("orderProgram(1) is too small:\n%s", src)
	}
	if orderProgram(1) != src {
		t.Fatal("orderProgram is not a function of its seed")
	}
}
