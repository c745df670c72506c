package main

import (
	"fmt"
	"io"

	"github.com/nodeloop/nodeloop/traces/export"
)

// exportCmd converts a trace for another tool:
//
//	nodeloop export [--format chrome] FILE [-o OUT]
//
// chrome is the Chrome Trace Event JSON that Perfetto (ui.perfetto.dev) and
// chrome://tracing open. The output goes to stdout unless -o names a file.
func exportCmd(args []string, stdout io.Writer) error {
	fs := newFlags("export")
	format := fs.String("format", "chrome", "the output `FORMAT`: chrome")
	out := fs.String("o", "", "write to `OUT` instead of stdout")
	files, err := parseTraceArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError{fmt.Sprintf("export: want one trace file, got %d", len(files))}
	}
	if *format != "chrome" {
		return usageError{fmt.Sprintf("export: unknown --format %q (there is: chrome)", *format)}
	}
	h, events, err := loadTraceFile(files[0])
	if err != nil {
		return err
	}
	if err := writeOutputFile(*out, stdout, func(w io.Writer) error { return export.WriteChrome(w, h, events) }); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
