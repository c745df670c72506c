package nodeloop

import (
	"slices"
	"testing"
	"time"
)

// A queue nothing was pushed to has no segment and nothing to pop; the first push
// makes one, and its item comes out.
func TestAsyncQueueFirstSegmentLazy(t *testing.T) {
	var q asyncQueue
	if q.hasReady() || q.readyBefore(q.end()) != 0 || q.postsBefore(q.end()) != 0 {
		t.Fatalf("empty queue: hasReady %v, readyBefore %d, postsBefore %d; want false, 0, 0",
			q.hasReady(), q.readyBefore(q.end()), q.postsBefore(q.end()))
	}
	if _, ok := q.pop(q.end()); ok {
		t.Fatalf("empty queue: pop returned an item")
	}
	if q.first.Load() != nil || q.tailSeg.Load() != nil {
		t.Fatalf("empty queue made a segment before any push")
	}
	ran := false
	if !q.push(asyncItem{fn: func() { ran = true }}) {
		t.Fatalf("first push refused on an open queue")
	}
	if q.first.Load() == nil || q.tailSeg.Load() != q.first.Load() {
		t.Fatalf("first push: first %p, tail segment %p; want the same segment", q.first.Load(), q.tailSeg.Load())
	}
	if !q.hasReady() || q.postsBefore(q.end()) != 1 {
		t.Fatalf("after one push: hasReady %v, postsBefore %d; want true, 1", q.hasReady(), q.postsBefore(q.end()))
	}
	it, ok := q.pop(q.end())
	if !ok || it.fn == nil {
		t.Fatalf("after one push: pop = %v, %v; want the posted function", it, ok)
	}
	if it.fn(); !ran {
		t.Fatalf("popped function is not the one pushed")
	}
}

// The queue tells posters that the loop is behind once they are more than
// asyncBacklogMax positions ahead of what it popped, and not once it has caught up;
// every item comes out once, in order, across the segments and their reuse.
func TestAsyncQueueBehind(t *testing.T) {
	var q asyncQueue
	fn := func() {}
	const n = asyncBacklogMax + 2*asyncSegSlots // even: half posts, half jobs
	jobs := make([]Job, n/2)
	for round := range 2 { // the second round runs on reused segments
		for i := range n {
			it := asyncItem{fn: fn}
			if i%2 == 1 {
				it = asyncItem{job: &jobs[i/2]}
				q.jobsIn.Add(1)
			}
			if !q.push(it) {
				t.Fatalf("round %d: push %d refused on an open queue", round, i)
			}
		}
		if !q.behind() {
			t.Fatalf("round %d: %d items pushed, none popped: behind() = false, want true", round, n)
		}
		if got := q.posts(); got != n/2 {
			t.Fatalf("round %d: posts() = %d, want %d", round, got, n/2)
		}
		limit := q.end()
		for i := range n {
			it, ok := q.pop(limit)
			if !ok {
				t.Fatalf("round %d: pop %d found nothing, want an item", round, i)
			}
			if i%2 == 0 && (it.fn == nil || it.job != nil) {
				t.Fatalf("round %d: pop %d: %+v, want the posted function", round, i, it)
			}
			if i%2 == 1 && it.job != &jobs[i/2] {
				t.Fatalf("round %d: pop %d: job %p, want job %d (%p): out of order", round, i, it.job, i/2, &jobs[i/2])
			}
		}
		if _, ok := q.pop(limit); ok {
			t.Fatalf("round %d: a pop past the %d items pushed found one", round, n)
		}
		if q.behind() {
			t.Fatalf("round %d: every item popped: behind() = true, want false", round)
		}
	}
}

// A slot's word gives back the item it was made of: a posted function, the same one,
// or a finished job, the same pointer.
func TestAsyncWordRoundTrip(t *testing.T) {
	ran := 0
	fn := func() { ran++ }
	var j Job
	if it := asyncItemOf(asyncWord(asyncItem{fn: fn})); it.job != nil || it.fn == nil {
		t.Fatalf("posted function came back as %+v", it)
	} else if it.fn(); ran != 1 {
		t.Fatalf("the function that came back is not the one posted")
	}
	if it := asyncItemOf(asyncWord(asyncItem{job: &j})); it.job != &j || it.fn != nil {
		t.Fatalf("job %p came back as %+v", &j, it)
	}
}

// A pop leaves its slot for the segment's reuse to clear; forget clears the popped
// slots of the head segment, and leaves the others.
func TestAsyncQueueForget(t *testing.T) {
	var q asyncQueue
	fn := func() {}
	for range 3 {
		q.push(asyncItem{fn: fn})
	}
	limit := q.end()
	for range 2 {
		if _, ok := q.pop(limit); !ok {
			t.Fatalf("pop found nothing, want an item")
		}
	}
	seg := q.headSeg
	if seg.slots[0].load() == nil || seg.slots[1].load() == nil {
		t.Fatalf("a pop cleared its slot")
	}
	q.forget()
	if seg.slots[0].load() != nil || seg.slots[1].load() != nil {
		t.Fatalf("forget left a popped slot set")
	}
	if seg.slots[2].load() == nil || !q.hasReady() {
		t.Fatalf("forget cleared the slot not yet popped")
	}
	q.forget() // nothing more to clear
	if it, ok := q.pop(limit); !ok || it.fn == nil {
		t.Fatalf("after forget, pop = %+v, %v; want the third function", it, ok)
	}
}

// The loop chases its posters when a drain found fewer than asyncBatchMin items and
// more arrived since it began, and not when it found none, or many, or nothing
// arrived.
func TestAsyncQueueChasing(t *testing.T) {
	fn := func() {}
	tests := []struct {
		name          string
		before, after int // pushed before the drain, and during it
		pop           int
		want          bool
	}{
		{"few found, more arrived", 3, 1, 3, true},
		{"few found, none arrived", 3, 0, 3, false},
		{"none found", 0, 1, 0, false},
		{"a full batch found", asyncBatchMin, 1, asyncBatchMin, false},
	}
	for _, tt := range tests {
		var q asyncQueue
		for range tt.before {
			q.push(asyncItem{fn: fn})
		}
		limit := q.startDrain()
		for range tt.pop {
			if _, ok := q.pop(limit); !ok {
				t.Fatalf("%s: pop found nothing", tt.name)
			}
		}
		for range tt.after {
			q.push(asyncItem{fn: fn})
		}
		if got := q.chasing(); got != tt.want {
			t.Errorf("%s: chasing() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// stepClock moves on by a microsecond at every reading.
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time {
	c.t = c.t.Add(time.Microsecond)
	return c.t
}

// A wait for a batch that nothing arrived in makes the loop leave out the next wait,
// then the next two, and so on; one that something arrived in ends that. Without a
// chase there is no wait, and a clock that does not move does not hold the loop.
func TestAwaitBatchBacksOff(t *testing.T) {
	fn := func() {}
	clock := &stepClock{}
	l := &Loop{clock: clock}
	q := &l.async
	chase := func() {
		q.push(asyncItem{fn: fn})
		limit := q.startDrain()
		q.pop(limit)
		q.push(asyncItem{fn: fn}) // arrived during the drain
	}
	var waits []bool
	for range 7 {
		chase()
		before := clock.t
		l.awaitBatch()
		waits = append(waits, clock.t != before)
		q.pop(q.end())
	}
	want := []bool{true, false, true, false, false, true, false}
	if !slices.Equal(waits, want) {
		t.Fatalf("waits %v, want %v: a wait nothing arrived in leaves out 1, then 2", waits, want)
	}
	if q.batchSkip != 3 { // 4 turns to leave out after the third wasted wait, one gone
		t.Fatalf("batchSkip = %d, want 3", q.batchSkip)
	}
	q.batchSkip = 0
	q.startDrain()
	l.awaitBatch() // no chase: the last drain found nothing
	if q.batchSkip != 0 || q.batchBack != 4 {
		t.Fatalf("a turn without a chase changed the back-off: skip %d, back %d", q.batchSkip, q.batchBack)
	}

	l.clock = fixedClock{}
	chase()
	l.awaitBatch() // returns after asyncBatchReadsMax readings
	if q.batchSkip != 8 {
		t.Fatalf("after a fourth wasted wait, batchSkip = %d, want 8", q.batchSkip)
	}
}

// fixedClock never moves.
type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Time{} }
