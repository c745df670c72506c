package sim

import (
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
)

// Pool is a simulated nodeloop.Pool: N workers and one FIFO queue in virtual time. A
// job occupies its worker for a duration given by the pool's Duration function; its
// work function runs on the simulated world's goroutine at its completion time, inside
// the fake poller's wait. No goroutine is ever started.
type Pool struct {
	poller   *fakepoller.Poller
	busy     []bool // by worker, from index 0 for worker 1
	queue    []*nodeloop.Job
	duration func(job *nodeloop.Job, worker int) time.Duration
	fail     func(job *nodeloop.Job) error
	closed   bool
}

var _ nodeloop.Pool = (*Pool)(nil)

// NewPool returns a simulated pool of workers on p's clock whose jobs last as long as
// duration says (a constant 1 ms when nil).
func NewPool(p *fakepoller.Poller, workers int, duration func(job *nodeloop.Job, worker int) time.Duration) *Pool {
	if workers < 1 {
		workers = 1
	}
	if duration == nil {
		duration = func(*nodeloop.Job, int) time.Duration { return time.Millisecond }
	}
	return &Pool{poller: p, busy: make([]bool, workers), duration: duration}
}

// Submit queues job and starts it if a worker is free.
func (p *Pool) Submit(job *nodeloop.Job) {
	if p.closed {
		return
	}
	p.queue = append(p.queue, job)
	p.dispatch()
}

// Cancel takes job off the queue if it has not started.
func (p *Pool) Cancel(job *nodeloop.Job) bool {
	for i, j := range p.queue {
		if j == job {
			p.queue = append(p.queue[:i], p.queue[i+1:]...)
			return true
		}
	}
	return false
}

// Close drops the queued jobs; jobs in progress never complete.
func (p *Pool) Close() error {
	p.closed = true
	p.queue = nil
	return nil
}

// dispatch starts queued jobs on free workers, lowest worker first.
func (p *Pool) dispatch() {
	for w := range p.busy {
		if len(p.queue) == 0 {
			return
		}
		if p.busy[w] {
			continue
		}
		job := p.queue[0]
		p.queue = p.queue[1:]
		p.busy[w] = true
		worker := w + 1
		job.Started = p.poller.Clock().Now()
		p.poller.After(p.duration(job, worker), func() {
			if p.closed {
				return
			}
			job.Worker = worker
			if p.fail != nil {
				job.Err = p.fail(job)
			}
			if job.Err == nil {
				job.Work()
			}
			p.busy[worker-1] = false
			job.Complete(job)
			p.dispatch()
		})
	}
}
