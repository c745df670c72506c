package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/nodeloop/nodeloop/traces/export"
)

// viewFlags are the flags of nodeloop view.
type viewFlags struct {
	out string
}

func (f *viewFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "write the page to `OUT` (an .html file) instead of stdout")
}

// viewCmd writes a trace as a self-contained HTML timeline, one file to open in any
// browser without a network:
//
//	nodeloop view FILE [-o out.html]
//
// The page goes to stdout unless -o names a file.
func viewCmd(f *viewFlags, files []string, stdout, _ io.Writer) error {
	out := &f.out
	if len(files) != 1 {
		return usageError{fmt.Sprintf("view: want one trace file, got %d", len(files))}
	}
	h, events, err := loadTraceFile(files[0])
	if err != nil {
		return err
	}
	if err := writeOutputFile(*out, stdout, func(w io.Writer) error { return export.WriteHTML(w, h, events) }); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return nil
}
