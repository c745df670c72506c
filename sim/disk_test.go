package sim_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

func newDisk(t *testing.T, opts sim.DiskOptions) *sim.Disk {
	t.Helper()
	d, err := sim.NewDisk(opts)
	if err != nil {
		t.Fatalf("NewDisk: %v", err)
	}
	return d
}

// must fails the test on an error of a disk operation.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// dump returns every file of fsys with its data and every directory, one a line,
// in path order: "d/", "d/f=data".
func dump(t *testing.T, fsys fs.FS) string {
	t.Helper()
	var b strings.Builder
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p == ".":
		case e.IsDir():
			fmt.Fprintf(&b, "%s/\n", p)
		default:
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s=%s\n", p, data)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the disk: %v", err)
	}
	return b.String()
}

// A Disk is an fs.FS that testing/fstest accepts, with what was written, synced or
// not.
func TestDiskIsAnFS(t *testing.T) {
	d := newDisk(t, sim.DiskOptions{})
	must(t, "mkdir", d.Mkdir("d", 0o777))
	must(t, "mkdir", d.Mkdir("d/e", 0o777))
	must(t, "write", d.WriteFile("a", []byte("one"), 0o666))
	must(t, "write", d.WriteFile("d/b", []byte("two"), 0o666))
	must(t, "append", d.AppendFile("d/e/c", []byte("three"), 0o666))
	must(t, "sync", d.Sync("d/b"))
	if err := fstest.TestFS(d, "a", "d/b", "d/e/c"); err != nil {
		t.Fatal(err)
	}
}

// The operations' errors match what os's do, and name the file.
func TestDiskErrors(t *testing.T) {
	d := newDisk(t, sim.DiskOptions{})
	must(t, "mkdir", d.Mkdir("d", 0o777))
	must(t, "write", d.WriteFile("d/f", []byte("x"), 0o666))
	must(t, "mkdir", d.Mkdir("d/sub", 0o777))
	for _, tc := range []struct {
		what string
		err  error
		want error
	}{
		{"read a missing file", func() error { _, err := d.ReadFile("d/none"); return err }(), fs.ErrNotExist},
		{"read a directory", func() error { _, err := d.ReadFile("d"); return err }(), syscall.EISDIR},
		{"read through a file", func() error { _, err := d.ReadFile("d/f/x"); return err }(), syscall.ENOTDIR},
		{"read an invalid path", func() error { _, err := d.ReadFile("/d/f"); return err }(), fs.ErrInvalid},
		{"write where no directory is", d.WriteFile("none/f", nil, 0), fs.ErrNotExist},
		{"write a directory", d.WriteFile("d/sub", nil, 0), syscall.EISDIR},
		{"append under a file", d.AppendFile("d/f/g", nil, 0), syscall.ENOTDIR},
		{"sync a missing file", d.Sync("d/none"), fs.ErrNotExist},
		{"mkdir twice", d.Mkdir("d", 0), fs.ErrExist},
		{"remove a non-empty directory", d.Remove("d"), syscall.ENOTEMPTY},
		{"remove a missing file", d.Remove("d/none"), fs.ErrNotExist},
		{"remove the root", d.Remove("."), fs.ErrInvalid},
		{"rename a missing file", d.Rename("d/none", "d/g"), fs.ErrNotExist},
		{"rename a file over a directory", d.Rename("d/f", "d/sub"), syscall.EISDIR},
		{"rename a directory over a file", d.Rename("d/sub", "d/f"), syscall.ENOTDIR},
		{"rename a directory into itself", d.Rename("d", "d/sub/d"), syscall.EINVAL},
		{"rename a directory over a non-empty one", d.Rename("d/sub", "d"), syscall.ENOTEMPTY},
		{"list a file", func() error { _, err := d.ReadDir("d/f"); return err }(), syscall.ENOTDIR},
	} {
		var pe *fs.PathError
		if !errors.Is(tc.err, tc.want) || !errors.As(tc.err, &pe) || pe.Path == "" {
			t.Errorf("%s: %v; want an *fs.PathError matching %v", tc.what, tc.err, tc.want)
		}
	}
	if got, want := dump(t, d), "d/\nd/f=x\nd/sub/\n"; got != want {
		t.Errorf("after the failed operations the disk holds\n%s\nwant\n%s", got, want)
	}
}

// durable is a disk with a directory "db" and a file "db/f" holding "v1", all
// durable.
func durable(t *testing.T, opts sim.DiskOptions) *sim.Disk {
	t.Helper()
	d := newDisk(t, opts)
	must(t, "mkdir", d.Mkdir("db", 0o777))
	must(t, "write", d.WriteFile("db/f", []byte("v1"), 0o666))
	must(t, "sync", d.Sync("db/f"))
	must(t, "sync", d.Sync("db"))
	must(t, "sync", d.Sync("."))
	return d
}

// Under the calm choices a crash keeps what was made durable and loses the rest:
// data written after the file's last Sync, and directory changes (new files,
// renames, removals, new directories) made after the directory's last Sync, even of a
// file whose data was synced. What a crash returns is all durable, and the disk that
// crashed does not change.
func TestDiskCrashCalm(t *testing.T) {
	for _, tc := range []struct {
		what string
		do   func(t *testing.T, d *sim.Disk)
		want string
	}{
		{"nothing more", func(*testing.T, *sim.Disk) {}, "db/\ndb/f=v1\n"},
		{"a synced rewrite", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/f", []byte("v2"), 0))
			must(t, "sync", d.Sync("db/f"))
		}, "db/\ndb/f=v2\n"},
		{"an unsynced rewrite and append", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/f", []byte("v2"), 0))
			must(t, "append", d.AppendFile("db/f", []byte("more"), 0))
		}, "db/\ndb/f=v1\n"},
		{"a new file synced, its directory not", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/g", []byte("new"), 0))
			must(t, "sync", d.Sync("db/g"))
		}, "db/\ndb/f=v1\n"},
		{"a new file synced, then its directory", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/g", []byte("new"), 0))
			must(t, "sync", d.Sync("db/g"))
			must(t, "sync", d.Sync("db"))
		}, "db/\ndb/f=v1\ndb/g=new\n"},
		{"a new file's name synced, its data not", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/g", []byte("new"), 0))
			must(t, "sync", d.Sync("db"))
		}, "db/\ndb/f=v1\ndb/g=\n"},
		{"an unsynced rename over the file", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/tmp", []byte("v2"), 0))
			must(t, "sync", d.Sync("db/tmp"))
			must(t, "rename", d.Rename("db/tmp", "db/f"))
		}, "db/\ndb/f=v1\n"},
		{"a synced rename over the file", func(t *testing.T, d *sim.Disk) {
			must(t, "write", d.WriteFile("db/tmp", []byte("v2"), 0))
			must(t, "sync", d.Sync("db/tmp"))
			must(t, "rename", d.Rename("db/tmp", "db/f"))
			must(t, "sync", d.Sync("db"))
		}, "db/\ndb/f=v2\n"},
		{"an unsynced removal", func(t *testing.T, d *sim.Disk) {
			must(t, "remove", d.Remove("db/f"))
		}, "db/\ndb/f=v1\n"},
		{"a synced removal", func(t *testing.T, d *sim.Disk) {
			must(t, "remove", d.Remove("db/f"))
			must(t, "sync", d.Sync("db"))
		}, "db/\n"},
		{"a directory synced, its parent not", func(t *testing.T, d *sim.Disk) {
			must(t, "mkdir", d.Mkdir("db/sub", 0))
			must(t, "write", d.WriteFile("db/sub/x", []byte("x"), 0))
			must(t, "sync", d.Sync("db/sub/x"))
			must(t, "sync", d.Sync("db/sub"))
		}, "db/\ndb/f=v1\n"},
		{"a directory moved, both parents synced", func(t *testing.T, d *sim.Disk) {
			must(t, "mkdir", d.Mkdir("old", 0))
			must(t, "sync", d.Sync("."))
			must(t, "rename", d.Rename("db", "old/db"))
			must(t, "sync", d.Sync("."))
			must(t, "sync", d.Sync("old"))
		}, "old/\nold/db/\nold/db/f=v1\n"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			d := durable(t, sim.DiskOptions{})
			tc.do(t, d)
			before := dump(t, d)
			c := d.Crash()
			if got := dump(t, c); got != tc.want {
				t.Errorf("after the crash the disk holds\n%s\nwant\n%s", got, tc.want)
			}
			if got := dump(t, d); got != before {
				t.Errorf("Crash changed the disk that crashed from\n%s\nto\n%s", before, got)
			}
			if got := dump(t, c.Crash()); got != tc.want {
				t.Errorf("a second crash left\n%s\nwant\n%s: what a crash returns is durable", got, tc.want)
			}
		})
	}
}

// counting is a Choices that draws from a seeded source and counts the draws by
// label.
type counting struct {
	src    fakepoller.Choices
	labels map[string]int
}

func (c *counting) Choose(what string, n int) int {
	c.labels[what]++
	return c.src.Choose(what, n)
}

// Under seeded choices an unsynced write is sometimes lost, sometimes kept, sometimes
// torn at a block boundary and sometimes reordered with a later write; what was
// synced always survives; and the same seed gives the same disk after a crash.
func TestDiskCrashSweep(t *testing.T) {
	const bs = 4
	// f, synced as "v1": "aaaa" appended (across two blocks), then rewritten as
	// "bbbbbbbb" (two blocks): in order, a subset of them, one torn, or the
	// rewrite first and the append over it. g: three blocks appended to an empty
	// synced file. h: a new file whose name was never synced.
	allowedF := map[string]string{
		"v1":       "lost",
		"v1aaaa":   "kept",
		"bbbbbbbb": "kept",
		"v1aa":     "torn",
		"bbbb":     "torn",
		"bbaaaabb": "reordered",
		"bbaabbbb": "reordered",
		"bbaaaa":   "reordered",
		"bbaa":     "reordered",
	}
	allowedG := map[string]string{"": "lost", "cccc": "torn", "cccccccc": "torn", "cccccccccccc": "kept"}
	seen := map[string]int{}
	outcome := map[string]bool{}
	crash := func(seed uint64) (*sim.Disk, *counting) {
		ch := &counting{src: sim.Seeded(seed), labels: map[string]int{}}
		d := durable(t, sim.DiskOptions{BlockSize: bs, Choices: ch})
		must(t, "write", d.WriteFile("db/g", nil, 0))
		must(t, "sync", d.Sync("db/g"))
		must(t, "sync", d.Sync("db"))
		must(t, "append", d.AppendFile("db/f", []byte("aaaa"), 0))
		must(t, "write", d.WriteFile("db/f", []byte("bbbbbbbb"), 0))
		must(t, "append", d.AppendFile("db/g", []byte("cccccccccccc"), 0))
		must(t, "write", d.WriteFile("db/h", []byte("h"), 0))
		return d.Crash(), ch
	}
	for seed := range uint64(300) {
		c, ch := crash(seed)
		f, errF := c.ReadFile("db/f")
		g, errG := c.ReadFile("db/g")
		_, errH := c.ReadFile("db/h")
		kindF, okF := allowedF[string(f)]
		kindG, okG := allowedG[string(g)]
		if errF != nil || errG != nil || !okF || !okG {
			t.Fatalf("seed %d: after the crash f is %q (%v), g is %q (%v); want f one of %v and g one of %v", seed, f, errF, g, errG, allowedF, allowedG)
		}
		seen["f "+kindF]++
		seen["g "+kindG]++
		outcome[fmt.Sprintf("h %v", errH == nil)] = true
		if ch.labels["disk.crash.db/f.keep"] != 2 || ch.labels["disk.crash.db/g.keep"] != 1 {
			t.Fatalf("seed %d: drew %v; want 2 keeps of f and 1 of g", seed, ch.labels)
		}
		again, _ := crash(seed)
		if a, b := dump(t, c), dump(t, again); a != b {
			t.Fatalf("seed %d: one crash left\n%s\nthe same seed again\n%s", seed, a, b)
		}
	}
	for _, want := range []string{"f lost", "f kept", "f torn", "f reordered", "g lost", "g torn", "g kept"} {
		if seen[want] == 0 {
			t.Errorf("in 300 seeds, never %s (saw %v)", want, seen)
		}
	}
	if !outcome["h true"] || !outcome["h false"] {
		t.Errorf("in 300 seeds the unsynced new file survived: %v; want sometimes and sometimes not", outcome)
	}
}

// Each disk fault of a run's Faults.Disk strikes every operation it applies to at
// probability 1, with its error, changing nothing (EIO, ENOSPC) or writing a first
// part (a short write); at probability 0 none strikes and none is drawn. The run
// works on a copy of the disk it is given, and leaves it in Result.Disk.
func TestDiskFaults(t *testing.T) {
	for _, tc := range []struct {
		faults sim.DiskFaults
		want   map[string]error // by operation; nil for one it does not strike
		after  string           // f's data after the operations
	}{
		{sim.DiskFaults{}, map[string]error{}, "abcdefghi"},
		{sim.DiskFaults{EIO: 1}, map[string]error{"read": syscall.EIO, "write": syscall.EIO, "append": syscall.EIO, "sync": syscall.EIO}, "v1"},
		{sim.DiskFaults{NoSpace: 1}, map[string]error{"write": syscall.ENOSPC, "append": syscall.ENOSPC}, "v1"},
		// The calm draw of a short write's size is the longest part: all but the
		// last byte.
		{sim.DiskFaults{ShortWrite: 1}, map[string]error{"write": io.ErrShortWrite, "append": io.ErrShortWrite}, "abcdegh"},
	} {
		d := durable(t, sim.DiskOptions{})
		errs := map[string]error{}
		res := run(t, sim.Config{Choices: fakepoller.First{}, FS: d, Faults: sim.Faults{Disk: tc.faults}}, func(l *nodeloop.Loop) {
			l.ReadFile("db/f", func(_ []byte, err error) {
				errs["read"] = err
				l.WriteFile("db/f", []byte("abcdef"), func(err error) {
					errs["write"] = err
					l.AppendFile("db/f", []byte("ghi"), func(err error) {
						errs["append"] = err
						l.Fsync("db/f", func(err error) { errs["sync"] = err })
					})
				})
			})
		})
		for _, op := range []string{"read", "write", "append", "sync"} {
			err, want := errs[op], tc.want[op]
			if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
				t.Errorf("faults %+v: %s: %v; want %v", tc.faults, op, err, want)
			}
		}
		if got, _ := res.Disk.ReadFile("db/f"); string(got) != tc.after {
			t.Errorf("faults %+v: the run left f holding %q; want %q", tc.faults, got, tc.after)
		}
		if got, _ := d.ReadFile("db/f"); string(got) != "v1" {
			t.Errorf("faults %+v: the disk given to the run holds %q; want it unchanged, v1", tc.faults, got)
		}
		for _, c := range res.Choices {
			if tc.faults == (sim.DiskFaults{}) && strings.HasPrefix(c.What, "fault.disk.") {
				t.Errorf("no disk faults, yet the run drew %v", c)
			}
		}
	}
	// At probability 0 no fault strikes over a seeded run of many writes.
	res := run(t, sim.Config{Seed: 7, FS: durable(t, sim.DiskOptions{})}, func(l *nodeloop.Loop) {
		for i := range 100 {
			l.AppendFile("db/f", []byte{byte('a' + i%26)}, func(err error) {
				if err != nil {
					t.Errorf("append %d: %v", i, err)
				}
			})
		}
	})
	if got, _ := res.Disk.ReadFile("db/f"); len(got) != 102 {
		t.Errorf("after 100 appends f holds %d bytes; want 102", len(got))
	}
}

// A program on a simulated disk runs in virtual time, its operations pool jobs of
// the run's job times; the same seed gives the same disk, and the same disk after a
// crash drawn from the same seed.
func TestDiskInRun(t *testing.T) {
	program := func(l *nodeloop.Loop) {
		for i := range 5 {
			name := fmt.Sprintf("db/log%d", i)
			l.AppendFile(name, []byte(strings.Repeat("x", 5000*(i+1))), func(err error) {
				if err != nil {
					panic(err)
				}
				if i%2 == 0 {
					l.Fsync(name, func(error) {})
				}
			})
		}
	}
	final := func(seed uint64) (string, string, *sim.Result) {
		res := run(t, sim.Config{Seed: seed, FS: durable(t, sim.DiskOptions{})}, program)
		return dump(t, res.Disk), dump(t, res.Disk.Crash()), res
	}
	a, ca, res := final(3)
	b, cb, _ := final(3)
	if a != b || ca != cb {
		t.Fatalf("seed 3 twice: disks\n%s\n%s\nafter a crash\n%s\n%s", a, b, ca, cb)
	}
	if res.End <= 0 {
		t.Errorf("the run took %v of virtual time; want the pool's job times", res.End)
	}
	if !strings.Contains(a, "db/log4="+strings.Repeat("x", 25000)) {
		t.Errorf("the run's disk holds\n%.200s\nwant log4 with 25000 bytes", a)
	}
}
