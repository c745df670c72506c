package bench

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// peerFS holds the external peers' sources: peers/libuv/NAME.c with their shared
// header, peers/node/NAME.js with their shared module, and the JavaScript benchmarks'
// scripts, peers/js/*.js, which Node.js and nodeloop both run.
//
//go:embed peers/libuv/*.c peers/libuv/*.h peers/node/*.js peers/js/*.js
var peerFS embed.FS

// peerWaitDelay bounds how long a canceled peer's output pipes are waited for.
const peerWaitDelay = 5 * time.Second

// isExternal reports whether impl names a peer that runs as its own process.
func isExternal(impl string) bool { return impl == ImplLibuv || impl == ImplNode }

// peerProgram returns the name of the external peers' program for benchmark name
// and the arguments it takes after the operation count.
func peerProgram(name string) (string, []string) {
	if b, ok := benchmark(name); ok && b.Peer != "" {
		return b.Peer, b.Args
	}
	return name, nil
}

// peerSource returns the embedded path of impl's program for benchmark name.
func peerSource(impl, name string) string {
	ext := ".c"
	if impl == ImplNode {
		ext = ".js"
	}
	if impl == ImplNode && isJS(name) {
		return jsSource(name)
	}
	prog, _ := peerProgram(name)
	return path.Join("peers", impl, prog+ext)
}

// hasPeer reports whether the external implementation impl has benchmark name.
func hasPeer(impl, name string) bool {
	if !isExternal(impl) || strings.ContainsAny(name, `/\.`) {
		return false
	}
	_, err := fs.Stat(peerFS, peerSource(impl, name))
	return err == nil
}

// Peers builds and runs the external peers: the libuv programs, compiled on first use
// with gcc and pkg-config, and the Node.js scripts, run with the node on PATH. Its
// methods are safe for concurrent use, but peers measured side by side should run one
// at a time.
type Peers struct {
	dir string // holds src/ (the written sources) and bin/ (compiled programs)
	own bool   // dir was made by NewPeers and Close removes it

	mu      sync.Mutex
	written bool
	built   map[string]string // benchmark name → compiled libuv program
}

// NewPeers returns Peers that work in dir, which is created if needed; an empty dir
// means a new temporary directory that Close removes. Nothing is checked or compiled
// until a peer is run.
func NewPeers(dir string) (*Peers, error) {
	p := &Peers{dir: dir, built: map[string]string{}}
	if dir == "" {
		d, err := os.MkdirTemp("", "nodeloop-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		p.dir, p.own = d, true
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return p, nil
}

// Close removes the working directory when NewPeers made it.
func (p *Peers) Close() error {
	if !p.own {
		return nil
	}
	return os.RemoveAll(p.dir)
}

// Check reports whether the external implementation impl can run here: for "libuv",
// gcc and pkg-config on PATH and libuv known to pkg-config; for "node", node on PATH.
// A missing piece is an error wrapping [ErrUnavailable].
func (p *Peers) Check(ctx context.Context, impl string) error {
	switch impl {
	case ImplLibuv:
		for _, tool := range []string{"gcc", "pkg-config"} {
			if _, err := exec.LookPath(tool); err != nil {
				return fmt.Errorf("bench: libuv peers need %s, which is not on PATH: %w", tool, ErrUnavailable)
			}
		}
		if out, err := exec.CommandContext(ctx, "pkg-config", "--exists", "--print-errors", "libuv").CombinedOutput(); err != nil {
			return fmt.Errorf("bench: libuv peers need libuv's headers, which pkg-config does not find (%s): %w",
				strings.TrimSpace(string(out)), ErrUnavailable)
		}
		return nil
	case ImplNode:
		if _, err := exec.LookPath("node"); err != nil {
			return fmt.Errorf("bench: Node.js peers need node, which is not on PATH: %w", ErrUnavailable)
		}
		return nil
	}
	return fmt.Errorf("bench: %q is not an external peer (want %s or %s)", impl, ImplLibuv, ImplNode)
}

// Run runs the external implementation impl ("libuv" or "node") of benchmark name
// with n operations and returns the Result its RESULT line reports.
func (p *Peers) Run(ctx context.Context, impl, name string, n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("bench: operation count %d is not positive", n)
	}
	if !hasPeer(impl, name) {
		return Result{}, fmt.Errorf("bench: no %s peer for benchmark %q", impl, name)
	}
	if err := p.Check(ctx, impl); err != nil {
		return Result{}, err
	}
	var cmd *exec.Cmd
	prog, extra := peerProgram(name)
	args := append([]string{strconv.Itoa(n)}, extra...)
	switch impl {
	case ImplLibuv:
		bin, err := p.compile(ctx, prog)
		if err != nil {
			return Result{}, err
		}
		cmd = exec.CommandContext(ctx, bin, args...)
	case ImplNode:
		src, err := p.sources()
		if err != nil {
			return Result{}, err
		}
		script := filepath.Join(src, filepath.FromSlash(peerSource(impl, name)))
		if isJS(name) {
			return runJS(ctx, []string{"node"}, script, name, impl, n)
		}
		cmd = exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	}
	return runResult(cmd, name, impl, n)
}

// runResult runs cmd, a peer of n operations of benchmark name as implementation
// impl, and returns the one RESULT line it printed, checked against what was asked.
func runResult(cmd *exec.Cmd, name, impl string, n int) (Result, error) {
	cmd.WaitDelay = peerWaitDelay
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("bench: %s: %w%s", cmd, err, tail(stderr.Bytes()))
	}
	r, err := onlyResult(stdout.Bytes())
	if err != nil {
		return Result{}, fmt.Errorf("bench: %s: %w%s", cmd, err, tail(stderr.Bytes()))
	}
	if r.Name != name || r.Impl != impl || r.Ops != n {
		return Result{}, fmt.Errorf("bench: %s reported name=%s impl=%s ops=%d, want name=%s impl=%s ops=%d",
			cmd, r.Name, r.Impl, r.Ops, name, impl, n)
	}
	return r, nil
}

// sources writes the embedded sources under dir/src once and returns that directory.
func (p *Peers) sources() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	src := filepath.Join(p.dir, "src")
	if p.written {
		return src, nil
	}
	if err := writeEmbedded("peers", src); err != nil {
		return "", fmt.Errorf("bench: writing peer sources: %w", err)
	}
	p.written = true
	return src, nil
}

// compile builds the libuv peer program name (see peerProgram) once and returns its
// path.
func (p *Peers) compile(ctx context.Context, name string) (string, error) {
	src, err := p.sources()
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if bin, ok := p.built[name]; ok {
		return bin, nil
	}
	flags, err := exec.CommandContext(ctx, "pkg-config", "--cflags", "--libs", "libuv").Output()
	if err != nil {
		return "", fmt.Errorf("bench: pkg-config --cflags --libs libuv: %w (run bench/setup.sh as root)", err)
	}
	binDir := filepath.Join(p.dir, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	bin := filepath.Join(binDir, name+"-libuv")
	args := []string{"-O2", "-Wall", "-o", bin, filepath.Join(src, filepath.FromSlash(peerSource(ImplLibuv, name)))}
	args = append(args, strings.Fields(string(flags))...)
	cmd := exec.CommandContext(ctx, "gcc", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bench: %s: %w%s", cmd, err, tail(out))
	}
	p.built[name] = bin
	return bin, nil
}

// onlyResult returns the one RESULT line in out, parsed.
func onlyResult(out []byte) (Result, error) {
	var (
		r     Result
		found int
	)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "RESULT ") {
			continue
		}
		found++
		var err error
		if r, err = ParseResult(line); err != nil {
			return Result{}, err
		}
	}
	if err := sc.Err(); err != nil {
		return Result{}, err
	}
	if found != 1 {
		return Result{}, fmt.Errorf("printed %d RESULT lines, want 1", found)
	}
	return r, nil
}

// tail formats the end of a peer's error output for an error message.
func tail(b []byte) string {
	const max = 2000
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > max {
		s = "…" + s[len(s)-max:]
	}
	return ": " + s
}

// writeEmbedded writes the embedded files under root to dir, at their embedded paths.
func writeEmbedded(root, dir string) error {
	return fs.WalkDir(peerFS, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := peerFS.ReadFile(name)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}
