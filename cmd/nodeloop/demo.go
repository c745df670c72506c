package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/traces"
)

// demo runs the book's program on the operating system's clock, poller and pool.
func demo(args []string, stdout io.Writer) error {
	fs := newFlags("demo")
	traceFile := fs.String("trace", "", "write the run's trace (JSON Lines) to `FILE`")
	if err := parse(fs, args); err != nil {
		return err
	}
	var rec *traces.Recorder
	var flush func() error
	if *traceFile != "" {
		f, err := os.Create(*traceFile)
		if err != nil {
			return err
		}
		defer f.Close()
		h := traces.NewHeader("real")
		h.Scenario = "demo"
		w := bufio.NewWriter(f)
		rec = traces.NewRecorder(w, h)
		flush = func() error { return errors.Join(rec.Flush(), w.Flush(), f.Sync()) }
	}
	var next interface{ Event(*traces.Event) }
	if rec != nil {
		next = rec
	}
	out := scenarios.NewPrinter(stdout, next)
	l, err := nodeloop.New(nodeloop.WithTracer(out))
	if err != nil {
		return err
	}
	defer l.Close()
	if err := l.Run(scenarios.Demo(l, out)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "===== FINISHED =====")
	if flush != nil {
		return flush()
	}
	return nil
}
