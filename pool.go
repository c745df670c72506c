package nodeloop

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/nodeloop/nodeloop/realclock"
)

// WorkerPool is the loop's own Pool: a fixed number of goroutines taking jobs from one
// FIFO queue, as libuv's threadpool. The workers start with the first job. A worker
// notes when it starts a job (Job.Started) on the operating system's clock, which is
// the loop's unless the loop was given another Clock, when the loop traces.
//
// Submissions take no lock: the queue is a list of segments that only Submit writes
// to, publishing each job with one atomic store of the count submitted, and that the
// workers read, one at a time under the pool's lock, behind the count they took. A
// job stays where Submit put it until a worker takes it: nothing copies it from one
// queue to another. Submit takes the lock only to wake a waiting worker. A worker
// that finds a long queue takes its share of it, up to workerBatchMax jobs, in one
// turn of the lock, so that a burst of small jobs does not make the workers queue up
// on it for each; a job taken that way has not started, and can still be canceled,
// until the worker comes to it.
type WorkerPool struct {
	workers int
	once    sync.Once
	mu      sync.Mutex
	cond    sync.Cond
	closed  bool // under mu
	wg      sync.WaitGroup
	// idle counts the workers waiting on cond. A worker counts itself before it
	// looks at the queue a last time, and Submit looks at it after it published its
	// job, so that one of the two sees the other.
	idle atomic.Int32

	// The workers' side, under mu: the segment of the next job to take, its place
	// there, and the number of jobs taken.
	head      *jobSeg
	headAt    int
	taken     uint64
	spare     atomic.Pointer[jobSeg] // a segment the workers emptied, for Submit to reuse
	_         [64]byte               // the submitter's side below stays off the workers' line
	tail      *jobSeg                // Submit's: the segment it writes to
	tailAt    int                    // Submit's: the place of the next job in tail
	subbed    uint64                 // Submit's: jobs submitted, as published in submitted
	submitted atomic.Uint64          // the jobs submitted: those before it may be taken
}

// jobSegJobs is the number of jobs in one segment of the pool's queue: with its
// link, 4 KiB.
const jobSegJobs = 511

// jobSeg is one segment of the pool's queue. Submit links a new one before it
// publishes a job in it.
type jobSeg struct {
	jobs [jobSegJobs]*Job
	next atomic.Pointer[jobSeg]
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

// Submit queues job. It does not block. Call it from one goroutine at a time, as a
// loop does.
func (p *WorkerPool) Submit(job *Job) {
	if p.tail == nil {
		// The first job: the queue's first segment, made before the workers that
		// read it start.
		p.tail = newJobSeg()
		p.head = p.tail
	}
	p.once.Do(p.startWorkers)
	if job.state.Load() != uint32(jobQueued) {
		job.state.Store(uint32(jobQueued)) // a job submitted again
	}
	if p.tailAt == jobSegJobs {
		s := p.spare.Swap(nil)
		if s == nil {
			s = newJobSeg()
		}
		p.tail.next.Store(s)
		p.tail, p.tailAt = s, 0
	}
	p.tail.jobs[p.tailAt] = job
	p.tailAt++
	p.subbed++
	p.submitted.Store(p.subbed)
	if p.idle.Load() > 0 {
		p.mu.Lock()
		p.cond.Signal()
		p.mu.Unlock()
	}
}

// newJobSeg returns a new segment of the pool's queue, its page written once (see
// touchPages).
func newJobSeg() *jobSeg {
	s := new(jobSeg)
	touchPages(unsafe.Pointer(s), unsafe.Sizeof(*s))
	return s
}

// take appends the next n queued jobs to batch. Call it with mu held, n at most the
// jobs submitted and not taken.
func (p *WorkerPool) take(batch []*Job, n int) []*Job {
	for range n {
		if p.headAt == jobSegJobs {
			// Submit linked the next segment before it published a job in it.
			s := p.head
			p.head, p.headAt = s.next.Load(), 0
			s.next.Store(nil)
			clear(s.jobs[:]) // let the garbage collector have the jobs
			p.spare.Store(s)
		}
		batch = append(batch, p.head.jobs[p.headAt])
		p.headAt++
	}
	p.taken += uint64(n)
	return batch
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
		if n := int(p.submitted.Load() - p.taken); n > 0 {
			return p.take(batch, min(max(1, n/p.workers), workerBatchMax))
		}
		if p.closed {
			return batch
		}
		p.idle.Add(1)
		if p.submitted.Load() == p.taken {
			p.cond.Wait()
		}
		p.idle.Add(-1)
	}
}
