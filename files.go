package nodeloop

import (
	"errors"
	"io/fs"
	"os"
)

// WriteFS is a file system the loop can change: what an fs.FS given to WithFS needs
// for the file operations beyond ReadFile and ReadDir. Names are fs.FS paths
// (slash-separated, unrooted, fs.ValidPath). Each method is needed only by the
// operation that uses it: an fs.FS with some of them serves those, and the others
// fail with an error matching errors.ErrUnsupported that names the operation, as
// every write does on a read-only fs.FS. A simulated disk (sim.Disk) implements it.
//
// Its methods may be called from any goroutine, one at a time or several at once
// (the loop's own pool has several workers).
type WriteFS interface {
	fs.FS
	// WriteFile creates or truncates the named file and writes data to it, as
	// os.WriteFile.
	WriteFile(name string, data []byte, perm fs.FileMode) error
	// AppendFile writes data at the end of the named file, creating it if it does
	// not exist.
	AppendFile(name string, data []byte, perm fs.FileMode) error
	// Sync makes what was written to the named file durable, as fsync; for a
	// directory, it makes the entries made, renamed and removed in it durable.
	Sync(name string) error
	// Rename renames a file or directory, replacing a file at newname, as
	// os.Rename.
	Rename(oldname, newname string) error
	// Remove removes a file or an empty directory, as os.Remove.
	Remove(name string) error
	// Mkdir makes a directory, whose parent must exist, as os.Mkdir.
	Mkdir(name string, perm fs.FileMode) error
}

// FS is the fs.FS given to WithFS, or nil when the loop's file operations use the
// operating system's files. A host that runs programs on the loop (the js package)
// uses it for the operations the loop has no method for, so that a program sees one
// file system: a simulated run's disk, say.
func (l *Loop) FS() fs.FS { return l.fsys }

// unsupported is the error of a file operation the fs.FS given to WithFS cannot do.
func unsupported(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: errors.ErrUnsupported}
}

// fileOp runs op on the pool and passes its error to cb: the operating system's
// files (osOp) without WithFS, else the fs.FS's method, found by method.
func fileOp[M any](l *Loop, what string, cb func(error), osOp func() error, fsOp func(M) error, op, name string) {
	l.mustOpen(what)
	if cb == nil {
		nilCallback(what)
	}
	fsys := l.fsys
	Work(l, func() (struct{}, error) {
		if fsys == nil {
			return struct{}{}, osOp()
		}
		m, ok := fsys.(M)
		if !ok {
			return struct{}{}, unsupported(op, name)
		}
		return struct{}{}, fsOp(m)
	}, func(_ struct{}, err error) { cb(err) })
}

// AppendFile writes data at the end of the named file on the pool, creating the file
// if it does not exist, and passes the result to cb, as fs.appendFile. data must not
// change until cb runs. What it writes is durable only after Fsync of the file (and,
// for a file it created, of its directory). With WithFS the fs.FS needs WriteFS's
// AppendFile method.
func (l *Loop) AppendFile(name string, data []byte, cb func(error)) {
	fileOp(l, "AppendFile", cb, func() error {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, func(w interface {
		AppendFile(string, []byte, fs.FileMode) error
	}) error {
		return w.AppendFile(name, data, 0o666)
	}, "append", name)
}

// Fsync makes what was written to the named file durable on the pool, as fsync(2) on
// a descriptor opened for it, and passes the result to cb. Given a directory, it
// makes durable the entries created, renamed and removed in that directory, which a
// file's own Fsync does not: a store that creates or renames a file and wants it to
// survive a crash syncs the file, then its directory. On Windows, where a directory
// cannot be synced and NTFS journals its entries itself, a directory's Fsync does
// nothing and succeeds. With WithFS the fs.FS needs WriteFS's Sync method.
func (l *Loop) Fsync(name string, cb func(error)) {
	fileOp(l, "Fsync", cb, func() error { return syncPath(name) },
		func(w interface{ Sync(string) error }) error { return w.Sync(name) }, "sync", name)
}

// Rename renames the file or directory oldname to newname on the pool, replacing a
// file at newname, and passes the result to cb, as fs.rename. The change is durable
// only after Fsync of both directories. With WithFS the fs.FS needs WriteFS's Rename
// method.
func (l *Loop) Rename(oldname, newname string, cb func(error)) {
	fileOp(l, "Rename", cb, func() error { return os.Rename(oldname, newname) },
		func(w interface{ Rename(string, string) error }) error { return w.Rename(oldname, newname) }, "rename", oldname)
}

// Remove removes the named file or empty directory on the pool and passes the
// result to cb, as fs.unlink and fs.rmdir. The removal is durable only after Fsync of
// the directory. With WithFS the fs.FS needs WriteFS's Remove method.
func (l *Loop) Remove(name string, cb func(error)) {
	fileOp(l, "Remove", cb, func() error { return os.Remove(name) },
		func(w interface{ Remove(string) error }) error { return w.Remove(name) }, "remove", name)
}

// Mkdir makes the named directory on the pool (its parent must exist) and passes
// the result to cb, as fs.mkdir. The new entry is durable only after Fsync of the
// parent directory. With WithFS the fs.FS needs WriteFS's Mkdir method.
func (l *Loop) Mkdir(name string, cb func(error)) {
	fileOp(l, "Mkdir", cb, func() error { return os.Mkdir(name, 0o777) },
		func(w interface {
			Mkdir(string, fs.FileMode) error
		}) error {
			return w.Mkdir(name, 0o777)
		}, "mkdir", name)
}

// ReadDir lists the named directory on the pool, sorted by name, and passes the
// entries to cb, as fs.readdir with withFileTypes. With WithFS it reads the fs.FS's
// directory (fs.ReadDir), which every fs.FS can do.
func (l *Loop) ReadDir(name string, cb func([]fs.DirEntry, error)) {
	l.mustOpen("ReadDir")
	if cb == nil {
		nilCallback("ReadDir")
	}
	fsys := l.fsys
	Work(l, func() ([]fs.DirEntry, error) {
		if fsys != nil {
			return fs.ReadDir(fsys, name)
		}
		return os.ReadDir(name)
	}, cb)
}
