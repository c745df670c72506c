package nodeloop_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// fileStep is one file operation of a test's script and what it must give.
type fileStep struct {
	what string
	do   func(l *nodeloop.Loop, cb func(string, error)) // cb gets what a read read
	want string                                         // what a read reads
	err  error                                          // an error it must match; nil for none
	// fails says that it fails with an error the systems spell differently (a
	// non-empty directory's removal is ENOTEMPTY, EEXIST or ERROR_DIR_NOT_EMPTY).
	fails bool
}

// fileScript is a store's life in file operations, on names made by name: a
// directory, a log appended to and synced, a file replaced by a rename, a removal,
// the listings between, and the errors of what cannot be done.
func fileScript(name func(string) string) []fileStep {
	read := func(n string) func(*nodeloop.Loop, func(string, error)) {
		return func(l *nodeloop.Loop, cb func(string, error)) {
			l.ReadFile(name(n), func(b []byte, err error) { cb(string(b), err) })
		}
	}
	list := func(n string) func(*nodeloop.Loop, func(string, error)) {
		return func(l *nodeloop.Loop, cb func(string, error)) {
			l.ReadDir(name(n), func(ents []fs.DirEntry, err error) {
				var names []string
				for _, e := range ents {
					s := e.Name()
					if e.IsDir() {
						s += "/"
					}
					names = append(names, s)
				}
				cb(strings.Join(names, " "), err)
			})
		}
	}
	errOnly := func(f func(*nodeloop.Loop, func(error))) func(*nodeloop.Loop, func(string, error)) {
		return func(l *nodeloop.Loop, cb func(string, error)) { f(l, func(err error) { cb("", err) }) }
	}
	return []fileStep{
		{"mkdir db", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Mkdir(name("db"), cb) }), "", nil, false},
		{"mkdir db again", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Mkdir(name("db"), cb) }), "", fs.ErrExist, false},
		{"append to a new log", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.AppendFile(name("db/log"), []byte("a=1\n"), cb) }), "", nil, false},
		{"append to the log", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.AppendFile(name("db/log"), []byte("b=2\n"), cb) }), "", nil, false},
		{"sync the log", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Fsync(name("db/log"), cb) }), "", nil, false},
		{"sync the directory", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Fsync(name("db"), cb) }), "", nil, false},
		{"read the log", read("db/log"), "a=1\nb=2\n", nil, false},
		{"write a temporary file", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.WriteFile(name("db/snap.tmp"), []byte("v2"), cb) }), "", nil, false},
		{"list", list("db"), "log snap.tmp", nil, false},
		{"rename it into place", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Rename(name("db/snap.tmp"), name("db/snap"), cb) }), "", nil, false},
		{"read the renamed file", read("db/snap"), "v2", nil, false},
		{"read the old name", read("db/snap.tmp"), "", fs.ErrNotExist, false},
		{"replace it by a rename", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Rename(name("db/log"), name("db/snap"), cb) }), "", nil, false},
		{"read the replaced file", read("db/snap"), "a=1\nb=2\n", nil, false},
		{"remove a non-empty directory", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Remove(name("db"), cb) }), "", nil, true},
		{"remove the file", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Remove(name("db/snap"), cb) }), "", nil, false},
		{"remove it again", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Remove(name("db/snap"), cb) }), "", fs.ErrNotExist, false},
		{"list the empty directory", list("db"), "", nil, false},
		{"sync a missing file", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Fsync(name("db/none"), cb) }), "", fs.ErrNotExist, false},
		{"rename a missing file", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Rename(name("db/none"), name("db/x"), cb) }), "", fs.ErrNotExist, false},
		{"append where no directory is", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.AppendFile(name("nodir/log"), []byte("x"), cb) }), "", fs.ErrNotExist, false},
		{"list a missing directory", list("nodir"), "", fs.ErrNotExist, false},
		{"list the root", list("."), "db/", nil, false},
		{"remove the empty directory", errOnly(func(l *nodeloop.Loop, cb func(error)) { l.Remove(name("db"), cb) }), "", nil, false},
	}
}

// runScript runs steps one after the other on l and checks each.
func runScript(t *testing.T, l *nodeloop.Loop, run func(func()) error, steps []fileStep) {
	t.Helper()
	var got []string
	var errs []error
	var next func(i int)
	next = func(i int) {
		if i == len(steps) {
			return
		}
		steps[i].do(l, func(s string, err error) {
			got, errs = append(got, s), append(errs, err)
			next(i + 1)
		})
	}
	if err := run(func() { next(0) }); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(got) != len(steps) {
		t.Fatalf("%d of %d steps ran", len(got), len(steps))
	}
	for i, st := range steps {
		switch {
		case st.fails:
			if errs[i] == nil {
				t.Errorf("%s: no error; want one", st.what)
			}
		case st.err == nil && errs[i] != nil, st.err != nil && !errors.Is(errs[i], st.err):
			t.Errorf("%s: error %v; want %v", st.what, errs[i], st.err)
		case got[i] != st.want:
			t.Errorf("%s: got %q; want %q", st.what, got[i], st.want)
		}
	}
}

// Every file operation runs on the pool on the OS's files, with os's errors.
func TestFileOperationsOS(t *testing.T) {
	l, _ := newReal(t, 0)
	dir := tempDir(t)
	runScript(t, l, l.Run, fileScript(func(n string) string { return filepath.Join(dir, filepath.FromSlash(n)) }))
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("the directory holds %v, %v; want nothing left", ents, err)
	}
}

// Every file operation runs on the pool on a simulated disk given WithFS, with the
// same results and errors as on the OS.
func TestFileOperationsDisk(t *testing.T) {
	disk, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, nodeloop.WithFS(disk))
	runScript(t, w.l, func(f func()) error { w.run(f); return nil }, fileScript(func(n string) string { return n }))
	if ents, err := disk.ReadDir("."); err != nil || len(ents) != 0 {
		t.Fatalf("the disk holds %v, %v; want nothing left", ents, err)
	}
}

// On a read-only fs.FS, ReadFile and ReadDir work, and every operation that would
// change it fails with an error matching errors.ErrUnsupported that names the
// operation and the file.
func TestFileOperationsReadOnlyFS(t *testing.T) {
	fsys := fstest.MapFS{"a/b.txt": {Data: []byte("x")}}
	w := newWorld(t, nodeloop.WithFS(fsys))
	errs := map[string]error{}
	var listed []string
	w.run(func() {
		w.l.AppendFile("a/b.txt", []byte("y"), func(err error) { errs["append"] = err })
		w.l.Fsync("a/b.txt", func(err error) { errs["sync"] = err })
		w.l.Rename("a/b.txt", "a/c.txt", func(err error) { errs["rename"] = err })
		w.l.Remove("a/b.txt", func(err error) { errs["remove"] = err })
		w.l.Mkdir("d", func(err error) { errs["mkdir"] = err })
		w.l.ReadDir("a", func(ents []fs.DirEntry, err error) {
			errs["readdir"] = err
			for _, e := range ents {
				listed = append(listed, e.Name())
			}
		})
	})
	for _, op := range []string{"append", "sync", "rename", "remove", "mkdir"} {
		err := errs[op]
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), op+" ") {
			t.Errorf("%s on a read-only fs.FS: %v; want an error matching errors.ErrUnsupported naming %s", op, err, op)
		}
	}
	if errs["readdir"] != nil || !slices.Equal(listed, []string{"b.txt"}) {
		t.Errorf("ReadDir on a read-only fs.FS: %v, %v; want [b.txt]", listed, errs["readdir"])
	}
	if b, _ := fs.ReadFile(fsys, "a/b.txt"); string(b) != "x" {
		t.Errorf("the fs.FS holds %q; want it unchanged", b)
	}
}

// The file operations panic, as every loop method does, on a nil callback.
func TestFileOperationsNilCallback(t *testing.T) {
	w := newWorld(t)
	for name, call := range map[string]func(){
		"AppendFile": func() { w.l.AppendFile("x", nil, nil) },
		"Fsync":      func() { w.l.Fsync("x", nil) },
		"Rename":     func() { w.l.Rename("x", "y", nil) },
		"Remove":     func() { w.l.Remove("x", nil) },
		"Mkdir":      func() { w.l.Mkdir("x", nil) },
		"ReadDir":    func() { w.l.ReadDir("x", nil) },
	} {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(p.(string), "nodeloop: ") || !strings.Contains(p.(string), name) {
					t.Errorf("%s with a nil callback: panic %v; want one naming %s", name, p, name)
				}
			}()
			call()
		}()
	}
}
