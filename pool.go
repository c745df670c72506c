package nodeloop

import (
	"sync"

	"github.com/nodeloop/nodeloop/realclock"
)

// WorkerPool is the loop's own Pool: a fixed number of goroutines taking jobs from one
// FIFO queue, as libuv's threadpool. The workers start with the first job. A worker
// notes when it starts a job (Job.Started) on the operating system's clock, which is
// the loop's unless the loop was given another Clock, when the loop traces.
//
// A worker that finds a long queue takes its share of it, up to workerBatchMax jobs,
// in one turn of the lock, so that a burst of small jobs does not make the workers and
// the submitter queue up on it for each; a job taken that way has not started, and can
// still be canceled, until the worker comes to it. A submission wakes a worker only
// when one is waiting.
type WorkerPool struct {
	workers int
	once    sync.Once
	mu      sync.Mutex
	cond    sync.Cond
	queue   queue[*Job]
	idle    int // workers waiting on cond
	closed  bool
	wg      sync.WaitGroup
}

// workerBatchMax is the most jobs a worker takes from the queue in one turn of the
// lock.
const workerBatchMax = 32

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
	job.state.Store(uint32(jobQueued))
	p.queue.push(job)
	wake := p.idle > 0
	p.mu.Unlock()
	if wake {
		p.cond.Signal()
	}
}

// Cancel takes job off the queue if no worker has started it.
func (p *WorkerPool) Cancel(job *Job) bool {
	return job.state.CompareAndSwap(uint32(jobQueued), uint32(jobCanceled))
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
	batch := make([]*Job, 0, workerBatchMax)
	for {
		batch = p.next(batch[:0])
		if len(batch) == 0 {
			return
		}
		for i, j := range batch {
			batch[i] = nil
			if !j.state.CompareAndSwap(uint32(jobQueued), uint32(jobRunning)) {
				continue // canceled while it waited in the batch
			}
			j.Worker = worker
			if !j.untimed {
				j.Started = realclock.Clock{}.Now()
			}
			j.Run()
			j.Complete(j)
		}
	}
}

// next appends to batch the next jobs, its share of the queue and at least one,
// waiting for one; it appends none once the pool is closed and its queue empty. Some
// may have been canceled.
func (p *WorkerPool) next(batch []*Job) []*Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if n := p.queue.len(); n > 0 {
			take := min(max(1, n/p.workers), workerBatchMax)
			for range take {
				batch = append(batch, p.queue.pop())
			}
			return batch
		}
		if p.closed {
			return batch
		}
		p.idle++
		p.cond.Wait()
		p.idle--
	}
}
