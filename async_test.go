package nodeloop

import "testing"

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
