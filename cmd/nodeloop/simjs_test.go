package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// simScriptSource is a script whose output depends on virtual time, the run's
// random choices and a busy-wait on the clock, and which re-enters the loop from
// 'beforeExit'.
const simScriptSource = `const t0 = Date.now();
setTimeout(() => console.log('timeout', Date.now() - t0 >= 1), 0);
setImmediate(() => console.log('immediate'));
const end = performance.now() + 5;
while (performance.now() < end) {}
console.log('main', new Date(t0).toISOString(), Math.random() < 1);
let again = false;
process.on('beforeExit', () => {
  if (!again) {
    again = true;
    setTimeout(() => console.log('beforeExit ran the loop again'), 10);
  }
});
process.on('exit', (code) => console.log('exit', code));
`

func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A script runs in the simulator with its own output on stdout: clock readings are
// virtual time (a busy-wait on performance.now ends), 'beforeExit' runs the loop
// again, and the trace is written, which nodeloop replay re-runs identically.
func TestSimScript(t *testing.T) {
	path := writeScript(t, "app.js", simScriptSource)
	trace := filepath.Join(t.TempDir(), "app.jsonl")
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", path, "--seed", "7", "--trace", trace}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	want := "main 2000-01-01T00:00:00.000Z true\n"
	if got, _, _ := strings.Cut(out.String(), "===== FINISHED ====="); !strings.HasPrefix(got, want) ||
		!strings.Contains(got, "beforeExit ran the loop again\nexit 0\n") {
		t.Fatalf("stdout:\n%s\nwant it to start with %q and end with the beforeExit timer and the exit listener", out.String(), want)
	}
	if !strings.Contains(out.String(), "seed 7: ok") {
		t.Fatalf("no verdict in:\n%s", out.String())
	}
	if st, err := os.Stat(trace); err != nil || st.Size() == 0 {
		t.Fatalf("trace: %v", err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"replay", trace}, &o, &e); code != 0 || !strings.Contains(o.String(), "replayed identically") {
		t.Fatalf("replay of the script's trace: exit %d: %s%s", code, o.String(), e.String())
	}
}

// The same seed gives the same bytes on stdout and in the trace, whether the
// process runs on one thread or two.
func TestSimScriptRepeats(t *testing.T) {
	path := writeScript(t, "app.js", simScriptSource)
	dir := t.TempDir()
	runOnce := func(procs int, name string) (string, []byte) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		trace := filepath.Join(dir, name)
		var out, errOut bytes.Buffer
		if code := run([]string{"sim", path, "--seed", "11", "--cost", "0-2ms", "--trace", trace}, &out, &errOut); code != 0 {
			t.Fatalf("GOMAXPROCS %d: exit %d: %s%s", procs, code, out.String(), errOut.String())
		}
		b, err := os.ReadFile(trace)
		if err != nil {
			t.Fatal(err)
		}
		return out.String(), b
	}
	out1, trace1 := runOnce(1, "one.jsonl")
	out2, trace2 := runOnce(2, "two.jsonl")
	if out1 != out2 {
		t.Errorf("stdout differs between GOMAXPROCS 1 and 2:\n%s\n----\n%s", out1, out2)
	}
	if !bytes.Equal(trace1, trace2) {
		t.Errorf("the traces differ between GOMAXPROCS 1 and 2 (%d and %d bytes)", len(trace1), len(trace2))
	}
}

// A script that throws on some seeds fails those seeds of a sweep, with the command
// that reproduces one, which does.
func TestSimScriptSweepFindsFailingSeeds(t *testing.T) {
	path := writeScript(t, "race.js", `const order = [];
setTimeout(() => order.push('timeout'), 0);
setImmediate(() => order.push('immediate'));
process.on('exit', () => { if (order[0] !== 'timeout') throw new Error('order: ' + order); });
`)
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", path, "--seeds", "1-100", "--cost", "0-2ms"}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1: %s%s", code, out.String(), errOut.String())
	}
	_, cmd, ok := strings.Cut(out.String(), "reproduce: nodeloop ")
	if !ok {
		t.Fatalf("no reproduce command:\n%s", out.String())
	}
	cmd, _, _ = strings.Cut(cmd, "\n")
	var o, e bytes.Buffer
	if code := run(strings.Fields(cmd), &o, &e); code != 1 || !strings.Contains(o.String(), "exited with 1") {
		t.Fatalf("%s: exit %d, want 1 with the script's exit code:\n%s%s", cmd, code, o.String(), e.String())
	}
	if !strings.Contains(e.String(), "Error: order: immediate,timeout") {
		t.Fatalf("%s: the script's error is not on stderr:\n%s", cmd, e.String())
	}
}

// The traces of a script, from nodeloop run and from nodeloop sim, name every
// callback by its function and every timer, immediate, nextTick and queueMicrotask
// by the call that made it and where; nodeloop check passes on them, and the Chrome export and the view show
// the names.
func TestScriptTracesNameJavaScript(t *testing.T) {
	path := writeScript(t, "app.js", `function onTimer() { console.log('timer'); }
setTimeout(onTimer, 5);
setImmediate(() => console.log('immediate'));
const iv = setInterval(function tick() { console.log('tick'); clearInterval(iv); }, 2);
process.nextTick(function soon() {});
queueMicrotask(function micro() {});
`)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "--trace", filepath.Join(dir, "run.jsonl"), path}},
		{"sim", []string{"sim", path, "--seed", "3", "--cost", "0-1ms", "--trace", filepath.Join(dir, "sim.jsonl")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trace := tc.args[slices.Index(tc.args, "--trace")+1]
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != 0 {
				t.Fatalf("%q: exit %d: %s%s", tc.args, code, out.String(), errOut.String())
			}
			b, err := os.ReadFile(trace)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				`"kind":"timer_start","id":1,`, `"name":"setTimeout","site":"app.js:2"`,
				`"kind":"immediate_queue"`, `"name":"setImmediate","site":"app.js:3"`,
				`"name":"setInterval","site":"app.js:4"`,
				`"source":"timer","name":"onTimer","site":"app.js:2"`,
				`"source":"immediate","name":"\u003canonymous\u003e","site":"app.js:3"`,
				`"source":"interval","name":"tick","site":"app.js:4"`,
				`"kind":"tick_queue","id":4,`, `"name":"process.nextTick","site":"app.js:5"`,
				`"source":"nextTick","name":"soon","site":"app.js:5"`,
				`"kind":"microtask_queue","id":5,`, `"name":"queueMicrotask","site":"app.js:6"`,
				`"source":"microtask","name":"micro","site":"app.js:6"`,
			} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("the trace lacks %s:\n%s", want, b)
				}
			}
			var o, e bytes.Buffer
			if code := run([]string{"check", trace}, &o, &e); code != 0 {
				t.Fatalf("check: exit %d: %s%s", code, o.String(), e.String())
			}
			o.Reset()
			if code := run([]string{"export", trace}, &o, &e); code != 0 {
				t.Fatalf("export: exit %d: %s", code, e.String())
			}
			for _, want := range []string{`"name":"setTimeout at app.js:2"`, `"name":"timer onTimer at app.js:2"`} {
				if !strings.Contains(o.String(), want) {
					t.Errorf("the Chrome export lacks %s", want)
				}
			}
			o.Reset()
			if code := run([]string{"view", trace}, &o, &e); code != 0 || !strings.Contains(o.String(), `"name":"onTimer"`) {
				t.Errorf("view: exit %d, or the page does not hold the names", code)
			}
		})
	}
}

// nodeloop run --explain prints, among the script's output, which phase of which
// tick runs each callback, with the function and where its handle was made.
func TestRunExplain(t *testing.T) {
	path := writeScript(t, "snippet.js", `setTimeout(function later() { console.log('timeout'); }, 5);
setImmediate(() => console.log('immediate'));
`)
	var out, errOut bytes.Buffer
	if code := run([]string{"run", "--explain", path}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 ||
		!strings.HasPrefix(lines[0], "[tick 1, check phase, ") || !strings.HasSuffix(lines[0], "] immediate <anonymous> at snippet.js:2") ||
		lines[1] != "immediate" ||
		!strings.Contains(lines[2], ", timers phase, ") || !strings.HasSuffix(lines[2], "] timer later at snippet.js:1") ||
		lines[3] != "timeout" {
		t.Fatalf("--explain printed:\n%s", out.String())
	}
}

// The trace of a script whose nextTick restarts the next due timer of its list, which
// then runs at once as in Node, keeps the invariants: the script's ticks are in it.
func TestRunTraceOfTicksKeepsInvariants(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "t.jsonl")
	script := filepath.Join("..", "..", "internal", "nodeconf", "testdata", "refresh_from_tick.js")
	var out, errOut bytes.Buffer
	if code := run([]string{"run", "--trace", trace, script}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if code := run([]string{"check", trace}, &out, &errOut); code != 0 {
		t.Fatalf("check: exit %d: %s%s", code, out.String(), errOut.String())
	}
}

// crypto's random bytes in a simulated run are drawn from the run's choices, as
// Math.random is: the same seed gives the same bytes, another seed others.
func TestSimScriptRandomBytesFromChoices(t *testing.T) {
	path := writeScript(t, "rand.js", `const crypto = require('crypto');
const a = new Uint8Array(4);
crypto.getRandomValues(a);
console.log(crypto.randomBytes(8).toString('hex'), crypto.randomUUID(), crypto.randomInt(1000), Buffer.from(a).toString('hex'));
crypto.randomBytes(4, (err, b) => console.log('async', err, b.toString('hex')));
`)
	simOut := func(seed string) string {
		var out, errOut bytes.Buffer
		if code := run([]string{"sim", path, "--seed", seed}, &out, &errOut); code != 0 {
			t.Fatalf("seed %s: exit %d: %s%s", seed, code, out.String(), errOut.String())
		}
		got, _, _ := strings.Cut(out.String(), "===== FINISHED =====")
		return got
	}
	first, again, other := simOut("5"), simOut("5"), simOut("6")
	if first != again {
		t.Fatalf("seed 5 gave different bytes:\n%s----\n%s", first, again)
	}
	if first == other {
		t.Fatalf("seeds 5 and 6 gave the same bytes:\n%s", first)
	}
	if lines := strings.Split(strings.TrimSpace(first), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "async null ") {
		t.Fatalf("output:\n%s", first)
	}
}

// filesScript writes, stats, reads and removes files with the callback, promise and
// Sync forms and a descriptor, and leaves kept.txt and the directory made/ behind.
const filesScript = `const fs = require('fs');
const path = require('path');
const p = path.join(__dirname, 'out.txt');
fs.writeFileSync(p, 'hello');
fs.appendFileSync(p, ' world');
console.log('sync', fs.existsSync(p), fs.statSync(p).size, fs.statSync(p).isFile(), fs.readFileSync(p, 'utf8'));
const fd = fs.openSync(p, 'r+');
fs.writeSync(fd, 'J', 6);
const b = Buffer.alloc(20);
console.log('fd', fs.readSync(fd, b, 0, 20, 0), b.toString('utf8', 0, 11), fs.fstatSync(fd).size);
fs.closeSync(fd);
fs.mkdirSync(path.join(__dirname, 'made', 'deep'), { recursive: true });
console.log('dir', fs.readdirSync(__dirname).sort());
fs.stat(p, (err, st) => {
  console.log('stat', err, st.size, st.isDirectory());
  fs.readFile(p, 'utf8', (err, s) => {
    console.log('readFile', err, s);
    fs.unlink(p, (err) => {
      console.log('unlink', err, fs.existsSync(p));
      fs.access(p, (err) => {
        console.log('access', err.code, err.syscall);
        fs.promises.writeFile(path.join(__dirname, 'kept.txt'), 'kept')
          .then(() => fs.promises.readFile(path.join(__dirname, 'kept.txt'), 'utf8'))
          .then((s) => console.log('promises', s));
      });
    });
  });
});
`

// Every fs call of a script in the simulator, the Sync forms and descriptors
// included, goes to the run's disk: the script prints what it prints on the
// operating system, and leaves nothing on it.
func TestSimScriptFilesOnTheRunsDisk(t *testing.T) {
	osPath := writeScript(t, "app.js", filesScript)
	var osOut, osErr bytes.Buffer
	if code := run([]string{"run", osPath}, &osOut, &osErr); code != 0 {
		t.Fatalf("run: exit %d: %s%s", code, osOut.String(), osErr.String())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(osPath), "kept.txt")); err != nil {
		t.Fatalf("nodeloop run left no kept.txt on the operating system: %v", err)
	}
	simPath := writeScript(t, "app.js", filesScript)
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", simPath, "--seed", "4"}, &out, &errOut); code != 0 {
		t.Fatalf("sim: exit %d: %s%s", code, out.String(), errOut.String())
	}
	got, _, _ := strings.Cut(out.String(), "===== FINISHED =====")
	if got != osOut.String() {
		t.Errorf("sim printed:\n%s\nrun printed:\n%s", got, osOut.String())
	}
	ents, err := os.ReadDir(filepath.Dir(simPath))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "app.js" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("the simulated run left %q in the script's directory on the operating system, want only app.js", names)
	}
}

// The trace and the choice log of a script's run record its --read-cost, and
// nodeloop replay and sim --choices run the script with it: the busy-wait takes as
// many readings as it took.
func TestSimScriptHeaderRecordsReadCost(t *testing.T) {
	path := writeScript(t, "app.js", simScriptSource)
	dir := t.TempDir()
	trace, choices := filepath.Join(dir, "app.jsonl"), filepath.Join(dir, "app.choices")
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", path, "--seed", "7", "--read-cost", "300µs", "--trace", trace, "--save-choices", choices}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	first, _, _ := strings.Cut(out.String(), "===== FINISHED =====")
	for _, file := range []string{trace, choices} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := bytes.Cut(b, []byte("\n"))
		if !bytes.Contains(header, []byte(`"program":{"read_cost":"300µs"}`)) {
			t.Errorf("%s: the header does not record the read cost:\n%s", filepath.Base(file), header)
		}
	}
	var o, e bytes.Buffer
	if code := run([]string{"replay", trace}, &o, &e); code != 0 || !strings.Contains(o.String(), "replayed identically") {
		t.Fatalf("replay: exit %d: %s%s", code, o.String(), e.String())
	}
	o.Reset()
	if code := run([]string{"sim", path, "--choices", choices}, &o, &e); code != 0 {
		t.Fatalf("sim --choices: exit %d: %s%s", code, o.String(), e.String())
	}
	if again, _, _ := strings.Cut(o.String(), "===== FINISHED ====="); again != first {
		t.Fatalf("sim --choices printed:\n%s\nthe run printed:\n%s", again, first)
	}
	o.Reset()
	if code := run([]string{"sim", path, "--choices", choices, "--read-cost", "2µs"}, &o, &e); code != 2 {
		t.Fatalf("sim --choices --read-cost: exit %d, want 2 (the log's run has its own read cost): %s%s", code, o.String(), e.String())
	}
}

// An endless synchronous loop that reads no clock ends, under nodeloop sim, at the
// --sync-limit with a verdict that says so and where, and the command that
// reproduces it; under nodeloop run --sync-limit with exit code 1 and the same
// words on stderr.
func TestScriptSyncLimit(t *testing.T) {
	path := writeScript(t, "spin.js", "console.log('start');\nsetTimeout(function spin() {\n  let n = 0;\n  while (true) { n++; }\n}, 5);\n")
	const want = "a synchronous callback ran longer than 300ms of real time at spin.js:4"
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", path, "--seed", "2", "--sync-limit", "300ms"}, &out, &errOut); code != 1 {
		t.Fatalf("sim: exit %d, want 1: %s%s", code, out.String(), errOut.String())
	}
	if !strings.HasPrefix(out.String(), "start\n===== FINISHED =====\n") || !strings.Contains(out.String(), "failed after 5ms of virtual time, 2 ticks, 2 callbacks: "+want) {
		t.Errorf("sim printed:\n%s\nwant the script's output and a failed verdict saying %q", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "reproduce: nodeloop sim "+path+" --seed 2 --sync-limit 300ms") {
		t.Errorf("sim's stderr has no reproduce command:\n%s", errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run([]string{"run", "--sync-limit", "300ms", path}, &out, &errOut); code != 1 {
		t.Fatalf("run: exit %d, want 1: %s%s", code, out.String(), errOut.String())
	}
	if out.String() != "start\n" || errOut.String() != "nodeloop: "+want+"\n" {
		t.Errorf("run printed %q and %q on stderr; want %q and %q", out.String(), errOut.String(), "start\n", "nodeloop: "+want+"\n")
	}
}

// Runaway recursion is a RangeError, under nodeloop run and nodeloop sim alike,
// and never a Go stack overflow: uncaught, the script exits with 1 and Node's report
// on stderr (the source line, the error, its innermost frames); an
// 'uncaughtException' listener gets it and the script goes on. A recursion through
// a built-in function ends the same way. The engine makes the error uncatchable by
// a try/catch, which does not run: the program ends as if it had none.
func TestScriptRunawayRecursion(t *testing.T) {
	tests := []struct {
		name, src string
		code      int
		stdout    string
		stderr    []string // parts of stderr, in order
	}{
		{"uncaught", "function f() { return f() + 1; }\nf();\n", 1, "",
			[]string{"app.js:1\nfunction f() { return f() + 1; }\n", "\n\nRangeError: Maximum call stack size exceeded\n    at f (", "app.js:1:", "\n\nNode.js v"}},
		{"through map", "function f() { return [1].map(f); }\nsetTimeout(f, 1);\n", 1, "",
			[]string{"RangeError: Maximum call stack size exceeded\n    at f (", "\n\nNode.js v"}},
		{"listener", "process.on('uncaughtException', (e, origin) => console.log('listener', e instanceof RangeError, e.message, origin));\n" +
			"function f() { f(); }\nsetTimeout(f, 1);\nsetTimeout(() => console.log('goes on'), 5);\n", 0,
			"listener true Maximum call stack size exceeded uncaughtException\ngoes on\n", nil},
		{"try", "function f() { f(); }\ntry { f(); } catch (e) { console.log('caught'); }\nconsole.log('after');\n", 1, "",
			[]string{"RangeError: Maximum call stack size exceeded\n"}},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"run", "sim"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				path := writeScript(t, "app.js", tt.src)
				args := []string{"run", path}
				if cmd == "sim" {
					// Unwinding a recursion through map takes seconds of CPU,
					// which a loaded machine may stretch past the sync limit.
					args = []string{"sim", path, "--seed", "1", "--sync-limit", "0"}
				}
				var out, errOut bytes.Buffer
				code := run(args, &out, &errOut)
				stdout, _, _ := strings.Cut(out.String(), "===== FINISHED =====\n")
				if cmd == "sim" && tt.code != 0 {
					tt.code = 1 // the run fails
				}
				if code != tt.code || stdout != tt.stdout {
					t.Fatalf("exit %d, stdout %q; want %d, %q\nstderr:\n%s", code, stdout, tt.code, tt.stdout, errOut.String())
				}
				rest := errOut.String()
				for _, part := range tt.stderr {
					i := strings.Index(rest, part)
					if i < 0 {
						t.Fatalf("stderr lacks %q (in order):\n%s", part, errOut.String())
					}
					rest = rest[i+len(part):]
				}
			})
		}
	}
}

// In the simulator, as on the OS, a socket.write the system takes at once calls back
// in a nextTick, and one that waits calls back after 'drain': the script prints, seed
// after seed and with callbacks costing virtual time, what node printed for it.
func TestSimNetWriteOrder(t *testing.T) {
	script := filepath.Join("..", "..", "js", "testdata", "net_write_order.js")
	golden, err := os.ReadFile(strings.TrimSuffix(script, ".js") + ".golden")
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := strings.Cut(string(golden), "-- stdout --\n")
	want, _, _ = strings.Cut(want, "-- stderr --")
	for _, seed := range []string{"1", "2", "3"} {
		var out, errOut bytes.Buffer
		if code := run([]string{"sim", script, "--seed", seed, "--cost", "0-2ms"}, &out, &errOut); code != 0 {
			t.Fatalf("seed %s: exit %d: %s%s", seed, code, out.String(), errOut.String())
		}
		got, _, _ := strings.Cut(out.String(), "===== FINISHED =====\n")
		if got != want {
			t.Errorf("seed %s printed:\n%s\nnode printed:\n%s", seed, got, want)
		}
	}
}
