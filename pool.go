package nodeloop

import (
	"sync"

	"github.com/nodeloop/nodeloop/realclock"
)

// WorkerPool is the loop's own Pool: a fixed number of goroutines taking jobs from one
// FIFO queue, as libuv's threadpool. The workers start with the first job. A worker
// notes when it takes a job (Job.Started) on the operating system's clock, which is
// the loop's unless the loop was given another Clock.
type WorkerPool struct {
	workers int
	once    sync.Once
	mu      sync.Mutex
	cond    sync.Cond
	queue   queue[*Job]
	closed  bool
	wg      sync.WaitGroup
}

var _ Pool = (*WorkerPool)(nil)

// NewPool returns a pool of n workers; n below 1 means 1.
func NewPool(n int) *WorkerPool {
	if n < 1 {
		n = 1
	}
	p := &WorkerPool{workers: n}
	p.cond.L = &p.mu
	return p
}

// Submit queues job. It does not block.
func (p *WorkerPool) Submit(job *Job) {
	p.once.Do(p.startWorkers)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	job.state = jobQueued
	p.queue.push(job)
	p.mu.Unlock()
	p.cond.Signal()
}

// Cancel takes job off the queue if no worker has started it.
func (p *WorkerPool) Cancel(job *Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if job.state != jobQueued {
		return false
	}
	job.state = jobCanceled
	return true
}

// Close stops the workers after their current jobs and waits for them.
func (p *WorkerPool) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.wg.Wait()
	return nil
}

func (p *WorkerPool) startWorkers() {
	p.wg.Add(p.workers)
	for i := 1; i <= p.workers; i++ {
		go p.work(i)
	}
}

func (p *WorkerPool) work(worker int) {
	defer p.wg.Done()
	for {
		j := p.next()
		if j == nil {
			return
		}
		j.Worker, j.Started = worker, realclock.Clock{}.Now()
		j.Run()
		j.Complete(j)
	}
}

// next takes the next job that was not canceled, waiting for one; nil once closed.
func (p *WorkerPool) next() *Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for p.queue.len() > 0 {
			j := p.queue.pop()
			if j.state == jobQueued {
				j.state = jobRunning
				return j
			}
		}
		if p.closed {
			return nil
		}
		p.cond.Wait()
	}
}
