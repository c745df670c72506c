package fakepoller

// eventQueue holds the scheduled events in (at, seq) order: a binary min-heap of
// keys in one slice, each key naming the slot of its event. Every event has its own
// seq, so the order is total and the heap runs them in exactly the order a sorted
// structure would; a heap does it with no allocation once the slices have grown, and
// with fewer comparisons than a tree, on the path every simulated packet takes. The
// keys hold no pointers, so that moving them in the heap costs the garbage collector
// no barrier; the events, which hold functions and sockets, stay in their slots.
type eventQueue struct {
	h     []eventKey
	slots []event
	free  []int32 // slots of events that ran, for the next ones
}

// eventKey is an event's place in the order: its time as seconds and nanoseconds
// since the Unix epoch, which order as the times do, and its seq.
type eventKey struct {
	sec  int64
	seq  uint64
	nsec int32
	slot int32
}

func keyLess(a, b eventKey) bool {
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.seq < b.seq
}

func newEventQueue() *eventQueue { return &eventQueue{} }

// Len returns how many events are waiting.
func (q *eventQueue) Len() int { return len(q.h) }

// Min returns the earliest event, if there is one.
func (q *eventQueue) Min() (event, bool) {
	if len(q.h) == 0 {
		return event{}, false
	}
	return q.slots[q.h[0].slot], true
}

// Push adds e.
func (q *eventQueue) Push(e event) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[slot] = e
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, e)
	}
	q.h = append(q.h, eventKey{sec: e.at.Unix(), nsec: int32(e.at.Nanosecond()), seq: e.seq, slot: slot})
	h := q.h
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !keyLess(h[i], h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// DeleteMin removes the earliest event; the queue must not be empty.
func (q *eventQueue) DeleteMin() {
	h := q.h
	slot := h[0].slot
	q.slots[slot] = event{} // let the garbage collector have its function
	q.free = append(q.free, slot)
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	q.h = h
	i := 0
	for {
		min, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && keyLess(h[l], h[min]) {
			min = l
		}
		if r < len(h) && keyLess(h[r], h[min]) {
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
	clear(q.slots)
	q.h, q.slots, q.free = q.h[:0], q.slots[:0], q.free[:0]
}
