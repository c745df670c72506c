package js

import (
	_ "embed"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

//go:embed lib/fs.js
var fsSource string

func init() {
	registerModule(nativeModule{name: "fs", file: "fs", source: fsSource, binding: (*Runtime).fsBinding})
}

// fsErrno is a libuv error: its code, its negative number on Linux and its text.
type fsErrno struct {
	code  string
	errno int
	desc  string
}

// fsErrnos are the errors the file functions report, by errno.
var fsErrnos = []struct {
	errno syscall.Errno
	fsErrno
}{
	{syscall.ENOENT, fsErrno{"ENOENT", -2, "no such file or directory"}},
	{syscall.EEXIST, fsErrno{"EEXIST", -17, "file already exists"}},
	{syscall.EACCES, fsErrno{"EACCES", -13, "permission denied"}},
	{syscall.EPERM, fsErrno{"EPERM", -1, "operation not permitted"}},
	{syscall.ENOTDIR, fsErrno{"ENOTDIR", -20, "not a directory"}},
	{syscall.EISDIR, fsErrno{"EISDIR", -21, "illegal operation on a directory"}},
	{syscall.ENOTEMPTY, fsErrno{"ENOTEMPTY", -39, "directory not empty"}},
	{syscall.EBADF, fsErrno{"EBADF", -9, "bad file descriptor"}},
	{syscall.EINVAL, fsErrno{"EINVAL", -22, "invalid argument"}},
	{syscall.EMFILE, fsErrno{"EMFILE", -24, "too many open files"}},
	{syscall.ENOSPC, fsErrno{"ENOSPC", -28, "no space left on device"}},
	{syscall.EIO, fsErrno{"EIO", -5, "i/o error"}},
	{syscall.ECONNREFUSED, fsErrno{"ECONNREFUSED", -111, "connection refused"}},
	{syscall.ECONNRESET, fsErrno{"ECONNRESET", -104, "connection reset by peer"}},
	{syscall.EPIPE, fsErrno{"EPIPE", -32, "broken pipe"}},
	{syscall.EADDRINUSE, fsErrno{"EADDRINUSE", -98, "address already in use"}},
	{syscall.EADDRNOTAVAIL, fsErrno{"EADDRNOTAVAIL", -99, "address not available"}},
	{syscall.ETIMEDOUT, fsErrno{"ETIMEDOUT", -110, "connection timed out"}},
	{syscall.ECONNABORTED, fsErrno{"ECONNABORTED", -103, "software caused connection abort"}},
	{syscall.ENOTCONN, fsErrno{"ENOTCONN", -107, "socket is not connected"}},
	{syscall.EHOSTUNREACH, fsErrno{"EHOSTUNREACH", -113, "host is unreachable"}},
	{syscall.ENETUNREACH, fsErrno{"ENETUNREACH", -101, "network is unreachable"}},
}

// errnoOf is the libuv error of err.
func errnoOf(err error) fsErrno {
	var en syscall.Errno
	if errors.As(err, &en) {
		for _, e := range fsErrnos {
			if e.errno == en {
				out := e.fsErrno
				if runtime.GOOS != "windows" && runtime.GOOS != "linux" {
					out.errno = -int(en)
				}
				return out
			}
		}
	}
	pick := func(code string) fsErrno {
		for _, e := range fsErrnos {
			if e.code == code {
				return e.fsErrno
			}
		}
		return fsErrno{"EIO", -5, "i/o error"}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return pick("ENOENT")
	case errors.Is(err, fs.ErrExist):
		return pick("EEXIST")
	case errors.Is(err, fs.ErrPermission):
		return pick("EACCES")
	case errors.Is(err, fs.ErrClosed):
		return pick("EBADF")
	case errors.Is(err, fs.ErrInvalid):
		return pick("EINVAL")
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return fsErrno{"ENOSYS", -38, "function not implemented"}
	}
	return pick("EIO")
}

// fsOp is one file operation: what it is for an error's message and how it runs.
type fsOp struct {
	syscall    string
	path, dest string
	hasPath    bool
	// start runs the operation on the pool and calls done on the loop; nil runs
	// now on the pool.
	start func(done func(any, error))
	// now runs the operation at once, for the Sync form, or on the pool.
	now func() (any, error)
	// value makes the result a JavaScript value, on the loop's goroutine.
	value func(any) goja.Value
}

// fsBinding adds the file functions; each takes a callback (err, result) last, or
// is the Sync form when the callback is undefined, returning the result or
// throwing. Every one of them works on the loop's file system (files): its fs.FS
// when it has one (a simulated run's disk), else the operating system's.
func (rt *Runtime) fsBinding(set func(string, any)) {
	files := rt.files()
	fds := &fdTable{files: map[int]fileHandle{}}
	// errDesc is what lib/fs.js makes Node's error of.
	errDesc := func(op *fsOp, err error) goja.Value {
		e := errnoOf(err)
		d := rt.vm.NewObject()
		_ = d.Set("code", e.code)
		_ = d.Set("errno", e.errno)
		_ = d.Set("desc", e.desc)
		sc := op.syscall
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "read" && sc == "open" {
			sc = "read"
		} else if op.hasPath {
			_ = d.Set("path", op.path)
			if op.dest != "" {
				_ = d.Set("dest", op.dest)
			}
		}
		_ = d.Set("syscall", sc)
		return d
	}
	run := func(op *fsOp, cb goja.Value) goja.Value {
		value := op.value
		if value == nil {
			value = func(any) goja.Value { return goja.Undefined() }
		}
		fn, ok := goja.AssertFunction(cb)
		if !ok {
			v, err := op.now()
			if err != nil {
				panic(rt.vm.ToValue(errDesc(op, err)))
			}
			return value(v)
		}
		start := op.start
		if start == nil {
			start = func(done func(any, error)) { nodeloop.Work(rt.loop, op.now, done) }
		}
		start(func(v any, err error) {
			rt.callback(func() {
				if err != nil {
					rt.call(fn, goja.Undefined(), errDesc(op, err))
					return
				}
				rt.call(fn, goja.Undefined(), goja.Null(), value(v))
			})
		})
		return goja.Undefined()
	}
	buffer := func(v any) goja.Value { return rt.newBuffer(v.([]byte)) }
	str := func(v goja.Value) string { return v.String() }

	set("readFile", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		return run(&fsOp{syscall: "open", path: p, hasPath: true,
			start: func(done func(any, error)) {
				rt.loop.ReadFile(files.name(p), func(b []byte, err error) { done(b, openError(err)) })
			},
			now: func() (any, error) {
				b, err := files.readFile(p)
				return b, openError(err)
			},
			value: buffer,
		}, call.Argument(1))
	})
	set("writeFile", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		data := append([]byte(nil), bytesOf(call.Argument(1))...)
		appending := call.Argument(2).ToBoolean()
		return run(&fsOp{syscall: "open", path: p, hasPath: true,
			start: func(done func(any, error)) {
				cb := func(err error) { done(nil, err) }
				if appending {
					rt.loop.AppendFile(files.name(p), data, cb)
				} else {
					rt.loop.WriteFile(files.name(p), data, cb)
				}
			},
			now: func() (any, error) { return nil, files.writeFile(p, data, appending) },
		}, call.Argument(3))
	})
	statValue := func(v any) goja.Value { return rt.vm.ToValue(statArray(v.(fs.FileInfo))) }
	set("stat", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		lstat := call.Argument(1).ToBoolean()
		return run(&fsOp{syscall: "stat", path: p, hasPath: true,
			now:   func() (any, error) { return files.stat(p, lstat) },
			value: statValue,
		}, call.Argument(2))
	})
	set("fstat", func(call goja.FunctionCall) goja.Value {
		fd := int(call.Argument(0).ToInteger())
		f := fds.get(fd)
		return run(&fsOp{syscall: "fstat",
			now: func() (any, error) {
				if f == nil {
					return nil, syscall.EBADF
				}
				return f.Stat()
			},
			value: statValue,
		}, call.Argument(1))
	})
	set("exists", func(p string) bool {
		_, err := files.stat(p, false)
		return err == nil
	})
	set("access", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		mode := call.Argument(1).ToInteger()
		return run(&fsOp{syscall: "access", path: p, hasPath: true,
			now: func() (any, error) { return nil, access(files, p, mode) },
		}, call.Argument(2))
	})
	set("mkdir", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		recursive := call.Argument(1).ToBoolean()
		op := &fsOp{syscall: "mkdir", path: p, hasPath: true,
			now: func() (any, error) { return nil, files.mkdir(p, recursive) },
		}
		if !recursive {
			op.start = func(done func(any, error)) { rt.loop.Mkdir(files.name(p), func(err error) { done(nil, err) }) }
		}
		return run(op, call.Argument(2))
	})
	dirValue := func(v any) goja.Value {
		ents := v.([]fs.DirEntry)
		out := make([]any, len(ents))
		for i, e := range ents {
			out[i] = []any{e.Name(), e.IsDir(), e.Type().IsRegular(), e.Type()&fs.ModeSymlink != 0}
		}
		return rt.vm.ToValue(out)
	}
	set("readdir", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		return run(&fsOp{syscall: "scandir", path: p, hasPath: true,
			start: func(done func(any, error)) {
				rt.loop.ReadDir(files.name(p), func(ents []fs.DirEntry, err error) { done(ents, err) })
			},
			now:   func() (any, error) { return files.readDir(p) },
			value: dirValue,
		}, call.Argument(1))
	})
	set("remove", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		sc := call.Argument(1).String()
		op := &fsOp{syscall: sc, path: p, hasPath: true,
			now: func() (any, error) {
				st, err := files.stat(p, true)
				if err != nil {
					return nil, err
				}
				if sc == "unlink" && st.IsDir() {
					return nil, &fs.PathError{Op: sc, Path: p, Err: syscall.EISDIR}
				}
				if sc == "rmdir" && !st.IsDir() {
					return nil, &fs.PathError{Op: sc, Path: p, Err: syscall.ENOTDIR}
				}
				return nil, files.remove(p)
			},
		}
		return run(op, call.Argument(2))
	})
	set("rename", func(call goja.FunctionCall) goja.Value {
		from, to := str(call.Argument(0)), str(call.Argument(1))
		return run(&fsOp{syscall: "rename", path: from, dest: to, hasPath: true,
			start: func(done func(any, error)) {
				rt.loop.Rename(files.name(from), files.name(to), func(err error) { done(nil, err) })
			},
			now: func() (any, error) { return nil, files.rename(from, to) },
		}, call.Argument(2))
	})
	set("open", func(call goja.FunctionCall) goja.Value {
		p := str(call.Argument(0))
		flag, ok := openFlags[call.Argument(1).String()]
		if !ok {
			e := rt.newError("TypeError", "The value \""+call.Argument(1).String()+"\" is invalid for option \"flags\"")
			_ = e.Set("code", "ERR_INVALID_ARG_VALUE")
			panic(e)
		}
		mode := fs.FileMode(call.Argument(2).ToInteger()) & fs.ModePerm
		return run(&fsOp{syscall: "open", path: p, hasPath: true,
			now: func() (any, error) { return files.open(p, flag, mode) },
			value: func(v any) goja.Value {
				return rt.vm.ToValue(fds.add(v.(fileHandle)))
			},
		}, call.Argument(3))
	})
	set("close", func(call goja.FunctionCall) goja.Value {
		fd := int(call.Argument(0).ToInteger())
		f := fds.remove(fd)
		return run(&fsOp{syscall: "close",
			now: func() (any, error) {
				if f == nil {
					return nil, syscall.EBADF
				}
				return nil, f.Close()
			},
		}, call.Argument(1))
	})
	set("fsync", func(call goja.FunctionCall) goja.Value {
		fd := int(call.Argument(0).ToInteger())
		f := fds.get(fd)
		return run(&fsOp{syscall: "fsync",
			now: func() (any, error) {
				if f == nil {
					return nil, syscall.EBADF
				}
				s, ok := f.(interface{ Sync() error })
				if !ok {
					return nil, errors.ErrUnsupported
				}
				return nil, s.Sync()
			},
		}, call.Argument(1))
	})
	set("read", func(call goja.FunctionCall) goja.Value {
		fd := int(call.Argument(0).ToInteger())
		n := int(call.Argument(1).ToInteger())
		pos := call.Argument(2).ToInteger()
		f := fds.get(fd)
		return run(&fsOp{syscall: "read",
			now: func() (any, error) {
				if f == nil {
					return nil, syscall.EBADF
				}
				b := make([]byte, n)
				var got int
				var err error
				if pos >= 0 {
					got, err = f.ReadAt(b, pos)
				} else {
					got, err = f.Read(b)
				}
				if err == io.EOF {
					err = nil
				}
				return b[:got], err
			},
			value: buffer,
		}, call.Argument(3))
	})
	set("write", func(call goja.FunctionCall) goja.Value {
		fd := int(call.Argument(0).ToInteger())
		data := append([]byte(nil), bytesOf(call.Argument(1))...)
		pos := call.Argument(2).ToInteger()
		if fd == 1 || fd == 2 {
			w := rt.stdout
			if fd == 2 {
				w = rt.stderr
			}
			return run(&fsOp{syscall: "write",
				start: func(done func(any, error)) {
					n, err := w.Write(data)
					rt.loop.SetImmediate(func() { done(n, err) })
				},
				now:   func() (any, error) { return w.Write(data) },
				value: func(v any) goja.Value { return rt.vm.ToValue(v) },
			}, call.Argument(3))
		}
		f := fds.get(fd)
		return run(&fsOp{syscall: "write",
			now: func() (any, error) {
				if f == nil {
					return 0, syscall.EBADF
				}
				if pos >= 0 {
					return f.WriteAt(data, pos)
				}
				return f.Write(data)
			},
			value: func(v any) goja.Value { return rt.vm.ToValue(v) },
		}, call.Argument(3))
	})
}

// openFlags are fs.open's flags as os.OpenFile's.
var openFlags = map[string]int{
	"r":   os.O_RDONLY,
	"rs":  os.O_RDONLY | os.O_SYNC,
	"sr":  os.O_RDONLY | os.O_SYNC,
	"r+":  os.O_RDWR,
	"rs+": os.O_RDWR | os.O_SYNC,
	"sr+": os.O_RDWR | os.O_SYNC,
	"w":   os.O_WRONLY | os.O_CREATE | os.O_TRUNC,
	"wx":  os.O_WRONLY | os.O_CREATE | os.O_TRUNC | os.O_EXCL,
	"xw":  os.O_WRONLY | os.O_CREATE | os.O_TRUNC | os.O_EXCL,
	"w+":  os.O_RDWR | os.O_CREATE | os.O_TRUNC,
	"wx+": os.O_RDWR | os.O_CREATE | os.O_TRUNC | os.O_EXCL,
	"xw+": os.O_RDWR | os.O_CREATE | os.O_TRUNC | os.O_EXCL,
	"a":   os.O_WRONLY | os.O_CREATE | os.O_APPEND,
	"ax":  os.O_WRONLY | os.O_CREATE | os.O_APPEND | os.O_EXCL,
	"xa":  os.O_WRONLY | os.O_CREATE | os.O_APPEND | os.O_EXCL,
	"as":  os.O_WRONLY | os.O_CREATE | os.O_APPEND | os.O_SYNC,
	"sa":  os.O_WRONLY | os.O_CREATE | os.O_APPEND | os.O_SYNC,
	"a+":  os.O_RDWR | os.O_CREATE | os.O_APPEND,
	"ax+": os.O_RDWR | os.O_CREATE | os.O_APPEND | os.O_EXCL,
	"xa+": os.O_RDWR | os.O_CREATE | os.O_APPEND | os.O_EXCL,
	"as+": os.O_RDWR | os.O_CREATE | os.O_APPEND | os.O_SYNC,
	"sa+": os.O_RDWR | os.O_CREATE | os.O_APPEND | os.O_SYNC,
}

// fdTable numbers a script's open files as descriptors: the lowest free number
// from 3 (0 to 2 are the standard streams). It is used on the loop's goroutine.
type fdTable struct {
	files map[int]fileHandle
}

func (t *fdTable) add(f fileHandle) int {
	fd := 3
	for t.files[fd] != nil {
		fd++
	}
	t.files[fd] = f
	return fd
}

func (t *fdTable) get(fd int) fileHandle { return t.files[fd] }

func (t *fdTable) remove(fd int) fileHandle {
	f := t.files[fd]
	delete(t.files, fd)
	return f
}

// statArray is what lib/fs.js makes a Stats of: dev, mode, nlink, uid, gid, rdev,
// blksize, ino, size, blocks, then atimeMs, mtimeMs, ctimeMs, birthtimeMs. Only
// what fs.FileInfo says is known: the others are 0, and every time is mtime, the
// epoch for a file system that keeps no times (a simulated disk).
func statArray(fi fs.FileInfo) []any {
	mode := uint32(fi.Mode().Perm())
	switch {
	case fi.IsDir():
		mode |= 0o040000
	case fi.Mode()&fs.ModeSymlink != 0:
		mode |= 0o120000
	case fi.Mode()&fs.ModeNamedPipe != 0:
		mode |= 0o010000
	case fi.Mode()&fs.ModeSocket != 0:
		mode |= 0o140000
	case fi.Mode()&fs.ModeCharDevice != 0:
		mode |= 0o020000
	case fi.Mode()&fs.ModeDevice != 0:
		mode |= 0o060000
	default:
		mode |= 0o100000
	}
	var ms float64
	if t := fi.ModTime(); !t.IsZero() {
		ms = float64(t.UnixNano()) / 1e6
	}
	size := fi.Size()
	return []any{0, mode, 1, 0, 0, 0, 4096, 0, size, (size + 511) / 512, ms, ms, ms, ms}
}

// access checks that p exists and, for the bits of mode (R_OK 4, W_OK 2, X_OK 1),
// that its permission bits allow them to someone.
func access(files fileSystem, p string, mode int64) error {
	st, err := files.stat(p, false)
	if err != nil {
		return err
	}
	perm := st.Mode().Perm()
	if mode&4 != 0 && perm&0o444 == 0 || mode&2 != 0 && perm&0o222 == 0 || mode&1 != 0 && perm&0o111 == 0 {
		return &fs.PathError{Op: "access", Path: p, Err: syscall.EACCES}
	}
	return nil
}

// fileSystem is what the fs module works on: the operating system's files, or the
// loop's fs.FS. Paths are the script's (absolute, or relative to the working
// directory); name is what the loop's own file methods take for one.
type fileSystem interface {
	name(p string) string
	readFile(p string) ([]byte, error)
	writeFile(p string, data []byte, appending bool) error
	stat(p string, lstat bool) (fs.FileInfo, error)
	mkdir(p string, recursive bool) error
	readDir(p string) ([]fs.DirEntry, error)
	remove(p string) error
	rename(from, to string) error
	open(p string, flag int, perm fs.FileMode) (fileHandle, error)
}

// fileHandle is an open file behind a descriptor: an *os.File, or a file of the
// loop's fs.FS.
type fileHandle interface {
	Read(b []byte) (int, error)
	ReadAt(b []byte, off int64) (int, error)
	Write(b []byte) (int, error)
	WriteAt(b []byte, off int64) (int, error)
	Stat() (fs.FileInfo, error)
	Close() error
}

// files is the file system of the runtime's loop: its fs.FS (Loop.FS) when it has
// one, as a simulated run's loop has its disk, else the operating system's.
func (rt *Runtime) files() fileSystem {
	if fsys := rt.loop.FS(); fsys != nil {
		return loopFiles{fsys}
	}
	return osFiles{}
}

// osFiles are the operating system's files.
type osFiles struct{}

func (osFiles) name(p string) string              { return p }
func (osFiles) readFile(p string) ([]byte, error) { return os.ReadFile(p) }
func (osFiles) readDir(p string) ([]fs.DirEntry, error) {
	return os.ReadDir(p)
}
func (osFiles) remove(p string) error        { return os.Remove(p) }
func (osFiles) rename(from, to string) error { return os.Rename(from, to) }

func (osFiles) writeFile(p string, data []byte, appending bool) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appending {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(p, flag, 0o666)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (osFiles) stat(p string, lstat bool) (fs.FileInfo, error) {
	if lstat {
		return os.Lstat(p)
	}
	return os.Stat(p)
}

func (osFiles) mkdir(p string, recursive bool) error {
	if recursive {
		return os.MkdirAll(p, 0o777)
	}
	return os.Mkdir(p, 0o777)
}

func (osFiles) open(p string, flag int, perm fs.FileMode) (fileHandle, error) {
	f, err := os.OpenFile(p, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// loopFiles are the files of the loop's fs.FS, which has no times, no links and no
// permissions to check. A script's path is an fs.FS name by FSName. A write needs
// the nodeloop.WriteFS method it uses, as the loop's own do, and fails with an
// error matching errors.ErrUnsupported (ENOSYS) without it.
type loopFiles struct{ fsys fs.FS }

// FSName is the name in a loop's fs.FS (nodeloop.WithFS) of a script's path p: p
// made absolute against the working directory, without its volume name, in
// slashes and unrooted, "." being the root directory. So a simulated disk holds a
// script's files where the operating system would.
func FSName(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = filepath.Clean(p)
	}
	abs = filepath.ToSlash(abs[len(filepath.VolumeName(abs)):])
	abs = strings.TrimLeft(abs, "/")
	if abs == "" {
		return "."
	}
	return abs
}

func (f loopFiles) name(p string) string { return FSName(p) }

func (f loopFiles) readFile(p string) ([]byte, error) { return fs.ReadFile(f.fsys, FSName(p)) }

func (f loopFiles) readDir(p string) ([]fs.DirEntry, error) { return fs.ReadDir(f.fsys, FSName(p)) }

func (f loopFiles) stat(p string, _ bool) (fs.FileInfo, error) { return fs.Stat(f.fsys, FSName(p)) }

func (f loopFiles) writeFile(p string, data []byte, appending bool) error {
	name := FSName(p)
	if appending {
		w, ok := f.fsys.(interface {
			AppendFile(string, []byte, fs.FileMode) error
		})
		if !ok {
			return unsupportedOp("append", name)
		}
		return w.AppendFile(name, data, 0o666)
	}
	w, ok := f.fsys.(interface {
		WriteFile(string, []byte, fs.FileMode) error
	})
	if !ok {
		return unsupportedOp("write", name)
	}
	return w.WriteFile(name, data, 0o666)
}

func (f loopFiles) remove(p string) error {
	name := FSName(p)
	w, ok := f.fsys.(interface{ Remove(string) error })
	if !ok {
		return unsupportedOp("remove", name)
	}
	return w.Remove(name)
}

func (f loopFiles) rename(from, to string) error {
	name := FSName(from)
	w, ok := f.fsys.(interface{ Rename(string, string) error })
	if !ok {
		return unsupportedOp("rename", name)
	}
	return w.Rename(name, FSName(to))
}

// mkdir makes the directory p; recursive, each missing directory on its way, as
// mkdir -p, a file on the way failing with ENOTDIR.
func (f loopFiles) mkdir(p string, recursive bool) error {
	name := FSName(p)
	w, ok := f.fsys.(interface {
		Mkdir(string, fs.FileMode) error
	})
	if !ok {
		return unsupportedOp("mkdir", name)
	}
	if !recursive {
		return w.Mkdir(name, 0o777)
	}
	if name == "." {
		return nil
	}
	parts := strings.Split(name, "/")
	for i := range parts {
		dir := strings.Join(parts[:i+1], "/")
		st, err := fs.Stat(f.fsys, dir)
		switch {
		case err == nil && st.IsDir():
			continue
		case err == nil:
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
		if err := w.Mkdir(dir, 0o777); err != nil {
			return err
		}
	}
	return nil
}

// open opens p with os.OpenFile's flag: O_CREATE makes a missing file, with O_EXCL
// only a missing one; O_TRUNC empties it. A directory opens for reading only.
func (f loopFiles) open(p string, flag int, _ fs.FileMode) (fileHandle, error) {
	name := FSName(p)
	st, err := fs.Stat(f.fsys, name)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case exists && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST}
	case !exists && flag&os.O_CREATE == 0:
		return nil, err
	}
	h := &loopFile{files: f, path: p, name: name,
		readable:  flag&(os.O_WRONLY|os.O_RDWR) != os.O_WRONLY,
		writable:  flag&(os.O_WRONLY|os.O_RDWR) != 0,
		appending: flag&os.O_APPEND != 0,
	}
	if exists && st.IsDir() {
		if h.writable {
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
		}
		h.dir = true
		return h, nil
	}
	if !exists || flag&os.O_TRUNC != 0 {
		if err := f.writeFile(p, nil, false); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// loopFile is a file of a loop's fs.FS open behind a descriptor. It holds no
// data: a read reads the file, a write at an offset writes it whole again, so
// that every change goes through the fs.FS's methods (and a simulated disk's
// faults and crashes).
type loopFile struct {
	files                         loopFiles
	path, name                    string
	pos                           int64
	readable, writable, appending bool
	dir                           bool
}

func (h *loopFile) Stat() (fs.FileInfo, error) { return fs.Stat(h.files.fsys, h.name) }

func (h *loopFile) Close() error { return nil }

// Sync makes the file's data durable, or a directory's entries, through the
// fs.FS's Sync method (nodeloop.WriteFS's), as fsync(2) on the descriptor.
func (h *loopFile) Sync() error {
	w, ok := h.files.fsys.(interface{ Sync(string) error })
	if !ok {
		return unsupportedOp("fsync", h.name)
	}
	return w.Sync(h.name)
}

func (h *loopFile) Read(b []byte) (int, error) {
	n, err := h.ReadAt(b, h.pos)
	h.pos += int64(n)
	return n, err
}

func (h *loopFile) ReadAt(b []byte, off int64) (int, error) {
	switch {
	case h.dir:
		return 0, &fs.PathError{Op: "read", Path: h.name, Err: syscall.EISDIR}
	case !h.readable:
		return 0, syscall.EBADF
	}
	data, err := fs.ReadFile(h.files.fsys, h.name)
	if err != nil {
		return 0, err
	}
	if off >= int64(len(data)) {
		return 0, io.EOF
	}
	return copy(b, data[off:]), nil
}

func (h *loopFile) Write(b []byte) (int, error) {
	if h.appending && h.writable {
		if err := h.files.writeFile(h.path, b, true); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	n, err := h.WriteAt(b, h.pos)
	h.pos += int64(n)
	return n, err
}

func (h *loopFile) WriteAt(b []byte, off int64) (int, error) {
	if !h.writable {
		return 0, syscall.EBADF
	}
	data, err := fs.ReadFile(h.files.fsys, h.name)
	if err != nil {
		return 0, err
	}
	if end := off + int64(len(b)); end > int64(len(data)) {
		data = append(data, make([]byte, end-int64(len(data)))...)
	}
	copy(data[off:], b)
	if err := h.files.writeFile(h.path, data, false); err != nil {
		return 0, err
	}
	return len(b), nil
}

// openError is err, an error of reading a whole file, as the open(2) that fails
// first in Node says it: a file that is not there, or not reachable, fails to
// open rather than to read (a simulated disk's ReadFile says "read").
func openError(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op == "open" {
		return err
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrPermission) {
		return &fs.PathError{Op: "open", Path: pe.Path, Err: pe.Err}
	}
	return err
}

// unsupportedOp is the error of an operation the loop's fs.FS has no method for.
func unsupportedOp(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: errors.ErrUnsupported}
}
