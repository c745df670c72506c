package js_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
	"github.com/nodeloop/nodeloop/sim"
)

// runOnFS runs src as a main script on a loop whose file system is fsys, and
// returns its exit code and output.
func runOnFS(t *testing.T, src string, fsys nodeloop.Option) (int, string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "main.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := nodeloop.New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var stdout, stderr bytes.Buffer
	rt, err := js.New(l, js.Config{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	code, err := rt.RunMain(path)
	if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// On a loop given an fs.FS, every fs function works on it, with Node's errors: the
// Sync forms, the callback forms and descriptors, a script's absolute paths being
// the fs.FS's names (FSName).
func TestFSOnTheLoopsFS(t *testing.T) {
	disk, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := `const fs = require('fs');
const e = (f) => { try { f(); return 'ok'; } catch (err) { return err.code + ' ' + err.syscall; } };
console.log(e(() => fs.readFileSync('/data/a.txt')));
fs.mkdirSync('/data/sub', { recursive: true });
fs.writeFileSync('/data/a.txt', 'abc');
console.log(fs.readFileSync('/data/a.txt', 'utf8'), fs.statSync('/data').isDirectory(), fs.existsSync('/data/nope'));
console.log(e(() => fs.openSync('/data/a.txt', 'wx')), e(() => fs.unlinkSync('/data/sub')), e(() => fs.rmdirSync('/data/a.txt')));
console.log(e(() => fs.openSync('/data/sub', 'w')), e(() => fs.mkdirSync('/data/a.txt/x', { recursive: true })));
const fd = fs.openSync('/data/b.txt', 'a+');
fs.writeSync(fd, 'xy');
fs.writeSync(fd, 'z');
const buf = Buffer.alloc(8);
console.log(fs.readSync(fd, buf, 0, 8, 1), buf.toString('utf8', 0, 2), e(() => fs.writeSync(fs.openSync('/data/b.txt', 'r'), 'q')));
fs.renameSync('/data/b.txt', '/data/c.txt');
console.log(fs.readdirSync('/data'));
fs.access('/data/b.txt', (err) => {
  console.log('access', err.code);
  fs.readFile('/data/c.txt', 'utf8', (err, s) => console.log('readFile', err, s));
});
`
	code, stdout, stderr := runOnFS(t, src, nodeloop.WithFS(disk))
	want := "ENOENT open\n" +
		"abc true false\n" +
		"EEXIST open EISDIR unlink ENOTDIR rmdir\n" +
		"EISDIR open ENOTDIR mkdir\n" +
		"2 yz EBADF write\n" +
		"[ 'a.txt', 'c.txt', 'sub' ]\n" +
		"access ENOENT\n" +
		"readFile null xyz\n"
	if code != 0 || stdout != want {
		t.Fatalf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}
	if b, err := disk.ReadFile("data/c.txt"); err != nil || string(b) != "xyz" {
		t.Fatalf("the disk's data/c.txt: %q, %v; want xyz", b, err)
	}
	if _, err := os.Stat("/data/c.txt"); err == nil {
		t.Fatalf("/data/c.txt is on the operating system")
	}
}

// On a read-only fs.FS, reads work and every write fails with ENOSYS, naming the
// syscall and the path.
func TestFSOnAReadOnlyFS(t *testing.T) {
	fsys := fstest.MapFS{"etc/conf.json": {Data: []byte(`{"a":1}`)}}
	src := `const fs = require('fs');
console.log(fs.readFileSync('/etc/conf.json', 'utf8'), fs.statSync('/etc/conf.json').size);
try { fs.writeFileSync('/etc/x', 'y'); } catch (e) { console.log(e.message); }
`
	code, stdout, stderr := runOnFS(t, src, nodeloop.WithFS(fsys))
	want := `{"a":1} 7` + "\nENOSYS: function not implemented, open '/etc/x'\n"
	if code != 0 || stdout != want {
		t.Fatalf("exit %d, stdout %q, want %q; stderr:\n%s", code, stdout, want, stderr)
	}
}
