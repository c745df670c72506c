package js

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// HostReadCost is the virtual CPU time each clock reading of a Program's script
// costs its running callback (Date.now, performance.now, process.hrtime), as
// reading a clock takes time: so a script that busy-waits on the clock ends after
// a number of readings that stays cheap to simulate. It is what nodeloop sim
// charges a script by default.
const HostReadCost = time.Microsecond

// Program returns the Node.js script at path as a program of a host of a
// sim.World, for World.Host: w.Host("server", prog) runs the script on that host,
// from the start on the host's new loop each time the host boots (a Restart after
// a Crash runs it again, with a new runtime, on the disk the crash left). The
// script's file is read from the operating system each time it starts; its
// modules too, as RunMain reads them.
//
// On the host the script sees what the host has: net listens on the host's ports
// and dials the world's hosts by name ("server:7000"); fs is the host's disk
// (sim.HostOptions.Disk; give each host one, or its fs reaches the operating
// system's files), an absolute path /data/log naming data/log on it (FSName);
// Math.random and crypto's random bytes draw the choice "js.random" from the
// world's choices; performance.now and process.hrtime read the world's virtual
// time and Date the host's wall clock (sim.WallClock, with its skew), each reading
// charging HostReadCost to the running callback. What it writes to fd 1 and 2 goes
// to cfg.Stdout and cfg.Stderr (nil discards it): give each host its own writer,
// or one shared writer through Prefix, so that the world's output says which host
// wrote each line; the output of every run of the program goes there in turn (a
// world that ends stuck, not live or out of time or steps runs its programs again
// to find where their handles were made, and their output then comes twice).
//
// A program ends as Node's does ('beforeExit', the 'exit' listeners), and ends
// its host only: process.exit, or a loop with nothing left to do, ends the host
// while the world goes on (a host that exits with connections open resets them,
// see sim.World). An exit code other than 0, and a callback that runs longer than
// cfg.SyncLimit, fail the world, naming the host, with an *ExitError or a
// *SyncLimitError. The same seed gives the same world, byte for byte, as long as
// the script reads no other source of input; cfg.SyncLimit, a limit of real time,
// starts a watchdog goroutine while JavaScript runs (see the package's
// documentation), so leave it 0 where the run must never depend on the machine.
//
// cfg.Clock and cfg.Random must be nil: they are the world's. Program returns an
// error when they are set, or when path names no file it can read.
func Program(path string, cfg Config) (func(*nodeloop.Loop), error) {
	if cfg.Clock != nil || cfg.Random != nil {
		return nil, errors.New("js: Program: Config.Clock and Config.Random are the world's; leave them nil")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("js: Program: %w", err)
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("js: Program: %w", err)
	} else if st.IsDir() {
		return nil, fmt.Errorf("js: Program: %s is a directory, not a script", path)
	}
	return func(l *nodeloop.Loop) { hostMain(l, abs, cfg)() }, nil
}

// hostMain makes the runtime of the script at abs on l, a host's loop, registers
// its end with the world and returns its main callback.
func hostMain(l *nodeloop.Loop, abs string, cfg Config) func() {
	cfg.Clock = hostClock{l}
	cfg.Random = func() float64 { return float64(sim.Choose(l, "js.random", 1<<53)) / (1 << 53) }
	rt, err := New(l, cfg)
	if err != nil {
		panic(err) // the world fails with it, naming the host
	}
	rt.vm.SetTimeSource(func() time.Time {
		sim.Busy(l, HostReadCost)
		return sim.WallClock(l)
	})
	main, err := rt.Main(abs)
	if err != nil {
		panic(err)
	}
	sim.OnIdle(l, rt.OnIdle)
	return main
}

// OnIdle is the runtime's answer to sim.OnIdle, for a simulated loop whose work is
// done: true when the script is done and 'beforeExit' queued nothing more; else
// false with the script's error, an *ExitError for an exit code other than 0, or
// nil when the script ended well.
func (rt *Runtime) OnIdle() (bool, error) {
	if rt.Idle() {
		return true, nil
	}
	if err := rt.Err(); err != nil {
		return false, err
	}
	if code := rt.ExitCode(); code != 0 {
		return false, &ExitError{Code: code}
	}
	return false, nil
}

// hostClock is a host's script's monotonic clock: the world's virtual time, each
// reading charging HostReadCost to the running callback.
type hostClock struct{ l *nodeloop.Loop }

func (c hostClock) Now() time.Time {
	sim.Busy(c.l, HostReadCost)
	return sim.Now(c.l)
}

// ExitError is the end of a Program's script with an exit code other than 0:
// process.exit(code), process.exitCode, or an uncaught exception (1).
type ExitError struct {
	Code int
}

func (e *ExitError) Error() string { return fmt.Sprintf("the script exited with code %d", e.Code) }

// Prefix returns a writer that writes to w what is written to it with prefix at
// the start of each line, for the output of several hosts on one writer:
// js.Prefix(os.Stdout, "server: "). Each Write writes w once; a line written in
// several pieces is prefixed once.
func Prefix(w io.Writer, prefix string) io.Writer {
	return &prefixWriter{w: w, prefix: []byte(prefix), start: true}
}

// prefixWriter is Prefix's writer; start is set when the next byte begins a line.
type prefixWriter struct {
	w      io.Writer
	prefix []byte
	start  bool
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = p.buf[:0]
	for rest := b; len(rest) > 0; {
		if p.start {
			p.buf = append(p.buf, p.prefix...)
		}
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		p.buf = append(p.buf, line...)
		p.start = line[len(line)-1] == '\n'
		rest = rest[len(line):]
	}
	if _, err := p.w.Write(p.buf); err != nil {
		return 0, err
	}
	return len(b), nil
}
