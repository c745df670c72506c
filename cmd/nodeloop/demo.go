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
func demoCmd(f *demoFlags, args []string, stdout, _ io.Writer) error {
	if err := noArgs("demo", args); err != nil {
		return err
	}
	return demo(scenarios.Demo, f.trace, stdout)
}

// demo runs program on the operating system's clock, poller and pool, printing its
// output to stdout and, when traceFile is not empty, its trace to traceFile, which
// is flushed and closed even when the run fails.
func demo(program func(*nodeloop.Loop, scenarios.Output) func(), traceFile string, stdout io.Writer) error {
	if traceFile == "" {
		return runDemo(program, stdout, nil)
	}
	return writeToFile(traceFile, func(w io.Writer) error {
		h := traces.NewHeader("real")
		h.Scenario = "demo"
		rec := traces.NewRecorder(w, h)
		return joinErrors(runDemo(program, stdout, rec), rec.Flush())
	})
}

// runDemo runs program, its events going to rec when rec is not nil.
func runDemo(program func(*nodeloop.Loop, scenarios.Output) func(), stdout io.Writer, rec *traces.Recorder) error {
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
	if err := l.Run(program(l, out)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "===== FINISHED =====")
	return nil
}
