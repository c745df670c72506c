package nodeloop

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

// asyncQueue is the queue other goroutines hand the loop work through: posted
// functions and finished pool jobs. Any goroutine pushes; only the loop pops. It is
// unbounded and lock-free: a push is one compare-and-swap that reserves a slot and one
// store that publishes it, and allocates nothing once the queue has grown to what it
// holds at once. A slot is one word, the item itself (see asyncSlot). The slots live
// in segments of asyncSegSlots, linked in order; the loop hands a segment it has
// emptied back for reuse. The first segment is made by the first push, so that a loop
// nothing is ever posted to, as a simulated one, does not pay for it.
//
// A position counts asyncLap places per segment: its slots, then one place that
// stands for the step to the next segment. The pusher that reserves a segment's last
// slot links the next segment and moves the tail past that place, and pushers who
// find the tail on it wait for that. The tail's top bit is set when the queue closes:
// the compare-and-swap that reserves a slot is the one that sees it, so every push
// is either accepted, before the close, or refused.
type asyncQueue struct {
	tail    atomic.Uint64                            // position of the next slot, asyncClosed once closed
	tailSeg atomic.Pointer[asyncSeg]                 // nil until the first push
	spare   [asyncSparesMax]atomic.Pointer[asyncSeg] // emptied segments for the next links
	jobsIn  atomic.Int64                             // finished jobs pushed, counted before their push

	_ [64]byte // the loop's side below stays off the pushers' cache line

	head     uint64    // position of the next slot to pop
	headSeg  *asyncSeg // segment of head, nil until the loop first sees one (see seg)
	popped   int64     // items popped
	jobsOut  int64     // finished jobs popped
	lastSeen uint64    // tail position when the poller's last wait returned
	forgot   uint64    // position before which the head segment's slots are cleared (see forget)

	// The last drain (see startDrain): the limit it ran work up to and the items
	// popped before it began. The turns in which awaitBatch does not wait, after a
	// wait that nothing arrived in, and how many the next such wait brings.
	drainLimit uint64
	drainFrom  int64
	batchSkip  int
	batchBack  int

	_ [64]byte // headSeen stays off the line the loop writes for each pop
	// headSeen is head as the loop last published it, when it stepped to a segment:
	// posters read it to tell how far they are ahead of the loop.
	headSeen atomic.Uint64

	first atomic.Pointer[asyncSeg] // the first segment, once a push made it
}

// asyncSegSlots is the number of slots in one segment of the queue.
const asyncSegSlots = 1024

// asyncBacklogMax is the most positions posters may be ahead of the loop before
// Posts yield their processor, one in asyncYieldEvery, so that the loop, one
// goroutine among many posting ones, gets to run and drain the queue while it is
// still in the cache, rather than the queue grow by a segment every asyncSegSlots
// posts. One in asyncYieldEvery keeps the cost of a yield small per Post when it
// does not help: when the loop is off its processor for the operating system's
// reasons, not the Go scheduler's.
const (
	asyncBacklogMax = 16 * asyncLap
	asyncYieldEvery = 64
)

// A loop that keeps finding few items, while more arrive as it runs them, is
// chasing posters that run on other processors: it reads every slot and the tail
// just as they write them, and each such read costs a poster a cache miss, which
// keeps both slow. Then the loop first waits, up to asyncBatchWait, for the batch to
// grow, without looking at the queue, as libuv's loop lets a batch gather while it
// sleeps in the kernel. A batch of asyncBatchMin items or more needs no wait. A wait
// that nothing arrived in (the posters stopped, or the items came from the loop's
// own callbacks) makes the loop leave out the wait for a number of turns, doubled
// after each such wait up to asyncBatchSkipMax, and reset by a wait that helped;
// asyncBatchReadsMax bounds the clock reads of one wait, for a clock that does not
// move.
const (
	asyncBatchMin      = 64
	asyncBatchWait     = 2 * time.Microsecond
	asyncBatchReadsMax = 256
	asyncBatchSkipMax  = 1024
)

// asyncSparesMax is the most emptied segments the queue keeps for reuse, so that
// pushers running ahead of the loop by a few segments (a loop its operating system
// keeps off a processor for a while, say) allocate nothing either: 1 MiB at most.
// Taking and giving back look before they write, so that a scan over the empty
// places costs no atomic write each.
const asyncSparesMax = 128

const (
	asyncLap    = asyncSegSlots + 1 // positions per segment
	asyncClosed = 1 << 63           // the tail's closed bit
)

// asyncSeg is one segment of the queue.
type asyncSeg struct {
	slots [asyncSegSlots]asyncSlot
	next  atomic.Pointer[asyncSeg]
}

// asyncSlot holds one item in one word, eight to a cache line: nil until its
// publication, then the item as asyncWord encodes it, until the loop has popped every
// item of the segment and clears the segment whole for reuse, so that a pop writes
// nothing a pusher may be writing next to.
type asyncSlot struct {
	word unsafe.Pointer // read and written atomically
}

// asyncWord returns the word that stands for it in a slot: a posted function's
// funcval pointer, or a finished job's pointer plus one. A funcval is word-aligned,
// so its pointer's low bit is clear; a pointer one byte into a Job is still into the
// Job, so the slot keeps it alive for the garbage collector.
func asyncWord(it asyncItem) unsafe.Pointer {
	if it.job != nil {
		return unsafe.Add(unsafe.Pointer(it.job), 1)
	}
	return *(*unsafe.Pointer)(unsafe.Pointer(&it.fn))
}

// asyncItemOf returns the item asyncWord made w of.
func asyncItemOf(w unsafe.Pointer) asyncItem {
	if uintptr(w)&1 != 0 {
		return asyncItem{job: (*Job)(unsafe.Add(w, -1))}
	}
	var it asyncItem
	*(*unsafe.Pointer)(unsafe.Pointer(&it.fn)) = w
	return it
}

// load returns the slot's word, nil while it is not published.
func (s *asyncSlot) load() unsafe.Pointer { return atomic.LoadPointer(&s.word) }

// seg returns the segment of head, or nil while nothing was ever pushed. Loop only.
func (q *asyncQueue) seg() *asyncSeg {
	if q.headSeg == nil {
		q.headSeg = q.first.Load()
	}
	return q.headSeg
}

// start makes the first segment if no push has yet. A pusher calls it when it finds
// no tail segment: none can have been linked after the first before a push reserved
// a slot, and a push reserves one only once the tail segment is there.
func (q *asyncQueue) start() {
	f := q.first.Load()
	if f == nil {
		q.first.CompareAndSwap(nil, new(asyncSeg))
		f = q.first.Load()
	}
	q.tailSeg.CompareAndSwap(nil, f)
}

// push appends it and reports whether the queue took it: false once it is closed.
func (q *asyncQueue) push(it asyncItem) bool {
	w := asyncWord(it)
	for {
		t := q.tail.Load()
		if t&asyncClosed != 0 {
			return false
		}
		off := t % asyncLap
		if off == asyncSegSlots {
			runtime.Gosched() // the pusher of the last slot is linking the next segment
			continue
		}
		seg := q.tailSeg.Load()
		if seg == nil {
			q.start()
			continue
		}
		if !q.tail.CompareAndSwap(t, t+1) {
			continue
		}
		if off == asyncSegSlots-1 {
			next := q.takeSpare()
			seg.next.Store(next)
			q.tailSeg.Store(next)
			q.tail.Add(1) // keeps a closed bit set meanwhile
		}
		atomic.StorePointer(&seg.slots[off].word, w)
		return true
	}
}

// takeSpare returns an emptied segment, or a new one.
func (q *asyncQueue) takeSpare() *asyncSeg {
	for i := range q.spare {
		if q.spare[i].Load() != nil {
			if s := q.spare[i].Swap(nil); s != nil {
				return s
			}
		}
	}
	return new(asyncSeg)
}

// putSpare keeps the emptied segment s for reuse if there is room. Loop only.
func (q *asyncQueue) putSpare(s *asyncSeg) {
	for i := range q.spare {
		if q.spare[i].Load() == nil && q.spare[i].CompareAndSwap(nil, s) {
			return
		}
	}
}

// close refuses every later push and returns the position up to which pushes were
// accepted.
func (q *asyncQueue) close() uint64 {
	for {
		t := q.tail.Load()
		if t&asyncClosed != 0 || q.tail.CompareAndSwap(t, t|asyncClosed) {
			return t &^ asyncClosed
		}
	}
}

// behind reports whether the loop is more than asyncBacklogMax positions behind the
// pushers, as far as it last said.
func (q *asyncQueue) behind() bool {
	return q.end()-q.headSeen.Load() > asyncBacklogMax
}

// yieldDue reports whether a pusher should yield its processor: the loop is behind
// and the tail is at one of every asyncYieldEvery positions.
func (q *asyncQueue) yieldDue() bool {
	return q.end()%asyncYieldEvery == 0 && q.behind()
}

// end returns the position up to which pushes have been accepted.
func (q *asyncQueue) end() uint64 { return q.tail.Load() &^ asyncClosed }

// itemsBefore returns the number of slots before position p.
func itemsBefore(p uint64) int64 {
	return int64(p/asyncLap*asyncSegSlots + min(p%asyncLap, asyncSegSlots))
}

// posts returns the posted functions accepted and not yet popped. A finished job is
// counted before it is pushed, so the figure may briefly be one low, never high.
func (q *asyncQueue) posts() int {
	n := itemsBefore(q.end()) - q.popped - (q.jobsIn.Load() - q.jobsOut)
	return int(max(n, 0))
}

// pop removes and returns the first item if it was accepted before position limit
// and is published; ok is false otherwise. Loop only.
func (q *asyncQueue) pop(limit uint64) (it asyncItem, ok bool) {
	if q.headSeg == nil && q.seg() == nil {
		return asyncItem{}, false
	}
	for q.head < limit {
		off := q.head % asyncLap
		if off == asyncSegSlots {
			next := q.headSeg.next.Load()
			if next == nil {
				return asyncItem{}, false
			}
			old := q.headSeg
			q.headSeg = next
			q.head++
			q.headSeen.Store(q.head)
			old.next.Store(nil)
			clear(old.slots[:]) // every pusher is done with it: it published its item
			q.putSpare(old)
			continue
		}
		w := q.headSeg.slots[off].load()
		if w == nil {
			return asyncItem{}, false
		}
		it = asyncItemOf(w)
		q.head++
		q.popped++
		if it.job != nil {
			q.jobsOut++
		}
		return it, true
	}
	return asyncItem{}, false
}

// startDrain returns the position up to which the loop runs work now, and notes the
// drain for awaitBatch. Loop only.
func (q *asyncQueue) startDrain() uint64 {
	q.drainLimit, q.drainFrom = q.end(), q.popped
	return q.drainLimit
}

// chasing reports whether the last drain found fewer than asyncBatchMin items while
// more arrived after it began. Loop only.
func (q *asyncQueue) chasing() bool {
	n := q.popped - q.drainFrom
	return n > 0 && n < asyncBatchMin && q.end() != q.drainLimit
}

// awaitBatch waits, when the loop is chasing posters, for their batch to grow before
// the poll phase looks at the queue again (see asyncBatchMin). It reads only the
// loop's clock meanwhile, and the tail before and after. Loop only, on the operating
// system's poller: a simulated loop has no posters running beside it.
func (l *Loop) awaitBatch() {
	q := &l.async
	if q.batchSkip > 0 {
		q.batchSkip--
		return
	}
	if !q.chasing() {
		return
	}
	from := q.end()
	start := l.clock.Now()
	for range asyncBatchReadsMax {
		if l.clock.Now().Sub(start) >= asyncBatchWait {
			break
		}
	}
	q.drainFrom = q.popped // this drain has been waited for
	if q.end() != from {
		q.batchBack = 0
		return
	}
	q.batchBack = min(max(2*q.batchBack, 1), asyncBatchSkipMax)
	q.batchSkip = q.batchBack
}

// forget clears the slots of the head segment that the loop has popped, which pop
// leaves for the segment's reuse to clear, so that a loop about to sleep keeps
// nothing alive that its posted functions held. Loop only.
func (q *asyncQueue) forget() {
	if q.headSeg == nil {
		return
	}
	off := q.head % asyncLap
	from := max(q.forgot, q.head-off)
	if off == asyncSegSlots || from >= q.head {
		return // the step to the next segment clears this one whole
	}
	clear(q.headSeg.slots[from-(q.head-off) : off])
	q.forgot = q.head
}

// waitFor pops the first item, which was accepted before limit, waiting for its
// pusher to publish it; ok is false when nothing before limit is left. Loop only.
func (q *asyncQueue) waitFor(limit uint64) (asyncItem, bool) {
	for q.head < limit {
		if it, ok := q.pop(limit); ok {
			return it, true
		}
		if q.head < limit {
			runtime.Gosched() // a pusher between its reservation and its publication
		}
	}
	return asyncItem{}, false
}

// postsBefore counts the posted functions among the items accepted before limit,
// waiting for their pushers to publish them, without popping them. Loop only.
func (q *asyncQueue) postsBefore(limit uint64) int {
	n := 0
	seg := q.seg() // not nil if head < limit: a push made it before reserving a slot
	for p := q.head; p < limit; p++ {
		off := p % asyncLap
		if off == asyncSegSlots {
			for seg.next.Load() == nil {
				runtime.Gosched() // the pusher of the last slot is linking the next one
			}
			seg = seg.next.Load()
			continue
		}
		w := seg.slots[off].load()
		for ; w == nil; w = seg.slots[off].load() {
			runtime.Gosched() // a pusher between its reservation and its publication
		}
		if uintptr(w)&1 == 0 {
			n++
		}
	}
	return n
}

// readyBefore counts the published items from the first, up to the first that is not
// published or not accepted before limit, without popping them. Loop only.
func (q *asyncQueue) readyBefore(limit uint64) int {
	n := 0
	seg := q.headSeg
	if seg == nil {
		if seg = q.first.Load(); seg == nil {
			return 0
		}
	}
	for p := q.head; p < limit; p++ {
		off := p % asyncLap
		if off == asyncSegSlots {
			if seg = seg.next.Load(); seg == nil {
				break
			}
			continue
		}
		if seg.slots[off].load() == nil {
			break
		}
		n++
	}
	return n
}

// hasReady reports whether the first item is published. Loop only.
func (q *asyncQueue) hasReady() bool {
	seg := q.headSeg
	if seg == nil {
		if seg = q.first.Load(); seg == nil {
			return false
		}
	}
	off := q.head % asyncLap
	if off == asyncSegSlots {
		if seg = seg.next.Load(); seg == nil {
			return false
		}
		off = 0
	}
	return seg.slots[off].load() != nil
}
