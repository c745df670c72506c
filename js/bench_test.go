package js_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/internal/cputime"
	"github.com/nodeloop/nodeloop/js"
)

// benchScript runs src, which does b.N steps of some kind, as a main script.
func benchScript(b *testing.B, src string) {
	path := filepath.Join(b.TempDir(), "bench.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	l, err := nodeloop.New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	rt, err := js.New(l, js.Config{Args: []string{itoa(b.N)}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cputime.Process()
	code, err := rt.RunMain(path)
	if err != nil || code != 0 {
		b.Fatalf("exit %d, %v", code, err)
	}
	// The CPU time is the figure to compare with node's on a busy machine, where
	// the wall time also counts the other processes' turns.
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

// BenchmarkImmediateTurn is one turn of a chain of setImmediate callbacks.
func BenchmarkImmediateTurn(b *testing.B) {
	benchScript(b, `const total = +process.argv[2]; let n = 0;
function next() { if (++n < total) setImmediate(next); }
setImmediate(next);`)
}

// BenchmarkTickPromiseStep is one step of a chain alternating nextTick and promise
// reactions.
func BenchmarkTickPromiseStep(b *testing.B) {
	benchScript(b, `const total = +process.argv[2]; let n = 0;
function step() { if (++n >= total) return; if (n % 2) process.nextTick(step); else Promise.resolve().then(step); }
step();`)
}

// BenchmarkTimerFire is one timeout, created up front and fired.
func BenchmarkTimerFire(b *testing.B) {
	benchScript(b, `const total = +process.argv[2];
for (let i = 0; i < total; i++) setTimeout(() => {}, 1);`)
}
