package nodeloop

import (
	"sync"
	"sync/atomic"

	"github.com/nodeloop/nodeloop/realclock"
)

// WorkerPool is the loop's own Pool: a fixed number of goroutines taking jobs from one
// FIFO queue, as libuv's threadpool. The workers start with the first job. A worker
// notes when it starts a job (Job.Started) on the operating system's clock, which is
// the loop's unless the loop was given another Clock, when the loop traces.
//
// Submissions take no lock: Submit puts its job in a ring only it writes to, which
// the workers empty into the queue, all of it at once, when they come to the queue,
// and takes the lock only to wake a waiting worker or, the ring full, to empty it
// itself. A worker that finds a long queue takes its share of it, up to
// workerBatchMax jobs, in one turn of the lock, so that a burst of small jobs does
// not make the workers queue up on it for each; a job taken that way has not
// started, and can still be canceled, until the worker comes to it.
type WorkerPool struct {
	workers int
	once    sync.Once
	mu      sync.Mutex
	cond    sync.Cond
	queue   jobQueue // under mu: the jobs older than those in the ring
	closed  bool     // under mu
	wg      sync.WaitGroup
	// idle counts the workers waiting on cond. A worker counts itself before it
	// looks at the ring a last time, and Submit looks at it after it put its job in
	// the ring, so that one of the two sees the other.
	idle atomic.Int32
	// ringHead is the position of the ring's first job; it moves under mu.
	ringHead atomic.Uint64

	_ [64]byte // the submitter's side below stays off the workers' cache line

	// ringTail is the position after the ring's last job; only Submit moves it.
	ringTail atomic.Uint64
	// headSeen is ringHead as Submit last read it: the ring has at least the room
	// it says, so that Submit reads the workers' line only when it seems full.
	headSeen uint64
	ring     [submitRingJobs]*Job
}

// jobQueue is the pool's FIFO of jobs: a list of segments of jobSegJobs, so that a
// queue growing by a burst of jobs takes its room a segment at a time, never copies
// what it holds, and gives a segment back as soon as the workers have emptied it. It
// keeps one emptied segment for the next, so that a queue going up and down by less
// than a segment allocates nothing. The zero value is an empty queue.
type jobQueue struct {
	head, tail  *jobSeg // the first and the last segments, nil when it never held a job
	first, last int     // index of the first job in head, and after the last in tail
	n           int     // number of jobs
	spare       *jobSeg // an emptied segment for the next
}

// jobSegJobs is the number of jobs in one segment of a jobQueue: with its link, 4 KiB.
const jobSegJobs = 511

// jobSeg is one segment of a jobQueue.
type jobSeg struct {
	jobs [jobSegJobs]*Job
	next *jobSeg
}

func (q *jobQueue) len() int { return q.n }

// push appends j.
func (q *jobQueue) push(j *Job) {
	if q.tail == nil || q.last == jobSegJobs {
		s := q.spare
		if s != nil {
			q.spare = nil
		} else {
			s = new(jobSeg)
		}
		if q.tail == nil {
			q.head, q.first = s, 0
		} else {
			q.tail.next = s
		}
		q.tail, q.last = s, 0
	}
	q.tail.jobs[q.last] = j
	q.last++
	q.n++
}

// pop removes and returns the first job, which must exist.
func (q *jobQueue) pop() *Job {
	s := q.head
	j := s.jobs[q.first]
	s.jobs[q.first] = nil // let the garbage collector have it
	q.first++
	q.n--
	switch {
	case q.n == 0:
		q.first, q.last = 0, 0 // empty: its one segment from its start
	case q.first == jobSegJobs:
		// A segment is made by the push of its first job, so the next holds one.
		q.head, q.first = s.next, 0
		s.next = nil
		q.spare = s
	}
	return j
}

// workerBatchMax is the most jobs a worker takes from the queue in one turn of the
// lock.
const workerBatchMax = 32

// submitRingJobs is the room of the ring that submitted jobs wait in for a worker to
// move them to the queue.
const submitRingJobs = 256

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
	p.once.Do(p.startWorkers)
	if job.state.Load() != uint32(jobQueued) {
		job.state.Store(uint32(jobQueued)) // a job submitted again
	}
	t := p.ringTail.Load()
	if t-p.headSeen == submitRingJobs {
		p.headSeen = p.ringHead.Load()
	}
	if t-p.headSeen == submitRingJobs {
		// The ring is full: move it to the queue, then the job, which is newer.
		p.mu.Lock()
		p.takeRing()
		p.headSeen = t
		p.queue.push(job)
		p.mu.Unlock()
	} else {
		p.ring[t%submitRingJobs] = job
		p.ringTail.Store(t + 1)
	}
	if p.idle.Load() > 0 {
		p.mu.Lock()
		p.cond.Signal()
		p.mu.Unlock()
	}
}

// takeRing moves the jobs in the ring to the queue. Call it with mu held.
func (p *WorkerPool) takeRing() {
	h, t := p.ringHead.Load(), p.ringTail.Load()
	for ; h != t; h++ {
		s := &p.ring[h%submitRingJobs]
		p.queue.push(*s)
		*s = nil
	}
	p.ringHead.Store(t)
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
		p.takeRing()
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
		p.idle.Add(1)
		if p.ringTail.Load() == p.ringHead.Load() {
			p.cond.Wait()
		}
		p.idle.Add(-1)
	}
}
