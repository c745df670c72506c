package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nodeloop/nodeloop/internal/bench"
)

// benchOpsMax is the most operations --scale may ask of one benchmark: ten times
// the largest default, far past what fits in a run's memory on the peers.
const benchOpsMax = 100_000_000

// benchFlags are the flags of nodeloop bench.
type benchFlags struct {
	vs, only string
	scale    float64
}

func (f *benchFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.vs, "vs", "libuv,node,go", "the `PEERS` to compare with: "+strings.Join(benchPeers(), ", ")+" (bash bench/setup.sh installs libuv and Node.js)")
	fs.StringVar(&f.only, "only", "", "run only these `BENCHMARKS` (comma-separated: "+strings.Join(bench.Names(), ", ")+")")
	fs.Float64Var(&f.scale, "scale", 1, "multiply every benchmark's operation count by `X` (0.01 for a quick look)")
}

// benchPeers returns the implementations --vs may name: every registered one but
// nodeloop's own, and the external peers.
func benchPeers() []string {
	var peers []string
	for _, w := range bench.Workloads() {
		if w.Impl != bench.ImplNodeloop {
			peers = append(peers, w.Impl)
		}
	}
	peers = append(peers, bench.ImplLibuv, bench.ImplNode)
	slices.Sort(peers)
	return slices.Compact(peers)
}

// benchCmd runs nodeloop's benchmarks beside the same workloads in libuv, Node.js and
// plain Go, in one run, and prints the ratios.
func benchCmd(f *benchFlags, args []string, stdout, stderr io.Writer) error {
	if err := noArgs("bench", args); err != nil {
		return err
	}
	impls := []string{bench.ImplNodeloop}
	for _, p := range strings.Split(f.vs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !slices.Contains(benchPeers(), p) {
				return usageError{fmt.Sprintf("bench: --vs: no peer %q (there are: %s)", p, strings.Join(benchPeers(), ", "))}
			}
			impls = append(impls, p)
		}
	}
	var names []string
	if f.only != "" {
		for _, word := range strings.Split(f.only, ",") {
			expanded := bench.Expand(word)
			if expanded == nil {
				return usageError{fmt.Sprintf("bench: --only: no benchmark %q (there are: %s, %s for the %s ones and %s for the JavaScript ones)", word, strings.Join(bench.Names(), ", "), bench.PostGroup, bench.PostGroup, bench.JSGroup)}
			}
			names = append(names, expanded...)
		}
	}
	if !(f.scale > 0) || math.IsInf(f.scale, 1) {
		return usageError{"bench: --scale must be a positive finite number, not " + strconv.FormatFloat(f.scale, 'g', -1, 64)}
	}
	ops := map[string]int{}
	for _, b := range bench.Benchmarks() {
		n := float64(b.Ops) * f.scale
		if n > benchOpsMax {
			return usageError{fmt.Sprintf("bench: --scale %g makes %s run %.0f operations; the most is %d", f.scale, b.Name, n, benchOpsMax)}
		}
		ops[b.Name] = max(1, int(n))
	}
	// The JavaScript benchmarks run their scripts with this very command's run.
	ws := bench.Workloads()
	if exe, err := os.Executable(); err == nil {
		ws = bench.WithNodeloop(ws, exe)
	}
	rows, err := bench.Run(context.Background(), bench.Config{Names: names, Impls: impls, Ops: ops, Workloads: ws, Progress: stderr})
	if len(rows) > 0 {
		fmt.Fprintln(stdout)
		bench.Table(stdout, rows, bench.ImplLibuv)
		fmt.Fprintln(stdout)
		bench.RatioTable(stdout, rows, bench.ImplNodeloop)
	}
	return err
}
