package sim

import (
	"fmt"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
)

// Pool is a simulated nodeloop.Pool: N workers and one FIFO queue in virtual time. A
// job occupies its worker for a duration drawn from the pool's options; its work
// function runs on the simulated world's goroutine at its completion time, inside
// the fake poller's wait. No goroutine is ever started.
type Pool struct {
	poller *fakepoller.Poller
	opts   PoolOptions
	busy   []bool // by worker, from index 0 for worker 1
	queue  []*nodeloop.Job
	closed bool
}

var _ nodeloop.Pool = (*Pool)(nil)

// PoolOptions configure a simulated Pool. The zero PoolOptions are DefaultWorkers
// workers whose jobs take no time, choices that always take the first option, and no
// faults.
type PoolOptions struct {
	// Workers is how many jobs run at a time; 0 means DefaultWorkers.
	Workers int
	// Choices decides each job's duration and faults. Nil means fakepoller.First{}.
	Choices fakepoller.Choices
	// JobTime bounds each job's duration, drawn in steps of a microsecond
	// ("pool.duration").
	JobTime Range
	// Duration, if not nil, gives each job's duration instead of JobTime: a test's
	// script, say. Faults still apply.
	Duration func(job *nodeloop.Job, worker int) time.Duration
	// Faults are the failures the pool injects; the zero PoolFaults inject none.
	Faults PoolFaults

	_ struct{}
}

// PoolFaults are the failures a simulated pool injects, each a probability from 0
// (never, and no choice is drawn for it) to 1 (always) in steps of one in a million,
// as fakepoller.Faults are for the network. The zero PoolFaults inject none.
type PoolFaults struct {
	// SlowJob is the probability that a job takes longer than drawn
	// ("fault.job.slow"), by up to SlowJobLatency ("pool.slow").
	SlowJob float64
	// SlowJobLatency bounds how much longer.
	SlowJobLatency time.Duration
	// FailJob is the probability that the pool fails a job ("fault.job.fail"): its
	// work does not run and its done callback receives ErrInjected, which matches
	// syscall.EIO.
	FailJob float64

	_ struct{}
}

// NewPool returns a simulated pool of workers (below 1 means 1) on p's clock whose
// jobs last as long as duration says (a constant 1 ms when nil), with no faults.
func NewPool(p *fakepoller.Poller, workers int, duration func(job *nodeloop.Job, worker int) time.Duration) *Pool {
	if duration == nil {
		duration = func(*nodeloop.Job, int) time.Duration { return time.Millisecond }
	}
	pool, err := NewPoolWith(p, PoolOptions{Workers: max(workers, 1), Duration: duration})
	if err != nil {
		panic("nodeloop: " + err.Error()) // unreachable: these options are valid
	}
	return pool
}

// NewPoolWith returns a simulated pool on p's clock configured by opts. It fails when
// opts make no sense: a negative number of workers, negative or inverted job times,
// a fault probability outside 0..1 or finer than one in a million, a negative fault
// latency.
func NewPoolWith(p *fakepoller.Poller, opts PoolOptions) (*Pool, error) {
	pool := &Pool{poller: p}
	if err := pool.reset(opts); err != nil {
		return nil, err
	}
	return pool, nil
}

// reset makes p the Pool NewPoolWith(p.poller, opts) makes, in the memory p grew.
func (p *Pool) reset(opts PoolOptions) error {
	switch {
	case opts.Workers < 0:
		return fmt.Errorf("sim: pool of %d workers: want 0 (the default) or more", opts.Workers)
	case opts.JobTime.Min < 0 || opts.JobTime.Max < opts.JobTime.Min:
		return fmt.Errorf("sim: job time %v..%v: want durations with 0 <= Min <= Max", opts.JobTime.Min, opts.JobTime.Max)
	}
	if err := (Faults{Pool: opts.Faults}).validate(); err != nil {
		return err
	}
	if opts.Workers == 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Choices == nil {
		opts.Choices = fakepoller.First{}
	}
	busy := p.busy[:0]
	if cap(busy) < opts.Workers {
		busy = make([]bool, 0, opts.Workers)
	}
	*p = Pool{poller: p.poller, opts: opts, busy: busy[:opts.Workers], queue: p.queue[:0]}
	clear(p.busy)
	return nil
}

// jobTime draws how long job occupies worker, slow-job fault included.
func (p *Pool) jobTime(job *nodeloop.Job, worker int) time.Duration {
	var d time.Duration
	if p.opts.Duration != nil {
		d = p.opts.Duration(job, worker)
	} else {
		d = fakepoller.Between(p.opts.Choices, "pool.duration", p.opts.JobTime.Min, p.opts.JobTime.Max, time.Microsecond)
	}
	if fakepoller.Chance(p.opts.Choices, "fault.job.slow", p.opts.Faults.SlowJob) {
		d += fakepoller.Between(p.opts.Choices, "pool.slow", 0, p.opts.Faults.SlowJobLatency, time.Microsecond)
	}
	return d
}

// failure draws whether job fails: ErrInjected, or nil.
func (p *Pool) failure() error {
	if fakepoller.Chance(p.opts.Choices, "fault.job.fail", p.opts.Faults.FailJob) {
		return ErrInjected
	}
	return nil
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
		p.poller.After(p.jobTime(job, worker), func() {
			if p.closed {
				return
			}
			job.Worker = worker
			job.Err = p.failure()
			if job.Err == nil {
				job.Run()
			}
			p.busy[worker-1] = false
			job.Complete(job)
			p.dispatch()
		})
	}
}
