package scenarios

import (
	"fmt"
	"io"
	"sync"

	"github.com/nodeloop/nodeloop/traces"
)

// Output is where a scenario prints. Each line is labeled with the role of the
// goroutine that printed it: "main" for the loop, "pool2" for the pool's second
// worker. It is safe for concurrent use.
type Output interface {
	Print(thread, msg string)
}

// Printer writes an Output in the book's format, one line each,
//
//	Thread: main	 First call to read test.txt
//
// and, as a nodeloop.Tracer, a header before each tick that runs callbacks,
//
//	===== TICK 3 =====
//
// Give it to nodeloop.WithTracer to get the headers, and to the scenario to get the
// lines.
type Printer struct {
	mu    sync.Mutex
	w     io.Writer
	next  tracer
	shown uint64
}

// tracer is what nodeloop.WithTracer takes.
type tracer = interface{ Event(*traces.Event) }

// NewPrinter returns a Printer writing to w that passes every event on to next, if
// next is not nil (a traces.Recorder, say).
func NewPrinter(w io.Writer, next interface{ Event(*traces.Event) }) *Printer {
	return &Printer{w: w, next: next}
}

// Print writes one labeled line.
func (p *Printer) Print(thread, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "Thread: %s\t %s\n", thread, msg)
}

// Event prints the tick header before the first callback of each tick.
func (p *Printer) Event(e *traces.Event) {
	if e.Kind == traces.KindCallback && e.Tick > p.shown {
		p.shown = e.Tick
		p.mu.Lock()
		fmt.Fprintf(p.w, "===== TICK %d =====\n", e.Tick)
		p.mu.Unlock()
	}
	if p.next != nil {
		p.next.Event(e)
	}
}
