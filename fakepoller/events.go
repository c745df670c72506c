package fakepoller

import "time"

// eventQueue holds the scheduled events in (at, seq) order: a binary min-heap of
// keys in one slice, each key naming the slot of its event. Every event has its own
// seq, so the order is total and the heap runs them in exactly the order a sorted
// structure would; a heap does it with no allocation once the slices have grown, and
// with fewer comparisons than a tree, on the path every simulated packet takes. The
// keys hold no pointers, so that moving them in the heap costs the garbage collector
// no barrier; the events, which hold functions and sockets, stay in their slots.
//
// The heap holds the events a Duration from the clock's origin names. Those further
// from it, whose at is saturated, are in past (before the origin) or future (after
// it), each sorted by the instants' wall clock readings and then seq: every event of
// past runs before every one of the heap, and every one of future after them, so the
// heap compares integers alone.
type eventQueue struct {
	h            []eventKey
	past, future []eventKey
	slots        []event
	free         []int32 // slots of events that ran, for the next ones
}

// eventKey is an event's place in the order: its time as the Duration since the
// clock's origin (instant.d), and its seq.
type eventKey struct {
	at   time.Duration
	seq  uint64
	slot int32
}

// keyLess reports whether a's event runs before b's, for keys of the heap.
func keyLess(a, b eventKey) bool { return a.at < b.at || a.at == b.at && a.seq < b.seq }

func newEventQueue() *eventQueue { return &eventQueue{} }

// Len returns how many events are waiting.
func (q *eventQueue) Len() int { return len(q.h) + len(q.past) + len(q.future) }

// Min returns the time of the earliest event, if there is one.
func (q *eventQueue) Min() (instant, bool) {
	k, ok := q.minKey()
	if !ok {
		return instant{}, false
	}
	return instant{d: k.at, far: q.slots[k.slot].far}, true
}

// minKey returns the key of the earliest event, if there is one.
func (q *eventQueue) minKey() (eventKey, bool) {
	switch {
	case len(q.past) > 0:
		return q.past[0], true
	case len(q.h) > 0:
		return q.h[0], true
	case len(q.future) > 0:
		return q.future[0], true
	}
	return eventKey{}, false
}

// Push adds e, to run at the instant at; seq, greater than that of every event
// pushed before, orders it among the events of the same instant. e.far is set from
// at.
func (q *eventQueue) Push(at instant, seq uint64, e event) {
	e.far = at.far
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[slot] = e
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, e)
	}
	k := eventKey{at: at.d, seq: seq, slot: slot}
	if saturated(at.d) {
		q.pushFar(k)
		return
	}
	q.h = append(q.h, k)
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

// pushFar adds k, of a saturated at, to past or future, after the events of an
// instant not later than its: they have a smaller seq.
func (q *eventQueue) pushFar(k eventKey) {
	list := &q.future
	if k.at < 0 {
		list = &q.past
	}
	t := *q.slots[k.slot].far
	i := len(*list)
	for i > 0 && wallBefore(t, *q.slots[(*list)[i-1].slot].far) {
		i--
	}
	*list = append(*list, eventKey{})
	copy((*list)[i+1:], (*list)[i:])
	(*list)[i] = k
}

// DeleteMin removes the earliest event; the queue must not be empty.
func (q *eventQueue) DeleteMin() {
	switch {
	case len(q.past) > 0:
		q.deleteFirst(&q.past)
		return
	case len(q.h) == 0:
		q.deleteFirst(&q.future)
		return
	}
	h := q.h
	q.release(h[0].slot)
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

// deleteFirst removes the first event of list, past or future.
func (q *eventQueue) deleteFirst(list *[]eventKey) {
	q.release((*list)[0].slot)
	n := copy(*list, (*list)[1:])
	*list = (*list)[:n]
}

// release frees the slot of an event taken off the queue.
func (q *eventQueue) release(slot int32) {
	q.slots[slot] = event{} // let the garbage collector have its function
	q.free = append(q.free, slot)
}

// Clear removes every event.
func (q *eventQueue) Clear() {
	clear(q.slots)
	q.h, q.past, q.future = q.h[:0], q.past[:0], q.future[:0]
	q.slots, q.free = q.slots[:0], q.free[:0]
}
