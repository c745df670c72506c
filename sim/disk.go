package sim

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
)

// DefaultBlockSize is the block size of a Disk whose options give none: a write cut
// short by a crash keeps a whole number of blocks.
const DefaultBlockSize = 4096

// Disk is a simulated disk: an in-memory file system, a nodeloop.WriteFS for
// nodeloop.WithFS (or Config.FS), that keeps apart what a program has written and
// what would survive a power cut.
//
// # Durability
//
// The model is POSIX's, taken strictly. A write (WriteFile, AppendFile) goes to a
// volatile cache: reads see it at once, a crash may lose it. Sync of a file makes its
// data durable. A directory's entries (a file or directory created in it, renamed
// into or out of it, removed from it) are durable only after Sync of that directory;
// a file's own Sync does not make its name durable. So a store that wants a new file
// to survive writes it, syncs it, then syncs its directory, and one that replaces a
// file atomically writes a temporary file, syncs it, renames it over the old one and
// syncs the directory.
//
// # Crashes
//
// Crash returns the disk as it would be after a power cut. What was durable is
// there. Of what was not, each decision is a labelled choice, where choice 0, the
// calm one, is what a well-behaved disk guarantees and no more: every unsynced write
// and every unsynced directory change is lost. Otherwise, for each file in the order
// of its path, each unsynced write is kept or lost ("disk.crash.PATH.keep"), so a
// later write can survive an earlier one that did not; a kept write may be torn,
// keeping only its first blocks ("disk.crash.PATH.torn"; a gap a write left is
// zeros); and a kept write may be reordered before the write kept just before it
// ("disk.crash.PATH.reorder"), which matters where they overlap. For each directory,
// its unsynced changes survive as a prefix, in the order they were made
// ("disk.crash.PATH.dir", how many). A file or directory whose name does not survive
// is gone, whatever was synced of its data.
//
// # Faults
//
// A Disk injects DiskFaults, each drawn per operation from its choices: EIO on
// ReadFile, WriteFile, AppendFile and Sync; ENOSPC on a write; a short write.
//
// A Disk is safe for concurrent use, but a deterministic run uses it from one
// goroutine: sim.Run does, in virtual time, each operation happening when its pool
// job completes. Paths are fs.FS paths (fs.ValidPath); "." is the root directory,
// which always exists. Files have mode 0666, directories 0777, and no times.
type Disk struct {
	mu      sync.Mutex
	opts    DiskOptions
	choices fakepoller.Choices // opts.Choices, or a run's
	faults  DiskFaults         // opts.Faults, or a run's
	root    *dnode
}

var _ nodeloop.WriteFS = (*Disk)(nil)

// DiskOptions configure a Disk. The zero DiskOptions are blocks of DefaultBlockSize,
// choices that always take the first option (calm crashes) and no faults.
type DiskOptions struct {
	// Choices decides the disk's faults and what a crash keeps; nil means
	// fakepoller.First{}. In sim.Run, the run's choices decide instead. The copies
	// of a disk (a run's Result.Disk, what Crash returns) share it, so a stateful
	// source such as Seeded belongs to one disk's line of copies at a time.
	Choices fakepoller.Choices
	// BlockSize is the unit a torn write keeps whole; 0 means DefaultBlockSize.
	BlockSize int
	// Faults are the failures the disk injects; the zero DiskFaults inject none.
	// In sim.Run, the run's Faults.Disk apply instead.
	Faults DiskFaults

	_ struct{}
}

// DiskFaults are the failures a simulated disk injects, each a probability from 0
// (never, and no choice is drawn for it) to 1 (always) in steps of one in a million,
// drawn per operation. A failed operation returns an *fs.PathError. The zero
// DiskFaults inject none.
type DiskFaults struct {
	// EIO is the probability that ReadFile, WriteFile, AppendFile or Sync fails
	// with syscall.EIO ("fault.disk.eio") and changes nothing: a failed Sync
	// leaves the data as volatile as it was.
	EIO float64
	// NoSpace is the probability that a WriteFile or AppendFile fails with
	// syscall.ENOSPC ("fault.disk.nospc") and writes nothing.
	NoSpace float64
	// ShortWrite is the probability that a WriteFile or AppendFile writes only the
	// first part of its data, from none of it to all but one byte
	// ("disk.write.size", where 0 is the longest part), and fails with
	// io.ErrShortWrite ("fault.disk.short").
	ShortWrite float64

	_ struct{}
}

// dnode is a file or a directory of a Disk. A node can be named by several
// directories at once in what is durable (a rename whose directories were not both
// synced), and by none.
type dnode struct {
	dir bool
	// A directory's entries: now, at its last Sync, and the changes since, in order.
	entries map[string]*dnode
	durable map[string]*dnode
	pending []dirChange
	// A file's data: now, at its last Sync, and the writes since, in order.
	data   []byte
	synced []byte
	writes []diskWrite
}

// dirChange is a change to a directory's entries: name now names n, or nothing when
// n is nil.
type dirChange struct {
	name string
	n    *dnode
}

// diskWrite is one write to a file: data at off, after truncating the file to
// nothing when trunc.
type diskWrite struct {
	off   int
	data  []byte
	trunc bool
}

func newDir() *dnode {
	return &dnode{dir: true, entries: map[string]*dnode{}, durable: map[string]*dnode{}}
}

// NewDisk returns an empty simulated disk configured by opts. It fails when opts make
// no sense: a negative block size, a fault probability outside 0..1 or finer than
// one in a million.
func NewDisk(opts DiskOptions) (*Disk, error) {
	if opts.BlockSize < 0 {
		return nil, fmt.Errorf("sim: disk block size %d: want 0 (the default) or more", opts.BlockSize)
	}
	if err := (Faults{Disk: opts.Faults}).validate(); err != nil {
		return nil, err
	}
	if opts.BlockSize == 0 {
		opts.BlockSize = DefaultBlockSize
	}
	if opts.Choices == nil {
		opts.Choices = fakepoller.First{}
	}
	return &Disk{opts: opts, choices: opts.Choices, faults: opts.Faults, root: newDir()}, nil
}

func pathErr(op, name string, err error) error { return &fs.PathError{Op: op, Path: name, Err: err} }

// lookup returns the node called name.
func (d *Disk) lookup(op, name string) (*dnode, error) {
	if !fs.ValidPath(name) {
		return nil, pathErr(op, name, fs.ErrInvalid)
	}
	n := d.root
	if name == "." {
		return n, nil
	}
	for elem := range strings.SplitSeq(name, "/") {
		if !n.dir {
			return nil, pathErr(op, name, syscall.ENOTDIR)
		}
		if n = n.entries[elem]; n == nil {
			return nil, pathErr(op, name, fs.ErrNotExist)
		}
	}
	return n, nil
}

// parent returns the directory that holds name, and name's last element.
func (d *Disk) parent(op, name string) (*dnode, string, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, "", pathErr(op, name, fs.ErrInvalid)
	}
	dir, err := d.lookup(op, path.Dir(name))
	if err != nil {
		return nil, "", pathErr(op, name, err.(*fs.PathError).Err)
	}
	if !dir.dir {
		return nil, "", pathErr(op, name, syscall.ENOTDIR)
	}
	return dir, path.Base(name), nil
}

// set makes name in dir name n (nothing when n is nil), a change durable at dir's
// next Sync.
func (dir *dnode) set(name string, n *dnode) {
	if n == nil {
		delete(dir.entries, name)
	} else {
		dir.entries[name] = n
	}
	dir.pending = append(dir.pending, dirChange{name, n})
}

// apply returns data with w written to it.
func (w diskWrite) apply(data []byte) []byte {
	if w.trunc {
		data = data[:0]
	}
	if end := w.off + len(w.data); end > len(data) {
		data = append(data, make([]byte, end-len(data))...)
	}
	copy(data[w.off:], w.data)
	return data
}

// blocks returns how many blocks of size bs w touches (1 for an empty write).
func (w diskWrite) blocks(bs int) int {
	if len(w.data) == 0 {
		return 1
	}
	return (w.off+len(w.data)-1)/bs - w.off/bs + 1
}

// torn returns w cut after its first k blocks of size bs, 0 < k < w.blocks(bs).
func (w diskWrite) torn(k, bs int) diskWrite {
	end := (w.off/bs + k) * bs
	w.data = w.data[:end-w.off]
	return w
}

// fault draws whether an operation of kind op fails by a fault of the disk, and
// which: EIO, then (for a write) ENOSPC; nil when none strikes.
func (d *Disk) fault(op, name string) error {
	if fakepoller.Chance(d.choices, "fault.disk.eio", d.faults.EIO) {
		return pathErr(op, name, syscall.EIO)
	}
	if op == "write" && fakepoller.Chance(d.choices, "fault.disk.nospc", d.faults.NoSpace) {
		return pathErr(op, name, syscall.ENOSPC)
	}
	return nil
}

// write writes data to the named file, creating it, at its end (appending) or
// after truncating it.
func (d *Disk) write(name string, data []byte, appending bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dir, base, err := d.parent("write", name)
	if err != nil {
		return err
	}
	f := dir.entries[base]
	if f != nil && f.dir {
		return pathErr("write", name, syscall.EISDIR)
	}
	if err := d.fault("write", name); err != nil {
		return err
	}
	if fakepoller.Chance(d.choices, "fault.disk.short", d.faults.ShortWrite) {
		err = pathErr("write", name, io.ErrShortWrite)
		data = data[:max(len(data)-1-d.choices.Choose("disk.write.size", max(len(data), 1)), 0)]
	}
	if f == nil {
		f = &dnode{}
		dir.set(base, f)
	}
	w := diskWrite{data: bytes.Clone(data), trunc: !appending}
	if appending {
		w.off = len(f.data)
	}
	f.data = w.apply(f.data)
	f.writes = append(f.writes, w)
	return err
}

// WriteFile creates or truncates the named file and writes data to it, in the
// volatile cache. Its parent directory must exist.
func (d *Disk) WriteFile(name string, data []byte, _ fs.FileMode) error {
	return d.write(name, data, false)
}

// AppendFile writes data at the end of the named file, in the volatile cache,
// creating the file if it does not exist. Its parent directory must exist.
func (d *Disk) AppendFile(name string, data []byte, _ fs.FileMode) error {
	return d.write(name, data, true)
}

// ReadFile returns the named file's data as reads see it, synced or not.
func (d *Disk) ReadFile(name string) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.lookup("read", name)
	if err != nil {
		return nil, err
	}
	if f.dir {
		return nil, pathErr("read", name, syscall.EISDIR)
	}
	if err := d.fault("read", name); err != nil {
		return nil, err
	}
	return bytes.Clone(f.data), nil
}

// Sync makes the named file's data durable, or, for a directory, its entries.
func (d *Disk) Sync(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, err := d.lookup("sync", name)
	if err != nil {
		return err
	}
	if err := d.fault("sync", name); err != nil {
		return err
	}
	if n.dir {
		n.durable, n.pending = maps.Clone(n.entries), nil
	} else {
		n.synced, n.writes = bytes.Clone(n.data), nil
	}
	return nil
}

// Rename renames a file or directory, as os.Rename on Linux: it replaces a file, or
// an empty directory with a directory, at newname; a directory cannot move into
// itself. The change is durable after Sync of both directories.
func (d *Disk) Rename(oldname, newname string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	odir, obase, err := d.parent("rename", oldname)
	if err != nil {
		return err
	}
	n := odir.entries[obase]
	if n == nil {
		return pathErr("rename", oldname, fs.ErrNotExist)
	}
	ndir, nbase, err := d.parent("rename", newname)
	if err != nil {
		return err
	}
	if oldname == newname {
		return nil
	}
	if n.dir && strings.HasPrefix(newname, oldname+"/") {
		return pathErr("rename", newname, syscall.EINVAL)
	}
	if old := ndir.entries[nbase]; old != nil {
		switch {
		case old.dir && !n.dir:
			return pathErr("rename", newname, syscall.EISDIR)
		case !old.dir && n.dir:
			return pathErr("rename", newname, syscall.ENOTDIR)
		case old.dir && len(old.entries) > 0:
			return pathErr("rename", newname, syscall.ENOTEMPTY)
		}
	}
	odir.set(obase, nil)
	ndir.set(nbase, n)
	return nil
}

// Remove removes a file or an empty directory. The removal is durable after Sync of
// its directory.
func (d *Disk) Remove(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dir, base, err := d.parent("remove", name)
	if err != nil {
		return err
	}
	n := dir.entries[base]
	switch {
	case n == nil:
		return pathErr("remove", name, fs.ErrNotExist)
	case n.dir && len(n.entries) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	dir.set(base, nil)
	return nil
}

// Mkdir makes a directory, whose parent must exist. The new entry is durable after
// Sync of the parent.
func (d *Disk) Mkdir(name string, _ fs.FileMode) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dir, base, err := d.parent("mkdir", name)
	if err != nil {
		return err
	}
	if dir.entries[base] != nil {
		return pathErr("mkdir", name, fs.ErrExist)
	}
	dir.set(base, newDir())
	return nil
}

// ReadDir lists the named directory, sorted by name.
func (d *Disk) ReadDir(name string) ([]fs.DirEntry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, err := d.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, pathErr("readdir", name, syscall.ENOTDIR)
	}
	return n.list(), nil
}

// list returns a directory's entries, sorted by name.
func (n *dnode) list() []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(n.entries))
	for _, name := range slices.Sorted(maps.Keys(n.entries)) {
		out = append(out, fs.FileInfoToDirEntry(n.entries[name].info(name)))
	}
	return out
}

// Open opens the named file or directory for reading, as fs.FS: a file reads the
// data it had when opened. Open draws no fault.
func (d *Disk) Open(name string) (fs.File, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, err := d.lookup("open", name)
	if err != nil {
		return nil, err
	}
	f := &diskFile{info: n.info(path.Base(name))}
	if n.dir {
		f.dirents = n.list()
	} else {
		f.Reader = bytes.NewReader(bytes.Clone(n.data))
	}
	return f, nil
}

// info describes the node called name.
func (n *dnode) info(name string) diskInfo {
	if n.dir {
		return diskInfo{name: name, mode: fs.ModeDir | 0o777}
	}
	return diskInfo{name: name, size: int64(len(n.data)), mode: 0o666}
}

// diskInfo is an fs.FileInfo of a Disk's file.
type diskInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i diskInfo) Name() string       { return i.name }
func (i diskInfo) Size() int64        { return i.size }
func (i diskInfo) Mode() fs.FileMode  { return i.mode }
func (i diskInfo) ModTime() time.Time { return time.Time{} }
func (i diskInfo) IsDir() bool        { return i.mode.IsDir() }
func (i diskInfo) Sys() any           { return nil }

// diskFile is an open file or directory of a Disk.
type diskFile struct {
	*bytes.Reader // a file's data; nil for a directory
	info          diskInfo
	dirents       []fs.DirEntry // a directory's entries not yet read
}

func (f *diskFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *diskFile) Close() error               { return nil }

func (f *diskFile) Read(p []byte) (int, error) {
	if f.Reader == nil {
		return 0, pathErr("read", f.info.name, syscall.EISDIR)
	}
	return f.Reader.Read(p)
}

// ReadDir reads a directory's entries as fs.ReadDirFile.
func (f *diskFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if f.Reader != nil {
		return nil, pathErr("readdir", f.info.name, syscall.ENOTDIR)
	}
	if n <= 0 {
		out := f.dirents
		f.dirents = nil
		return out, nil
	}
	if len(f.dirents) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(f.dirents))
	out := f.dirents[:n:n]
	f.dirents = f.dirents[n:]
	return out, nil
}

// Crash returns the disk as it would be after a power cut now, everything on it
// durable, with the disk's options; d itself does not change. What survives is
// decided by the choices in use (see Crashes in the type's doc): d's own, or a run's
// while sim.Run is using it.
func (d *Disk) Crash() *Disk {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &crash{d: d, files: map[*dnode]*dnode{}, dirs: map[*dnode]bool{}}
	return &Disk{opts: d.opts, choices: d.opts.Choices, faults: d.opts.Faults, root: c.dir(d.root, ".")}
}

// crash is one Crash in progress: the files it has decided, the directories it has
// entered.
type crash struct {
	d     *Disk
	files map[*dnode]*dnode
	dirs  map[*dnode]bool
}

// dir returns what survives of the directory n, called p.
func (c *crash) dir(n *dnode, p string) *dnode {
	c.dirs[n] = true
	ents := maps.Clone(n.durable)
	if k := len(n.pending); k > 0 {
		for _, ch := range n.pending[:c.d.choices.Choose("disk.crash."+p+".dir", k+1)] {
			if ch.n == nil {
				delete(ents, ch.name)
			} else {
				ents[ch.name] = ch.n
			}
		}
	}
	out := newDir()
	for _, name := range slices.Sorted(maps.Keys(ents)) {
		e, ep := ents[name], path.Join(p, name)
		switch {
		case e.dir && c.dirs[e]:
			// named twice by what is durable: a real file system's check keeps one
		case e.dir:
			out.entries[name] = c.dir(e, ep)
		default:
			f, ok := c.files[e]
			if !ok {
				f = c.file(e, ep)
				c.files[e] = f
			}
			out.entries[name] = f
		}
	}
	out.durable = maps.Clone(out.entries)
	return out
}

// file returns what survives of the file n, called p.
func (c *crash) file(n *dnode, p string) *dnode {
	ch, bs := c.d.choices, c.d.opts.BlockSize
	var kept []diskWrite
	for _, w := range n.writes {
		if ch.Choose("disk.crash."+p+".keep", 2) == 0 {
			continue
		}
		if b := w.blocks(bs); b > 1 {
			if k := ch.Choose("disk.crash."+p+".torn", b); k > 0 {
				w = w.torn(k, bs)
			}
		}
		kept = append(kept, w)
		if i := len(kept) - 1; i > 0 && ch.Choose("disk.crash."+p+".reorder", 2) == 1 {
			kept[i-1], kept[i] = kept[i], kept[i-1]
		}
	}
	data := bytes.Clone(n.synced)
	for _, w := range kept {
		data = w.apply(data)
	}
	return &dnode{data: data, synced: bytes.Clone(data)}
}

// forRun returns a copy of d for one run, drawing from the run's choices and
// injecting its faults; d does not change.
func (d *Disk) forRun(choices fakepoller.Choices, faults DiskFaults) *Disk {
	d.mu.Lock()
	defer d.mu.Unlock()
	memo := map[*dnode]*dnode{}
	return &Disk{opts: d.opts, choices: choices, faults: faults, root: d.root.copy(memo)}
}

// endRun makes d draw from its own choices and inject its own faults again.
func (d *Disk) endRun() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.choices, d.faults = d.opts.Choices, d.opts.Faults
}

// copy returns a deep copy of n, sharing as n's nodes share (memo maps each node to
// its copy).
func (n *dnode) copy(memo map[*dnode]*dnode) *dnode {
	if c, ok := memo[n]; ok {
		return c
	}
	c := &dnode{dir: n.dir, data: bytes.Clone(n.data), synced: bytes.Clone(n.synced), writes: slices.Clone(n.writes)}
	memo[n] = c
	if n.dir {
		c.entries, c.durable = make(map[string]*dnode, len(n.entries)), make(map[string]*dnode, len(n.durable))
		for name, e := range n.entries {
			c.entries[name] = e.copy(memo)
		}
		for name, e := range n.durable {
			c.durable[name] = e.copy(memo)
		}
		for _, ch := range n.pending {
			if ch.n != nil {
				c.pending = append(c.pending, dirChange{ch.name, ch.n.copy(memo)})
			} else {
				c.pending = append(c.pending, ch)
			}
		}
	}
	return c
}
