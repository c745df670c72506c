package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/traces"
)

// demoFlags are the flags of nodeloop demo.
type demoFlags struct {
	trace string
}

func (f *demoFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.trace, "trace", "", "write the run's trace (JSON Lines) to `FILE`")
}

// demoCmd runs the book's program on the operating system's clock, poller and pool.
// The trace is flushed and closed even when the run fails.
func demoCmd(f *demoFlags, args []string, stdout, _ io.Writer) error {
	if err := noArgs("demo", args); err != nil {
		return err
	}
	if f.trace == "" {
		return demo(stdout, nil)
	}
	return writeToFile(f.trace, func(w io.Writer) error {
		h := traces.NewHeader("real")
		h.Scenario = "demo"
		rec := traces.NewRecorder(w, h)
		return joinErrors(demo(stdout, rec), rec.Flush())
	})
}

// demo runs the book's program, its events going to rec when rec is not nil.
func demo(stdout io.Writer, rec *traces.Recorder) error {
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
	return nil
}
