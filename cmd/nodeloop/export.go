package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/nodeloop/nodeloop/traces/export"
)

// exportFlags are the flags of nodeloop export.
type exportFlags struct {
	format, out string
	ticks       tickRange
}

func (f *exportFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "chrome", "the output `FORMAT`: chrome, the JSON that Perfetto and chrome://tracing open")
	fs.StringVar(&f.out, "o", "", "write to `OUT` instead of stdout")
	fs.Var(&f.ticks, "ticks", "export only the events of ticks `A-B` (or of tick A alone); tick 0 is what ran before the first tick")
}

// exportCmd converts a trace for another tool:
//
//	nodeloop export [--format chrome] FILE [-o OUT] [--ticks A-B]
//
// chrome is the Chrome Trace Event JSON that Perfetto (ui.perfetto.dev) and
// chrome://tracing open; a simulated world's trace gives each host its process and
// each message between hosts a flow (see export.WriteChrome). The output goes to
// stdout unless -o names a file. A trace
// of more than windowEventsMax events (in the ticks asked for) is a usage error
// that says so and suggests a window of ticks.
func exportCmd(f *exportFlags, files []string, stdout, _ io.Writer) error {
	format, out := &f.format, &f.out
	if len(files) != 1 {
		return usageError{fmt.Sprintf("export: want one trace file, got %d", len(files))}
	}
	if *format != "chrome" {
		return usageError{fmt.Sprintf("export: unknown --format %q (there is: chrome)", *format)}
	}
	h, events, err := readWindow("export", files[0], f.ticks)
	if err != nil {
		return err
	}
	if err := writeOutputFile(*out, stdout, func(w io.Writer) error { return export.WriteChrome(w, h, events) }); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
