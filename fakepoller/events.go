package fakepoller

// eventQueue holds the scheduled events in (at, seq) order: a binary min-heap in one
// slice. Every event has its own seq, so the order is total and the heap runs them in
// exactly the order a sorted structure would; a heap does it with no allocation once
// the slice has grown, and with fewer comparisons than a tree, on the path every
// simulated packet takes.
type eventQueue struct {
	h []event
}

func newEventQueue() *eventQueue { return &eventQueue{} }

// Len returns how many events are waiting.
func (q *eventQueue) Len() int { return len(q.h) }

// Min returns the earliest event, if there is one.
func (q *eventQueue) Min() (event, bool) {
	if len(q.h) == 0 {
		return event{}, false
	}
	return q.h[0], true
}

// Push adds e.
func (q *eventQueue) Push(e event) {
	q.h = append(q.h, e)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !eventLess(h[i], h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// DeleteMin removes the earliest event; the queue must not be empty.
func (q *eventQueue) DeleteMin() {
	h := q.h
	last := len(h) - 1
	h[0] = h[last]
	h[last] = event{} // let the garbage collector have its function
	h = h[:last]
	q.h = h
	i := 0
	for {
		min, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && eventLess(h[l], h[min]) {
			min = l
		}
		if r < len(h) && eventLess(h[r], h[min]) {
			min = r
		}
		if min == i {
			return
		}
		h[i], h[min] = h[min], h[i]
		i = min
	}
}

// Clear removes every event.
func (q *eventQueue) Clear() {
	clear(q.h)
	q.h = q.h[:0]
}
