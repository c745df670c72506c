package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/nodeloop/nodeloop/internal/bench"
)

// benchCmd runs nodeloop's benchmarks beside the same workloads in libuv, Node.js and
// plain Go, in one run, and prints the ratios.
func benchCmd(args []string, stdout io.Writer) error {
	fs := newFlags("bench")
	vs := fs.String("vs", "libuv,node,go", "the `PEERS` to compare with: libuv, node, go")
	only := fs.String("only", "", "run only these `BENCHMARKS` (comma-separated: "+strings.Join(bench.Names(), ", ")+")")
	scale := fs.Float64("scale", 1, "multiply every benchmark's operation count by `X` (0.01 for a quick look)")
	if err := parse(fs, args); err != nil {
		return err
	}
	impls := []string{bench.ImplNodeloop}
	for _, p := range strings.Split(*vs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			impls = append(impls, p)
		}
	}
	var names []string
	if *only != "" {
		names = strings.Split(*only, ",")
	}
	if *scale <= 0 {
		return usageError{"bench: --scale must be positive, not " + strconv.FormatFloat(*scale, 'g', -1, 64)}
	}
	ops := map[string]int{}
	for _, b := range bench.Benchmarks() {
		ops[b.Name] = max(1, int(float64(b.Ops)**scale))
	}
	rows, err := bench.Run(context.Background(), bench.Config{Names: names, Impls: impls, Ops: ops, Progress: os.Stderr})
	if len(rows) > 0 {
		fmt.Fprintln(stdout)
		bench.Table(stdout, rows, bench.ImplLibuv)
		fmt.Fprintln(stdout)
		bench.RatioTable(stdout, rows, bench.ImplNodeloop)
	}
	return err
}
