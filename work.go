package nodeloop

import (
	"errors"
	"io/fs"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nodeloop/nodeloop/traces"
)

// Pool runs jobs off the loop's goroutine: the loop's own worker pool (NewPool), or a
// simulated one. The loop calls Submit and Cancel from its goroutine only.
type Pool interface {
	// Submit queues job to run on a worker, after every job submitted before it. The
	// pool sets job.Worker and job.Started before it calls job.Run, and calls
	// job.Complete(job) when job.Run returns, from any goroutine. It does not block.
	Submit(job *Job)
	// Cancel takes job off the queue if no worker has started it, and reports whether
	// it did. A canceled job never runs and the pool never completes it.
	Cancel(job *Job) bool
	// Close stops the workers once each has finished its current job; queued jobs are
	// dropped. It waits for them.
	Close() error
}

// Job is one unit of pool work: a plain struct the loop fills and the pool runs.
type Job struct {
	// ID names the job in traces.
	ID uint64
	// Work, when not nil, is what the worker runs. It must not call the loop, except
	// Post. The loop's own jobs leave it nil: Run runs their request's work.
	Work func()
	// Complete hands the finished job back to the loop. The pool calls it once, after
	// Work returns, from any goroutine.
	Complete func(*Job)
	// Worker is the worker that runs the job, from 1; the pool sets it before Work.
	Worker int
	// Started is when a worker took the job, on the clock the loop reads (the
	// operating system's, or the simulated world's virtual one); the pool sets it
	// before Work. The trace's pool_start event carries it, on the loop's time line;
	// zero means the pool does not say, and the start is taken to be when the loop
	// learned the job had finished. The loop's own pool leaves it zero for a loop
	// without a Tracer, the one reader of it, and saves a clock read per job.
	Started time.Time
	// Err is set by a pool that could not run the job (a simulated failure): Work did
	// not run, and the request's done callback receives Err. Once the work of one of
	// the loop's own jobs ran, Err holds the error the work returned, for its done
	// callback, which spares every request a field of its own for it.
	Err error

	next    *Job          // the job finished before it, in the loop's batch of them
	state   atomic.Uint32 // a jobState: the built-in pool's bookkeeping, and the loop's cancel
	ofLoop  bool          // the loop made the job for a request, which begins with it
	workErr bool          // Err is the error the work returned, not the pool's
	untimed bool          // nothing reads Started: the loop records no trace
	active  bool          // the request is in flight, until just before its done callback
}

// Run is what a pool calls on a worker to run the job: Work when it is set, else the
// work of the request the loop made the job for. It does not call Complete.
func (j *Job) Run() {
	if j.Work != nil {
		j.Work()
		return
	}
	if j.ofLoop {
		r := j.request()
		r.block.slab.run(r, j.Worker)
	}
}

// request returns the Request that j, a job the loop made, begins. A request is
// found from its job by its address rather than a pointer back, a word the garbage
// collector would scan in every request in flight.
func (j *Job) request() *Request { return (*Request)(unsafe.Pointer(j)) }

type jobState uint8

const (
	// jobQueued is the zero value, so that submitting a new job writes no atomic
	// flag: a job is queued until a worker takes it or the loop cancels it.
	jobQueued jobState = iota
	jobRunning
	jobCanceled
)

// canceled reports whether the loop canceled the job, whose done callback then says
// so.
func (j *Job) canceled() bool { return j.state.Load() == uint32(jobCanceled) }

// Request is a pool request made by Work, ReadFile or WriteFile. Requests are made
// in blocks, of 4 KiB for a loop's first and growing, as it makes more, to 64 KiB:
// a *Request kept after its done callback keeps its block in memory, though none of
// the functions and results of its finished requests.
//
// A request holds as few pointers as it can, since the garbage collector follows
// each in every request in flight: its job first, so that the job leads back to it
// by its address, and its block, which knows the request's type (what its work and
// done callback are) and its loop.
type Request struct {
	job   Job       // first: see Job.request
	block *reqBlock // the block the request was allocated in
}

// request returns the Request that a request type embeds.
func (r *Request) request() *Request { return r }

// requestImpl is a request whole, its typed part included: its work and its done
// callback. A request type embeds Request first, so that its block finds it at its
// Request's address.
type requestImpl interface {
	request() *Request                // the Request it embeds, at its own address
	run(worker int)                   // on a worker
	finish(r *Request, canceled bool) // on the loop, as the done callback
}

// workResult is what a request of Work or WorkOn holds beside its Request: its done
// callback and the work's value; its job holds the work's error.
type workResult[T any] struct {
	done func(T, error)
	v    T
}

// workRequest is the request of Work, all of it in one allocation: the Request, the
// functions and the results.
type workRequest[T any] struct {
	Request
	work func() (T, error)
	workResult[T]
}

// workOnRequest is the request of WorkOn, as workRequest.
type workOnRequest[T any] struct {
	Request
	work func(worker int) (T, error)
	workResult[T]
}

// run runs the work, then lets go of it: a request waiting for its done callback
// keeps the work's function, and what it holds, from the garbage collector no more.
func (w *workRequest[T]) run(int) {
	defer recoverPanic(&w.job)
	work := w.work
	w.work = nil
	v, err := work()
	w.keep(&w.job, v, err)
}

func (w *workOnRequest[T]) run(worker int) {
	defer recoverPanic(&w.job)
	work := w.work
	w.work = nil
	v, err := work(worker)
	w.keep(&w.job, v, err)
}

// finish runs the done callback, then lets go of the functions, which the request's
// slab would otherwise keep alive with what they hold. The work's function is gone
// already unless the work never ran.
func (w *workRequest[T]) finish(r *Request, canceled bool) {
	if w.work != nil {
		w.work = nil
	}
	w.workResult.finish(r, canceled)
}

func (w *workOnRequest[T]) finish(r *Request, canceled bool) {
	if w.work != nil {
		w.work = nil
	}
	w.workResult.finish(r, canceled)
}

// keep holds the work's results for the done callback, its error in j. A nil error
// is not written: the job holds none yet, and a pointer written while the garbage
// collector marks costs a write barrier.
func (w *workResult[T]) keep(j *Job, v T, err error) {
	w.v = v
	if err != nil {
		j.Err, j.workErr = err, true
	}
}

// recoverPanic turns a panic of the work function into the error of its job j.
func recoverPanic(j *Job) {
	if p := recover(); p != nil {
		j.Err, j.workErr = &PanicError{Value: p, Stack: debug.Stack()}, true
	}
}

// finish calls done with the results, leaving the request holding none of them, nor
// done: the request may outlive done in the caller's hands, and in its slab.
func (w *workResult[T]) finish(r *Request, canceled bool) {
	var zero T
	done := w.done
	w.done = nil
	j := &r.job
	switch {
	case canceled:
		done(zero, ErrCanceled)
	case j.Err != nil && !j.workErr:
		done(zero, j.Err)
	default:
		v, err := w.v, j.Err
		w.v = zero
		if err != nil {
			j.Err, j.workErr = nil, false
		}
		done(v, err)
	}
}

// A loop's first reqSinglesMax requests take an allocation each; the blocks that
// its next ones are allocated in are reqSlabMinBytes for the first, then each twice
// the last, up to reqSlabMaxBytes: a loop that makes few requests takes no more
// memory for them than they need, and one that makes many makes few blocks, each a
// large object of the Go allocator that the garbage collector scans whole. The first
// block holds 34 of Work's requests of a word-sized result, the largest 546.
const (
	reqSinglesMax   = 8
	reqSlabMinBytes = 4 << 10
	reqSlabMaxBytes = 64 << 10
)

// reqSlabBlocksInline is the room for blocks the loop has before its list of them
// takes an allocation of its own.
const reqSlabBlocksInline = 4

// reqSlabTypes is the number of request types whose current block the loop keeps
// open at once; a block of another type replaces the oldest.
const reqSlabTypes = 4

// reqSlabs is where the loop's pool requests come from, and how it finds those in
// flight: the open block of each request type lately made, and every block that is
// open or holds a request in flight. A request in flight is counted in its block
// rather than linked to the others, which saves it two links, and the loop the
// writes to them and to its neighbours, at its submission and at its end.
type reqSlabs struct {
	open   [reqSlabTypes]*reqBlock // the blocks requests are taken from, or nil
	next   int                     // the entry of open a new block takes
	blocks []*reqBlock             // the blocks open or with requests in flight
	live   int                     // the requests in flight
	bytes  int                     // the size of the next block; 0 before the first
	made   int                     // requests made, up to reqSinglesMax
	inline [reqSlabBlocksInline]*reqBlock
	// submitted holds, in a loop with a Tracer, the loop's time at the submission of
	// each request in flight, by id.
	submitted map[uint64]time.Duration
}

// reqBlock is the bookkeeping of one block of requests. A request points to it, one
// word, and through it to the block whole, which knows the request's type.
type reqBlock struct {
	l     *Loop      // the loop that made the block's requests
	slab  reqSlabber // the block whole: the reqSlab or reqOne this begins
	live  int        // its requests in flight
	index int        // its place in reqSlabs.blocks
	open  bool       // new requests may still be taken from it
}

// reqSlabber is a block of requests of some type, which knows their type.
type reqSlabber interface {
	// requests calls f with each request taken from the block.
	requests(f func(*Request))
	// run runs r's work, on a worker.
	run(r *Request, worker int)
	// finish runs r's done callback, on the loop.
	finish(r *Request, canceled bool)
}

// reqSlab is one block of requests of type R, and how many were taken from it.
type reqSlab[R any, P reqType[R]] struct {
	reqBlock
	reqOps[R, P]
	items []R
	used  int
}

// reqType is a pointer to a request type: one that embeds Request first.
type reqType[R any] interface {
	*R
	requestImpl
}

// reqOps runs the work and the done callback of a request of type R, which begins
// with its Request.
type reqOps[R any, P reqType[R]] struct{}

func (reqOps[R, P]) run(r *Request, worker int) { P((*R)(unsafe.Pointer(r))).run(worker) }

func (reqOps[R, P]) finish(r *Request, canceled bool) {
	P((*R)(unsafe.Pointer(r))).finish(r, canceled)
}

// mustBeginWithRequest panics unless the request r begins with its Request, as its
// block finds it there.
func mustBeginWithRequest[R any, P reqType[R]](r *R) {
	if unsafe.Pointer(P(r).request()) != unsafe.Pointer(r) {
		panic("nodeloop: a request type must embed Request as its first field")
	}
}

// reqOne is a request of type R allocated alone, with its bookkeeping.
type reqOne[R any, P reqType[R]] struct {
	reqBlock
	reqOps[R, P]
	item R
}

func (s *reqOne[R, P]) requests(f func(*Request)) { f(P(&s.item).request()) }

func (s *reqSlab[R, P]) requests(f func(*Request)) {
	for i := range s.items[:s.used] {
		f(P(&s.items[i]).request())
	}
}

// newRequest returns a zero R from the loop's open block of Rs, making a new block
// when there is none or it is used up, and counts it in flight: one allocation per
// block, so that a burst of requests costs the allocator and the garbage collector a
// few large objects rather than one each. The caller submits it. A block stays in
// memory while any of its requests is referenced, by the loop (while in flight) or
// by the caller holding its *Request; a finished request keeps none of its functions
// or results.
func newRequest[R any, P reqType[R]](l *Loop) *R {
	c := &l.reqSlabs
	if c.blocks == nil {
		c.blocks = c.inline[:0]
	}
	if c.made < reqSinglesMax {
		c.made++
		one := new(reqOne[R, P])
		mustBeginWithRequest[R, P](&one.item)
		one.l, one.slab, one.live = l, one, 1
		c.live++
		one.index = len(c.blocks)
		c.blocks = append(c.blocks, &one.reqBlock)
		r := &one.item
		P(r).request().block = &one.reqBlock
		return r
	}
	var s *reqSlab[R, P]
	i := -1
	for j, e := range c.open {
		if e == nil {
			continue
		}
		if e, ok := e.slab.(*reqSlab[R, P]); ok {
			s, i = e, j
			break
		}
	}
	if s == nil {
		s = &reqSlab[R, P]{items: make([]R, c.blockLen(unsafe.Sizeof(*new(R))))}
		touchPages(unsafe.Pointer(unsafe.SliceData(s.items)), uintptr(len(s.items))*unsafe.Sizeof(s.items[0]))
		mustBeginWithRequest[R, P](&s.items[0])
		s.l, s.slab = l, s
		i = c.next
		for j, e := range c.open {
			if e == nil {
				i = j
				break
			}
		}
		if old := c.open[i]; old != nil {
			c.close(old)
		}
		c.open[i] = &s.reqBlock
		c.next = (i + 1) % reqSlabTypes
		s.open = true
		s.index = len(c.blocks)
		c.blocks = append(c.blocks, &s.reqBlock)
	}
	r := &s.items[s.used]
	P(r).request().block = &s.reqBlock
	s.used++
	s.live++
	c.live++
	if s.used == len(s.items) {
		c.open[i] = nil
		c.close(&s.reqBlock)
	}
	return r
}

// touchPagesBytes is the step at which touchPages writes: the smallest page of the
// systems the module runs on.
const touchPagesBytes = 4 << 10

// touchPages maps every page of the n bytes at p, new memory of a block that holds
// only zeros, before the block's first request is made. Memory the allocator just
// took from the system is mapped by the kernel at its first access: a read maps a
// shared page of zeros, and the first write then faults again for a page of its own.
// A request's first writes to a fresh page are often pointers, and the garbage
// collector's write barrier, while it marks, reads the word a pointer replaces, so
// that most pages of a burst's blocks were faulted twice. Where the system can map a
// range in one call (populatePages) it is asked to; elsewhere a zero byte written
// to each page has each faulted once.
func touchPages(p unsafe.Pointer, n uintptr) {
	if populatePages(p, n) {
		return
	}
	for off := uintptr(0); off < n; off += touchPagesBytes {
		*(*byte)(unsafe.Add(p, off)) = 0
	}
}

// blockLen returns the number of requests of size bytes the next block holds, and
// makes the one after larger.
func (c *reqSlabs) blockLen(size uintptr) int {
	b := max(c.bytes, reqSlabMinBytes)
	c.bytes = min(2*b, reqSlabMaxBytes)
	return max(1, int((uintptr(b)-mallocHeaderBytes)/size))
}

// close takes no more requests from s.
func (c *reqSlabs) close(b *reqBlock) {
	b.open = false
	if b.live == 0 {
		c.drop(b)
	}
}

// done counts r, which was in flight, as finished.
func (c *reqSlabs) done(r *Request) {
	b := r.block
	b.live--
	c.live--
	if b.live == 0 && !b.open {
		c.drop(b)
	}
}

// drop takes b, closed and with nothing in flight, off the blocks.
func (c *reqSlabs) drop(b *reqBlock) {
	last := len(c.blocks) - 1
	if b.index != last {
		moved := c.blocks[last]
		c.blocks[b.index] = moved
		moved.index = b.index
	}
	c.blocks[last] = nil
	c.blocks = c.blocks[:last]
	b.index = -1
}

// inFlight calls f with every request in flight.
func (c *reqSlabs) inFlight(f func(*Request)) {
	for _, b := range c.blocks {
		if b.live > 0 {
			b.slab.requests(func(r *Request) {
				if r.job.active {
					f(r)
				}
			})
		}
	}
}

// mallocHeaderBytes is the header the Go allocator puts before an object of pointers
// larger than 512 bytes.
const mallocHeaderBytes = 8

// Work runs work on the loop's pool and then done on the loop's goroutine, in the
// poll phase, with work's results, as uv_queue_work. The request keeps the loop alive
// until just before done runs. A work function that panics does not crash the
// process: done receives a *PanicError holding the value and the stack.
func Work[T any](l *Loop, work func() (T, error), done func(T, error)) *Request {
	l.mustOpen("Work")
	if work == nil {
		nilCallback("Work (its work function)")
	}
	if done == nil {
		nilCallback("Work (its done function)")
	}
	w := newRequest[workRequest[T]](l)
	w.work, w.done = work, done
	l.submit(&w.Request)
	return &w.Request
}

// WorkOn is Work for a work function that wants to know which worker runs it (from
// 1), to label its output or its per-worker state.
func WorkOn[T any](l *Loop, work func(worker int) (T, error), done func(T, error)) *Request {
	l.mustOpen("WorkOn")
	if work == nil {
		nilCallback("WorkOn (its work function)")
	}
	if done == nil {
		nilCallback("Work (its done function)")
	}
	w := newRequest[workOnRequest[T]](l)
	w.work, w.done = work, done
	l.submit(&w.Request)
	return &w.Request
}

func (l *Loop) submit(r *Request) {
	j := &r.job
	j.ID = l.nextID()
	l.site(j.ID)
	j.Complete = completeLoopJob
	j.ofLoop, j.active = true, true
	l.refs++
	if l.tracer != nil {
		l.reqSlabs.submittedAt(j.ID, l.cachedNow())
		l.emitID(traces.KindPoolSubmit, traces.SourceNone, j.ID)
	} else {
		j.untimed = true
	}
	l.pool.Submit(j)
}

// completeLoopJob is the Complete of every job the loop makes, a function of the
// package rather than a method value of the loop: a request in flight points to it
// outside the heap, which spares the garbage collector a pointer to follow in each.
func completeLoopJob(j *Job) { j.request().block.l.jobDone(j) }

// poolDone is where the workers of the loop's own pool hand it their finished jobs:
// a stack the workers push to and the loop takes whole. Only the push that finds it
// empty queues anything for the loop, a marker in its queue from other goroutines,
// which costs that queue's slot, its atomic write and its check of whether the loop
// sleeps; every job finished before the loop comes to the marker joins the batch it
// stands for, with one compare-and-swap. The loop runs a batch in the order its
// jobs finished. A job of another pool, a simulated one, travels through the queue
// alone, in the order its pool completed it among the functions posted to the loop.
type poolDone struct {
	_       [64]byte            // off the loop's lines
	head    atomic.Pointer[Job] // the last job finished, the others through next
	_       [64]byte            // off the workers' line
	batched bool                // the pool is the loop's own: its jobs finish in batches
	marker  Job                 // what the loop's queue holds for a batch
}

// jobDone completes the loop's job j: it hands the job to the loop's goroutine, waking
// the loop only when it waits in the poller. A job finished after Close began is
// dropped, as Close drops the finished jobs it finds.
func (l *Loop) jobDone(j *Job) {
	if d := &l.poolDone; d.batched {
		for {
			last := d.head.Load()
			j.next = last
			if d.head.CompareAndSwap(last, j) {
				if last != nil {
					return // in the batch of a marker already queued
				}
				break
			}
		}
		j = &d.marker
	}
	l.queueDone(j)
}

// queueDone puts the finished job j, or a batch's marker, in the loop's queue from
// other goroutines.
func (l *Loop) queueDone(j *Job) {
	l.async.jobsIn.Add(1)
	if !l.async.push(asyncItem{job: j}) {
		l.async.jobsIn.Add(-1)
		return
	}
	l.wakeIfAsleep()
}

// finishBatch runs the done callbacks of the batch of finished jobs that the marker
// just taken from the queue stands for: those finished until now, which include
// those finished after the poll phase began, in the order they finished.
func (l *Loop) finishBatch() {
	var first *Job
	for j := l.poolDone.head.Swap(nil); j != nil; {
		next := j.next
		j.next = first
		first, j = j, next
	}
	for j := first; j != nil; {
		next := j.next
		j.next = nil
		l.finishJob(j)
		j = next
	}
}

// finishJob runs a finished or canceled job's done callback, or those of the batch a
// marker stands for.
func (l *Loop) finishJob(j *Job) {
	if j == &l.poolDone.marker {
		l.finishBatch()
		return
	}
	r := j.request()
	l.reqSlabs.done(r)
	j.active = false
	l.refs--
	canceled := j.canceled()
	if l.tracer != nil {
		submitted := l.reqSlabs.takeSubmitted(j.ID)
		if !canceled {
			l.emit(traces.Event{Kind: traces.KindPoolStart, ID: j.ID, Worker: j.Worker, Started: l.jobStarted(j, submitted)})
			e := traces.Event{Kind: traces.KindPoolDone, ID: j.ID, Worker: j.Worker}
			if j.Err != nil && !j.workErr {
				e.Err = j.Err.Error()
			}
			l.emit(e)
		}
	}
	l.enterCallback(traces.SourcePool, j.ID)
	r.block.slab.finish(r, canceled)
	l.leaveCallback()
}

// jobStarted returns when j was taken by a worker, on the loop's time line: the
// job's Started, within its request's life (from its submission to now), so that a
// pool on another clock than the loop's cannot place it elsewhere; now when the pool
// did not say.
func (l *Loop) jobStarted(j *Job, submitted time.Duration) time.Duration {
	if j.Started.IsZero() {
		return l.cachedNow()
	}
	return min(max(j.Started.Sub(l.start), submitted), l.cachedNow())
}

// submittedAt notes the loop's time at the submission of request id, which a traced
// loop's pool_start event is bounded by. Only a loop with a Tracer notes it: it takes
// no room in every request.
func (c *reqSlabs) submittedAt(id uint64, t time.Duration) {
	if c.submitted == nil {
		c.submitted = map[uint64]time.Duration{}
	}
	c.submitted[id] = t
}

// takeSubmitted returns the time submittedAt noted for request id, and forgets it.
func (c *reqSlabs) takeSubmitted(id uint64) time.Duration {
	t := c.submitted[id]
	delete(c.submitted, id)
	return t
}

// ID returns the id that names the request in traces.
func (r *Request) ID() uint64 { return r.job.ID }

// Cancel cancels the request if no worker has started it, and reports whether it did.
// A canceled request's work never runs; its done callback receives ErrCanceled, in a
// later poll phase. A started request cannot be canceled.
func (r *Request) Cancel() bool {
	l := r.block.l
	l.mustOpen("Request.Cancel")
	ok := r.job.active && !r.job.canceled() && l.pool.Cancel(&r.job)
	if l.tracer != nil {
		l.emit(traces.Event{Kind: traces.KindPoolCancel, ID: r.job.ID, Canceled: ok})
	}
	if ok {
		r.job.state.Store(uint32(jobCanceled)) // the built-in pool's Cancel did already
		l.queueDone(&r.job)
	}
	return ok
}

// writeFileFS is what an fs.FS given to WithFS needs for WriteFile.
type writeFileFS interface {
	WriteFile(name string, data []byte, perm fs.FileMode) error
}

// ReadFile reads the named file on the pool and passes its contents to cb, as
// fs.readFile. The name is an operating system path as os.ReadFile takes it, or a
// path in the fs.FS given WithFS.
func (l *Loop) ReadFile(name string, cb func([]byte, error)) {
	l.mustOpen("ReadFile")
	if cb == nil {
		nilCallback("ReadFile")
	}
	fsys := l.fsys
	Work(l, func() ([]byte, error) {
		if fsys != nil {
			return fs.ReadFile(fsys, name)
		}
		return os.ReadFile(name)
	}, cb)
}

// WriteFile writes data to the named file on the pool, creating or truncating it, and
// passes the result to cb, as fs.writeFile. data must not change until cb runs. With
// WithFS the fs.FS must have a WriteFile method.
func (l *Loop) WriteFile(name string, data []byte, cb func(error)) {
	l.mustOpen("WriteFile")
	if cb == nil {
		nilCallback("WriteFile")
	}
	fsys := l.fsys
	Work(l, func() (struct{}, error) {
		if fsys == nil {
			return struct{}{}, os.WriteFile(name, data, 0o666)
		}
		w, ok := fsys.(writeFileFS)
		if !ok {
			return struct{}{}, &fs.PathError{Op: "write", Path: name, Err: errors.ErrUnsupported}
		}
		return struct{}{}, w.WriteFile(name, data, 0o666)
	}, func(_ struct{}, err error) { cb(err) })
}
