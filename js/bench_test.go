package js_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dop251/goja"
	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/internal/cputime"
	"github.com/nodeloop/nodeloop/js"
)

// benchScript runs the script of one of nodeloop bench's JavaScript workloads
// (internal/bench/peers/js/NAME.js) in process with b.N operations, for a profile of
// the runtime:
//
//	go test ./js -run '^$' -bench ImmediateTurn -cpuprofile cpu.out
//
// It reports the CPU time per operation beside the wall time: on a busy machine
// the wall time also counts the other processes' turns.
func benchScript(b *testing.B, name string) {
	benchPath(b, filepath.Join("..", "internal", "bench", "peers", "js", name+".js"))
}

// benchSource runs src, which does the number of steps its first argument says, as
// benchScript runs a workload's script.
func benchSource(b *testing.B, src string) {
	path := filepath.Join(b.TempDir(), "bench.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	benchPath(b, path)
}

func benchPath(b *testing.B, path string) {
	l, err := nodeloop.New()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	rt, err := js.New(l, js.Config{Args: []string{strconv.Itoa(b.N)}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cputime.Process()
	code, err := rt.RunMain(path)
	if err != nil || code != 0 {
		b.Fatalf("exit %d, %v", code, err)
	}
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkImmediateTurn is one turn of a chain of setImmediate callbacks.
func BenchmarkImmediateTurn(b *testing.B) { benchScript(b, "immediates") }

// BenchmarkTickPromiseStep is one step of a chain alternating nextTick and promise
// reactions.
func BenchmarkTickPromiseStep(b *testing.B) { benchScript(b, "ticks") }

// BenchmarkTimerFire is one timeout, created up front and fired; the delays grow by
// 1 ms every 1,000 timers.
func BenchmarkTimerFire(b *testing.B) { benchScript(b, "timers") }

// BenchmarkPingPong is one round trip of a net client and server over loopback.
func BenchmarkPingPong(b *testing.B) { benchScript(b, "pingpong") }

// BenchmarkTickStep and BenchmarkPromiseStep are the two halves of
// BenchmarkTickPromiseStep: a chain of nextTick callbacks alone, and a chain of
// promise reactions alone.
func BenchmarkTickStep(b *testing.B) {
	benchSource(b, `const n = +process.argv[2]; let i = 0;
function step() { if (++i < n) process.nextTick(step); }
step();`)
}

func BenchmarkPromiseStep(b *testing.B) {
	benchSource(b, `const n = +process.argv[2]; let i = 0;
function step() { if (++i < n) Promise.resolve().then(step); }
step();`)
}

// BenchmarkEnginePromiseStep is BenchmarkPromiseStep's chain on a bare goja runtime,
// with no loop, no tick queue and no module of this package: the engine's own cost
// of a promise reaction, below which no step of the nextTick/promise workload can
// go.
func BenchmarkEnginePromiseStep(b *testing.B) {
	vm := goja.New()
	if err := vm.Set("n", b.N); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	if _, err := vm.RunString(`let i = 0;
function step() { if (++i < n) Promise.resolve().then(step); }
step();`); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	if got, want := vm.Get("i").ToInteger(), int64(max(b.N, 1)); got != want {
		b.Fatalf("the chain took %d steps, want %d", got, want)
	}
}

// BenchmarkEngineTypedArrayLength and BenchmarkEngineArrayLength read the length
// of a Uint8Array and of an Array on a bare goja runtime. The engine looks up
// every property of a typed array by name as a possible index first, parsing the
// name as a number and making errors that it drops, so that a Buffer's length
// costs several times an Array's: the ping-pong workload's script reads the length
// of each chunk once per byte, and that is most of what its handler costs.
func BenchmarkEngineTypedArrayLength(b *testing.B) {
	benchEngineLength(b, "new Uint8Array(4)")
}

func BenchmarkEngineArrayLength(b *testing.B) {
	benchEngineLength(b, "[0, 0, 0, 0]")
}

func benchEngineLength(b *testing.B, make string) {
	vm := goja.New()
	if err := vm.Set("n", b.N); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	v, err := vm.RunString(`(function () {
  const a = ` + make + `;
  const m = n;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += a.length;
  return sum;
})()`)
	if err != nil {
		b.Fatal(err)
	}
	if got, want := v.ToInteger(), int64(4*b.N); got != want {
		b.Fatalf("the lengths add up to %d, want %d", got, want)
	}
}
