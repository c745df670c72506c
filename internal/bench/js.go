package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The JavaScript benchmarks, group [JSGroup]: one script each (peers/js/*.js) that
// node and nodeloop run both run unchanged, in a process of their own.
const (
	// JSImmediates is N chained setImmediate callbacks, one per turn of the loop.
	JSImmediates = "js_immediates"
	// JSTimers is N setTimeout timers created up front and fired.
	JSTimers = "js_timers"
	// JSTicks is N steps of a chain that alternates process.nextTick and promise
	// reactions.
	JSTicks = "js_ticks"
	// JSPingPong is N round trips of 4-byte messages between a net client and a net
	// server of one script, over TCP on 127.0.0.1.
	JSPingPong = "js_pingpong"
	// JSStart is the start of an empty script: each operation is one whole process,
	// timed from outside from its start to its exit.
	JSStart = "js_start"
)

// JSGroup names the JavaScript benchmarks together, wherever a list of benchmark
// names is read (see [Expand]).
const JSGroup = "js"

// isJS reports whether name is one of the JavaScript benchmarks.
func isJS(name string) bool {
	b, ok := benchmark(name)
	return ok && b.Group == JSGroup
}

// jsSource is the embedded path of the script of JavaScript benchmark name.
func jsSource(name string) string {
	return path.Join("peers", "js", strings.TrimPrefix(name, "js_")+".js")
}

// nodeloopJS is nodeloop's implementation of JavaScript benchmark name: its script
// run by `exe run`, exe being the nodeloop command. Without one it is an error that
// says how to get one.
func nodeloopJS(name, exe string) Func {
	return func(n int) (Result, error) {
		if exe == "" {
			return Result{}, fmt.Errorf("no nodeloop command to run the script with (nodeloop bench passes its own; see WithNodeloop)")
		}
		dir, err := os.MkdirTemp("", "nodeloop-bench-js-")
		if err != nil {
			return Result{}, err
		}
		defer os.RemoveAll(dir)
		if err := writeJS(dir); err != nil {
			return Result{}, err
		}
		script := filepath.Join(dir, filepath.FromSlash(jsSource(name)))
		return runJS(context.Background(), []string{exe, "run"}, script, name, ImplNodeloop, n)
	}
}

// WithNodeloop returns a copy of ws in which nodeloop's implementation of each
// JavaScript benchmark runs its script with `exe run`, exe being the path of the
// nodeloop command (the running one, for nodeloop bench). In [Workloads] those rows
// have no command and fail.
func WithNodeloop(ws []Workload, exe string) []Workload {
	out := make([]Workload, len(ws))
	for i, w := range ws {
		if w.Impl == ImplNodeloop && isJS(w.Name) {
			w.Func = nodeloopJS(w.Name, exe)
		}
		out[i] = w
	}
	return out
}

// writeJS writes the JavaScript benchmarks' scripts under dir, at their embedded
// paths.
func writeJS(dir string) error { return writeEmbedded("peers/js", dir) }

// runJS runs n operations of JavaScript benchmark name as implementation impl, whose
// command line, given a script, is runner followed by the script's path. The script
// measures itself and prints its RESULT line; [JSStart] is measured from outside
// instead (see runStarts).
func runJS(ctx context.Context, runner []string, script, name, impl string, n int) (Result, error) {
	if name == JSStart {
		return runStarts(ctx, runner, script, impl, n)
	}
	args := append(append(runner[1:len(runner):len(runner)], script), strconv.Itoa(n))
	cmd := exec.CommandContext(ctx, runner[0], args...)
	r, err := runResult(cmd, name, impl, n)
	if err != nil {
		return Result{}, err
	}
	if impl == ImplNodeloop {
		r.Version = version()
	}
	return r, nil
}

// runStarts runs the empty script n times, one process after the other, and returns
// the total wall time from each process's start to its exit, and the CPU time the
// processes used (user plus system, as the system accounts a child that exited).
func runStarts(ctx context.Context, runner []string, script, impl string, n int) (Result, error) {
	ver := version()
	if impl == ImplNode {
		out, err := exec.CommandContext(ctx, runner[0], "--version").Output()
		if err != nil {
			return Result{}, fmt.Errorf("bench: %s --version: %w", runner[0], err)
		}
		ver = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	}
	r := Result{Name: JSStart, Impl: impl, Ops: n, Version: ver}
	args := append(runner[1:len(runner):len(runner)], script)
	for range n {
		cmd := exec.CommandContext(ctx, runner[0], args...)
		cmd.WaitDelay = peerWaitDelay
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		t := time.Now()
		err := cmd.Run()
		r.Wall += time.Since(t)
		if err != nil {
			return Result{}, fmt.Errorf("bench: %s: %w%s", cmd, err, tail(out.Bytes()))
		}
		if out.Len() > 0 {
			return Result{}, fmt.Errorf("bench: %s printed %q, want nothing", cmd, tail(out.Bytes()))
		}
		r.CPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return r, nil
}
