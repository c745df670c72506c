package js_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/js"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// writeScript writes src to a file named name in a new directory and returns its
// path.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	return p
}

// program is js.Program of the script src, its output on out prefixed by prefix.
func program(t *testing.T, src string, out *bytes.Buffer, prefix string, env ...string) func(*nodeloop.Loop) {
	t.Helper()
	cfg := js.Config{Env: env}
	if out != nil {
		cfg.Stdout = js.Prefix(out, prefix)
		cfg.Stderr = cfg.Stdout
	}
	prog, err := js.Program(writeScript(t, "main.js", src), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// dataDisk is a disk with the directory data, durable.
func dataDisk(t *testing.T) *sim.Disk {
	t.Helper()
	d, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{d.Mkdir("data", 0o777), d.Sync("data"), d.Sync(".")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// A script host serves a Go host over the world's network by name, and ends with
// process.exit: that host alone ends (its 'exit' listener runs), its listener is
// gone for a later dial, and the other hosts go on.
func TestProgramExitEndsItsHostOnly(t *testing.T) {
	const src = `
const net = require('net');
const server = net.createServer((sock) => {
  sock.on('data', (d) => {
    sock.write('hello, ' + d);
    setTimeout(() => process.exit(0), 5);
  });
});
server.listen(80, () => console.log('listening'));
process.on('exit', (code) => console.log('exit', code));
`
	var out bytes.Buffer
	w := sim.NewWorld(sim.Config{Seed: 3})
	w.Host("server", program(t, src, &out, "server: "))
	var got []string
	w.Host("client", func(l *nodeloop.Loop) {
		l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
			if err != nil {
				got = append(got, "dial: "+err.Error())
				return
			}
			c.Write([]byte("client"), func(int, error) {})
			c.Read(func(b []byte, err error) {
				got = append(got, string(b))
				c.Close(nil)
				l.SetTimeout(100*time.Millisecond, func() {
					l.Dial("tcp", "server:80", func(c *nodeloop.Conn, err error) {
						got = append(got, "again: "+strconv.FormatBool(errors.Is(err, syscall.ECONNREFUSED)))
					})
				})
			})
		})
	})
	res, err := w.Run()
	if err != nil {
		t.Fatalf("World.Run: %v", err)
	}
	if want := "server: listening\nserver: exit 0\n"; out.String() != want {
		t.Errorf("the script printed %q; want %q", out.String(), want)
	}
	if want := []string{"hello, client", "again: true"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the client saw %q; want %q", got, want)
	}
	if res.Hosts[0].Verdict != sim.OK || res.Hosts[1].Verdict != sim.OK {
		t.Errorf("host verdicts %v, %v; want ok for both", res.Hosts[0].Verdict, res.Hosts[1].Verdict)
	}
}

// An exit code other than 0, and an uncaught exception, fail the world, naming the
// host, with an *js.ExitError.
func TestProgramExitCodeFailsTheWorld(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		code      int
	}{
		{"exitCode", "process.exitCode = 3;", 3},
		{"exit", "setTimeout(() => process.exit(4), 10); setInterval(() => {}, 1000);", 4},
		{"throw", "setTimeout(() => { throw new Error('boom'); }, 10);", 1},
	} {
		var out bytes.Buffer
		w := sim.NewWorld(sim.Config{Seed: 1})
		w.Host("other", func(l *nodeloop.Loop) { l.SetTimeout(time.Second, func() {}) })
		w.Host("script", program(t, tc.src, &out, ""))
		res, err := w.Run()
		var ee *js.ExitError
		if !errors.As(err, &ee) || ee.Code != tc.code {
			t.Errorf("%s: World.Run error %v; want an ExitError of code %d", tc.name, err, tc.code)
			continue
		}
		if res.Verdict != sim.Failed || res.Host != "script" || !strings.Contains(err.Error(), "host script") {
			t.Errorf("%s: verdict %v, host %q, error %q; want failed, naming the host script", tc.name, res.Verdict, res.Host, err)
		}
	}
}

// A script host that crashes runs again from the start on its restart, finding on
// its disk what it had made durable (fs.fsync of the file and of its directory),
// and each run's output goes to the host's writer in turn.
func TestProgramRestartRunsTheScriptAgain(t *testing.T) {
	const src = `
const fs = require('fs');
let boots = '';
try { boots = fs.readFileSync('/data/boots', 'utf8'); } catch (e) { console.log(e.code); }
const fd = fs.openSync('/data/boots', 'a');
fs.writeSync(fd, 'x');
fs.fsync(fd, (err) => {
  if (err) throw err;
  const dir = fs.openSync('/data', 'r');
  fs.fsyncSync(dir);
  fs.closeSync(dir);
  console.log('boot', boots.length + 1);
  try { fs.fsyncSync(99); } catch (e) { console.log('fsync of a bad fd:', e.code); }
  setTimeout(() => console.log('done'), 200);
});
`
	var out bytes.Buffer
	w := sim.NewWorld(sim.Config{Seed: 5})
	w.HostWith("store", program(t, src, &out, "store: "), sim.HostOptions{Disk: dataDisk(t)})
	w.Crash("store", 50*time.Millisecond)
	w.Restart("store", 100*time.Millisecond)
	res, err := w.Run()
	if err != nil {
		t.Fatalf("World.Run: %v", err)
	}
	want := "store: ENOENT\nstore: boot 1\nstore: fsync of a bad fd: EBADF\n" +
		"store: boot 2\nstore: fsync of a bad fd: EBADF\nstore: done\n"
	if out.String() != want {
		t.Errorf("the script printed\n%s\nwant\n%s", out.String(), want)
	}
	if b, err := res.Hosts[0].Disk.Crash().ReadFile("data/boots"); err != nil || string(b) != "xx" {
		t.Errorf("data/boots after a power cut: %q, %v; want \"xx\"", b, err)
	}
}

// A script's randomness, clocks and output are the world's: the same seed gives
// the same trace, byte for byte, and the same output; Date reads the host's wall
// clock, with its offset, while performance.now reads the world's time; and the
// host's loop keeps the loop's rules.
func TestProgramIsDeterministic(t *testing.T) {
	const src = `
const crypto = require('crypto');
console.log(Math.random(), crypto.randomBytes(4).toString('hex'), Date.now(), performance.now());
setTimeout(() => console.log(Math.random(), Date.now(), performance.now()), 25);
`
	run := func(seed uint64) (string, []byte, *sim.WorldResult) {
		var out, trace bytes.Buffer
		w := sim.NewWorld(sim.Config{Seed: seed, Trace: &trace})
		w.HostWith("a", program(t, src, &out, "a: "), sim.HostOptions{Clock: sim.ClockSkew{Offset: time.Hour}})
		w.Host("b", program(t, src, &out, "b: "))
		res, err := w.Run()
		if err != nil {
			t.Fatalf("seed %d: World.Run: %v", seed, err)
		}
		return out.String(), trace.Bytes(), res
	}
	out1, trace1, _ := run(9)
	out2, trace2, _ := run(9)
	if out1 != out2 || !bytes.Equal(trace1, trace2) {
		t.Fatalf("two runs of seed 9 differ:\n%s\n%s", out1, out2)
	}
	if out3, _, _ := run(10); out3 == out1 {
		t.Errorf("seeds 9 and 10 printed the same: %s", out1)
	}
	epoch := fakeclock.Epoch.UnixMilli()
	for _, line := range strings.Split(strings.TrimSpace(out1), "\n") {
		f := strings.Fields(line)
		now, err := strconv.ParseInt(f[len(f)-2], 10, 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		ahead := time.Duration(now-epoch) * time.Millisecond
		want := time.Duration(0)
		if f[0] == "a:" {
			want = time.Hour
		}
		if ahead < want || ahead > want+time.Second {
			t.Errorf("line %q: Date.now is %v past the epoch; want %v and a little", line, ahead, want)
		}
	}
	_, events, err := traces.Decode(bytes.NewReader(trace1))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"a", "b"} {
		if v := properties.Check(sim.HostEvents(events, h)); len(v) > 0 {
			t.Errorf("host %s breaks the loop's rules: %v", h, v)
		}
	}
}

// Program refuses what it cannot run.
func TestProgramErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		path string
		cfg  js.Config
	}{
		{"missing", filepath.Join(dir, "missing.js"), js.Config{}},
		{"directory", dir, js.Config{}},
		{"clock", writeScript(t, "a.js", ""), js.Config{Clock: fakeclock.New()}},
		{"random", writeScript(t, "b.js", ""), js.Config{Random: func() float64 { return 0 }}},
	} {
		if prog, err := js.Program(tc.path, tc.cfg); err == nil || prog != nil {
			t.Errorf("%s: Program = %v, %v; want an error", tc.name, prog != nil, err)
		}
	}
}

// Prefix starts each line with the prefix, however the lines are cut into writes.
func TestPrefix(t *testing.T) {
	for _, tc := range []struct {
		writes []string
		want   string
	}{
		{nil, ""},
		{[]string{"a\n"}, "> a\n"},
		{[]string{"a\nb\n"}, "> a\n> b\n"},
		{[]string{"a", "b\n", "c"}, "> ab\n> c"},
		{[]string{"\n\n"}, "> \n> \n"},
		{[]string{"a\n", "", "b"}, "> a\n> b"},
	} {
		var buf bytes.Buffer
		w := js.Prefix(&buf, "> ")
		for _, s := range tc.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("%q: Write(%q) = %d, %v", tc.writes, s, n, err)
			}
		}
		if buf.String() != tc.want {
			t.Errorf("%q: wrote %q; want %q", tc.writes, buf.String(), tc.want)
		}
	}
}
