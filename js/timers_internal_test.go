package js

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

// runInternal runs src as a main script and returns its runtime and stdout.
func runInternal(t *testing.T, src string) (*Runtime, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "main.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out bytes.Buffer
	rt, err := New(l, Config{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	code, err := rt.RunMain(path)
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v; output:\n%s", code, err, out.String())
	}
	return rt, out.String()
}

// The Immediates share one callback of the loop, which runs the first of the
// runtime's queue not cleared: clearing Immediates anywhere in the queue keeps the
// order, and Immediates queued and cleared while none runs leave nothing queued.
func TestImmediateQueue(t *testing.T) {
	rt, out := runInternal(t, `
const log = [];
const a = setImmediate(() => log.push('a'));
const b = setImmediate(() => log.push('b'));
const c = setImmediate(() => { log.push('c'); clearImmediate(e); });
const d = setImmediate(() => log.push('d'));
const e = setImmediate(() => log.push('e'));
setImmediate(() => log.push('f'));
clearImmediate(b);
clearImmediate(a);
// Started by the last immediate, so that it runs after the others on any machine.
setImmediate(() => setTimeout(() => {
  for (let i = 0; i < 1000; i++) clearImmediate(setImmediate(() => log.push('never')));
  console.log(log.join(' '));
}, 1));
`)
	if want := "c d f\n"; out != want {
		t.Fatalf("output %q, want %q", out, want)
	}
	if n := len(rt.handles.queued.items); n != 0 {
		t.Fatalf("%d Immediates left queued, want 0", n)
	}
	if cap(rt.handles.queued.items) > 16 {
		t.Fatalf("the queue grew to %d Immediates for 1000 queued and cleared", cap(rt.handles.queued.items))
	}
}

// A Timeout whose callback takes no extra arguments and whose properties the
// program does not touch has no props: method calls on it (a prototype lookup)
// make none; extra arguments and a built-in property read make them.
func TestTimeoutPropsMadeOnlyWhenTouched(t *testing.T) {
	rt, out := runInternal(t, `
globalThis.t1 = setTimeout(() => {}, 1);
t1.unref(); t1.ref(); t1.hasRef(); t1.refresh();
globalThis.t2 = setTimeout((x, y) => console.log(x + y), 2, 'a', 'b');
globalThis.t3 = setTimeout(() => console.log(t3._idleTimeout), 3);
`)
	if want := "ab\n3\n"; out != want {
		t.Fatalf("output %q, want %q", out, want)
	}
	for _, c := range []struct {
		name  string
		props bool
	}{{"t1", false}, {"t2", true}, {"t3", true}} {
		e := timerOf(rt.vm.Get(c.name))
		if e == nil {
			t.Fatalf("%s is not a Timeout", c.name)
		}
		if got := e.props != nil; got != c.props {
			t.Errorf("%s has props: %v, want %v", c.name, got, c.props)
		}
	}
}

// mallocsPerStep is the heap allocations of one step of src, a script doing as
// many steps as its first argument says: the difference of two runs, so that the
// runtime's start and the script's compilation cancel out.
func mallocsPerStep(t *testing.T, src string) float64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "steps.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(steps int) uint64 {
		l, err := nodeloop.New()
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rt, err := New(l, Config{Args: []string{strconv.Itoa(steps)}})
		if err != nil {
			t.Fatal(err)
		}
		if code, err := rt.RunMain(path); err != nil || code != 0 {
			t.Fatalf("exit %d, %v", code, err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	const few, many = 1000, 11000
	a, b := run(few), run(many)
	return float64(int64(b)-int64(a)) / (many - few)
}

// A turn of a chain of Immediates allocates the Immediate (its entry, and the
// engine's object in two parts), the engine's value stack once, and half of the
// time the script's counter: no closure, no second stack.
func TestImmediateTurnAllocations(t *testing.T) {
	got := mallocsPerStep(t, `const n = +process.argv[2]; let i = 0;
function chain() { if (++i < n) setImmediate(chain); }
setImmediate(chain);`)
	if got > 5.6 {
		t.Fatalf("%.2f allocations per Immediate turn, want at most 5.6", got)
	}
}

// The runtime can count the engine's promise jobs: a job queued in a call is
// counted until the call returns and the engine runs it.
func TestJobQueueCounts(t *testing.T) {
	vm := goja.New()
	q := jobQueueOf(vm)
	if !q.known() {
		t.Fatalf("goja.Runtime has no %s slice of jobs: the timers of a list each pay a microtask checkpoint", jobQueueField)
	}
	if err := vm.Set("empty", q.empty); err != nil {
		t.Fatal(err)
	}
	v, err := vm.RunString(`const before = empty(); Promise.resolve().then(() => {}); [before, empty()]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "true,false" {
		t.Fatalf("the queue was empty before and after a promise job was queued: %s, want true,false", got)
	}
	if !q.empty() {
		t.Fatalf("the queue is not empty once the call returned")
	}
}

// The timers of a list run one after the other inside one trampoline call when
// their callbacks queue nothing: a timer allocates the engine's object in two parts
// and the script's two counters, its entry (with its loop timer in it) a 36th of a
// slab, and no closure and no value stack of the engine per callback.
func TestTimerListAllocations(t *testing.T) {
	got := mallocsPerStep(t, `const n = +process.argv[2]; let fired = 0;
function onTimeout() { fired++; }
for (let i = 0; i < n; i++) setTimeout(onTimeout, 1);`)
	if got > 4.5 {
		t.Fatalf("%.2f allocations per timer, want at most 4.5", got)
	}
}

// A Timeout's entry is 112 bytes, its loop timer included, so that
// timeoutSlabEntries of them fill one 4 KiB size class; the timer is its first
// field, which fireTimeout relies on to find the entry from its timer.
func TestTimeoutEntrySize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the sizes are those of a 64-bit platform")
	}
	if got := unsafe.Sizeof(timerEntry{}); got != 112 {
		t.Fatalf("a timerEntry is %d bytes, want 112", got)
	}
	const class, header = 4096, 8
	if got := timeoutSlabEntries*unsafe.Sizeof(timerEntry{}) + header; got > class || class-got >= unsafe.Sizeof(timerEntry{}) {
		t.Fatalf("a slab of %d entries and its header take %d bytes, want at most %d and within an entry of it", timeoutSlabEntries, got, class)
	}
	if got := unsafe.Offsetof(timerEntry{}.own); got != 0 {
		t.Fatalf("a timerEntry's own timer is at offset %d, want 0", got)
	}
}
