package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nodeloop/nodeloop/traces"
	"github.com/nodeloop/nodeloop/traces/tracediff"
)

// diffFlags are the flags of nodeloop diff.
type diffFlags struct {
	timing, workers, pending bool
}

func (f *diffFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&f.timing, "ignore-timing", false, "ignore times, timeouts, delays, deadlines and repeats")
	fs.BoolVar(&f.workers, "ignore-workers", false, "ignore which pool worker ran each job")
	fs.BoolVar(&f.pending, "ignore-pending", false, "ignore the pending count")
}

// diffCmd compares two traces and reports their first divergence:
//
//	nodeloop diff [--ignore-timing] [--ignore-workers] [--ignore-pending] A B
//
// Equal traces print one line and succeed; different ones are a finding (exit 1)
// that shows where; a file that cannot be read or decoded is an input error (exit 2)
// naming the file and the line.
func diffCmd(f *diffFlags, files []string, stdout, _ io.Writer) error {
	timing, workers, pending := &f.timing, &f.workers, &f.pending
	if len(files) != 2 {
		return usageError{fmt.Sprintf("diff: want two trace files A B, got %d", len(files))}
	}
	a, err := openTraceFile(files[0])
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := openTraceFile(files[1])
	if err != nil {
		return err
	}
	defer b.Close()
	var opts []tracediff.DiffOption
	if *timing {
		opts = append(opts, tracediff.IgnoreTiming())
	}
	if *workers {
		opts = append(opts, tracediff.IgnoreWorkers())
	}
	if *pending {
		opts = append(opts, tracediff.IgnorePending())
	}
	d, err := tracediff.DiffReaders(a, b, opts...)
	if err != nil {
		return err
	}
	if d == nil {
		fmt.Fprintf(stdout, "%s and %s are the same: %d events\n", files[0], files[1], a.events)
		return nil
	}
	return findingError{fmt.Sprintf("%s (a) and %s (b) differ\n%s", files[0], files[1], strings.TrimSuffix(d.String(), "\n"))}
}

// traceFile is a trace file read one event at a time, in the memory of one event.
// Its errors are inputErrors naming the file (and the line).
type traceFile struct {
	path   string
	f      *os.File
	d      *traces.Decoder
	events int   // the events read so far
	size   int64 // the file's size in bytes
}

// openTraceFile opens the trace in path and reads its header. A file that cannot
// be opened is an inputError; a bad header is one from the first call of Next.
func openTraceFile(path string) (*traceFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputError{err}
	}
	t := &traceFile{path: path, f: f, d: traces.NewDecoder(f)}
	if fi, err := f.Stat(); err == nil {
		t.size = fi.Size()
	}
	return t, nil
}

// Header returns the trace's header.
func (t *traceFile) Header() traces.Header { return t.d.Header() }

// Next returns the next event, io.EOF after the last, or an inputError naming the
// file and the line.
func (t *traceFile) Next() (traces.Event, error) {
	e, err := t.d.Next()
	switch {
	case err == io.EOF:
		return e, err
	case err != nil:
		return e, inputError{fmt.Errorf("%s: %w", t.path, err)}
	}
	t.events++
	return e, nil
}

// Close closes the file.
func (t *traceFile) Close() error { return t.f.Close() }

// loadTraceFile reads and decodes the trace in path. An unreadable or malformed
// file is an inputError naming the file (and the line).
func loadTraceFile(path string) (traces.Header, []traces.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return traces.Header{}, nil, inputError{err}
	}
	defer f.Close()
	h, events, err := traces.Decode(bufio.NewReader(f))
	if err != nil {
		return traces.Header{}, nil, inputError{fmt.Errorf("%s: %w", path, err)}
	}
	return h, events, nil
}
