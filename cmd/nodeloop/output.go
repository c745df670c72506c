package main

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
)

// ioError is a failure to create, write or close an output (a file or a stream),
// naming it: exit code 2. It is used by pointer, so that errors.Is knows one failure
// however often it is wrapped.
type ioError struct {
	name string // the path, or "stdout" or "stderr"
	err  error
}

func (e *ioError) Error() string {
	var pe *fs.PathError
	if errors.As(e.err, &pe) && pe.Path == e.name {
		return e.err.Error() // it already says what failed on which path
	}
	return "writing " + e.name + ": " + e.err.Error()
}

func (e *ioError) Unwrap() error { return e.err }

// output is a writer that keeps its first write error as an ioError naming the
// output, so a command may print as it goes and a failing output is still reported,
// once. After a failure every write fails with the same error. It is safe for
// concurrent use: pool workers print too.
type output struct {
	name string
	mu   sync.Mutex
	w    io.Writer
	err  error
}

// newOutput returns an output writing to w, called name in errors.
func newOutput(w io.Writer, name string) *output { return &output{name: name, w: w} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = &ioError{o.name, err}
	}
	return n, o.err
}

// Err returns the first write error, or nil.
func (o *output) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// writeToFile creates the file path, calls write with a buffered writer on it, then
// flushes and closes the file whatever write returned, so that the trace of a run
// that failed is kept. It returns write's error joined with any failure to create,
// write, flush or close the file, which names path.
func writeToFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return &ioError{path, err}
	}
	out := newOutput(f, path)
	w := bufio.NewWriter(out)
	werr := write(w)
	w.Flush() // a failure is kept by out
	var cerr error
	if err := f.Close(); err != nil {
		cerr = &ioError{path, err}
	}
	return joinErrors(werr, out.Err(), cerr)
}

// writeOutputFile calls write with a writer on path, or on stdout when path is
// empty or "-", and returns the first error of writing or closing.
func writeOutputFile(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	return writeToFile(path, write)
}

// joinErrors joins the errors that are not nil, leaving out each that an earlier one
// already wraps, so one failure seen twice (by the writer and by the code that
// called it) is told once. It returns nil when all are nil.
func joinErrors(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err == nil {
			continue
		}
		seen := false
		for i, k := range kept {
			if errors.Is(k, err) {
				seen = true
				break
			}
			if errors.Is(err, k) {
				kept[i], seen = err, true // err says more: keep it in k's place
				break
			}
		}
		if !seen {
			kept = append(kept, err)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	default:
		return errors.Join(kept...)
	}
}
